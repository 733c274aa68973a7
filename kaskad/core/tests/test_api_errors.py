"""The API's error format: every failure, whoever raises it, has the same machine-readable shape.

A small API built the same way as the real one (our NinjaAPI subclass and handlers) is mounted
here so each kind of failure can be provoked on purpose.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.test import Client, override_settings
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from kaskad.core.api import (
    KaskadNinjaAPI,
    PageQuery,
    install_error_handlers,
    invalid_input,
    paginate,
)
from kaskad.core.errors import DomainError, NotFoundError
from kaskad.core.models import AuditEntry

router = Router()


@router.get("/domain")
def raise_domain(request: HttpRequest) -> None:
    raise DomainError("rule_broken", _("This field is required."), field="name")


class ConflictError(DomainError):
    status = 409


@router.get("/conflict")
def raise_conflict(request: HttpRequest) -> None:
    raise ConflictError("already_there", "Already there.")


@router.get("/missing")
def raise_missing(request: HttpRequest) -> None:
    raise Http404("secret detail that must not leak")


@router.get("/missing-domain")
def raise_missing_domain(request: HttpRequest) -> None:
    raise NotFoundError("not_found", "Not found.")


@router.get("/denied")
def raise_denied(request: HttpRequest) -> None:
    raise PermissionDenied


@router.get("/boom")
def raise_boom(request: HttpRequest) -> None:
    raise RuntimeError("database password is hunter2")


@router.get("/invalid")
def raise_invalid(request: HttpRequest) -> None:
    raise invalid_input("surname", "too_long", limit=100)


class Body(Schema):
    name: str = Field(max_length=5)
    count: int = Field(ge=0)


@router.post("/body")
def take_body(request: HttpRequest, payload: Body) -> dict[str, Any]:
    return payload.dict()


@router.get("/audit")
def audit_page(request: HttpRequest, paging: Query[PageQuery]) -> dict[str, Any]:
    return paginate(AuditEntry.objects.order_by("id"), paging, lambda e: e.object_id)


test_api = KaskadNinjaAPI(title="errors", urls_namespace="errors_test")
install_error_handlers(test_api)
test_api.add_router("", router)

urlpatterns = [path("t/", test_api.urls)]

pytestmark = pytest.mark.urls(__name__)


EN = {"accept-language": "en"}


def english() -> Client:
    # English, so assertions on messages hold once the kk/ru catalogues are filled in.
    return Client(headers=EN)


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == ["error"]
    assert list(body["error"]) == ["code", "message", "field", "details"]
    return body["error"]


def test_domain_error_keeps_code_field_and_status() -> None:
    assert error_of(english().get("/t/domain"), 400) == {
        "code": "rule_broken",
        "message": "This field is required.",
        "field": "name",
        "details": [],
    }
    assert error_of(english().get("/t/conflict"), 409)["code"] == "already_there"


def test_messages_are_in_the_request_language() -> None:
    # Django's own catalogue translates this msgid, so the language really changes the text.
    ru = error_of(english().get("/t/domain", headers={"accept-language": "ru"}), 400)
    en = error_of(english().get("/t/domain", headers={"accept-language": "en"}), 400)
    assert en["message"] == "This field is required."
    assert ru["message"] != en["message"]
    with translation.override("ru"):
        assert ru["message"] == gettext("This field is required.")


def test_404_never_tells_why() -> None:
    a = error_of(english().get("/t/missing"), 404)
    b = error_of(english().get("/t/missing-domain"), 404)
    c = error_of(english().get("/t/no/such/path"), 404)
    assert (
        a == b == c == {"code": "not_found", "message": "Not found.", "field": None, "details": []}
    )


def test_permission_denied_is_403() -> None:
    assert error_of(english().get("/t/denied"), 403)["code"] == "forbidden"


def test_wrong_method_is_405_json() -> None:
    response = english().delete("/t/domain")
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("debug", [False, True])
def test_unexpected_error_is_500_without_a_trace_and_logged(
    caplog: pytest.LogCaptureFixture, debug: bool
) -> None:
    with override_settings(DEBUG=debug), caplog.at_level(logging.ERROR, logger="kaskad.api"):
        response = Client(raise_request_exception=False, headers=EN).get("/t/boom")
    error = error_of(response, 500)
    assert error["code"] == "server_error"
    assert "hunter2" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert any("hunter2" in (r.exc_text or "") or r.exc_info for r in caplog.records)
    assert "/t/boom" in caplog.text


def test_validation_errors_list_every_field() -> None:
    response = english().post(
        "/t/body", json.dumps({"name": "too long", "count": -1}), content_type="application/json"
    )
    error = error_of(response, 422)
    assert error["code"] == "validation_error"
    assert error["field"] == "name"
    assert error["details"] == [
        {"field": "name", "code": "too_long", "message": "Must be at most 5 characters long."},
        {"field": "count", "code": "too_small", "message": "Must be at least 0."},
    ]
    assert "name" in error["message"]


def test_hand_made_validation_error_has_the_same_shape() -> None:
    error = error_of(english().get("/t/invalid"), 422)
    assert error["code"] == "validation_error"
    assert error["details"] == [
        {"field": "surname", "code": "too_long", "message": "Must be at most 100 characters long."}
    ]


def test_malformed_json() -> None:
    response = english().post("/t/body", "{not json", content_type="application/json")
    assert error_of(response, 400)["code"] == "malformed_json"


@pytest.mark.django_db
def test_pagination_counts_and_slices() -> None:
    for i in range(7):
        AuditEntry.objects.create(action="create", object_type="x", object_id=str(i))
    page = english().get("/t/audit", {"page": 2, "page_size": 3}).json()
    assert page == {"items": ["3", "4", "5"], "count": 7, "page": 2, "page_size": 3}
    error = error_of(english().get("/t/audit", {"page_size": 201}), 422)
    assert error["details"][0]["code"] == "too_large"
