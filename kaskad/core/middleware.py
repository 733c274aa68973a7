"""Cross-cutting request and response guards."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kaskad.core.api import error_response

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded",)
JSON_TYPES = ("application/json",)


def _strings(value: Any, name: str = "") -> Iterator[tuple[str, str]]:
    """Every (field name, text) in a decoded JSON value, keys included."""
    if isinstance(value, str):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key), str(key)
            yield from _strings(item, str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, name)


def _first_with_nul(pairs: list[tuple[str, str]]) -> str | None:
    for name, text in pairs:
        if NUL in text:
            return name.replace(NUL, "\\0") or "?"
    return None


def _form_pairs(data: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, values in data.lists():
        pairs += [(key, key), *((key, v) for v in values)]
    return pairs


def nul_field(request: HttpRequest) -> str | None:
    """The name of the first query, form or JSON field holding a NUL character, if any.

    A multipart form is looked at in `process_view` (see there); files never are: their
    bytes are the upload's business."""
    pairs: list[tuple[str, str]] = []
    pairs += _form_pairs(request.GET)
    content_type = request.content_type or ""
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        if content_type in FORM_TYPES:
            pairs += _form_pairs(request.POST)
        elif content_type in JSON_TYPES and b"\\u0000" in request.body:
            with contextlib.suppress(ValueError):  # not JSON: the view says so
                pairs += list(_strings(json.loads(request.body)))
    return _first_with_nul(pairs)


class RefuseNulMiddleware:
    """Refuse a NUL character anywhere in a request before it can reach the database.

    PostgreSQL cannot hold a NUL in text and fails with a server error where SQLite quietly
    answers; no field of this site accepts one. A path with a NUL is not found (no address
    has one); a query, form or JSON field with one is a 400 naming the field.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path_info:
            # No address has one: not found, in the API's format under /api/.
            if request.path_info.startswith("/api/"):
                return error_response(404, "not_found", _("Not found."))
            raise Http404
        field = nul_field(request)
        if field is None:
            return self.get_response(request)
        return self.refuse(request, field)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # A multipart body is parsed once, with the upload handlers of that moment. A view
        # exempt from the CSRF check may set its own (the import's size guard) and checks its
        # fields itself; for every other view the CSRF check reads the form right after this.
        if request.content_type != "multipart/form-data" or getattr(view, "csrf_exempt", False):
            return None
        field = _first_with_nul(_form_pairs(request.POST))
        return None if field is None else self.refuse(request, field)

    @staticmethod
    def refuse(request: HttpRequest, field: str) -> HttpResponse:
        message = _(
            "The field “%(field)s” contains a NUL character (\\0), which no field accepts. "
            "Remove it and try again."
        ) % {"field": field}
        if request.path_info.startswith("/api/"):
            return error_response(400, "nul_character", message, field=field)
        return render(request, "400.html", {"message": message}, status=400)


# Scripts only from this site's static files (htmx, Chart.js and the pages' own scripts are
# vendored there; no page has an inline script). Styles also allow inline `style` attributes,
# which the progress bars, Swagger UI and the admin use; a stylesheet cannot run code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
NO_STORE = "no-store, private"


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every answer, and `Cache-Control: no-store, private` on
    every answer to a signed-in user or an API token (pages and JSON holding IINs, certificate
    PDFs and archives): no browser, proxy or shared computer keeps a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in or "Authorization" in request.headers:
            response["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
            if "Vary" not in response or "Cookie" not in response["Vary"]:
                response["Vary"] = ", ".join(filter(None, [response.get("Vary"), "Cookie"]))
        return response
