"""Coordinators' enrolment lists: IINs pasted or uploaded as plain text, CSV or an Excel
workbook, one per line. Only the first cell of each line counts, so a list copied from a
spreadsheet with names beside the IINs works too; a first line without digits is taken for a
header and skipped.

Each line is then its own enrolment request (see `enrolment_request_list`): unlike a registry
import, a refused line does not undo the others.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kaskad.core.errors import DomainError

MAX_LINES = 2000
MAX_BYTES = 5 * 1024 * 1024
_SEPARATORS = re.compile(r"[;,\t]")
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY = (b"\x89PNG", b"%PDF-", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


@dataclass(frozen=True)
class ListLine:
    line: int  # as the user counts them: from 1, blank lines included
    value: str


class ListProblem(DomainError):
    """The list as a whole cannot be read."""


def _first_cell(raw: str) -> str:
    for cell in _SEPARATORS.split(raw):
        cell = cell.strip().strip("\"'").strip()
        if cell:
            return cell
    return ""


def _finish(lines: list[ListLine]) -> list[ListLine]:
    if lines and not any(ch.isdigit() for ch in lines[0].value):
        lines = lines[1:]  # a header such as "IIN", "ИИН" or "ЖСН"
    if len(lines) > MAX_LINES:
        raise ListProblem(
            "list_too_long",
            _("The list has %(count)s lines; at most %(limit)s are accepted at once. Split it.")
            % {"count": len(lines), "limit": MAX_LINES},
        )
    return lines


def lines_from_text(text: str) -> list[ListLine]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        value = _first_cell(raw)
        if value:
            lines.append(ListLine(number, value))
    return _finish(lines)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        # Excel keeps an IIN typed as a number without its leading zero (061211600012 becomes
        # 61211600012): give it back.
        return str(value).zfill(12)
    if isinstance(value, float) and value.is_integer():
        return str(int(value)).zfill(12)
    return str(value).strip()


def _lines_from_xlsx(data: bytes) -> list[ListLine]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ListProblem(
            "xlsx_damaged",
            _(
                "The Excel file is damaged or incomplete. Open it in Excel, save it again as "
                ".xlsx and upload it once more."
            ),
        ) from None
    try:
        sheet = workbook.worksheets[0]
        lines = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            value = next((text for text in map(_cell_text, row) if text), "")
            if value:
                lines.append(ListLine(number, value))
            if len(lines) > MAX_LINES + 1:
                break
    finally:
        workbook.close()
    return _finish(lines)


def lines_from_upload(data: bytes) -> list[ListLine]:
    """Lines of an uploaded file: XLSX, or text/CSV in UTF-8 or Windows-1251."""
    if not data.strip():
        raise ListProblem("empty", _("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ListProblem(
            "too_large", _("The file is too large for a list of IINs: the limit is 5 MB.")
        )
    if data.startswith(_ZIP):
        return _lines_from_xlsx(data)
    if data.startswith(_OLE):
        raise ListProblem(
            "old_excel",
            _(
                "This is an old Excel (.xls) file. Save it as an Excel workbook (.xlsx) or as "
                "CSV (UTF-8)."
            ),
        )
    if data.startswith(_BINARY) or b"\x00" in data[:4096]:
        raise ListProblem(
            "not_a_list",
            _("This file is not a list of IINs: upload a text, CSV or Excel (.xlsx) file."),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # IINs are digits in any encoding; the rest of a line (names) only needs to decode.
        text = data.decode("cp1251", errors="replace")
    return lines_from_text(text)


def results_csv(rows: list[dict[str, Any]]) -> str:
    """The per-line results as CSV text (UTF-8 with BOM is added by the caller if needed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [_("Line"), _("IIN"), _("Name"), _("Result"), _("Waitlist position"), _("Reason")]
    )
    for row in rows:
        writer.writerow(
            [
                row["line"],
                row["value"],
                row["name"],
                row["result"],
                row["position"] if row["position"] is not None else "",
                row["message"],
            ]
        )
    return buffer.getvalue()
