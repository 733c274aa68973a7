"""The shared kernel: refusals shown on pages and forms, safe redirects, the client address."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import Http404
from django.test import RequestFactory

from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.core.http import client_ip, is_safe_url, redirect_back
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form


def _request(path: str = "/", data: dict[str, str] | None = None):
    request = RequestFactory().post(path, data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def test_a_refusal_becomes_a_message_and_the_view_goes_on() -> None:
    request = _request()
    with domain_errors_as_messages(request):
        raise StateConflict("closed", "The cohort is closed.")
    assert [str(m) for m in get_messages(request)] == ["The cohort is closed."]


def test_not_found_is_never_turned_into_a_message() -> None:
    # Out of scope must keep looking exactly like a missing page: the page's own 404.
    request = _request()
    with pytest.raises(Http404), domain_errors_as_messages(request):
        raise NotFoundError("not_found", "Not found.")
    form = _Form(data={"name": "x"})
    with pytest.raises(Http404), domain_errors_on_form(form):
        raise NotFoundError("not_found", "Not found.")
    assert not get_messages(request)


class _Form(forms.Form):
    name = forms.CharField()


def test_a_refusal_lands_on_the_field_it_names_or_above_the_form() -> None:
    form = _Form(data={"name": "x"})
    assert form.is_valid()
    with domain_errors_on_form(form):
        raise DomainError("bad_name", "Not this name.", field="name")
    with domain_errors_on_form(form):
        raise DomainError("other", "Something else.", field="nowhere")
    assert form.errors["name"] == ["Not this name."]
    assert form.non_field_errors() == ["Something else."]


def test_redirects_stay_on_this_site() -> None:
    request = _request(data={"next": "https://elsewhere.example/steal"})
    assert redirect_back(request, "/home/").url == "/home/"
    request = _request(data={"next": "/delivery/cohorts/"})
    assert redirect_back(request, "/home/").url == "/delivery/cohorts/"
    assert not is_safe_url(request, "//elsewhere.example/")
    assert not is_safe_url(request, "")


def test_client_ip_trusts_only_the_connection() -> None:
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="10.9.9.9", REMOTE_ADDR="127.0.0.2")
    assert client_ip(request) == "127.0.0.2"
    assert client_ip(None) is None
