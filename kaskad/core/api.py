"""Shared pieces of the JSON API: the error format, exception handlers, auth and pagination.

Every error the API answers, whoever raises it, has one shape::

    {"error": {"code": "...", "message": "...", "field": "..." | null, "details": [...]}}

`code` is stable for programs; `message` is in the request's language. Core knows no bounded
context, so the token look-up is handed to :class:`TokenAuth` by the wiring (config/api.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import wraps
from typing import Annotated, Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Field, NinjaAPI, Path, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from kaskad.core.errors import DomainError, PermissionDeniedError

logger = logging.getLogger("kaskad.api")

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50

# --- The error format ---------------------------------------------------------------------------


class ErrorDetail(Schema):
    field: str | None = None
    code: str
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    field: str | None = None
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorOut(Schema):
    error: ErrorBody


# For the OpenAPI document: the answers every authenticated endpoint may give.
ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# Answers of an endpoint that writes: also a refused request (400) and a state conflict (409).
WRITE_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 409: ErrorOut, **ERRORS}

# Ids in paths: 64-bit keys; anything larger is a clear 422, never a database error.
MAX_ID = 2**63 - 1
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


class ApiError(DomainError):
    """An error raised by the API layer itself with an explicit HTTP status."""

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        status: int,
        field: str | None = None,
        details: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(code, message, field=field)
        self.status = status
        self.details = list(details)


class NotAuthenticatedError(DomainError):
    status = 401


def error_response(
    status: int,
    code: str,
    message: str | Promise,
    *,
    field: str | None = None,
    details: Iterable[Mapping[str, Any]] = (),
) -> HttpResponse:
    body = {
        "error": {
            "code": code,
            "message": str(message),
            "field": field,
            "details": [dict(d) for d in details],
        }
    }
    response = JsonResponse(
        body,
        status=status,
        json_dumps_params={"ensure_ascii": False},
        content_type="application/json; charset=utf-8",
    )
    if status == 401:
        # Tells a script what to send (RFC 9110 §11.6.1).
        response["WWW-Authenticate"] = 'Bearer realm="kaskad"'
    return response


# --- Validation errors: pydantic's types become our codes and translated messages ----------------

VALIDATION_MESSAGES: dict[str, Promise] = {
    "required": _("This value is required."),
    "too_short": _("Must be at least %(limit)s characters long."),
    "too_long": _("Must be at most %(limit)s characters long."),
    "too_small": _("Must be at least %(limit)s."),
    "too_large": _("Must be at most %(limit)s."),
    "invalid_choice": _("Not one of the allowed values: %(choices)s."),
    "invalid_integer": _("Must be a whole number."),
    "invalid_number": _("Must be a number."),
    "invalid_string": _("Must be text."),
    "invalid_boolean": _("Must be true or false."),
    "invalid_date": _("Must be a date written as YYYY-MM-DD."),
    "invalid_list": _("Must be a list."),
    "invalid_object": _("Must be a JSON object."),
    "unknown_field": _("This field is not accepted here."),
    "invalid_email": _("Must be a valid email address."),
    "invalid_phone": _("Must be a phone number: digits, spaces, “+”, “-” and brackets only."),
    "invalid_value": _("The value is not valid."),
}

_PYDANTIC_CODES: dict[str, tuple[str, str | None]] = {
    # pydantic error type -> (our code, ctx key holding the limit)
    "missing": ("required", None),
    "string_too_short": ("too_short", "min_length"),
    "string_too_long": ("too_long", "max_length"),
    "too_short": ("too_short", "min_length"),
    "too_long": ("too_long", "max_length"),
    "greater_than_equal": ("too_small", "ge"),
    "greater_than": ("too_small", "gt"),
    "less_than_equal": ("too_large", "le"),
    "less_than": ("too_large", "lt"),
    "enum": ("invalid_choice", None),
    "literal_error": ("invalid_choice", None),
    "int_parsing": ("invalid_integer", None),
    "int_type": ("invalid_integer", None),
    "int_from_float": ("invalid_integer", None),
    "float_parsing": ("invalid_number", None),
    "float_type": ("invalid_number", None),
    "string_type": ("invalid_string", None),
    "bool_parsing": ("invalid_boolean", None),
    "bool_type": ("invalid_boolean", None),
    "date_parsing": ("invalid_date", None),
    "date_type": ("invalid_date", None),
    "date_from_datetime_parsing": ("invalid_date", None),
    "date_from_datetime_inexact": ("invalid_date", None),
    "list_type": ("invalid_list", None),
    "model_type": ("invalid_object", None),
    "model_attributes_type": ("invalid_object", None),
    "dict_type": ("invalid_object", None),
    "extra_forbidden": ("unknown_field", None),
}


def _field_of(loc: Sequence[Any]) -> str | None:
    """("query", "page_size") -> "page_size"; ("body", "payload", "employment", "position")
    -> "employment.position" (the source and the body parameter's own name say nothing)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    return ".".join(parts) or None


def _detail_of(error: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    code, limit_key = _PYDANTIC_CODES.get(kind, (kind, None))
    params: dict[str, Any] = {}
    if limit_key is not None:
        params["limit"] = ctx.get(limit_key, "")
    if code == "invalid_choice":
        # pydantic says "'a', 'b' or 'c'" in English; a plain list reads well in any language.
        expected = str(ctx.get("expected", "")).replace("'", "")
        params["choices"] = ", ".join(c for c in re.split(r", | or ", expected) if c)
    template = VALIDATION_MESSAGES.get(code)
    if template is None:
        # A custom validator's own code: its message is already what we want to show.
        message = str(error.get("msg", "")) or gettext(str(VALIDATION_MESSAGES["invalid_value"]))
    else:
        message = str(template) % params if params else str(template)
    return {"field": _field_of(error.get("loc", ())), "code": code, "message": message}


def validation_details(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [_detail_of(e) for e in errors]


# --- Exception handlers -----------------------------------------------------------------------

_HTTP_CODES = {
    400: ("bad_request", _("The request is not valid.")),
    401: ("not_authenticated", _("Sign in or send an API token to use the API.")),
    403: ("forbidden", _("You do not have permission to do this.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    429: ("throttled", _("Too many requests: wait a little and try again.")),
}


def _validation_error(details: list[dict[str, Any]]) -> ApiError:
    if not details:
        return ApiError("validation_error", _("The request is not valid."), status=422)
    first = details[0]
    if first["field"]:
        message = gettext("Invalid input in “%(field)s”: %(problem)s") % {
            "field": first["field"],
            "problem": first["message"],
        }
    else:
        message = first["message"]
    return ApiError("validation_error", message, status=422, field=first["field"], details=details)


def invalid_input(field: str, code: str, **params: Any) -> ApiError:
    """A 422 for a rule a schema cannot express, shaped like ninja's own validation errors."""
    template = VALIDATION_MESSAGES.get(code, VALIDATION_MESSAGES["invalid_value"])
    message = str(template) % params if params else str(template)
    return _validation_error([{"field": field, "code": code, "message": message}])


def _on_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
    return _on_domain_error(request, _validation_error(validation_details(exc.errors)))


def _on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    code, message = _HTTP_CODES[404]
    return error_response(404, code, message)


def _on_domain_error(request: HttpRequest, exc: Any) -> HttpResponse:
    return error_response(
        exc.status,
        exc.code,
        exc.message,
        field=exc.field,
        details=getattr(exc, "details", ()),
    )


def _on_not_authenticated(request: HttpRequest, exc: Any) -> HttpResponse:
    code, message = _HTTP_CODES[401]
    return error_response(401, code, message)


def _on_permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
    code, message = _HTTP_CODES[403]
    return error_response(403, code, message)


def _on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    status = exc.status_code
    if status == 400 and isinstance(exc.__cause__, ValueError):
        # ninja wraps the parser's JSONDecodeError/UnicodeDecodeError in a plain HttpError.
        return error_response(400, "malformed_json", _("The request body is not valid JSON."))
    code, message = _HTTP_CODES.get(status, ("error", _("The request could not be served.")))
    return error_response(status, code, message)


def _on_server_error(request: HttpRequest, exc: Any) -> HttpResponse:
    # The trace goes to the log, never to the caller (not even with DEBUG on).
    logger.error(
        "API error on %s %s",
        request.method,
        request.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return error_response(
        500,
        "server_error",
        _("Something went wrong on the server. The error has been logged; please try again later."),
    )


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers so every error has our shape."""
    api.add_exception_handler(ValidationError, _on_validation_error)
    api.add_exception_handler(Http404, _on_not_found)
    api.add_exception_handler(DomainError, _on_domain_error)
    api.add_exception_handler(AuthenticationError, _on_not_authenticated)
    api.add_exception_handler(PermissionDenied, _on_permission_denied)
    api.add_exception_handler(HttpError, _on_http_error)
    api.add_exception_handler(Exception, _on_server_error)


class Utf8JSONRenderer(JSONRenderer):
    """Cyrillic and Kazakh letters as themselves, not as \\u escapes: half the size, readable."""

    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False}


class KaskadNinjaAPI(NinjaAPI):
    """A NinjaAPI whose answers outside the operations (unknown path, wrong method) are JSON in
    the same error format, instead of Django's HTML pages."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("renderer", Utf8JSONRenderer())
        super().__init__(**kwargs)

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_not_allowed(pattern.callback)
        patterns.append(re_path(r"^.*$", _unknown_path, name="unknown"))
        return patterns


_View = TypeVar("_View", bound=Callable[..., Any])


def _json_not_allowed(view: _View) -> _View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            code, message = _HTTP_CODES[405]
            json_response = error_response(405, code, message)
            json_response["Allow"] = response["Allow"]
            return json_response
        return response

    return wrapper  # type: ignore[return-value]


def _unknown_path(request: HttpRequest) -> HttpResponse:
    code, message = _HTTP_CODES[404]
    return error_response(404, code, message)


_unknown_path.csrf_exempt = True  # type: ignore[attr-defined]


def api_user(request: HttpRequest) -> Any:
    """The caller, as found by the auth classes below (ninja puts it on `request.auth`)."""
    return request.auth  # type: ignore[attr-defined]


# --- Authentication -----------------------------------------------------------------------------

SUPPORTED_LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


class SessionAuth(APIKeyCookie):
    """Django's session, for the browser; unsafe methods need the CSRF token.

    Unlike ninja's `django_auth`, the CSRF check runs only once a signed-in user is found, so a
    request that is not signed in at all gets a 401 and not a confusing CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise PermissionDeniedError(
                "csrf_failed",
                _("The CSRF token is missing or wrong: reload the page and try again."),
            )
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self(request)


class TokenAuth(HttpBearer):
    """A personal API token in `Authorization: Bearer <token>`, for scripts.

    `resolve(token)` returns the user or raises a DomainError with status 401 saying why
    (unknown, expired, revoked). A header that is present but wrong is refused outright, even
    if the request also carries a session: explicit credentials must be right.
    """

    def __init__(self, resolve: Callable[[str], Any]) -> None:
        self.resolve = resolve
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _sep, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise NotAuthenticatedError(
                "token_malformed",
                _("Send the token as “Authorization: Bearer <token>”."),
            )
        user = self.authenticate(request, token)
        request.user = user
        # A script has no session: use the language the user saved, like the pages do.
        language = getattr(user, "language", "")
        if language in SUPPORTED_LANGUAGES:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return self.resolve(token)


# --- Pagination -------------------------------------------------------------------------------


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 200."
    )


class PageOut(Schema):
    count: int
    page: int
    page_size: int


_M = TypeVar("_M")


def paginate(
    queryset: QuerySet[Any], params: PageQuery, serialize: Callable[[Any], _M]
) -> dict[str, Any]:
    """One COUNT and one page query, whatever the page size (the selectors fix the joins)."""
    count = queryset.count()
    start = (params.page - 1) * params.page_size
    rows = list(queryset[start : start + params.page_size]) if start < count else []
    return {
        "items": [serialize(row) for row in rows],
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
    }


# --- The documentation ------------------------------------------------------------------------


def docs_sign_in_required(resolve_token: Callable[[str], Any]) -> Callable[[_View], _View]:
    """The API's documentation and OpenAPI schema are for signed-in users: the docs page sends
    a visitor to the sign-in page, the schema answers 401 in the API's error format. A script
    may fetch the schema with its token (`Authorization: Bearer <token>`)."""

    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                return view(request, *args, **kwargs)
            header = request.headers.get("Authorization", "")
            scheme, _sep, token = header.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                try:
                    request.user = resolve_token(token.strip())
                except DomainError as exc:
                    return error_response(exc.status, exc.code, exc.message)
                return view(request, *args, **kwargs)
            if request.path.endswith(".json"):
                code, message = _HTTP_CODES[401]
                return error_response(401, code, message)
            return redirect_to_login(request.get_full_path())

        return wrapper  # type: ignore[return-value]

    return decorator
