"""The copy of an uploaded file that assessors (and, once published, everyone) download.

Marking is blind, and a file says who wrote it in far more places than its text. The copy is
therefore built by **allow-list**: the parts of the document that make up its content are
copied (each of them cleaned), and everything else is left behind, whatever it is called.

* DOCX: the package is rebuilt from `word/document.xml` by following only the relationships
  that carry content (styles, numbering, settings, fonts table, theme, footnotes, endnotes,
  headers, footers, images, charts, SmartArt, external hyperlinks). Left behind: document
  properties (core, app, custom), `customXml/`, comments and people, the glossary, web
  settings, embedded files and OLE objects, embedded fonts, macros, thumbnails, signatures,
  links to templates and external images. A blank `docProps/core.xml` is written in place of
  the original. In the XML kept: authors of tracked changes become "Participant", their
  initials and ids are emptied, deleted text is dropped (the changes are accepted), comment
  anchors, document variables, mail-merge sources and the attached template are removed, and
  the shown text of property fields (AUTHOR, DOCPROPERTY…) and of content controls bound to
  the properties or custom XML is emptied.
* ODT: `mimetype`, `content.xml`, `styles.xml`, the pictures and embedded formulas/charts
  are kept; `meta.xml` and `META-INF/manifest.xml` are written anew; settings (printer and
  user), thumbnails, macros and scripts, configurations and RDF metadata are left behind. In
  the XML kept: annotations, tracked changes, forms, scripts and event listeners are removed,
  author and document-property fields are emptied, and links that would fetch something when
  the file is opened are cut.
* PDF: a new document is made of the pages alone (their content, resources and fonts);
  left behind are the document information and XMP metadata, names (document JavaScript,
  embedded files), the open action, additional actions, forms, outlines, the structure tree,
  page-piece data, thumbnails and every annotation (links, comments with their authors, file
  attachments, widgets).
* Images kept (in all three formats) lose their EXIF, XMP, IPTC, comments and ICC profiles:
  JPEG segment by segment (the picture itself is not re-encoded), other images re-encoded
  with Pillow; an image that cannot be cleaned is left out.
* TXT: plain text, nothing to strip.

Reading goes through the extractor's bounded archive reader, so a zip bomb is refused here
too; every XML part kept is checked to be well-formed after cleaning. Plain Python, no Django.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

from kaskad.documents.extract import (
    MAX_PAGES,
    ODT_MIMETYPE,
    ExtractionError,
    open_archive,
)

ANONYMOUS = "Participant"
# Every member of a rebuilt archive carries this date, not the author's.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Images larger than this many pixels are not decoded (a decompression bomb).
MAX_IMAGE_PIXELS = 40_000_000


def strip_metadata(data: bytes, kind: str) -> bytes:
    """The bytes to store for a file of `kind` ("pdf", "docx", "odt", "txt")."""
    if kind == "pdf":
        return _pdf_copy(data)
    if kind == "docx":
        return _docx_copy(data)
    if kind == "odt":
        return _odt_copy(data)
    if kind == "txt":
        return data
    raise ExtractionError("unknown_type", f"unsupported kind {kind!r}")


def aligned_name(name: str, kind: str, *, limit: int = 255) -> str:
    """`name` ending in the extension of the kind its content was found to be: "plan.pdf"
    holding plain text becomes "plan.txt", so the name never promises another type."""
    extension = f".{kind}"
    stem, current = posixpath.splitext(name)
    if current.lower() == extension:
        return name
    if current and current[1:].isalnum() and len(current) <= 6:
        name = stem  # a different type's extension is replaced…
    name = name or "file"  # …anything else is kept, and the right one added
    return name[: limit - len(extension)] + extension


# --- XML as bytes -----------------------------------------------------------------------------
#
# The office formats are edited as bytes, not re-serialised, so namespace prefixes (on which
# Word's `mc:Ignorable` depends) stay exactly as they were. The patterns read attribute values
# as quoted strings, so a ">" inside a value cannot end a tag early; the result is parsed again
# before it is kept.

_ATTRS = rb"(?:\s+[^\s=/<>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*"
_TAG = re.compile(rb"<([\w.-]+(?::[\w.-]+)?)(" + _ATTRS + rb")(/?)>")
_ATTRIBUTE = re.compile(rb"(\s)([^\s=/<>]+)(\s*=\s*)(\"[^\"]*\"|'[^']*')")
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _names(names: Iterable[str]) -> bytes:
    return b"(?:" + b"|".join(re.escape(n.encode()) for n in names) + b")"


def _local(names: Iterable[str]) -> bytes:
    """Local names, whatever their prefix."""
    return rb"(?:[\w.-]+:)?" + _names(names)


_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_INSTRUCTION = re.compile(rb"<\?(?!xml[\s?]).*?\?>", re.DOTALL)


def _drop_comments(content: bytes) -> bytes:
    """XML comments and processing instructions: never shown, free to hold anything."""
    return _INSTRUCTION.sub(b"", _COMMENT.sub(b"", content))


def _drop_elements(content: bytes, pattern: bytes) -> bytes:
    """Remove the elements whose (qualified) name matches `pattern`, with all they hold."""
    empty = re.compile(rb"<" + pattern + _ATTRS + rb"/>")
    paired = re.compile(rb"<(" + pattern + rb")" + _ATTRS + rb">.*?</\1\s*>", re.DOTALL)
    return empty.sub(b"", paired.sub(b"", content))


def _blank_text(content: bytes, pattern: bytes) -> bytes:
    """Empty what the elements whose name matches `pattern` hold; the element stays."""
    paired = re.compile(rb"<(" + pattern + rb")(" + _ATTRS + rb")>.*?</\1\s*>", re.DOTALL)
    return paired.sub(lambda m: b"<" + m[1] + m[2] + b"></" + m[1] + b">", content)


REMOVE = b"\x00remove"


def _edit_attributes(content: bytes, edit: Callable[[bytes, bytes, bytes], bytes | None]) -> bytes:
    """Call `edit(tag, attribute, value)` for every attribute of every start tag; it returns
    the new value (unquoted, already escaped), None to keep the value, or REMOVE."""

    def tag(match: re.Match[bytes]) -> bytes:
        name = match[1]

        def attribute(found: re.Match[bytes]) -> bytes:
            value = found[4][1:-1]
            changed = edit(name, found[2], value)
            if changed is None:
                return found[0]
            if changed is REMOVE:
                return b""
            return found[1] + found[2] + found[3] + b'"' + changed + b'"'

        return b"<" + name + _ATTRIBUTE.sub(attribute, match[2]) + match[3] + b">"

    return _TAG.sub(tag, content)


def _local_name(qualified: bytes) -> bytes:
    return qualified.rsplit(b":", 1)[-1]


def _parse(content: bytes, name: str) -> ET.Element:
    if _DOCTYPE.search(content):
        raise ExtractionError("corrupt", f"{name} declares a DTD")
    try:
        return ET.fromstring(content)  # noqa: S314 - no DTD, no entities (checked above)
    except ET.ParseError as exc:
        raise ExtractionError("corrupt", f"{name} is not well-formed XML: {exc}") from exc


def _checked(content: bytes, name: str) -> bytes:
    """`content` if it is still well-formed XML after cleaning."""
    _parse(content, name)
    return content


# --- Images -----------------------------------------------------------------------------------

IMAGE_TYPES = {
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "webp": "image/webp",
    "emf": "image/x-emf",
    "wmf": "image/x-wmf",
}
_PILLOW_FORMATS = {
    "png": "PNG",
    "gif": "GIF",
    "bmp": "BMP",
    "tif": "TIFF",
    "tiff": "TIFF",
    "webp": "WEBP",
}
# JPEG markers that describe the picture; APPn (EXIF, XMP, IPTC, ICC…) and comments are not.
# Kept: frames (SOFn), Huffman and arithmetic tables, quantisation, restart interval, Adobe.
_JPEG_KEPT = frozenset(
    (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF)
) | frozenset((0xC4, 0xCC, 0xDB, 0xDD, 0xEE))


def clean_jpeg(data: bytes) -> bytes | None:
    """The JPEG without its metadata segments (and without anything after its end), or None
    if it is not a JPEG that can be walked."""
    if not data.startswith(b"\xff\xd8"):
        return None
    out = bytearray(b"\xff\xd8")
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:
            break
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        segment = data[position : position + 2 + length]
        if length < 2 or len(segment) < 2 + length:
            return None
        if marker == 0xDA:
            # The scans run to the end-of-image marker (entropy-coded data never holds FFD9).
            end = data.find(b"\xff\xd9", position + 2 + length)
            if end < 0:
                return None
            out += data[position:end] + b"\xff\xd9"
            return bytes(out)
        if marker == 0xE0 and segment[4:9] == b"JFIF\x00" and length >= 16:
            # JFIF header without its thumbnail.
            out += b"\xff\xe0\x00\x10" + segment[4:16] + b"\x00\x00"
        elif marker == 0xEE or marker in _JPEG_KEPT:
            out += segment
        position += 2 + length
    return None


def _jpeg_orientation(data: bytes) -> int:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return int(image.getexif().get(0x0112, 1) or 1)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return 1


def _reencode(data: bytes, target: str) -> bytes | None:
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return None
            image.load()
            upright = ImageOps.exif_transpose(image) if target == "JPEG" else image
            clean = upright.copy()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError):
        return None
    for key in list(clean.info):
        if key not in ("transparency", "dpi"):
            del clean.info[key]
    if target == "JPEG" and clean.mode not in ("L", "RGB", "CMYK"):
        clean = clean.convert("RGB")
    out = io.BytesIO()
    try:
        if target == "JPEG":
            clean.save(out, "JPEG", quality=92)
        else:
            clean.save(out, target)
    except (OSError, ValueError, KeyError):
        return None
    return out.getvalue()


def _clean_emf(data: bytes) -> bytes | None:
    """An EMF with the description in its header (application and picture name) blanked."""
    if len(data) < 88 or data[40:44] != b" EMF":
        return None
    count, offset = struct.unpack("<II", data[64:72])
    out = bytearray(data)
    if count and offset and offset + 2 * count <= len(data):
        out[offset : offset + 2 * count] = b"\x00" * (2 * count)
    return bytes(out)


def clean_image(data: bytes, extension: str) -> bytes | None:
    """An image of an office document without its metadata, in the format its name says;
    None if it cannot be cleaned (it is then left out of the copy)."""
    extension = extension.lower()
    if extension in ("jpg", "jpeg"):
        if _jpeg_orientation(data) not in (0, 1):
            # Turn the pixels as the EXIF orientation said, before that tag goes.
            return _reencode(data, "JPEG")
        return clean_jpeg(data)
    if extension in _PILLOW_FORMATS:
        return _reencode(data, _PILLOW_FORMATS[extension])
    if extension == "emf":
        return _clean_emf(data)
    if extension == "wmf":
        # Drawing records only: no properties, no author.
        return data if data[:4] in (b"\xd7\xcd\xc6\x9a", b"\x01\x00\x09\x00") else None
    return None


def _extension(name: str) -> str:
    return posixpath.splitext(name)[1].lstrip(".").lower()


# --- Writing an archive -----------------------------------------------------------------------


def _write_zip(members: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for index, (name, content) in enumerate(members):
            entry = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            stored = stored_first and index == 0
            entry.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def _attr(value: str) -> str:
    return quoteattr(value)


# --- DOCX -------------------------------------------------------------------------------------

DOCX_MAIN = "word/document.xml"
DOCX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
REL_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

# The relationships (by the last part of their type) that lead to content.
DOCX_CONTENT_RELATIONSHIPS = frozenset(
    {
        "styles",
        "stylesWithEffects",
        "numbering",
        "settings",
        "fontTable",
        "theme",
        "themeOverride",
        "footnotes",
        "endnotes",
        "header",
        "footer",
        "image",
        "chart",
        "chartStyle",
        "chartColorStyle",
        "diagramData",
        "diagramLayout",
        "diagramQuickStyle",
        "diagramColors",
        "diagramDrawing",
    }
)
# External targets kept: hyperlinks a reader has to follow on purpose, never fetched on open.
SAFE_LINK = re.compile(r"^(?:https?:|mailto:|#)", re.IGNORECASE)

# In the XML kept: these go with all they hold…
DOCX_DROPPED = _local(
    (
        "commentRangeStart",
        "commentRangeEnd",
        "commentReference",
        "del",
        "moveFrom",
        "docVars",
        "attachedTemplate",
        "mailMerge",
        "attachedSchema",
        "saveThroughXslt",
        "embedRegular",
        "embedBold",
        "embedItalic",
        "embedBoldItalic",
        "externalData",
        "userShapes",
        "svgBlip",
        "printerSettings",
        "OLEObject",
        "altChunk",
        "subDoc",
        "control",
        "customXmlPr",
        "smartTagPr",
        "fldData",
    )
)
# …these attributes name a person or identify their account.
DOCX_AUTHOR_ATTRIBUTES = frozenset({b"author"})
DOCX_ID_ATTRIBUTES = frozenset({b"initials", b"userId", b"providerId"})

BLANK_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)


@dataclass
class _Relationship:
    id: str
    type: str
    target: str
    external: bool


@dataclass
class _Package:
    parts: dict[str, bytes] = field(default_factory=dict)
    rels: dict[str, list[_Relationship]] = field(default_factory=dict)


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _resolve(part: str, target: str) -> str | None:
    if target.startswith("/"):
        resolved = posixpath.normpath(target.lstrip("/"))
    else:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(part), target))
    if resolved.startswith("..") or resolved.startswith("/"):
        return None
    return resolved


def _docx_part(target: str) -> bool:
    """Content lives under word/; the package's own parts are written here, never copied."""
    return target.startswith("word/") and "_rels/" not in target and not target.endswith(".rels")


def _relationships(content: bytes, name: str) -> list[_Relationship]:
    root = _parse(content, name)
    found = []
    for element in root:
        if element.tag != f"{{{PACKAGE_RELS}}}Relationship":
            continue
        found.append(
            _Relationship(
                id=element.get("Id", ""),
                type=element.get("Type", ""),
                target=element.get("Target", ""),
                external=element.get("TargetMode", "") == "External",
            )
        )
    return found


def _rels_xml(relationships: list[_Relationship]) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<Relationships xmlns="{PACKAGE_RELS}">',
    ]
    for rel in relationships:
        mode = ' TargetMode="External"' if rel.external else ""
        lines.append(
            f"<Relationship Id={_attr(rel.id)} Type={_attr(rel.type)} "
            f"Target={_attr(rel.target)}{mode}/>"
        )
    lines.append("</Relationships>")
    return "".join(lines).encode()


# Fields whose shown result is a document property, the user's name, a document variable,
# mail-merge data, a file's path or another file's content show metadata in the body: the
# whole field is emptied (its instruction cut to its keyword, its shown text blanked), and so
# is the shown text of every field around it (an IF whose result is an AUTHOR's). Word joins
# an instruction split across runs before reading it, and so does this.
DOCX_PROPERTY_FIELDS = re.compile(
    rb"\s*(AUTHOR|USERNAME|USERINITIALS|USERADDRESS|LASTSAVEDBY|DOCPROPERTY|DOCVARIABLE|TITLE|"
    rb"SUBJECT|KEYWORDS|COMMENTS|FILENAME|FILESIZE|TEMPLATE|INFO|CREATEDATE|SAVEDATE|PRINTDATE|"
    rb"EDITTIME|REVNUM|MERGEFIELD|MERGEREC|MERGESEQ|ADDRESSBLOCK|GREETINGLINE|DATABASE|"
    rb"INCLUDETEXT|INCLUDEPICTURE|INCLUDE|IMPORT|LINK|DDE|DDEAUTO|AUTOTEXT|AUTOTEXTLIST|"
    rb"GLOSSARY|BIBLIOGRAPHY|CITATION|NEXT|NEXTIF|SKIPIF|ASK|FILLIN)\b",
    re.IGNORECASE,
)
_W_TEXT = re.compile(rb"<((?:[\w.-]+:)?t)(" + _ATTRS + rb")>[^<]*</\1\s*>")
_FIELD_TOKEN = re.compile(
    # a complex field's begin, separate or end…
    rb"<(?:[\w.-]+:)?fldChar(?=[\s/>])[^>]*?fldCharType\s*=\s*[\"'](begin|separate|end)[\"']"
    rb"[^>]*>"
    # …a piece of its instruction…
    rb"|<((?:[\w.-]+:)?instrText)(" + _ATTRS + rb")>([^<]*)</\2\s*>"
    # …shown text…
    rb"|(<((?:[\w.-]+:)?t)(" + _ATTRS + rb")>[^<]*</\6\s*>)"
    # …a simple field (its instruction in an attribute) and its end.
    rb"|<((?:[\w.-]+:)?fldSimple)(" + _ATTRS + rb")(/?)>"
    rb"|</(?:[\w.-]+:)?fldSimple\s*>",
)
_INSTR_ATTRIBUTE = re.compile(rb"(\s(?:[\w.-]+:)?instr\s*=\s*)(\"[^\"]*\"|'[^']*')")
_BOUND_CONTROL = re.compile(
    rb"<((?:[\w.-]+:)?sdt)(" + _ATTRS + rb")>(?:(?!</\1\s*>).)*?dataBinding\b.*?</\1\s*>",
    re.DOTALL,
)
# Custom XML and smart tags name their elements freely: the wrapper goes, its content stays.
_CUSTOM_WRAPPER = re.compile(
    rb"<(?:[\w.-]+:)?(?:customXml|smartTag)(?=[\s/>])" + _ATTRS + rb"/?>"
    rb"|</(?:[\w.-]+:)?(?:customXml|smartTag)\s*>"
)
# Content controls' names and tags are free text an author types; they are emptied.
DOCX_CONTROL_NAMES = frozenset({b"alias", b"tag"})


@dataclass
class _Field:
    start: int
    instruction: list[bytes] = field(default_factory=list)
    pieces: list[tuple[int, int]] = field(default_factory=list)  # instruction elements
    texts: list[tuple[int, int]] = field(default_factory=list)  # all shown text inside
    results: list[tuple[int, int]] = field(default_factory=list)  # shown text after separate
    shown: bool = False  # past its separator
    simple: tuple[int, int] | None = None  # a simple field's start tag
    tainted: bool = False  # holds a field that shows metadata


def _blank_fields(content: bytes) -> bytes:
    """Empty the fields that show metadata, however split or nested (see above)."""
    edits: dict[tuple[int, int], bytes] = {}
    stack: list[_Field] = []

    def blank(span: tuple[int, int]) -> None:
        edits[span] = _W_TEXT.sub(
            lambda t: b"<" + t[1] + t[2] + b"></" + t[1] + b">", content[span[0] : span[1]]
        )

    def close(done: _Field) -> None:
        keyword = DOCX_PROPERTY_FIELDS.match(b"".join(done.instruction))
        if keyword is None and not done.tainted:
            return
        for span in done.texts if keyword else done.results:
            blank(span)
        if keyword is None:
            return
        for parent in stack:
            parent.tainted = True
        shown = b" " + keyword[1].upper() + b" "
        if done.simple is not None:
            tag = content[done.simple[0] : done.simple[1]]
            edits[done.simple] = _INSTR_ATTRIBUTE.sub(
                lambda m: m[1] + b'"' + shown + b'"', tag, count=1
            )
        for index, (begin, end) in enumerate(done.pieces):
            found = _FIELD_TOKEN.fullmatch(content, begin, end)
            if found is None:  # pragma: no cover - the span was found by this pattern
                continue
            text = shown if index == 0 else b""
            edits[(begin, end)] = b"<" + found[2] + found[3] + b">" + text + b"</" + found[2] + b">"

    for token in _FIELD_TOKEN.finditer(content):
        span = token.span()
        if token[1] is not None:
            kind = token[1].lower()
            if kind == b"begin":
                stack.append(_Field(span[0]))
            elif kind == b"separate" and stack:
                stack[-1].shown = True
            elif kind == b"end" and stack:
                close(stack.pop())
        elif token[2] is not None:
            if stack:
                stack[-1].instruction.append(token[4])
                stack[-1].pieces.append(span)
        elif token[5] is not None:
            for open_field in stack:
                open_field.texts.append(span)
                if open_field.shown:
                    open_field.results.append(span)
        elif token[8] is not None:
            instr = _INSTR_ATTRIBUTE.search(token[9])
            simple = _Field(span[0], shown=True, simple=span)
            if instr is not None:
                simple.instruction.append(instr[2][1:-1])
            if token[10]:
                close(simple)
            else:
                stack.append(simple)
        elif stack and stack[-1].simple is not None:
            close(stack.pop())
    while stack:  # a field never ended: judged on what it has
        close(stack.pop())
    if not edits:
        return content
    out = []
    position = 0
    for begin, end in sorted(edits):
        if begin < position:  # inside a span already replaced
            continue
        out.append(content[position:begin])
        out.append(edits[(begin, end)])
        position = end
    out.append(content[position:])
    return b"".join(out)


def _blank_shown_text(match: re.Match[bytes]) -> bytes:
    return _W_TEXT.sub(lambda t: b"<" + t[1] + t[2] + b"></" + t[1] + b">", match[0])


def _docx_xml(content: bytes, name: str, relationships: frozenset[str]) -> bytes:
    """A part cleaned; `relationships` are the ids of its relationships that were kept: a
    reference to any other (an image left out, a link cut) is removed."""
    _parse(content, name)
    content = _drop_elements(_drop_comments(content), DOCX_DROPPED)
    content = _CUSTOM_WRAPPER.sub(b"", _blank_fields(content))
    content = _BOUND_CONTROL.sub(_blank_shown_text, content)

    def edit(tag: bytes, attribute: bytes, value: bytes) -> bytes | None:
        local = _local_name(attribute)
        if local == b"val" and _local_name(tag) in DOCX_CONTROL_NAMES:
            return b""
        if local in DOCX_AUTHOR_ATTRIBUTES:
            return ANONYMOUS.encode()
        if local in DOCX_ID_ATTRIBUTES:
            return b""
        if attribute.startswith(b"r:") and value.decode("utf-8", "replace") not in relationships:
            return REMOVE
        return None

    return _checked(_edit_attributes(content, edit), name)


def _docx_copy(data: bytes) -> bytes:
    archive = open_archive(data)
    try:
        types = _parse(archive.read("[Content_Types].xml"), "[Content_Types].xml")
        defaults = {
            (e.get("Extension") or "").lower(): e.get("ContentType") or ""
            for e in types
            if e.tag == f"{{{CONTENT_TYPES_NS}}}Default"
        }
        overrides = {
            (e.get("PartName") or "").lstrip("/").lower(): e.get("ContentType") or ""
            for e in types
            if e.tag == f"{{{CONTENT_TYPES_NS}}}Override"
        }
        package = _Package()
        queue = [DOCX_MAIN]
        while queue:
            part = queue.pop(0)
            if part in package.parts:
                continue
            package.parts[part] = b""  # taken; written once its relationships are known
            kept: list[_Relationship] = []
            rels = _rels_name(part)
            for rel in _relationships(archive.read(rels), rels) if archive.has(rels) else []:
                kind = rel.type.rsplit("/", 1)[-1]
                if rel.external:
                    if kind == "hyperlink" and SAFE_LINK.match(rel.target.strip()):
                        kept.append(rel)
                    continue
                if kind not in DOCX_CONTENT_RELATIONSHIPS:
                    continue
                target = _resolve(part, rel.target)
                if target is None or not _docx_part(target) or not archive.has(target):
                    continue
                if kind == "image":
                    if target not in package.parts:
                        image = clean_image(archive.read(target), _extension(target))
                        if image is None:
                            continue
                        package.parts[target] = image
                else:
                    queue.append(target)
                kept.append(rel)
            package.rels[part] = kept
            ids = frozenset(rel.id for rel in kept)
            package.parts[part] = _docx_xml(archive.read(part), part, ids)
    finally:
        archive.close()

    members: list[tuple[str, bytes]] = []
    content_types = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<Types xmlns="{CONTENT_TYPES_NS}">',
        f'<Default Extension="rels" ContentType="{RELS_TYPE}"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        f'<Override PartName="/docProps/core.xml" ContentType="{CORE_TYPE}"/>',
    ]
    for part in package.parts:
        extension = _extension(part)
        if part == DOCX_MAIN:
            kind = DOCX_MAIN_TYPE
        elif extension in IMAGE_TYPES:
            kind = IMAGE_TYPES[extension]
        else:
            kind = overrides.get(part.lower()) or defaults.get(extension) or "application/xml"
        content_types.append(f"<Override PartName={_attr('/' + part)} ContentType={_attr(kind)}/>")
    content_types.append("</Types>")
    members.append(("[Content_Types].xml", "".join(content_types).encode()))
    members.append(
        (
            "_rels/.rels",
            _rels_xml(
                [
                    _Relationship("rId1", REL_BASE + "officeDocument", DOCX_MAIN, False),
                    _Relationship("rId2", CORE_REL, "docProps/core.xml", False),
                ]
            ),
        )
    )
    members.append(("docProps/core.xml", BLANK_CORE))
    for part, content in package.parts.items():
        members.append((part, content))
        if package.rels.get(part):
            members.append((_rels_name(part), _rels_xml(package.rels[part])))
    return _write_zip(members)


# --- ODT --------------------------------------------------------------------------------------

ODT_DROPPED = _names(
    (
        "office:annotation",
        "office:annotation-end",
        "text:tracked-changes",
        "text:change",
        "text:change-start",
        "text:change-end",
        "office:scripts",
        "office:event-listeners",
        "office:forms",
        "script:event-listener",
        "office:binary-data",
        # a frame's title and description are never shown on the page
        "svg:title",
        "svg:desc",
    )
)
# Fields that show the author or a document property: their shown value goes.
ODT_BLANKED = _names(
    (
        "dc:creator",
        "dc:date",
        "text:author-name",
        "text:author-initials",
        "text:initial-creator",
        "text:creator",
        "text:title",
        "text:subject",
        "text:keywords",
        "text:description",
        "text:user-defined",
        "text:printed-by",
        "text:sender-firstname",
        "text:sender-lastname",
        "text:sender-initials",
        "text:sender-title",
        "text:sender-position",
        "text:sender-email",
        "text:sender-phone-private",
        "text:sender-fax",
        "text:sender-company",
        "text:sender-phone-work",
        "text:sender-street",
        "text:sender-city",
        "text:sender-postal-code",
        "text:sender-country",
        "text:sender-state-or-province",
        "text:file-name",
        "text:template-name",
        "text:creation-date",
        "text:creation-time",
        "text:modification-date",
        "text:modification-time",
        "text:print-date",
        "text:print-time",
        "text:editing-duration",
        "text:editing-cycles",
        "text:database-display",
        "text:database-name",
    )
)
_ODT_BLANKED_TAG = re.compile(ODT_BLANKED + rb"\Z")
# The value a blanked field keeps in an attribute goes with its shown text.
ODT_VALUE_ATTRIBUTES = frozenset(
    {
        b"office:value",
        b"office:string-value",
        b"office:date-value",
        b"office:time-value",
        b"office:boolean-value",
        b"text:date-value",
        b"text:time-value",
        b"text:duration",
    }
)
# Names an author types that are never shown: a frame's name goes (chains follow it by a
# neutral one); a bookmark's is replaced by bm1, bm2… and every reference to it follows.
# (Only shapes' names: gradients, hatches, markers, dashes and layers are named by the office
# program, and styles refer to them by those names.)
ODT_SHAPES = frozenset(
    b"draw:" + shape
    for shape in (
        b"frame",
        b"g",
        b"custom-shape",
        b"rect",
        b"line",
        b"polyline",
        b"polygon",
        b"regular-polygon",
        b"path",
        b"circle",
        b"ellipse",
        b"connector",
        b"caption",
        b"measure",
        b"control",
        b"page-thumbnail",
    )
)
ODT_BOOKMARKS = frozenset(
    {b"text:bookmark", b"text:bookmark-start", b"text:bookmark-end", b"text:bookmark-ref"}
)
ODT_LINKS = frozenset({b"text:a", b"draw:a"})
ODT_OBJECT_TYPES = (
    "application/vnd.oasis.opendocument.formula",
    "application/vnd.oasis.opendocument.chart",
)
MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
ODF_VERSION = re.compile(r"^\d\.\d$")


def _blank_meta(version: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-meta xmlns:office="{OFFICE_NS}" office:version="{version}">'
        "<office:meta/></office:document-meta>"
    ).encode()


def _internal_path(value: str) -> bool:
    return not (
        ":" in value or value.startswith(("/", "\\")) or ".." in value.replace("\\", "/").split("/")
    )


_ODT_NAMED = re.compile(
    rb"<(text:bookmark(?:-start)?|draw:[\w-]+)(?=\s)[^>]*?\s(text:name|draw:name)\s*=\s*"
    rb"[\"']([^\"']*)[\"']"
)


def _neutral(names: dict[bytes, bytes], value: bytes, prefix: bytes) -> bytes:
    """The neutral name that stands for `value` (the same one wherever it is used)."""
    key = prefix + b"\x00" + value
    if key not in names:
        names[key] = prefix + str(sum(k.startswith(prefix + b"\x00") for k in names) + 1).encode()
    return names[key]


def _odt_xml(content: bytes, name: str, names: dict[bytes, bytes] | None = None) -> bytes:
    """A part cleaned; `names` maps the names replaced so far in this document (bookmarks,
    frames) to their neutral ones, so that references across parts still meet."""
    names = {} if names is None else names
    _parse(content, name)
    content = _drop_elements(_drop_comments(content), ODT_DROPPED)
    content = _blank_text(content, ODT_BLANKED)
    # Named first, so that a link before its bookmark or frame finds the new name.
    for found in _ODT_NAMED.finditer(content):
        if found[1].startswith(b"text:"):
            _neutral(names, found[3], b"bm")
        elif found[1] in ODT_SHAPES:
            _neutral(names, found[3], b"frame")

    def edit(tag: bytes, attribute: bytes, value: bytes) -> bytes | None:
        if attribute in ODT_VALUE_ATTRIBUTES and _ODT_BLANKED_TAG.match(tag):
            return REMOVE
        if attribute == b"draw:chain-next-name" or (
            attribute == b"draw:name" and tag in ODT_SHAPES
        ):
            return _neutral(names, value, b"frame")
        if tag in ODT_BOOKMARKS and attribute in (b"text:name", b"text:ref-name"):
            return _neutral(names, value, b"bm")
        if attribute != b"xlink:href":
            return None
        target = value.decode("utf-8", "replace").strip()
        if tag in ODT_LINKS:
            if target.startswith("#"):
                base, bar, kind = value[1:].partition(b"|")
                for prefix in (b"bm", b"frame"):
                    if prefix + b"\x00" + base in names:
                        return b"#" + names[prefix + b"\x00" + base] + bar + kind
            return None if SAFE_LINK.match(target) else b""
        # Anything else with a link is fetched when the file opens: only its own parts.
        return None if _internal_path(target) else b""

    return _checked(_edit_attributes(content, edit), name)


def _odt_copy(data: bytes) -> bytes:
    archive = open_archive(data)
    try:
        object_folders: dict[str, str] = {}
        if archive.has("META-INF/manifest.xml"):
            manifest = _parse(archive.read("META-INF/manifest.xml"), "META-INF/manifest.xml")
            for entry in manifest:
                path = entry.get(f"{{{MANIFEST_NS}}}full-path") or ""
                kind = entry.get(f"{{{MANIFEST_NS}}}media-type") or ""
                if kind in ODT_OBJECT_TYPES and path.endswith("/") and _internal_path(path):
                    object_folders[path] = kind
        content_root = _parse(archive.read("content.xml"), "content.xml")
        version = content_root.get(f"{{{OFFICE_NS}}}version") or "1.2"
        if not ODF_VERSION.match(version):
            version = "1.2"
        members: list[tuple[str, bytes]] = [("mimetype", ODT_MIMETYPE)]
        names: dict[bytes, bytes] = {}
        listed: list[tuple[str, str]] = [("/", ODT_MIMETYPE.decode())]
        for part in ("content.xml", "styles.xml"):
            if archive.has(part):
                members.append((part, _odt_xml(archive.read(part), part, names)))
                listed.append((part, "text/xml"))
        members.append(("meta.xml", _blank_meta(version)))
        listed.append(("meta.xml", "text/xml"))
        for folder, kind in object_folders.items():
            if not archive.has(folder + "content.xml"):
                continue
            listed.append((folder, kind))
            for part in ("content.xml", "styles.xml"):
                if archive.has(folder + part):
                    members.append(
                        (folder + part, _odt_xml(archive.read(folder + part), folder + part))
                    )
                    listed.append((folder + part, "text/xml"))
        for name in archive.names():
            if not name.startswith("Pictures/") or name.endswith("/"):
                continue
            extension = _extension(name)
            image = clean_image(archive.read(name), extension)
            if image is not None:
                members.append((name, image))
                listed.append((name, IMAGE_TYPES.get(extension, "")))
    finally:
        archive.close()
    manifest_lines = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<manifest:manifest xmlns:manifest="{MANIFEST_NS}" manifest:version="{version}">',
    ]
    for path, kind in listed:
        # The root entry states the ODF version too; LibreOffice checks it against content.
        stated = f' manifest:version="{version}"' if path == "/" else ""
        manifest_lines.append(
            f"<manifest:file-entry manifest:full-path={_attr(path)} "
            f"manifest:media-type={_attr(kind)}{stated}/>"
        )
    manifest_lines.append("</manifest:manifest>")
    members.insert(2, ("META-INF/manifest.xml", "".join(manifest_lines).encode()))
    return _write_zip(members, stored_first=True)


# --- PDF --------------------------------------------------------------------------------------

# The copy is a new document whose catalog has the pages and nothing else. What a page uses is
# copied by allow-list, per kind of dictionary: only the keys below stay (a key anyone can add,
# like /PTOwner, does not).
PDF_STREAM = frozenset({"/Length", "/Filter", "/DecodeParms", "/DL"})
PDF_PAGE = frozenset(
    {
        "/Type",
        "/Parent",
        "/Resources",
        "/MediaBox",
        "/CropBox",
        "/BleedBox",
        "/TrimBox",
        "/ArtBox",
        "/Contents",
        "/Rotate",
        "/UserUnit",
        "/Group",
    }
)
PDF_GROUP = frozenset({"/Type", "/S", "/CS", "/I", "/K"})
PDF_RESOURCES = frozenset(
    {
        "/ExtGState",
        "/ColorSpace",
        "/Pattern",
        "/Shading",
        "/XObject",
        "/Font",
        "/ProcSet",
        "/Properties",
    }
)
PDF_IMAGE = PDF_STREAM | {
    "/Type",
    "/Subtype",
    "/Width",
    "/Height",
    "/ColorSpace",
    "/BitsPerComponent",
    "/Intent",
    "/ImageMask",
    "/Mask",
    "/Decode",
    "/Interpolate",
    "/SMask",
    "/SMaskInData",
    "/Matte",
    "/OC",
}
PDF_FORM = PDF_STREAM | {"/Type", "/Subtype", "/FormType", "/BBox", "/Matrix", "/Resources"}
PDF_FORM = PDF_FORM | {"/Group", "/OC"}
PDF_FONT = frozenset(
    {
        "/Type",
        "/Subtype",
        "/BaseFont",
        "/FirstChar",
        "/LastChar",
        "/Widths",
        "/FontDescriptor",
        "/Encoding",
        "/ToUnicode",
        "/DescendantFonts",
        "/CIDSystemInfo",
        "/W",
        "/W2",
        "/DW",
        "/DW2",
        "/CIDToGIDMap",
        "/FontBBox",
        "/FontMatrix",
        "/CharProcs",
        "/Resources",
    }
)
PDF_FONT_DESCRIPTOR = frozenset(
    {
        "/Type",
        "/FontName",
        "/FontFamily",
        "/FontStretch",
        "/FontWeight",
        "/Flags",
        "/FontBBox",
        "/ItalicAngle",
        "/Ascent",
        "/Descent",
        "/Leading",
        "/CapHeight",
        "/XHeight",
        "/StemV",
        "/StemH",
        "/AvgWidth",
        "/MaxWidth",
        "/MissingWidth",
        "/FontFile",
        "/FontFile2",
        "/FontFile3",
        "/CharSet",
        "/Style",
        "/Lang",
        "/FD",
        "/CIDSet",
    }
)
PDF_FONT_FILE = PDF_STREAM | {"/Length1", "/Length2", "/Length3", "/Subtype"}
PDF_EXTGSTATE = frozenset(
    {
        "/Type",
        "/LW",
        "/LC",
        "/LJ",
        "/ML",
        "/D",
        "/RI",
        "/OP",
        "/op",
        "/OPM",
        "/Font",
        "/BG",
        "/BG2",
        "/UCR",
        "/UCR2",
        "/TR",
        "/TR2",
        "/HT",
        "/FL",
        "/SM",
        "/SA",
        "/BM",
        "/SMask",
        "/CA",
        "/ca",
        "/AIS",
        "/TK",
        "/UseBlackPtComp",
        "/HTO",
    }
)
PDF_SOFT_MASK = frozenset({"/Type", "/S", "/G", "/BC", "/TR"})
PDF_OCMD = frozenset({"/Type", "/OCGs", "/P", "/VE"})

# Colour spaces, shadings, patterns, functions and encodings have too many forms for a list of
# their own: there these keys are left out wherever they appear.
PDF_DROPPED_KEYS = (
    "/Annots",
    "/AA",
    "/A",
    "/JS",
    "/JavaScript",
    "/OpenAction",
    "/Names",
    "/EmbeddedFiles",
    "/EF",
    "/AcroForm",
    "/Metadata",
    "/PieceInfo",
    "/Thumb",
    "/B",
    "/StructParents",
    "/StructParent",
    "/URI",
    "/Launch",
    "/LastModified",
    "/F",
    "/FFilter",
    "/FDecodeParms",
    "/Name",
    "/OPI",
    "/ID",
)


def _pdf_clean_objects(root: object, seen: set[int], kind: str = "page") -> None:
    """Walk everything `root` reaches (not up to /Parent), keeping in each dictionary only
    what its kind allows (above); drop the metadata segments of JPEG images; give layers
    neutral names."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
        StreamObject,
        TextStringObject,
    )

    allowed = {
        "page": PDF_PAGE,
        "group": PDF_GROUP,
        "resources": PDF_RESOURCES,
        "image": PDF_IMAGE,
        "form": PDF_FORM,
        "font": PDF_FONT,
        "descriptor": PDF_FONT_DESCRIPTOR,
        "fontfile": PDF_FONT_FILE,
        "extgstate": PDF_EXTGSTATE,
        "softmask": PDF_SOFT_MASK,
        "stream": PDF_STREAM,
    }
    # What each kind's keys lead to (anything not named here is walked as "generic").
    children: dict[str, dict[str, str]] = {
        "page": {"/Resources": "resources", "/Group": "group", "/Contents": "stream"},
        "resources": {
            "/XObject": "each:xobject",
            "/Font": "each:font",
            "/ExtGState": "each:extgstate",
            "/Properties": "each:property",
        },
        "image": {"/SMask": "xobject", "/Mask": "xobject", "/OC": "property"},
        "form": {"/Resources": "resources", "/Group": "group", "/OC": "property"},
        "font": {
            "/FontDescriptor": "descriptor",
            "/DescendantFonts": "font",
            "/Resources": "resources",
            "/CharProcs": "each:stream",
            "/ToUnicode": "stream",
        },
        "descriptor": {
            "/FontFile": "fontfile",
            "/FontFile2": "fontfile",
            "/FontFile3": "fontfile",
            "/CIDSet": "stream",
        },
        "extgstate": {"/SMask": "softmask"},
        "softmask": {"/G": "xobject"},
        "ocmd": {"/OCGs": "property"},
    }
    layers: dict[int, int] = {}
    stack: list[tuple[object, str]] = [(root, kind)]
    while stack:
        item, kind = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, ArrayObject):
            stack.extend((value, kind) for value in item)
            continue
        if not isinstance(item, DictionaryObject):
            continue
        if kind == "xobject":  # an image's mask, a soft mask's group (PostScript is dropped above)
            kind = {"/Image": "image", "/Form": "form"}.get(str(item.get("/Subtype")), "image")
        if kind == "property":
            if item.get("/Type") == "/OCMD":
                kind = "ocmd"
                allowed_keys: frozenset[str] = PDF_OCMD
            else:
                layer = layers.setdefault(id(item), len(layers) + 1)
                is_layer = item.get("/Type") == "/OCG"
                item.clear()
                if is_layer:  # a layer keeps a name of its own, not the one it was given
                    item[NameObject("/Type")] = NameObject("/OCG")
                    item[NameObject("/Name")] = TextStringObject(f"Layer {layer}")
                continue
        elif kind in allowed:
            allowed_keys = allowed[kind]
        else:
            allowed_keys = frozenset()
            for key in PDF_DROPPED_KEYS:
                if NameObject(key) in item:
                    del item[NameObject(key)]
        if allowed_keys:
            for key in list(item.keys()):
                if key not in allowed_keys:
                    del item[key]
        if isinstance(item, StreamObject) and item.get("/Subtype") == "/Image":
            filters = item.get("/Filter")
            if filters == "/DCTDecode" or (
                isinstance(filters, ArrayObject) and list(filters) == ["/DCTDecode"]
            ):
                cleaned = clean_jpeg(item._data)
                if cleaned is not None:
                    item._data = cleaned
        leads = children.get(kind, {})
        for key, value in list(item.items()):
            if key == "/Parent":
                continue
            target = leads.get(key, "generic")
            if target.startswith("each:"):
                named = value.get_object()
                if isinstance(named, DictionaryObject):
                    for entry_name, entry in list(named.items()):
                        drawn = entry.get_object()
                        subtype = (
                            drawn.get("/Subtype") if isinstance(drawn, DictionaryObject) else None
                        )
                        if target == "each:xobject" and subtype not in ("/Image", "/Form"):
                            del named[entry_name]  # PostScript, or not an XObject at all
                            continue
                        stack.append((entry, target[5:]))
                continue
            stack.append((value, target))


def _pdf_copy(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError, PyPdfError) as exc:
                raise ExtractionError("encrypted", "protected by a password") from exc
            if not opened:
                raise ExtractionError("encrypted", "protected by a password")
        if len(reader.pages) > MAX_PAGES:
            raise ExtractionError("too_large", f"more than {MAX_PAGES} pages")
        # A new document: a catalog with the pages and nothing else.
        writer = PdfWriter()
        seen: set[int] = set()  # objects shared by pages (fonts, images) are cleaned once
        for page in reader.pages:
            dropped = tuple(str(key) for key in page if key not in PDF_PAGE)
            added = writer.add_page(page, excluded_keys=dropped + PDF_DROPPED_KEYS)
            _pdf_clean_objects(added, seen)
        writer.metadata = None
        # What the allow-lists cut off was copied before it was cut: it is not written.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except ExtractionError:
        raise
    except FileNotDecryptedError as exc:
        raise ExtractionError("encrypted", "protected by a password") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ExtractionError("corrupt", f"unreadable PDF: {exc}") from exc
    except (RecursionError, IndexError, OSError, AssertionError, ZeroDivisionError) as exc:
        raise ExtractionError("corrupt", f"unreadable PDF: {type(exc).__name__}") from exc
    return out.getvalue()
