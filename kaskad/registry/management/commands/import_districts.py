"""`manage.py import_districts FILE` (see `--help`; the work is in kaskad.registry.imports)."""

from kaskad.registry.imports.command import ImportCommand


class Command(ImportCommand):
    kind = "districts"
    help = (
        "Import districts from a CSV or XLSX file. Every row is checked before anything is "
        "written; with any error nothing is written and an error report is saved."
    )
