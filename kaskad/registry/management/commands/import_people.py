"""`manage.py import_people FILE` (see `--help`; the work is in kaskad.registry.imports)."""

from kaskad.registry.imports.command import ImportCommand


class Command(ImportCommand):
    kind = "people"
    help = (
        "Import people from a CSV or XLSX file. Every row is checked before anything is "
        "written; with any error nothing is written and an error report is saved."
    )
