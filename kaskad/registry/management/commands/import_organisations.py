"""`manage.py import_organisations FILE` (see `--help`; the work is in kaskad.registry.imports)."""

from kaskad.registry.imports.command import ImportCommand


class Command(ImportCommand):
    kind = "organisations"
    help = (
        "Import organisations from a CSV or XLSX file. Every row is checked before anything is "
        "written; with any error nothing is written and an error report is saved."
    )
