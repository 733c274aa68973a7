"""Reading an uploaded table as a stream of (line, cells), whatever Excel or a user did to it.

Accepted: CSV in UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text",
tab-separated), Windows-1251 or KZ-1048, separated by commas, semicolons or tabs (sniffed from
the first lines); XLSX (the first sheet that holds the table, read-only). The format is told
by the content, not the name: a workbook named ``.csv`` is read as a workbook. Everything else
is refused with a message that says what the file seems to be and how to save it properly.

The encoding is decided by evidence, and the decision is stated in the result:

* a BOM names UTF-8 or UTF-16; a file that is valid UTF-8 is UTF-8;
* a file that is mostly UTF-8 with some lines that are not mixes encodings: refused, naming
  the first bad line; UTF-8 cut in the middle of a letter is "cut short";
* otherwise it is a single-byte Cyrillic file. Windows-1251 and KZ-1048 differ in 16 bytes
  only: KZ-1048 reads them as the Kazakh letters ә ғ қ ң ө ұ ү һ (frequent in Kazakh text),
  Windows-1251 as Serbian, Macedonian, Belarusian and Ukrainian letters (Ќ Ј Ѕ Ў є ї ґ), rare
  here. Each such byte is a vote (see :func:`_single_byte_votes`): Ќ ј ѕ ў ґ are votes for
  KZ-1048; є and ї count by where they stand (Ukrainian writes them only at the start of a
  word or after a vowel, and "іїв" is a Ukrainian patronymic, not Kazakh). A file without any
  of these bytes reads the same either way (Windows-1251). When the votes are balanced the
  file is refused, naming both encodings;
* the single-byte reading must still look like text: almost no stray symbols, and words that
  mix Latin and Cyrillic letters must be Cyrillic words with a few Latin look-alikes (keyboard
  layout slips, repaired later) rather than Latin words with Cyrillic letters in them
  (Latin-1 "Müller" would read as "Mьller").

Whatever the encoding, a "?" where a letter should be ("Му?тар") means the program that saved
the file (Excel's "CSV (comma delimited)" in Windows-1251) had already replaced the Kazakh
letters it could not store: refused, naming the line, since the letters cannot be recovered.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kaskad.registry.imports.values import cell_text

SAMPLE_BYTES = 1 << 20  # enough to judge the encoding; the rest is checked line by line
HEADER_SEARCH = 10  # rows looked at for the column names (a title may stand above them)

Recognise = Callable[[str], bool]  # is this header cell a column of the import?


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
    notes: list[str] = field(default_factory=list)  # how the file was read, for the result
    hidden_rows: frozenset[int] = frozenset()  # XLSX rows hidden in Excel


@dataclass(frozen=True)
class Encoding:
    codec: str  # Python's name
    label: str  # as people know it


UTF8 = Encoding("utf-8-sig", "UTF-8")  # utf-8-sig strips a BOM when there is one
CP1251 = Encoding("cp1251", "Windows-1251")
KZ1048 = Encoding("kz1048", "KZ-1048")


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
        "Unexpected encoding: the file is not UTF-8, UTF-16, Windows-1251 or KZ-1048 "
        "Cyrillic text. Save it as “CSV UTF-8”."
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


def file_format(head: bytes) -> str:
    """ "xlsx" for anything zipped (a workbook, whatever its name), else "csv"."""
    return "xlsx" if head.startswith(_ZIP) else "csv"


def size_limit(fmt: str) -> int:
    """The largest file of this format an import reads.

    CSV is sized for the national people file (400,000 rows, ~74 MB); a workbook of the same
    rows is smaller on disk but costs far more to read, so it has its own, lower limit.
    """
    limit = int(settings.IMPORT_MAX_BYTES)
    if fmt == "xlsx":
        return min(limit, int(getattr(settings, "IMPORT_MAX_BYTES_XLSX", limit)))
    return limit


def check_size(path: Path, *, limit: int | None = None) -> int:
    """Refuse a file over the limit of its format before reading more than its first bytes."""
    size = path.stat().st_size
    if limit is None:
        with path.open("rb") as handle:
            limit = size_limit(file_format(handle.read(4)))
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
def open_table(path: Path, *, recognise: Recognise | None = None) -> Iterator[Table]:
    """Open `path` as a table; raises FileProblem when it cannot be one.

    ``recognise`` tells a column name of the import from other text: with it, the column
    names are looked for among the first rows (a title may stand above them) and, in a
    workbook, on the first sheet that holds them.
    """
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
            with _open_xlsx(path, recognise) as table:
                if not is_xlsx_name:
                    table.notes.insert(
                        0,
                        _("The file is an Excel workbook (whatever its name says): read as one."),
                    )
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
    encoding = detect_encoding(head, complete=len(head) < SAMPLE_BYTES)
    with _open_csv(path, encoding, recognise) as table:
        yield table


# --- encodings ------------------------------------------------------------------------------


def _utf16_without_bom(head: bytes) -> Encoding | None:
    sample = head[:4096]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if max(even_nuls, odd_nuls) <= len(sample) // 4:
        return None
    # ASCII letters in UTF-16: "a\0" (little-endian) or "\0a" (big-endian).
    return Encoding("utf-16-le" if odd_nuls > even_nuls else "utf-16-be", "UTF-16")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Symbols a Russian spreadsheet legitimately contains outside ASCII.
_CYRILLIC_TEXT_SYMBOLS = frozenset("№«»–—“”„‘’…•°±§©®\xa0")


def detect_encoding(head: bytes, *, complete: bool) -> Encoding:
    """The encoding of a CSV file from its first bytes (the whole file when ``complete``)."""
    utf16: Encoding | None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        utf16 = Encoding("utf-16", "UTF-16")  # the BOM names the byte order
    else:
        utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        sample = head[: 1 << 16].decode(utf16.codec, errors="replace")
        if len(_CONTROL.findall(sample)) > max(3, len(sample) // 1000):
            raise not_csv(_("binary data"))
        return utf16
    if b"\x00" in head:
        raise not_csv(_("binary data"))
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        encoding = UTF8
    except UnicodeDecodeError as exc:
        encoding = _not_utf8(head, exc, complete=complete)
        text = head.decode(encoding.codec, errors="replace")
        if not plausible_cyrillic(text):
            raise wrong_encoding() from None
    if len(_CONTROL.findall(text)) > max(3, len(text) // 1000):
        raise not_csv(_("binary data"))
    return encoding


def cut_short(line: int) -> FileProblem:
    return FileProblem(
        "cut_short",
        _(
            "The file ends in the middle of a letter on line %(line)s: it was cut short (was "
            "the upload or the copy interrupted?). Save or copy the whole file again."
        )
        % {"line": line},
        line=line,
    )


def mixed_encodings(line: int, encoding: str) -> FileProblem:
    return FileProblem(
        "encoding",
        _(
            "Line %(line)s is not valid %(encoding)s text: the file mixes encodings. "
            "Save it as “CSV UTF-8”."
        )
        % {"line": line, "encoding": encoding},
        line=line,
    )


def _not_utf8(head: bytes, exc: UnicodeDecodeError, *, complete: bool) -> Encoding:
    """The file is not UTF-8 from ``exc.start`` on: cut short, mixed, or single-byte?"""
    line = head.count(b"\n", 0, exc.start) + 1
    utf8_before = not head[: exc.start].isascii()
    if complete and exc.reason == "unexpected end of data" and utf8_before:
        raise cut_short(line)
    if utf8_before:
        # UTF-8 letters before, something else here: two files were pasted together.
        raise mixed_encodings(line, "UTF-8")
    return single_byte_encoding(head)


# Bytes read differently by Windows-1251 and KZ-1048, as Windows-1251 letters. In KZ-1048
# they are, in order: Қ Һ қ һ Ұ ұ Ә Ө Ғ Ү ө ғ ә Ң ң ү.
_KZ_DIFFERENT = "ЌЋќћЎўЈҐЄЇґєјЅѕї"
_KZ_STRONG = frozenset("ЌЋќћЎўЈјЅѕҐґ")  # қ һ ұ ә ң ө: common in Kazakh, rare as read here
_VOWELS = frozenset("аеёиоуыэюяіїєәөұүАЕЁИОУЫЭЮЯІЇЄӘӨҰҮ")
_FRONT_VOWELS = frozenset("еиіїєюяЕИІЇЄЮЯ")
_APOSTROPHES = frozenset("'’ʼ")
_KZ_BYTES = re.compile("[" + _KZ_DIFFERENT + "]")


def _single_byte_votes(text: str) -> tuple[int, int, int]:
    """(votes for KZ-1048, votes for Windows-1251, neutral) over text read as Windows-1251.

    Ќ Ћ Ў Ј Ѕ Ґ (KZ-1048: Қ Һ Ұ Ә Ң Ө) hardly occur in the text of this country: KZ-1048.
    Є and Ї (KZ-1048: Ғ and Ү) are Ukrainian letters that Ukrainian writes only at the start
    of a word or after a vowel or apostrophe: after a consonant they are Kazakh. After a
    front vowel (Андрієнко, Олексіївна) they are Ukrainian; Kazakh Ғ goes with back vowels
    only. At the start of a word, Є before a consonant (Євген) is Ukrainian, Ғ before a vowel
    (Ғалым) is Kazakh; Ї/Ү before a consonant fits both (Їжак, Үміт).
    """
    kz = cp = neutral = 0
    for match in _KZ_BYTES.finditer(text):
        char = match.group()
        if char in _KZ_STRONG:
            kz += 1
            continue
        at = match.start()
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        is_ye = char in "Єє"
        if before.isalpha() and before not in _VOWELS:
            kz += 1  # after a consonant: never Ukrainian
        elif before in _FRONT_VOWELS or before in _APOSTROPHES:
            cp += 1
        elif before.isalpha():  # after a back vowel
            if is_ye:
                kz += 1  # Қарағанды; Ukrainian є after а/о/у is rare in names
            else:
                cp += 1  # ү after a vowel is not Kazakh
        elif is_ye and after.isalpha():
            if after in _VOWELS:
                kz += 1  # Ғалым
            else:
                cp += 1  # Євген
        else:
            neutral += 1
    return kz, cp, neutral


def single_byte_encoding(head: bytes) -> Encoding:
    """Windows-1251 or KZ-1048, by the votes of the bytes they read differently."""
    text = head.decode("cp1251", errors="replace")
    kz, cp, neutral = _single_byte_votes(text)
    if not (kz or cp or neutral):
        return CP1251  # no byte that reads differently: both give the same text
    if kz > 0 and kz >= 4 * cp:
        return KZ1048
    if cp > 0 and cp >= 4 * kz:
        return CP1251
    raise FileProblem(
        "encoding_ambiguous",
        _(
            "The file could be Windows-1251 or KZ-1048 (Kazakh) text: its letters do not tell "
            "which, and the two give different Kazakh letters. Open it in Excel or LibreOffice "
            "and save it as “CSV UTF-8” (in LibreOffice, choose the character set “Unicode "
            "(UTF-8)”)."
        ),
    )


def plausible_cyrillic(text: str) -> bool:
    """Does text decoded as a single-byte Cyrillic encoding read like text (module doc)?"""
    if _CONTROL.search(text) or "\ufffd" in text:
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
    # Latin words with Cyrillic letters in them: another encoding. Cyrillic words with a few
    # Latin look-alikes: keyboard-layout slips, which the name check repairs.
    foreign_words = 0
    for word in words:
        latin = len(_LATIN.findall(word))
        if latin and latin >= len(_CYRILLIC.findall(word)):
            foreign_words += 1
    return foreign_words <= len(words) * 0.02


# "?" in place of a letter: "Му?тар", "?абдолла" (not "?id=" nor "Кто?").
_LOST_LETTER = re.compile(r"(?<![A-Za-z0-9/=&?])\?+[\u0400-\u04ff]")


def lost_letters(line: int, text: str) -> FileProblem:
    match = _LOST_LETTER.search(text)
    assert match is not None
    start, end = match.span()
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "?"):
        start -= 1
    while end < len(text) and (text[end].isalpha() or text[end] == "?"):
        end += 1
    word = text[start:end]
    return FileProblem(
        "letters_lost",
        _(
            "Line %(line)s: “%(value)s” has “?” in place of letters. The program that saved "
            "this file (Excel's “CSV (comma delimited)” in Windows-1251) could not store the "
            "Kazakh letters and replaced them with “?”; they cannot be recovered from this "
            "file. Save the original table as “CSV UTF-8” or as an Excel workbook (.xlsx)."
        )
        % {"line": line, "value": word},
        line=line,
        value=word,
    )


# --- CSV ------------------------------------------------------------------------------------


def _sniff_delimiter(lines: Sequence[str]) -> str:
    """The separator that occurs most often (outside quotes) on one of the first lines."""
    best, best_count = ",", 0
    for line in lines:
        counts = {",": 0, ";": 0, "\t": 0}
        quoted = False
        for ch in line:
            if ch == '"':
                quoted = not quoted
            elif not quoted and ch in counts:
                counts[ch] += 1
        for delimiter in ("\t", ";", ","):  # ties: the less common separators were chosen
            if counts[delimiter] > best_count:
                best, best_count = delimiter, counts[delimiter]
    return best


def _count_lines(path: Path) -> int:
    count = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (0 if last == b"\n" else 1)


def _decoded_lines(handle: IO[bytes], encoding: Encoding) -> Iterator[str]:
    """Lines of text; decoding line by line names the exact line with bad bytes."""
    # Plain "utf-8": its decoder is in C, "utf-8-sig"'s in Python (the BOM is removed once,
    # from the first line, by the caller).
    codec = "utf-8" if encoding is UTF8 else encoding.codec
    single_byte = encoding in (CP1251, KZ1048)
    lost = _LOST_LETTER.search
    if encoding.label == "UTF-16":
        text = io.TextIOWrapper(handle, encoding=codec, newline="")
        number = 0
        try:
            for number, line in enumerate(text, start=1):
                if "?" in line and lost(line):
                    raise lost_letters(number, line)
                yield line
        except UnicodeDecodeError:
            raise mixed_encodings(number + 1, "UTF-16") from None
        finally:
            text.detach()
        return
    for number, raw in enumerate(handle, start=1):
        try:
            line = raw.decode(codec)
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data" and not handle.read(1):
                raise cut_short(number) from None
            raise mixed_encodings(number, encoding.label) from None
        if single_byte and not raw.isascii():
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:  # valid UTF-8 letters in a single-byte file: pasted from another file
                raise mixed_encodings(number, encoding.label)
        if "?" in line and lost(line):
            raise lost_letters(number, line)
        yield line


@contextmanager
def _open_csv(path: Path, encoding: Encoding, recognise: Recognise | None) -> Iterator[Table]:
    with path.open("rb") as handle:
        lines = _decoded_lines(handle, encoding)
        first = next(lines, "").removeprefix("\ufeff")
        offset = 0
        hint = first.strip().lower()
        if len(hint) == 5 and hint.startswith("sep="):
            # Excel's "sep=;" line names the separator; the header follows it.
            delimiter = first.strip()[4]
            sample: list[str] = []
            offset = 1
        else:
            sample = [first, *itertools.islice(lines, HEADER_SEARCH - 1)]
            delimiter = _sniff_delimiter(sample)
        reader = csv.reader(itertools.chain(sample, lines), delimiter=delimiter, strict=True)
        found = find_header(_csv_rows(reader, offset), recognise)
        if found is None:
            raise FileProblem(
                "no_header", _("The first line must hold the column names."), line=1 + offset
            )
        notes = [_("The file was read as %(encoding)s text.") % {"encoding": encoding.label}]
        notes.extend(found.notes)
        yield Table(
            header=found.header,
            rows=found.rows,
            header_line=found.line,
            estimated_rows=max(0, _count_lines(path) - found.line),
            format="csv",
            encoding=encoding.label,
            delimiter=delimiter,
            notes=notes,
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


# --- the header row -------------------------------------------------------------------------


@dataclass
class Found:
    line: int
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    score: int  # recognised column names in the header
    notes: list[str] = field(default_factory=list)


def _score(cells: Sequence[str], recognise: Recognise) -> int:
    return sum(1 for cell in cells if cell.strip() and recognise(cell))


def find_header(rows: Iterator[tuple[int, list[str]]], recognise: Recognise | None) -> Found | None:
    """The header among the first non-blank rows; None when there are no rows at all.

    Without ``recognise`` the first row is the header. With it, a later row among the first
    ``HEADER_SEARCH`` wins when it holds more column names than the first row (and at least
    two): the rows above it (a title, a date) are skipped and said so.
    """
    first = next(rows, None)
    if first is None:
        return None
    line, header = first
    if recognise is None:
        return Found(line, header, rows, 0)
    best = _score(header, recognise)
    filled = sum(1 for cell in header if cell.strip())
    if best >= filled:
        return Found(line, header, rows, best)
    looked = [first, *itertools.islice(rows, HEADER_SEARCH - 1)]
    chosen = 0
    for index, (_line, cells) in enumerate(looked[1:], start=1):
        score = _score(cells, recognise)
        if score > best and score >= 2:
            chosen, best = index, score
    line, header = looked[chosen]
    notes = []
    if chosen:
        if line - 1 == 1:
            notes.append(
                _("The column names are on line %(line)s; line 1 above them was skipped.")
                % {"line": line}
            )
        else:
            notes.append(
                _(
                    "The column names are on line %(line)s; lines %(first)s–%(last)s above "
                    "them were skipped."
                )
                % {"line": line, "first": 1, "last": line - 1}
            )
    rest = itertools.chain(looked[chosen + 1 :], rows)
    return Found(line, header, rest, best, notes)


# --- XLSX -----------------------------------------------------------------------------------

# Every way a damaged zip or XML shows itself while openpyxl reads.
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
def _open_xlsx(path: Path, recognise: Recognise | None) -> Iterator[Table]:
    import openpyxl  # heavy; only needed for workbooks

    # A file object, not the path: openpyxl refuses names that do not end in .xlsx.
    with path.open("rb") as stream:
        try:
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except _XLSX_ERRORS:
            raise damaged_xlsx() from None
        try:
            yield _xlsx_table(workbook, recognise)
        finally:
            workbook.close()


def _xlsx_table(workbook: Any, recognise: Recognise | None) -> Table:
    if not workbook.worksheets:
        raise FileProblem("empty", _("The workbook has no sheets."))
    # The sheet whose header holds the most column names (the first one on a tie): an
    # instructions sheet that mentions a column or two loses to the table itself.
    chosen: tuple[Any, Found] | None = None
    for sheet in workbook.worksheets:
        try:
            found = find_header(_xlsx_rows(sheet.iter_rows(values_only=True)), recognise)
        except _XLSX_ERRORS:
            raise damaged_xlsx() from None
        if found is None:
            continue
        if chosen is None or found.score > chosen[1].score:
            chosen = (sheet, found)
        if recognise is None or found.score >= len(found.header):
            break  # every cell a column name: no other sheet can do better
    if chosen is None:
        raise FileProblem(
            "no_header",
            _("The workbook holds no table: every sheet is empty."),
            line=1,
        )
    sheet, found = chosen
    header = [cell.strip() for cell in found.header]
    while header and not header[-1]:
        header.pop()
    notes = []
    first = workbook.worksheets[0]
    if sheet is not first:
        notes.append(
            _("The sheet “%(sheet)s” was read: the first sheet, “%(first)s”, holds no table.")
            % {"sheet": sheet.title, "first": first.title}
        )
    elif len(workbook.worksheets) > 1:
        notes.append(_("The first sheet, “%(sheet)s”, was read.") % {"sheet": sheet.title})
    notes.extend(found.notes)
    hidden = _check_sheet_xml(workbook, sheet)
    if hidden:
        shown = ", ".join(str(row) for row in sorted(hidden)[:10])
        notes.append(
            ngettext(
                "%(count)s row is hidden in Excel (%(rows)s); it was read like the others.",
                "%(count)s rows are hidden in Excel (%(rows)s); they were read like the others.",
                len(hidden),
            )
            % {"count": len(hidden), "rows": shown + (", …" if len(hidden) > 10 else "")}
        )
    max_row = sheet.max_row or 0
    return Table(
        header=header,
        rows=found.rows,
        estimated_rows=max(0, max_row - found.line),
        format="xlsx",
        strict_width=False,
        header_line=found.line,
        notes=notes,
        hidden_rows=frozenset(hidden),
    )


def _xlsx_rows(values: Iterator[Sequence[Any]]) -> Iterator[tuple[int, list[str]]]:
    line = 1
    try:
        for line, row in enumerate(values, start=1):
            cells = [cell_text(v) for v in row]
            if not any(cell.strip() for cell in cells):
                continue
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


_ROW_TAG = re.compile(rb"<row\b[^>]*>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_CACHED = re.compile(rb"<v>[^<]+</v>")
_FULL_CALC = re.compile(rb'fullCalcOnLoad="(?:1|true)"')


def _check_sheet_xml(workbook: Any, sheet: Any) -> set[int]:
    """Hidden rows of the sheet; refuses a formula whose result the file does not hold.

    openpyxl reads a formula without a saved result as empty, and a program that writes
    formulas without calculating them (asking Excel to calculate on opening) saves 0: either
    would be imported as a value nobody typed. Scanned in the sheet's XML, which costs little
    next to reading the cells.
    """
    archive = getattr(workbook, "_archive", None)
    member = getattr(sheet, "_worksheet_path", None)
    if archive is None or member is None:
        return set()
    try:
        untrusted = bool(_FULL_CALC.search(archive.read("xl/workbook.xml")))
        hidden: set[int] = set()
        with archive.open(member) as source:
            carry = b""
            while True:
                chunk = source.read(1 << 20)
                data = carry + chunk
                cut = data.rfind(b"</row>") + 6 if chunk else len(data)
                if cut < 6 and chunk:
                    carry = data
                    continue
                part, carry = data[:cut], data[cut:]
                if b"hidden" in part:
                    for tag in _ROW_TAG.findall(part):
                        number = _ROW_NUMBER.search(tag)
                        if number and _HIDDEN.search(tag):
                            hidden.add(int(number.group(1)))
                if b"<f" in part:
                    _check_formulas(part, untrusted=untrusted)
                if not chunk:
                    break
    except _XLSX_ERRORS:
        raise damaged_xlsx() from None
    return hidden


def _check_formulas(part: bytes, *, untrusted: bool) -> None:
    for attributes, body in _CELL.findall(part):
        if not body or b"<f" not in body:
            continue
        if untrusted or not _CACHED.search(body):
            reference = _CELL_REF.search(attributes)
            address = (reference.group(1) + reference.group(2)).decode() if reference else ""
            line = int(reference.group(2)) if reference else 0
            raise FileProblem(
                "formula_without_value",
                _(
                    "Cell %(cell)s holds a formula whose result was not saved in the file (the "
                    "program that wrote it did not calculate it). Open the file in Excel or "
                    "LibreOffice, let it calculate and save it again, or paste the values "
                    "instead of the formulas."
                )
                % {"cell": address},
                line=line,
                value=address,
            )
