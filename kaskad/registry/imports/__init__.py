"""Bulk import of districts, organisations and people (with their employment).

    result = import_file("people", Path("teachers.csv"), by=user, progress=callback)
    if not result.ok:
        write_error_report(result, Path("teachers.errors.csv"), fmt="csv")

Every row is checked before anything is written; with any error nothing is written. Good
files are upserted (people by IIN, organisations by BIN or code, districts by code), so
importing the same file twice changes nothing the second time.
"""

from kaskad.core.progress import ProgressCallback
from kaskad.registry.imports.engine import import_file, import_rows
from kaskad.registry.imports.report import template_file, write_error_report
from kaskad.registry.imports.types import KINDS, ImportResult, Kind, RowIssue

__all__ = [
    "KINDS",
    "ImportResult",
    "Kind",
    "ProgressCallback",
    "RowIssue",
    "import_file",
    "import_rows",
    "template_file",
    "write_error_report",
]
