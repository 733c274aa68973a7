"""The copy of an uploaded file that assessors may download: the author's metadata stripped.

Marking is blind, and a file says who wrote it in more places than its text:

* PDF: the document information dictionary (/Info: Author, Creator, Title…), the XMP metadata
  stream of the document and of its pages, PieceInfo, and the author (/T) of annotations;
* DOCX: docProps/core.xml (creator, last modified by, revision, last printed),
  docProps/app.xml (company, manager, template path), custom properties, the authors and
  initials of comments, tracked changes and people (word/*.xml), the attached template's path;
* ODT: meta.xml (initial creator, creator, printed by, editing cycles, user-defined fields)
  and the authors (dc:creator) of annotations and tracked changes in content.xml/styles.xml;
* TXT: nothing to strip.

The office formats are rewritten as bytes, not re-serialised XML, so namespace prefixes (on
which Word's `mc:Ignorable` depends) stay exactly as they were; the archive keeps its members,
their order and compression (an ODT's `mimetype` stays first and stored). Reading goes through
the extractor's bounded archive reader, so a zip bomb is refused here too.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from kaskad.plagiarism.engine.extract import ExtractionError, open_archive

ANONYMOUS = "Participant"


def strip_metadata(data: bytes, kind: str) -> bytes:
    """The bytes to store for a file of `kind` ("pdf", "docx", "odt", "txt")."""
    if kind == "pdf":
        return _strip_pdf(data)
    if kind == "docx":
        return _rewrite_zip(data, _docx_member)
    if kind == "odt":
        return _rewrite_zip(data, _odt_member)
    if kind == "txt":
        return data
    raise ExtractionError("unknown_type", f"unsupported kind {kind!r}")


# --- PDF --------------------------------------------------------------------------------------


def _strip_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import NameObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted", "protected by a password")
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        root = writer._root_object
        for key in ("/Metadata", "/PieceInfo"):
            if NameObject(key) in root:
                del root[NameObject(key)]
        for page in writer.pages:
            for key in ("/Metadata", "/PieceInfo"):
                if NameObject(key) in page:
                    del page[NameObject(key)]
            annotations = page.get("/Annots")
            annotations = annotations.get_object() if annotations is not None else []
            for reference in annotations:
                annotation = reference.get_object()
                if NameObject("/T") in annotation:
                    del annotation[NameObject("/T")]
        # The detached /Info and XMP objects must not be written as orphans.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise ExtractionError("corrupt", f"unreadable PDF: {exc}") from exc
    return out.getvalue()


# --- Office archives --------------------------------------------------------------------------


def _rewrite_zip(data: bytes, rewrite: Callable[[str, bytes], bytes]) -> bytes:
    archive = open_archive(data)
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(out, "w") as target:
            for info in archive.zip.infolist():
                content = archive.read(info.filename)
                # A fresh entry: no extra fields (they may hold the owner's ids), same date.
                entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                entry.compress_type = info.compress_type
                entry.external_attr = info.external_attr
                target.writestr(entry, rewrite(info.filename, content))
    finally:
        archive.close()
    return out.getvalue()


def _blank_elements(content: bytes, names: tuple[str, ...], value: bytes = b"") -> bytes:
    """Empty the text of the elements with these local names (whatever their prefix)."""
    alternatives = b"|".join(re.escape(n.encode()) for n in names)
    pattern = re.compile(
        rb"<((?:[\w.-]+:)?(?:" + alternatives + rb"))(\s[^>]*)?(?<!/)>.*?</\1\s*>", re.DOTALL
    )
    return pattern.sub(
        lambda m: b"<" + m[1] + (m[2] or b"") + b">" + value + b"</" + m[1] + b">", content
    )


def _blank_attributes(content: bytes, names: tuple[str, ...], value: bytes) -> bytes:
    """Replace the values of the attributes with these local names (whatever their prefix)."""
    alternatives = b"|".join(re.escape(n.encode()) for n in names)
    pattern = re.compile(rb"(\s(?:[\w.-]+:)?(?:" + alternatives + rb")\s*=\s*)(\"[^\"]*\"|'[^']*')")
    return pattern.sub(lambda m: m[1] + b'"' + value + b'"', content)


DOCX_CORE = ("creator", "lastModifiedBy", "revision", "lastPrinted")
DOCX_APP = ("Company", "Manager", "Template", "HyperlinkBase")
# Authors of comments, tracked changes and the people part, and their ids.
DOCX_AUTHOR_ATTRIBUTES = ("author",)
DOCX_ID_ATTRIBUTES = ("initials", "userId", "providerId")


def _docx_member(name: str, content: bytes) -> bytes:
    if name == "docProps/core.xml":
        return _blank_elements(content, DOCX_CORE)
    if name == "docProps/app.xml":
        return _blank_elements(content, DOCX_APP)
    if name == "docProps/custom.xml":
        return _blank_elements(content, ("lpwstr", "lpstr", "bstr"))
    if name == "word/_rels/settings.xml.rels":
        # The attached template's path names the author's folder (C:\Users\<name>\…).
        return re.sub(
            rb"(<Relationship\b[^>]*attachedTemplate[^>]*\bTarget=)(\"[^\"]*\"|'[^']*')",
            rb'\1"Normal.dotm"',
            content,
        )
    if name.startswith("word/") and name.endswith(".xml"):
        content = _blank_attributes(content, DOCX_AUTHOR_ATTRIBUTES, ANONYMOUS.encode())
        return _blank_attributes(content, DOCX_ID_ATTRIBUTES, b"")
    return content


ODT_META = (
    "initial-creator",
    "creator",
    "printed-by",
    "editing-cycles",
    "user-defined",
)


def _odt_member(name: str, content: bytes) -> bytes:
    if name == "meta.xml":
        return _blank_elements(content, ODT_META)
    if name in ("content.xml", "styles.xml"):
        # Authors of annotations and tracked changes.
        return _blank_elements(content, ("creator",), ANONYMOUS.encode())
    return content
