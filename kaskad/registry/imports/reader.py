"""Reading an uploaded table as a stream of (line, cells), whatever Excel or a user did to it.

Accepted: CSV in UTF-8 (with or without BOM) or Windows-1251, separated by commas, semicolons
or tabs (sniffed from the header line); XLSX (first sheet, read-only). Everything else is
refused with a message that says what the file seems to be and how to save it properly.

The encoding rule: a file that is valid UTF-8 is UTF-8. Otherwise it may be Windows-1251,
but only if the text decoded that way looks like Russian/Kazakh/English text: words are
either Cyrillic or Latin, not a mixture (Latin-1 "Müller" would read as "Mьller"), and
almost no stray symbols. Anything else: "unexpected encoding, save as UTF-8".
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaskad.registry.imports.columns import IDENTIFIER_COLUMNS, normalise_header
from kaskad.registry.imports.values import cell_text

SAMPLE_BYTES = 1 << 20  # enough to judge the encoding; the rest is checked line by line


class FileProblem(Exception):
    """The file as a whole (or from some line on) cannot be read."""

    def __init__(
        self, code: str, message: str, *, line: int = 0, column: str = "", value: str = ""
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.value = value


@dataclass
class Table:
    header: list[str]  # as written in the file
    rows: Iterator[tuple[int, list[str]]]  # (line, cells), blank rows skipped
    estimated_rows: int
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    strict_width: bool = True  # CSV rows must have as many cells as the header
    header_line: int = 1


# --- what is this file? ---------------------------------------------------------------------

_MAGIC: tuple[tuple[bytes, Any], ...] = (
    (b"\x89PNG\r\n\x1a\n", gettext_lazy("a PNG image")),
    (b"%PDF-", gettext_lazy("a PDF document")),
    (b"GIF87a", gettext_lazy("a GIF image")),
    (b"GIF89a", gettext_lazy("a GIF image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"\x1f\x8b", gettext_lazy("a compressed (gzip) archive")),
    (b"Rar!\x1a\x07", gettext_lazy("a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", gettext_lazy("a 7-Zip archive")),
    (b"\x7fELF", gettext_lazy("a program")),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls/.doc
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")


def not_csv(what: Any) -> FileProblem:
    return FileProblem(
        "not_csv",
        _(
            "This is not a CSV file (it looks like %(what)s). Save the table as CSV (UTF-8) "
            "or as an Excel workbook (.xlsx)."
        )
        % {"what": what},
    )


def wrong_encoding(detail: str = "") -> FileProblem:
    message = _(
        "Unexpected encoding: the file is neither UTF-8 nor Windows-1251 Cyrillic "
        "text. Save it as “CSV UTF-8”."
    )
    if detail:
        message = f"{message} ({detail})"
    return FileProblem("encoding", message)


def damaged_xlsx() -> FileProblem:
    return FileProblem(
        "xlsx_damaged",
        _(
            "The Excel file is damaged or incomplete (was the upload interrupted?). Open it in "
            "Excel, save it again as .xlsx and upload it once more."
        ),
    )


def check_size(path: Path, *, limit: int | None = None) -> int:
    """Refuse a file over settings.IMPORT_MAX_BYTES before reading a byte of it."""
    limit = settings.IMPORT_MAX_BYTES if limit is None else limit
    size = path.stat().st_size
    if size > limit:
        raise FileProblem("too_large", too_large_message(size, limit))
    return size


def too_large_message(size: int | None, limit: int) -> str:
    if size is None:
        return _("The file is too large: the limit is %(limit)s. Split it into smaller files.") % {
            "limit": filesizeformat(limit)
        }
    return _(
        "The file is %(size)s, more than the limit of %(limit)s. Split it into smaller files."
    ) % {"size": filesizeformat(size), "limit": filesizeformat(limit)}


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open `path` as a table; raises FileProblem when it cannot be one."""
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head:
        raise FileProblem("empty", _("The file is empty."))
    is_xlsx_name = path.suffix.lower() == ".xlsx"
    if head.startswith(_ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                is_workbook = "xl/workbook.xml" in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            if is_xlsx_name:
                raise damaged_xlsx() from None
            raise not_csv(_("a damaged ZIP archive")) from None
        if is_workbook:
            with _open_xlsx(path) as table:
                yield table
            return
        if is_xlsx_name:
            raise FileProblem("not_xlsx", _("This file is not an Excel workbook (.xlsx)."))
        raise not_csv(_("a ZIP archive"))
    if head.startswith(_OLE):
        raise FileProblem(
            "old_excel",
            _(
                "This is an old Excel (.xls) or other Office file. Save it as an Excel "
                "workbook (.xlsx) or as CSV (UTF-8)."
            ),
        )
    if is_xlsx_name:
        raise FileProblem("not_xlsx", _("This file is not an Excel workbook (.xlsx)."))
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise not_csv(what)
    encoding = _csv_encoding(head, complete=len(head) < SAMPLE_BYTES)
    with _open_csv(path, encoding) as table:
        yield table


def _looks_like_utf16(head: bytes) -> bool:
    sample = head[:4096]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    return max(even_nuls, odd_nuls) > len(sample) // 4


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Symbols a Russian spreadsheet legitimately contains outside ASCII.
_CYRILLIC_TEXT_SYMBOLS = frozenset("№«»–—“”„‘’…•°±§©®\xa0")


def _csv_encoding(head: bytes, *, complete: bool) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_like_utf16(head):
        raise wrong_encoding("UTF-16")
    if b"\x00" in head:
        raise not_csv(_("binary data"))
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        encoding = "utf-8-sig"  # strips a BOM when there is one
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1251")
        except UnicodeDecodeError:
            raise wrong_encoding() from None
        if not plausible_cyrillic(text):
            raise wrong_encoding() from None
        encoding = "cp1251"
    if len(_CONTROL.findall(text)) > max(3, len(text) // 1000):
        raise not_csv(_("binary data"))
    return encoding


def plausible_cyrillic(text: str) -> bool:
    """Does text decoded as Windows-1251 read like Cyrillic/Latin text (see module doc)?"""
    if _CONTROL.search(text):
        return False
    foreign = [ch for ch in text if ord(ch) > 127]
    if not foreign:
        return True
    symbols = sum(
        1 for ch in foreign if not ("\u0400" <= ch <= "\u04ff") and ch not in _CYRILLIC_TEXT_SYMBOLS
    )
    if symbols > len(foreign) * 0.02:
        return False
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    mixed = sum(1 for w in words if _LATIN.search(w) and _CYRILLIC.search(w))
    return mixed <= len(words) * 0.02


def _sniff_delimiter(line: str) -> str:
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_lines(path: Path) -> int:
    count = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (0 if last == b"\n" else 1)


def _decoded_lines(handle: IO[bytes], encoding: str) -> Iterator[str]:
    # Decoding line by line (rather than in 8 KB blocks) names the exact line with bad bytes.
    for number, raw in enumerate(handle, start=1):
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError:
            name = "UTF-8" if encoding.startswith("utf-8") else "Windows-1251"
            raise FileProblem(
                "encoding",
                _(
                    "Line %(line)s is not valid %(encoding)s text: the file mixes encodings. "
                    "Save it as “CSV UTF-8”."
                )
                % {"line": number, "encoding": name},
                line=number,
            ) from None


@contextmanager
def _open_csv(path: Path, encoding: str) -> Iterator[Table]:
    with path.open("rb") as handle:
        lines = _decoded_lines(handle, encoding)
        first = next(lines, "")
        if not first.strip(" \t\r\n\ufeff,;"):
            raise FileProblem("no_header", _("The first line must hold the column names."), line=1)
        offset = 0
        hint = first.strip().lower()
        if len(hint) == 5 and hint.startswith("sep="):
            # Excel's "sep=;" line names the separator; the header follows it.
            delimiter = first.strip()[4]
            first = next(lines, "")
            offset = 1
        else:
            delimiter = _sniff_delimiter(first)
        reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except csv.Error:
            raise FileProblem(
                "csv_quote", _("The header line has a misplaced quote."), line=1 + offset
            ) from None
        yield Table(
            header=header,
            rows=_csv_rows(reader, offset),
            header_line=1 + offset,
            estimated_rows=max(0, _count_lines(path) - 1),
            format="csv",
            encoding="UTF-8" if encoding.startswith("utf-8") else "Windows-1251",
            delimiter=delimiter,
        )


def _csv_rows(reader: Any, offset: int = 0) -> Iterator[tuple[int, list[str]]]:
    """Rows with the physical line each starts on (``offset``: lines before the header)."""
    previous = reader.line_num + offset
    try:
        for cells in reader:
            start = previous + 1
            previous = reader.line_num + offset
            if not any(cell.strip() for cell in cells):
                continue
            yield start, cells
    except csv.Error as exc:
        raise FileProblem(
            "csv_quote",
            _(
                "Line %(line)s: a quoted value is not closed, or a quote is misplaced (the file "
                "may be cut short). Check the quotes from this line on."
            )
            % {"line": previous + 1},
            line=previous + 1,
            value=str(exc),
        ) from None


# XLSX: every way a damaged zip or XML shows itself while openpyxl reads.
_XLSX_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    OSError,
    ValueError,
    ParseError,
    IndexError,
    TypeError,
)


@contextmanager
def _open_xlsx(path: Path) -> Iterator[Table]:
    import openpyxl  # heavy; only needed for workbooks

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _XLSX_ERRORS:
        raise damaged_xlsx() from None
    try:
        if not workbook.worksheets:
            raise FileProblem("empty", _("The workbook has no sheets."))
        sheet = workbook.worksheets[0]
        try:
            values = sheet.iter_rows(min_row=1, values_only=True)
            first = next(values, None)
        except _XLSX_ERRORS:
            raise damaged_xlsx() from None
        header = [cell_text(v).strip() for v in (first or ())]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise FileProblem(
                "no_header",
                _("The first row of the first sheet must hold the column names."),
                line=1,
            )
        padded = {
            index
            for index, name in enumerate(header)
            if normalise_header(name) in IDENTIFIER_COLUMNS
        }
        max_row = sheet.max_row or 0
        yield Table(
            header=header,
            rows=_xlsx_rows(values, len(header), padded),
            estimated_rows=max(0, max_row - 1),
            format="xlsx",
            strict_width=False,
        )
    finally:
        workbook.close()


def _xlsx_rows(
    values: Iterator[Sequence[Any]], width: int, identifiers: set[int]
) -> Iterator[tuple[int, list[str]]]:
    line = 1
    try:
        for line, row in enumerate(values, start=2):
            cells = [cell_text(v) for v in row]
            if not any(cell.strip() for cell in cells):
                continue
            for index in identifiers:
                if index < len(row) and isinstance(row[index], (int, float)):
                    # A number cell cannot keep the leading zero of an IIN/BIN born in 2000s.
                    cells[index] = cells[index].zfill(12)
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            yield line, cells
    except _XLSX_ERRORS:
        raise FileProblem(
            "xlsx_damaged",
            _(
                "The Excel file is damaged or incomplete from row %(line)s on. Open it in "
                "Excel, save it again and upload it once more."
            )
            % {"line": line + 1},
            line=line + 1,
        ) from None
