"""Serving a step's uploaded video or file with HTTP range requests (RFC 9110 §14), so that
a phone can seek in a video and resume a download without fetching the whole file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single range, None for no or an unsupported header; raises
    ValueError for a range that cannot be satisfied."""
    match = RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    start_s, end_s = match.groups()
    if not start_s and not end_s:
        return None
    if not start_s:  # the last N bytes
        n = int(end_s)
        if n == 0:
            raise ValueError("empty suffix")
        return max(0, size - n), size - 1
    start = int(start_s)
    end = min(int(end_s), size - 1) if end_s else size - 1
    if start >= size or end < start:
        raise ValueError("not satisfiable")
    return start, end


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        left = length
        while left > 0:
            data = handle.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        handle.close()


def ranged_response(
    handle: IO[bytes],
    *,
    size: int,
    content_type: str,
    range_header: str,
    filename: str = "",
    attachment: bool = False,
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    try:
        wanted = parse_range(range_header, size)
    except ValueError:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if wanted is None:
        full = FileResponse(
            handle, content_type=content_type, filename=filename, as_attachment=attachment
        )
        full["Accept-Ranges"] = "bytes"
        return full
    start, end = wanted
    length = end - start + 1
    partial = StreamingHttpResponse(
        _chunks(handle, start, length), status=206, content_type=content_type
    )
    partial["Content-Range"] = f"bytes {start}-{end}/{size}"
    partial["Content-Length"] = str(length)
    partial["Accept-Ranges"] = "bytes"
    if attachment:
        # The part of a download is a download too, under the name the whole one has.
        disposition = content_disposition_header(True, filename)
        if disposition:
            partial["Content-Disposition"] = disposition
    return partial
