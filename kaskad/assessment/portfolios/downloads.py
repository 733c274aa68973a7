"""A portfolio file as a download: always an attachment, typed by the kind its content was found
to be (never by its name), not to be sniffed by the browser, and not kept in any cache."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse

from kaskad.assessment.portfolios.files import aligned_name

CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain; charset=utf-8",
}


def file_response(handle: Any, *, name: str, kind: str) -> FileResponse:
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=aligned_name(name, kind) if kind in CONTENT_TYPES else name,
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
