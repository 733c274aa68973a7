"""Running an import: read, check every row, and only then write everything in one transaction.

Nothing is written while any row has an error: the result lists every problem (file, line,
column, value, reason) instead. When all rows are good, they are upserted in batches inside
a single transaction, so a failure half-way writes nothing either.
"""

from __future__ import annotations

import gc
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kaskad.core.progress import ProgressCallback
from kaskad.registry import permissions
from kaskad.registry.identifiers import is_valid_bin, is_valid_iin
from kaskad.registry.imports.base import Context, Validator
from kaskad.registry.imports.columns import COLUMNS, IDENTIFIER_COLUMNS, canonical_header
from kaskad.registry.imports.districts import DistrictsValidator
from kaskad.registry.imports.organisations import OrganisationsValidator
from kaskad.registry.imports.people import PeopleValidator
from kaskad.registry.imports.reader import FileProblem, check_size, open_table
from kaskad.registry.imports.types import KINDS, ImportResult, Issues, Kind, shorten
from kaskad.registry.imports.values import cell_text
from kaskad.registry.imports.writer import BulkWriter

if TYPE_CHECKING:
    from kaskad.accounts.models import User

VALIDATORS: dict[str, type[Validator]] = {
    "people": PeopleValidator,
    "organisations": OrganisationsValidator,
    "districts": DistrictsValidator,
}
STAGE_LABELS = {"validating": gettext_lazy("Checking"), "writing": gettext_lazy("Writing")}
REPORT_EVERY = 1000  # rows between progress reports while checking (the reporters throttle)
# One lock for all registry imports: people depend on organisations, which depend on districts.
ADVISORY_LOCK = 0x4B41534B  # "KASK"


def import_file(
    kind: Kind,
    path: Path | str,
    *,
    by: User | None = None,
    progress: ProgressCallback | None = None,
    original_name: str | None = None,
    dry_run: bool = False,
    source: str | None = None,
) -> ImportResult:
    """Import a CSV or XLSX file of `kind`. ``by`` (a user, or None for the system) decides
    the scope; ``dry_run`` checks and counts but writes nothing."""
    path = Path(path)
    name = original_name or path.name
    issues = Issues(name)
    started = time.monotonic()
    context = _context(kind, issues, by, progress, source or f"import:{name}")
    if context is None:
        return _finish(issues.result(kind=kind, dry_run=dry_run), started)
    try:
        check_size(path)
        with open_table(path, recognise=recogniser(kind)) as table:
            issues.notes.extend(table.notes)
            result = _run(
                kind,
                table.header,
                table.rows,
                table.estimated_rows,
                context,
                strict_width=table.strict_width,
                dry_run=dry_run,
                header_line=table.header_line,
            )
    except FileNotFoundError:
        issues.error(0, "", "", "not_found", _("The file was not found."))
        result = issues.result(kind=kind, dry_run=dry_run)
    except FileProblem as problem:
        issues.error(problem.line, problem.column, problem.value, problem.code, problem.message)
        result = issues.result(kind=kind, dry_run=dry_run)
    return _finish(result, started)


def import_rows(
    kind: Kind,
    rows: Iterable[Mapping[str, Any]],
    *,
    source: str,
    by: User | None = None,
    progress: ProgressCallback | None = None,
    dry_run: bool = False,
    file: str | None = None,
    estimated_rows: int = 0,
) -> ImportResult:
    """Import rows already parsed (keys are column names, as in a file's header).

    Checked and written exactly like a file; ``line`` in issues counts as if the rows
    followed a header line (the first row is line 2).
    """
    issues = Issues(file or source)
    started = time.monotonic()
    context = _context(kind, issues, by, progress, source)
    if context is None:
        return _finish(issues.result(kind=kind, dry_run=dry_run), started)
    iterator = iter(rows)
    first = next(iterator, None)
    header = [str(key) for key in first] if first is not None else []

    def cells() -> Iterator[tuple[int, list[str]]]:
        if first is None:
            return
        width = len(header)
        for line, row in enumerate(itertools.chain([first], iterator), start=2):
            values = [cell_text(row.get(key)) for key in header]
            if len(row) != width:
                extra = [str(key) for key in row if key not in first]
                if extra:
                    values.extend(cell_text(row[key]) for key in extra)
            yield line, values

    if first is None:
        issues.error(0, "", "", "no_rows", _("There are no data rows."))
        return _finish(issues.result(kind=kind, dry_run=dry_run), started)
    try:
        result = _run(
            kind, header, cells(), estimated_rows, context, strict_width=True, dry_run=dry_run
        )
    except FileProblem as problem:
        issues.error(problem.line, problem.column, problem.value, problem.code, problem.message)
        result = issues.result(kind=kind, dry_run=dry_run)
    return _finish(result, started)


def recogniser(kind: str) -> Callable[[str], bool] | None:
    """Tells the column names of `kind` (in any accepted spelling) from other text."""
    if kind not in COLUMNS:
        return None
    known = {column.name for column in COLUMNS[kind]}
    return lambda cell: canonical_header(cell) in known


def _finish(result: ImportResult, started: float) -> ImportResult:
    result.errors.sort(key=lambda issue: issue.line)
    result.warnings.sort(key=lambda issue: issue.line)
    result.seconds = time.monotonic() - started
    return result


def _context(
    kind: str, issues: Issues, by: User | None, progress: ProgressCallback | None, source: str
) -> Context | None:
    if kind not in KINDS:
        issues.error(
            0, "", kind, "unknown_kind", _("Unknown kind of import: %(kind)s.") % {"kind": kind}
        )
        return None
    allowed: frozenset[int] | None = None
    if by is not None:
        if not permissions.can_import(by):
            issues.error(0, "", "", "forbidden", _("You may not import registry data."))
            return None
        allowed = permissions.editable_area_ids(by)
    context = Context(issues=issues, source=source[:200], actor=by, allowed_area_ids=allowed)
    if progress is not None:
        context.progress = progress
    return context


def check_header(
    kind: str, header: Sequence[str], issues: Issues, *, line: int = 1
) -> tuple[dict[str, int], int] | None:
    """Column positions by name and the width of the table, or None (with errors)."""
    columns = COLUMNS[kind]  # type: ignore[index]
    known = {column.name for column in columns}
    width = len(header)
    while width and not str(header[width - 1]).strip():
        width -= 1  # trailing empty header cells, as spreadsheets leave them
    positions: dict[str, int] = {}
    unknown: list[str] = []
    duplicated: list[str] = []
    for index, raw in enumerate(header[:width]):
        name = canonical_header(str(raw))
        if not name:
            unknown.append(_("(column %(number)s has no name)") % {"number": index + 1})
        elif name not in known:
            unknown.append(str(raw).strip())
        elif name in positions:
            duplicated.append(str(raw).strip())
        else:
            positions[name] = index
    missing = [
        column.name for column in columns if column.required and column.name not in positions
    ]
    expected = ", ".join(column.name for column in columns)
    if unknown and not positions and not duplicated:
        # Not one column name: a title, another kind of file, or a table without a header.
        shown = shorten(
            " | ".join(str(cell).strip() for cell in header[:width] if str(cell).strip())
        )
        issues.error(
            line,
            "",
            shown,
            "no_header",
            _(
                "No column names of this file were found in its first rows (line %(line)s "
                "holds “%(value)s”). The first row of the table must hold the column names: "
                "%(expected)s (or their Russian or Kazakh names)."
            )
            % {"line": line, "value": shown, "expected": expected},
        )
        return None
    if unknown:
        issues.error(
            line,
            ", ".join(unknown),
            ", ".join(unknown),
            "unknown_columns",
            _("Unknown columns: %(names)s. The columns of this file are: %(expected)s.")
            % {"names": ", ".join(unknown), "expected": expected},
        )
    if duplicated:
        issues.error(
            line,
            ", ".join(duplicated),
            ", ".join(duplicated),
            "duplicate_columns",
            _("These columns appear more than once: %(names)s.") % {"names": ", ".join(duplicated)},
        )
    if missing:
        issues.error(
            line,
            ", ".join(missing),
            "",
            "missing_columns",
            _("Required columns are missing: %(names)s.") % {"names": ", ".join(missing)},
        )
    if unknown or duplicated or missing:
        return None
    return positions, width


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one import.

    An import keeps every checked row alive until it writes; each full collection walks them
    all again, which cost ~17% of an import's CPU (bench/RESULTS.md). The rows hold no
    reference cycles, so collecting can wait until the import ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run(*args: Any, **kwargs: Any) -> ImportResult:
    with _collector_paused():
        return _run_with_collector_paused(*args, **kwargs)


def _run_with_collector_paused(
    kind: str,
    header: Sequence[str],
    rows: Iterator[tuple[int, list[str]]],
    estimated_rows: int,
    context: Context,
    *,
    strict_width: bool,
    dry_run: bool,
    header_line: int = 1,
) -> ImportResult:
    issues = context.issues
    checked = check_header(kind, header, issues, line=header_line)
    if checked is None:
        return issues.result(kind=kind, dry_run=dry_run)
    positions, width = checked
    validator = VALIDATORS[kind](context, positions)
    identifiers = Identifiers(kind, positions, issues)
    validator.prepare()
    progress = context.progress
    progress("validating", 0, estimated_rows)
    total = 0
    next_report = REPORT_EVERY
    try:
        for line, cells in rows:
            total += 1
            if len(cells) != width:
                fitted = _fit(line, cells, width, strict_width, issues)
                if fitted is None:
                    continue
                cells = fitted
            if identifiers.positions and not identifiers.restore(line, cells):
                continue
            validator.row(line, cells)
            if total >= next_report:
                progress("validating", total, max(estimated_rows, total))
                next_report += REPORT_EVERY
    except FileProblem as problem:
        issues.error(problem.line, problem.column, problem.value, problem.code, problem.message)
    progress("validating", total, total)
    identifiers.note()
    if total == 0 and not issues.error_count:
        issues.error(
            header_line + 1,
            "",
            "",
            "no_rows",
            _("There are no data rows: the file holds only the header."),
        )
    if not issues.error_count:
        validator.finish()
    if issues.error_count:
        return issues.result(kind=kind, total=total, dry_run=dry_run)

    context.now = timezone.now()
    writer = BulkWriter()
    # Announce the writing stage before the transaction opens: on SQLite nobody else may write
    # while it is open, so a job page would otherwise show "Checking 100%" until the end.
    progress("writing", 0, total)
    with transaction.atomic():
        if writer.postgres:
            with writer.connection.cursor() as cursor:
                # Two imports at once would race on the same IINs and codes: take turns.
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        created, updated, unchanged = validator.write(writer)
        if dry_run:
            transaction.set_rollback(True)
    result = issues.result(kind=kind, total=total, dry_run=dry_run)
    result.created, result.updated, result.unchanged = created, updated, unchanged
    return result


class Identifiers:
    """Puts back the leading zeros Excel drops from IINs, BINs and codes stored as numbers.

    A number of 9 to 11 digits in such a column is padded with zeros to 12 when that is
    unambiguous: an IIN or BIN column, when the result is a valid IIN or BIN (the check digit
    makes a wrong guess all but impossible); a person's organisation code, when it is a valid
    BIN; an organisation's own code, only when it equals the row's BIN (codes need not be 12
    digits, so a short code without a BIN beside it is left as written). An IIN or BIN that
    cannot be restored is refused with the reason.
    """

    def __init__(self, kind: str, positions: Mapping[str, int], issues: Issues) -> None:
        self.issues = issues
        self.bin_position = positions.get("bin", -1)
        columns = sorted(  # the BIN before the code that is compared with it
            (name for name in positions if name in IDENTIFIER_COLUMNS),
            key=lambda name: name != "bin",
        )
        # District codes are KATO codes: never padded.
        self.positions = (
            []
            if kind == "districts"
            else [(positions[name], name, IDENTIFIER_COLUMNS[name]) for name in columns]
        )
        self.restored = 0

    def restore(self, line: int, cells: list[str]) -> bool:
        """Fix `cells` in place; False (with an error) when a number lost its zeros for good."""
        ok = True
        for position, column, what in self.positions:
            value = cells[position]
            if not 8 < len(value) < 14:
                continue
            digits = value.strip()
            if not (8 < len(digits) < 12 and digits.isascii() and digits.isdigit()):
                continue
            padded = digits.zfill(12)
            if what == "iin":
                restored = is_valid_iin(padded)
            elif what == "bin":
                restored = is_valid_bin(padded)
            elif self.bin_position >= 0:  # an organisation's code: only when it is its BIN
                restored = padded == cells[self.bin_position].strip()
            else:
                restored = is_valid_bin(padded)
            if restored:
                cells[position] = padded
                self.restored += 1
            elif what != "code":
                self.issues.error(
                    line,
                    column,
                    value,
                    "leading_zeros_lost",
                    _(
                        "The number has %(count)s digits instead of 12: Excel probably dropped "
                        "its leading zeros (the column was formatted as numbers), and adding them "
                        "back does not give a valid %(what)s. Format the column as text and type "
                        "the numbers again."
                    )
                    % {"count": len(digits), "what": _("IIN") if what == "iin" else _("BIN")},
                )
                ok = False
        return ok

    def note(self) -> None:
        if self.restored:
            self.issues.notes.append(
                ngettext(
                    "Excel had stored %(count)s number as a number and dropped its leading "
                    "zeros; they were put back (the check digit confirms it).",
                    "Excel had stored %(count)s numbers as numbers and dropped their leading "
                    "zeros; they were put back (the check digits confirm it).",
                    self.restored,
                )
                % {"count": self.restored}
            )


def _fit(line: int, cells: list[str], width: int, strict: bool, issues: Issues) -> list[str] | None:
    """Cells cut or padded to the header's width, or None (with an error) if they cannot be."""
    if len(cells) > width:
        if not any(cell.strip() for cell in cells[width:]):
            return cells[:width]  # trailing empty cells carry no data
        issues.error(
            line,
            "",
            "",
            "too_many_values",
            _("The line has %(count)s values but the header has %(width)s columns.")
            % {"count": len(cells), "width": width},
        )
        return None
    if strict:
        issues.error(
            line,
            "",
            "",
            "too_few_values",
            _("The line has %(count)s values but the header has %(width)s columns.")
            % {"count": len(cells), "width": width},
        )
        return None
    return cells + [""] * (width - len(cells))
