"""Text out of an uploaded file: what kind of file it is (from its content, never its name) and
the text it holds, with its paragraphs.

    kind = sniff(data)                    # "pdf", "docx", "odt", "txt" or None
    extracted = extract(data, kind)       # Extracted(text, paragraphs, kind)

The text is the paragraphs separated by one blank line; `paragraphs` holds each paragraph's
(start, end) character offsets into it, so matches found in the text can be shown paragraph
by paragraph. Letters are normalised to NFC (a PDF may spell "ә" as "ә"), soft hyphens and
zero-width characters are dropped, runs of spaces and tabs become one space.

Plain Python on purpose (pypdf, zipfile, xml.etree): no Django, no other part of Kaskad.
Anything that cannot be read raises :class:`ExtractionError` with a stable code:

* ``unknown_type`` — not a PDF, DOCX, ODT or plain text file;
* ``corrupt`` — damaged, truncated or not what it claims to be;
* ``encrypted`` — protected by a password;
* ``too_large`` — unpacks to more than :data:`MAX_UNCOMPRESSED` bytes (a "zip bomb") or has
  more than :data:`MAX_PAGES` pages;
* ``empty`` — no text at all (e.g. a scanned document).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

KINDS = ("pdf", "docx", "odt", "txt")
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# All the members of a DOCX/ODT read together may unpack to at most this many bytes.
MAX_UNCOMPRESSED = 64 * 1024 * 1024
# A big member compressed more than this is a bomb, not a document.
MAX_RATIO = 500
RATIO_CHECKED_FROM = 1024 * 1024
MAX_MEMBERS = 5000
MAX_PAGES = 1000
# Control characters a text file may hold: tab, line feed, vertical tab, form feed, return.
_ALLOWED_CONTROLS = frozenset(b"\t\n\x0b\x0c\r")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")


class ExtractionError(Exception):
    """A file whose text cannot be read; `code` is one of the codes in the module docstring."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass
class Extracted:
    text: str
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    kind: str = ""

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    def paragraph_texts(self) -> list[str]:
        return [self.text[start:end] for start, end in self.paragraphs]


# --- What kind of file ------------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """ "pdf", "docx", "odt" or "txt", judged from the bytes; None for anything else."""
    if not data:
        return None
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if _is_text(data):
        return "txt"
    return None


# What a browser would take for a web page or a drawing (the WHATWG sniffing patterns, and SVG):
# at the start of the file, or these active tags anywhere in it.
_MARKUP_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?[\t\n\x0c\r ]*(?:<!doctype\s+(?:html|svg)|<\?xml|<!--|<(?:html|head|"
    rb"script|iframe|h1|div|font|table|a|style|title|b|body|br|p|svg)[\s>/])",
    re.IGNORECASE,
)
_MARKUP_ANYWHERE = re.compile(rb"<(?:script|html|svg|iframe|object|embed)[\s>/]", re.IGNORECASE)


def looks_like_markup(data: bytes) -> bool:
    """True for HTML, SVG or XML (a page a browser would run), whatever the file is called."""
    return bool(_MARKUP_START.match(data[:4096]) or _MARKUP_ANYWHERE.search(data))


def _sniff_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    mimetype = archive.read("mimetype").strip()
                    if mimetype == ODT_MIMETYPE:
                        return "odt"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, EOFError):
        return None
    return None


def _is_text(data: bytes) -> bool:
    if _CONTROL_BYTES.search(data):
        return False
    try:
        data.decode("utf-8-sig")
        return True
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1251")
    except UnicodeDecodeError:
        return False
    return True


# --- The text ---------------------------------------------------------------------------------


def extract(data: bytes, kind: str) -> Extracted:
    """The text of a file of a known kind (see :func:`sniff`), with its paragraphs."""
    if kind == "pdf":
        paragraphs = _pdf_paragraphs(data)
    elif kind == "docx":
        paragraphs = _docx_paragraphs(data)
    elif kind == "odt":
        paragraphs = _odt_paragraphs(data)
    elif kind == "txt":
        paragraphs = _txt_paragraphs(data)
    else:
        raise ExtractionError("unknown_type", f"unsupported kind {kind!r}")
    result = assemble(paragraphs)
    result.kind = kind
    if not result.text:
        raise ExtractionError("empty", "the file holds no text")
    return result


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")


def clean(text: str) -> str:
    """One paragraph made tidy: NFC, no invisible characters, single spaces, no blank lines."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\f", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def assemble(paragraphs: list[str]) -> Extracted:
    """Paragraphs joined by blank lines, with the offsets of each."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    position = 0
    for raw in paragraphs:
        paragraph = clean(raw)
        if not paragraph:
            continue
        if parts:
            position += 2  # the blank line between two paragraphs
        offsets.append((position, position + len(paragraph)))
        parts.append(paragraph)
        position += len(paragraph)
    return Extracted(text="\n\n".join(parts), paragraphs=offsets)


# --- TXT --------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    if _CONTROL_BYTES.search(data):
        raise ExtractionError("corrupt", "binary data in a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise ExtractionError("corrupt", "neither UTF-8 nor Windows-1251 text") from exc


_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")


def _txt_paragraphs(data: bytes) -> list[str]:
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    if _BLANK_LINE.search(text):
        # Paragraphs are separated by blank lines; a line break inside one is a wrapped line.
        return [" ".join(block.split("\n")) for block in _BLANK_LINE.split(text)]
    # No blank lines anywhere: one paragraph per line.
    return text.split("\n")


# --- PDF --------------------------------------------------------------------------------------

_SENTENCE_END = tuple('.!?:;…»"”)')


def _pdf_paragraphs(data: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError, PyPdfError) as exc:
                raise ExtractionError("encrypted", "protected by a password") from exc
            if not opened:
                raise ExtractionError("encrypted", "protected by a password")
        pages = reader.pages
        if len(pages) > MAX_PAGES:
            raise ExtractionError("too_large", f"more than {MAX_PAGES} pages")
        paragraphs: list[str] = []
        for page in pages:
            paragraphs.extend(_page_paragraphs(page.extract_text() or ""))
    except ExtractionError:
        raise
    except FileNotDecryptedError as exc:
        raise ExtractionError("encrypted", "protected by a password") from exc
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ExtractionError("corrupt", f"unreadable PDF: {exc}") from exc
    except (RecursionError, IndexError, OSError, AssertionError, ZeroDivisionError) as exc:
        raise ExtractionError("corrupt", f"unreadable PDF: {type(exc).__name__}") from exc
    return paragraphs


def _page_paragraphs(text: str) -> list[str]:
    """A PDF knows lines, not paragraphs: a blank line, or a short line ending a sentence,
    ends one; a word broken by a hyphen at the end of a line is joined again."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    longest = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if not current:
            current = line
        elif (
            current.endswith("-")
            and len(current) > 1
            and current[-2].isalpha()
            and line[:1].islower()
        ):
            current = current[:-1] + line
        else:
            current = f"{current} {line}"
        if line.endswith(_SENTENCE_END) and len(line) < 0.85 * longest:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


# --- DOCX and ODT: safe reading of the archive -------------------------------------------------


class _Archive:
    """A zip read with limits: each member's declared size and ratio, and the total read."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
            raise ExtractionError("corrupt", f"damaged archive: {exc}") from exc
        if len(infos) > MAX_MEMBERS:
            raise ExtractionError("too_large", "too many members in the archive")
        self.infos = {info.filename: info for info in infos}
        self.total = 0

    def names(self) -> list[str]:
        return list(self.infos)

    def has(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str) -> bytes:
        info = self.infos.get(name)
        if info is None:
            raise ExtractionError("corrupt", f"{name} is missing")
        if info.file_size > MAX_UNCOMPRESSED or self.total + info.file_size > MAX_UNCOMPRESSED:
            raise ExtractionError("too_large", "the archive unpacks to too much data")
        if info.file_size > RATIO_CHECKED_FROM and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise ExtractionError("too_large", f"{name} is compressed suspiciously well")
        if info.flag_bits & 0x1:
            raise ExtractionError("encrypted", "protected by a password")
        try:
            with self.zip.open(info) as member:
                # Never trust the declared size: read at most one byte more than it.
                content = member.read(info.file_size + 1)
        except RuntimeError as exc:  # "File is encrypted, password required"
            raise ExtractionError("encrypted", "protected by a password") from exc
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise ExtractionError("corrupt", f"damaged archive: {exc}") from exc
        if len(content) > info.file_size:
            raise ExtractionError("too_large", "the archive unpacks to too much data")
        self.total += len(content)
        return content

    def close(self) -> None:
        self.zip.close()


def open_archive(data: bytes) -> _Archive:
    return _Archive(data)


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _xml(content: bytes, name: str) -> ET.Element:
    # Office files never declare a DTD; one that does may be an entity-expansion attack.
    if _DOCTYPE.search(content[:4096]) or b"<!ENTITY" in content:
        raise ExtractionError("corrupt", f"{name} declares a DTD")
    try:
        return ET.fromstring(content)  # noqa: S314 - no DTD, no entities (checked above)
    except ET.ParseError as exc:
        raise ExtractionError("corrupt", f"{name} is not well-formed XML: {exc}") from exc


# --- DOCX -------------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


def _docx_paragraphs(data: bytes) -> list[str]:
    archive = _Archive(data)
    try:
        document = _xml(archive.read("word/document.xml"), "word/document.xml")
        body = document.find(f"{W}body")
        paragraphs: list[str] = []
        if body is not None:
            paragraphs.extend(_w_blocks(body))
        # Footnotes and endnotes after the body, like a printed page ends with them.
        for part, tag in (("word/footnotes.xml", "footnote"), ("word/endnotes.xml", "endnote")):
            if archive.has(part):
                root = _xml(archive.read(part), part)
                for note in root.iter(f"{W}{tag}"):
                    if note.get(f"{W}type") in ("separator", "continuationSeparator"):
                        continue
                    paragraphs.extend(_w_blocks(note))
        return paragraphs
    finally:
        archive.close()


def _w_blocks(element: ET.Element) -> Iterator[str]:
    """The paragraphs of a body, table cell, footnote or text box, in document order; a table
    cell's paragraphs are paragraphs too."""
    for child in element:
        tag = child.tag
        if tag == f"{W}p":
            extra: list[str] = []
            yield _w_paragraph(child, extra)
            yield from extra
        elif tag in (f"{W}sectPr", f"{W}del", f"{W}moveFrom"):
            continue
        elif tag == f"{MC}AlternateContent":
            choice = child.find(f"{MC}Choice")
            if choice is not None:
                yield from _w_blocks(choice)
        else:
            # Tables, rows, cells, structured document tags, insertions: look inside.
            yield from _w_blocks(child)


def _w_paragraph(paragraph: ET.Element, extra: list[str]) -> str:
    """The text of one paragraph; text boxes inside it go to `extra` as paragraphs of their
    own; deleted text (tracked changes) and field codes are left out."""
    pieces: list[str] = []

    def walk(element: ET.Element) -> None:
        for child in element:
            tag = child.tag
            if tag == f"{W}t":
                pieces.append(child.text or "")
            elif tag == f"{W}tab" or tag == f"{W}ptab":
                pieces.append("\t")
            elif tag in (f"{W}br", f"{W}cr"):
                pieces.append("\n")
            elif tag == f"{W}noBreakHyphen":
                pieces.append("-")
            elif tag in (f"{W}del", f"{W}moveFrom", f"{W}delText", f"{W}instrText", f"{W}pPr"):
                continue
            elif tag == f"{W}txbxContent":
                extra.extend(_w_blocks(child))
            elif tag == f"{MC}AlternateContent":
                choice = child.find(f"{MC}Choice")
                if choice is not None:
                    walk(choice)
            else:
                walk(child)

    walk(paragraph)
    return "".join(pieces)


# --- ODT --------------------------------------------------------------------------------------

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"


def _odt_paragraphs(data: bytes) -> list[str]:
    archive = _Archive(data)
    try:
        content = _xml(archive.read("content.xml"), "content.xml")
    finally:
        archive.close()
    body = content.find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        return []
    notes: list[str] = []
    paragraphs = list(_odt_blocks(body, notes))
    return paragraphs + notes


_ODT_SKIPPED = (
    f"{OFFICE}annotation",
    f"{TEXT}tracked-changes",
    f"{TEXT}sequence-decls",
    f"{TEXT}variable-decls",
    f"{TEXT}user-field-decls",
    f"{OFFICE}forms",
)


def _odt_blocks(element: ET.Element, notes: list[str]) -> Iterator[str]:
    for child in element:
        tag = child.tag
        if tag in (f"{TEXT}p", f"{TEXT}h"):
            extra: list[str] = []
            yield _odt_paragraph(child, extra, notes)
            yield from extra
        elif tag in _ODT_SKIPPED:
            continue
        else:
            # Lists, tables, sections, frames: look inside.
            yield from _odt_blocks(child, notes)


def _odt_paragraph(paragraph: ET.Element, extra: list[str], notes: list[str]) -> str:
    pieces: list[str] = [paragraph.text or ""]

    def walk(element: ET.Element) -> None:
        for child in element:
            tag = child.tag
            if tag == f"{TEXT}s":
                count = child.get(f"{TEXT}c") or "1"
                pieces.append(" " * min(int(count) if count.isdigit() else 1, 100))
            elif tag == f"{TEXT}tab":
                pieces.append("\t")
            elif tag == f"{TEXT}line-break":
                pieces.append("\n")
            elif tag == f"{TEXT}note":
                body = child.find(f"{TEXT}note-body")
                if body is not None:
                    inner = list(_odt_blocks(body, notes))
                    notes.extend(inner)
            elif tag in _ODT_SKIPPED or tag == f"{TEXT}bookmark-ref":
                pass
            elif tag in (f"{DRAW}frame", f"{DRAW}text-box"):
                extra.extend(_odt_blocks(child, notes))
            else:
                pieces.append(child.text or "")
                walk(child)
            pieces.append(child.tail or "")

    walk(paragraph)
    return "".join(pieces)
