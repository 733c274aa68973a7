"""Uploads limited while they arrive, not after.

Django reads a multipart body before a view sees it (the CSRF check already does), so a size
check in the view comes after the whole file was received and written to a temporary file.
:class:`UploadLimitHandler`, first in ``FILE_UPLOAD_HANDLERS``, counts each file's bytes as they
arrive; past the limit the file is skipped: the rest of it is read and thrown away, nothing of
it reaches the handlers that store it, and its name is put in ``request.upload_refused`` so the
view can say which file was too large.

The limit of a request comes from ``settings.UPLOAD_LIMITS``, which maps a URL's view name
(``"namespace:name"``) to a function ``(request, url_kwargs) -> bytes | None``; views not in it
are not limited here. Core knows no bounded context: the wiring lives in the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.module_loading import import_string

LimitFor = Callable[[HttpRequest, dict[str, Any]], "int | None"]


@dataclass(frozen=True)
class RefusedUpload:
    name: str
    limit: int


def refused_uploads(request: HttpRequest) -> list[RefusedUpload]:
    """The files of this request that were skipped for being too large."""
    return list(getattr(request, "upload_refused", []))


def _limit_for(request: HttpRequest) -> int | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    path = dict(getattr(settings, "UPLOAD_LIMITS", {})).get(match.view_name)
    if path is None:
        return None
    limit_for: LimitFor = import_string(path)
    return limit_for(request, dict(match.kwargs))


class UploadLimitHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit: int | None = None
        self.received = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        if self.request is not None:
            self.limit = _limit_for(self.request)
            self.request.upload_refused = []  # type: ignore[attr-defined]
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.limit is not None and self.received > self.limit:
            if self.request is not None:
                refused = RefusedUpload(name=str(self.file_name or ""), limit=self.limit)
                self.request.upload_refused.append(refused)  # type: ignore[attr-defined]
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
