"""What an import reports back: counts, and every problem with its file, line and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kaskad.core.progress import ProgressCallback

Kind = Literal["organisations", "people", "districts"]
KINDS: tuple[Kind, ...] = ("organisations", "people", "districts")
Severity = Literal["error", "warning"]

__all__ = ["KINDS", "ImportResult", "Kind", "ProgressCallback", "RowIssue"]

_SHOWN_VALUE = 80  # long values are cut in messages (the report keeps them whole)


def shorten(value: str, limit: int = _SHOWN_VALUE) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(slots=True)
class RowIssue:
    """One problem (or one warning) at a place in the file.

    ``line`` is the line of the file (the header is line 1; for XLSX the sheet's row number);
    0 means the file as a whole. ``message`` is in the language active during the import.
    """

    file: str
    line: int
    column: str
    value: str
    code: str
    message: str

    def where(self) -> str:
        if self.line <= 0:
            return self.file
        if not self.column:
            return _("%(file)s, line %(line)s") % {"file": self.file, "line": self.line}
        return _("%(file)s, line %(line)s, column “%(column)s”, value “%(value)s”") % {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "value": shorten(self.value),
        }

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "message": self.message,
        }


@dataclass
class ImportResult:
    """The outcome of one import. ``ok`` is False when anything was wrong: then nothing was
    written. ``errors``/``warnings`` keep the first issues (up to a limit);
    ``error_count``/``warning_count`` count them all."""

    ok: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    kind: str = ""
    file: str = ""
    dry_run: bool = False
    error_count: int = 0
    warning_count: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # how the file was read (encoding, sheet…)

    @property
    def rate(self) -> float:
        """Rows per second over the whole import."""
        return self.total / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """One sentence for a terminal or a page, in the active language."""
        if not self.ok:
            return ngettext(
                "%(file)s: %(count)s error in %(rows)s rows; nothing was written.",
                "%(file)s: %(count)s errors in %(rows)s rows; nothing was written.",
                self.error_count,
            ) % {"file": self.file, "count": self.error_count, "rows": self.total}
        rows, warnings = self.total, self.warning_count
        counts = {"file": self.file, "rows": rows}
        changes = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        warned = ngettext("%(count)s warning", "%(count)s warnings", warnings) % {"count": warnings}
        if self.dry_run:
            head = ngettext(
                "%(file)s: checked %(rows)s row, no errors (a trial run: nothing was written)",
                "%(file)s: checked %(rows)s rows, no errors (a trial run: nothing was written)",
                rows,
            )
            tail = _("Would create %(created)s, update %(updated)s, leave %(unchanged)s unchanged")
        else:
            head = ngettext(
                "%(file)s: %(rows)s row imported", "%(file)s: %(rows)s rows imported", rows
            )
            tail = _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged")
        return f"{head % counts}. {tail % changes}; {warned}."

    def as_dict(self, *, issues: int = 50) -> dict[str, Any]:
        """A JSON-ready digest (for Job.result) with the first ``issues`` of each list."""
        return {
            "ok": self.ok,
            "kind": self.kind,
            "file": self.file,
            "dry_run": self.dry_run,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
            "errors": [issue.as_dict() for issue in self.errors[:issues]],
            "warnings": [issue.as_dict() for issue in self.warnings[:issues]],
        }


class Issues:
    """Collects the problems of one import; keeps the first ``limit`` of each severity."""

    def __init__(self, file: str, *, limit: int = 10_000) -> None:
        self.file = file
        self.limit = limit
        self.errors: list[RowIssue] = []
        self.warnings: list[RowIssue] = []
        self.error_count = 0
        self.warning_count = 0
        self.notes: list[str] = []

    def error(self, line: int, column: str, value: str, code: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < self.limit:
            self.errors.append(RowIssue(self.file, line, column, value, code, message))

    def warning(self, line: int, column: str, value: str, code: str, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < self.limit:
            self.warnings.append(RowIssue(self.file, line, column, value, code, message))

    def result(self, *, kind: str, total: int = 0, dry_run: bool = False) -> ImportResult:
        return ImportResult(
            ok=self.error_count == 0,
            total=total,
            errors=self.errors,
            warnings=self.warnings,
            kind=kind,
            file=self.file,
            dry_run=dry_run,
            error_count=self.error_count,
            warning_count=self.warning_count,
            notes=list(self.notes),
        )
