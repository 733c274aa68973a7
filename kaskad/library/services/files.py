"""An uploaded file checked against what it claims to be, and its text read.

The kind is judged from the content, never the name; the name's extension must agree with it
(a "plan.pdf" holding a Word document, or a "lesson.mp4" holding a PDF, is refused), and so
must the material's type (a video material takes a video). Documents are read with
`kaskad.documents.extract`, the same reader assessment and plagiarism use; a document with no
text in it (a scan) is kept but marked not searchable. HTML, SVG and XML are refused whatever
they are called (a browser would run them).
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _

from kaskad.core.errors import DomainError
from kaskad.documents.extract import ExtractionError, extract, looks_like_markup, sniff
from kaskad.library.models import MaterialType

MAX_DOCUMENT_MB = 50
MAX_VIDEO_MB = 500
DOCUMENT_KINDS = ("pdf", "docx", "odt", "txt")
EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "odt": "odt",
    "txt": "txt",
    "mp4": "mp4",
    "m4v": "mp4",
    "webm": "webm",
    "pptx": "pptx",
}
NAME_MAX = 255


class FileRefused(DomainError):
    pass


@dataclass
class CheckedFile:
    name: str
    kind: str
    data: bytes
    sha256: str
    text: str
    searchable: bool
    not_searchable_reason: str = ""


def _media_kind(data: bytes) -> str | None:
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return "mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                if "ppt/presentation.xml" in archive.namelist():
                    return "pptx"
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError):
            return None
    return None


def _read(upload: Any, *, name: str, limit_mb: int) -> bytes:
    size = getattr(upload, "size", None)
    limit = limit_mb * 1024 * 1024
    if size is not None and size > limit:
        raise FileRefused(
            "file_too_large",
            _("“%(name)s” is larger than %(limit)s MB, the largest file allowed.")
            % {"name": name, "limit": limit_mb},
            field="file",
        )
    data: bytes = upload.read() if hasattr(upload, "read") else bytes(upload)
    if len(data) > limit:
        raise FileRefused(
            "file_too_large",
            _("“%(name)s” is larger than %(limit)s MB, the largest file allowed.")
            % {"name": name, "limit": limit_mb},
            field="file",
        )
    return data


def _extraction_message(code: str) -> str:
    if code == "encrypted":
        return _("“%(name)s” is protected by a password; upload it without the password.")
    if code == "too_large":
        return _("“%(name)s” unpacks to too much data or has too many pages.")
    return _("“%(name)s” is damaged or is not the kind of file its name says.")


def check_upload(upload: Any, *, material_type: str) -> CheckedFile:
    """Read and check one uploaded file (a Django `UploadedFile`); raises FileRefused."""
    name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())[:NAME_MAX] or "file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = EXTENSIONS.get(extension)
    if claimed is None:
        raise FileRefused(
            "file_type",
            _(
                "“%(name)s”: only PDF, DOCX, ODT, plain text, MP4, WebM and PPTX files can be "
                "uploaded."
            )
            % {"name": name},
            field="file",
        )
    video = claimed in ("mp4", "webm")
    data = _read(upload, name=name, limit_mb=MAX_VIDEO_MB if video else MAX_DOCUMENT_MB)
    if not data:
        raise FileRefused("file_empty", _("“%(name)s” is empty.") % {"name": name}, field="file")
    if looks_like_markup(data[:65536]) and claimed not in ("mp4", "webm", "pptx"):
        raise FileRefused(
            "file_markup",
            _(
                "“%(name)s” is a web page or a drawing (HTML, SVG or XML), not a document. "
                "Save it as PDF, DOCX, ODT or plain text and upload it again."
            )
            % {"name": name},
            field="file",
        )
    kind = _media_kind(data) or sniff(data)
    if kind != claimed:
        raise FileRefused(
            "file_mismatch",
            _(
                "“%(name)s” is named as a %(claimed)s file but its content is %(actual)s. "
                "Upload the file itself, saved in the format its name says."
            )
            % {
                "name": name,
                "claimed": claimed.upper(),
                "actual": kind.upper() if kind else _("not a known format"),
            },
            field="file",
        )
    if material_type == MaterialType.VIDEO and kind not in ("mp4", "webm"):
        raise FileRefused(
            "file_not_video",
            _("A video material takes an MP4 or WebM file; “%(name)s” is not one.")
            % {"name": name},
            field="file",
        )
    if material_type != MaterialType.VIDEO and kind in ("mp4", "webm"):
        raise FileRefused(
            "file_video_for_document",
            _("“%(name)s” is a video; choose the type “video” for it.") % {"name": name},
            field="file",
        )
    sha256 = hashlib.sha256(data).hexdigest()
    if kind not in DOCUMENT_KINDS:
        return CheckedFile(
            name=name,
            kind=kind,
            data=data,
            sha256=sha256,
            text="",
            searchable=False,
            not_searchable_reason="no text in this kind of file",
        )
    try:
        extracted = extract(data, kind)
    except ExtractionError as error:
        if error.code == "empty":
            return CheckedFile(
                name=name,
                kind=kind,
                data=data,
                sha256=sha256,
                text="",
                searchable=False,
                not_searchable_reason="no text could be read (a scan?)",
            )
        message = _extraction_message(error.code) % {"name": name}
        raise FileRefused(f"file_{error.code}", message, field="file") from error
    return CheckedFile(
        name=name, kind=kind, data=data, sha256=sha256, text=extracted.text, searchable=True
    )
