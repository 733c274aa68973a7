"""The 404, 403 and 500 pages."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from kaskad.core import views

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"


def test_unknown_address_gets_the_site_404_page(client: Client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="topbar"' in html  # the normal layout, with a way back


def test_403_page(rf: RequestFactory) -> None:
    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = views.forbidden(request)
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()


def test_500_page_needs_neither_database_nor_context_processors(
    rf: RequestFactory, django_assert_num_queries
) -> None:
    request = rf.get("/")  # no user, no session: as bare as a failing request can be
    with django_assert_num_queries(0):
        response = views.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "<style>" in html  # styled without loading anything else


def test_500_page_is_used_for_unhandled_errors(settings) -> None:
    settings.ROOT_URLCONF = "kaskad.core.tests.urls_failing"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "Traceback" not in html
    assert "RuntimeError" not in html
