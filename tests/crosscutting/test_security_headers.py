"""Headers every answer carries: a Content-Security-Policy, no caching of what a signed-in user
sees, and 403s logged as one line."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.core.logs import ForbiddenWithoutTraceback

pytestmark = pytest.mark.django_db


def refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not yours")


def plain_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse("refused", status=403)


urlpatterns = [path("refused/", refuse)]
handler403 = "tests.crosscutting.test_security_headers.plain_403"


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    return client


def test_every_page_has_a_content_security_policy(client: Client) -> None:
    for url in ("/accounts/login/", "/certificates/verify/", "/no/such/page/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy


def test_no_page_has_an_inline_script() -> None:
    """The policy forbids inline scripts: every template loads its scripts from static files."""
    import re
    from pathlib import Path

    from django.conf import settings

    base = Path(settings.BASE_DIR)
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
    offenders = []
    for template in [*base.glob("templates/**/*.html"), *base.glob("kaskad/*/templates/**/*.html")]:
        if template.name == "certificate_pdf.html":
            continue  # rendered into a PDF, never served as a page
        text = template.read_text(encoding="utf-8")
        if inline.search(text) or handler.search(text):
            offenders.append(str(template.relative_to(base)))
    assert offenders == []


def test_signed_in_pages_and_api_answers_are_not_stored(admin_client: Client) -> None:
    for url in (reverse("registry:person_list"), "/api/people?q=ab", "/api/me"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store, private", url


def test_token_answers_are_not_stored() -> None:
    from kaskad.accounts.tokens import api_token_create

    _record, token = api_token_create(user=make_user(), name="script")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/me")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_a_certificate_pdf_is_not_stored(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kaskad.certificates.services import certificate_issue
    from kaskad.certificates.tests.factories import certificate_cohort, certified_portfolio
    from kaskad.delivery.tests.factories import national_admin

    settings.MEDIA_ROOT = str(tmp_path / "media")
    admin = national_admin()
    certificate = certificate_issue(
        portfolio=certified_portfolio(cohort=certificate_cohort(language="en")), by=admin
    )
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("certificates:pdf", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"


def test_a_403_is_logged_as_one_line_without_traceback(settings, caplog) -> None:  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = __name__
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = Client().get("/refused/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    assert records[0].getMessage() == "Forbidden (Permission denied): /refused/"
    assert records[0].exc_info is None
    assert any(
        isinstance(f, ForbiddenWithoutTraceback)
        for f in logging.getLogger("django.request").filters
    )
