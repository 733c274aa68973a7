from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kaskad.certificates.models import VerificationCount
from kaskad.certificates.services import (
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
)
from kaskad.certificates.tests.factories import TITLES, certificate_cohort, certified_portfolio
from kaskad.delivery.tests.factories import national_admin

pytestmark = pytest.mark.django_db

VERIFY = "/certificates/verify/"
API = "/api/certificates/verify"


@pytest.fixture
def certificate():
    portfolio = certified_portfolio(
        cohort=certificate_cohort(language="en"), surname="Қасымова", given_name="Әлия"
    )
    return certificate_issue(portfolio=portfolio, by=national_admin())


def _look_up(client: Client, number: str):
    return client.get(VERIFY, {"number": number})


def test_the_form_needs_no_login() -> None:
    response = Client().get(VERIFY)
    assert response.status_code == 200
    assert "Certificate number" in response.content.decode()
    assert not VerificationCount.objects.exists()  # showing the form is not a look-up


def test_a_valid_certificate_shows_what_it_says_with_the_name_masked(certificate) -> None:
    response = _look_up(Client(), certificate.number.lower())
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="valid"' in body
    assert "This certificate is valid." in body
    assert certificate.number in body
    assert "Әлия Қ." in body
    assert "Қасымова" not in body
    assert TITLES["en"] in body
    assert ">72<" in body
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_the_qr_link_verifies_without_the_number(certificate) -> None:
    response = Client().get(reverse("certificates:verify_token", args=[certificate.token]))
    assert response.status_code == 200
    assert 'data-status="valid"' in response.content.decode()
    assert certificate.number in response.content.decode()


def test_a_revoked_certificate_says_so_with_the_kind_but_not_the_reason(certificate) -> None:
    certificate_revoke(
        certificate=certificate,
        reason="Complaint by the school director, letter 45",
        category="misconduct",
        by=national_admin(),
    )
    body = _look_up(Client(), certificate.number).content.decode()
    assert 'data-status="revoked"' in body
    assert "This certificate has been revoked." in body
    assert "Academic misconduct established" in body
    assert "letter 45" not in body


def test_a_superseded_certificate_does_not_point_to_its_successor(certificate) -> None:
    new = certificate_reissue(certificate=certificate, reason="name changed", by=national_admin())
    body = _look_up(Client(), certificate.number).content.decode()
    assert 'data-status="superseded"' in body
    assert new.number not in body
    assert 'data-status="valid"' in _look_up(Client(), new.number).content.decode()


@pytest.mark.parametrize(
    "forge",
    [
        lambda n: n[:-4] + ("AAAA" if not n.endswith("AAAA") else "BBBB"),  # wrong check
        lambda n: n.replace("-000001-", "-000002-"),  # the next sequence number
        lambda n: "ALA-2026-999999-K7QX",
        lambda n: "<script>alert(1)</script>",  # malformed
        lambda n: "x" * 500,
        lambda n: "",
    ],
)
def test_forged_and_malformed_numbers_are_simply_not_found(certificate, forge) -> None:
    response = _look_up(Client(), forge(certificate.number))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="not_found"' in body
    assert "No certificate with this number was found." in body
    assert "<script>alert(1)</script>" not in body
    assert "Әлия" not in body


def test_an_unknown_token_is_not_found() -> None:
    response = Client().get(reverse("certificates:verify_token", args=["nope"]))
    assert response.status_code == 200
    assert 'data-status="not_found"' in response.content.decode()


def test_too_many_look_ups_from_one_address_get_429(settings, certificate) -> None:
    settings.KASKAD_CERTIFICATE_VERIFY_LIMIT = 3
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(3):
        assert _look_up(client, certificate.number).status_code == 200
    limited = _look_up(client, certificate.number)
    assert limited.status_code == 429
    assert "Too many look-ups" in limited.content.decode()
    assert "data-status" not in limited.content.decode()
    assert int(limited["Retry-After"]) > 0
    assert (
        client.get(reverse("certificates:verify_token", args=[certificate.token])).status_code
        == 429
    )
    assert client.get(API, {"number": certificate.number}).status_code == 429
    # Another address is not affected.
    assert _look_up(Client(REMOTE_ADDR="10.0.0.8"), certificate.number).status_code == 200


def test_the_429_page_is_in_the_visitors_language(settings, certificate) -> None:
    settings.KASKAD_CERTIFICATE_VERIFY_LIMIT = 0
    client = Client(REMOTE_ADDR="10.0.0.9")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = _look_up(client, certificate.number)
    assert response.status_code == 429
    assert '<html lang="ru">' in response.content.decode()


def test_an_anonymous_visitor_can_switch_the_language(settings) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:language"), {"language": "ru", "next": VERIFY}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == VERIFY
    assert '<html lang="ru">' in response.content.decode()


def test_the_api_gives_the_same_answer_without_authentication(certificate) -> None:
    client = Client()
    data = client.get(API, {"number": certificate.number}).json()
    assert data["status"] == "valid"
    assert data["number"] == certificate.number
    assert data["name"] == "Әлия Қ."
    assert data["programme"] == TITLES["en"]
    assert data["hours"] == 72
    assert data["issued_on"] == certificate.issued_on.isoformat()
    assert "Қасымова" not in str(data)
    forged = client.get(API, {"number": certificate.number[:-4] + "ZZZZ"}).json()
    assert forged["status"] == "not_found" and forged["name"] is None
    assert client.get(API).status_code == 422


def test_the_api_reports_revocation(certificate) -> None:
    certificate_revoke(
        certificate=certificate, reason="error", category="issued_in_error", by=national_admin()
    )
    data = Client().get(API, {"number": certificate.number}).json()
    assert data["status"] == "revoked"
    assert data["revocation"] == "issued in error"
    assert data["revoked_on"]
