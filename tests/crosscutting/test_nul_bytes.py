"""A NUL character in a request is refused before it reaches the database.

PostgreSQL cannot store or compare text with a NUL in it and fails with an error (a 500 page)
where SQLite quietly answers; the refusal is the same on both.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.delivery.tests.factories import make_cohort

pytestmark = pytest.mark.django_db

NUL = "\x00"


@pytest.fixture(autouse=True)
def _english(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(
        make_user(roles=[(Role.NATIONAL_ADMIN, None)], is_superuser=True, is_staff=True)
    )
    return client


def _search_pages() -> list[str]:
    cohort = make_cohort()
    names = [
        "registry:person_list",
        "registry:organisation_list",
        "catalogue:programme_list",
        "cascade:trainer_list",
        "cascade:grant_start",
        "delivery:cohort_list",
        "assessment:history_list",
        "assessment:material_list",
        "assessment:publishing_worklist",
        "certificates:list",
        "plagiarism:queue",
        "library:search",
        "admin:accounts_user_changelist",
        "admin:registry_person_changelist",
    ]
    urls = [reverse(name) for name in names]
    urls += [
        reverse("delivery:trainer_search", args=[cohort.pk]),
        reverse("delivery:enrol_list", args=[cohort.pk]),
        reverse("delivery:cohort_detail", args=[cohort.pk]),
    ]
    return urls


def test_public_verification_refuses_a_nul_in_the_number() -> None:
    response = Client().get("/certificates/verify/", {"number": NUL})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    response = Client().get("/certificates/verify/", {"number": f"ALA-2026{NUL}"})
    assert response.status_code == 400


def test_public_verification_link_with_a_nul_is_not_found() -> None:
    response = Client().get("/certificates/v/%00abc/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_an_address_with_a_nul_is_not_found(admin_client: Client) -> None:
    assert admin_client.get("/catalogue/%00x/").status_code == 404
    response = admin_client.get("/api/people/by-iin/%00123")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_public_verification_api_refuses_a_nul() -> None:
    response = Client().get("/api/certificates/verify", {"number": NUL})
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "nul_character"
    assert body["error"]["field"] == "number"


def test_every_search_page_refuses_a_nul(admin_client: Client) -> None:
    for url in _search_pages():
        ok = admin_client.get(url, {"q": "abc"})
        assert ok.status_code == 200, url
        response = admin_client.get(url, {"q": f"a{NUL}b"})
        assert response.status_code == 400, url
        assert "NUL" in response.content.decode(), url


def test_every_api_search_refuses_a_nul(admin_client: Client) -> None:
    schema = admin_client.get("/api/openapi.json").json()
    searched = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if "{" in path or not get:
            continue
        params = {p["name"] for p in get.get("parameters", []) if p.get("in") == "query"}
        if "q" not in params:
            continue
        searched.append(path)
        response = admin_client.get(path, {"q": NUL})
        assert response.status_code == 400, path
        assert response.json()["error"]["code"] == "nul_character", path
    assert "/api/people" in searched and len(searched) >= 4, searched


def test_a_nul_in_a_form_or_json_body_is_refused(admin_client: Client) -> None:
    login = reverse("accounts:login")
    response = Client().post(login, {"username": NUL, "password": "x"})  # multipart
    assert response.status_code == 400
    response = Client().post(
        login, "username=a%00&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    response = admin_client.post(
        "/api/people",
        data=json.dumps({"iin": "1", "surname": f"A{NUL}"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "nul_character"
    assert response.json()["error"]["field"] == "surname"


def test_a_nul_in_a_file_upload_is_the_file_s_business(admin_client: Client) -> None:
    """Only the text fields are checked: a file's bytes may hold anything."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.bin", b"\x00\x01binary", content_type="application/octet-stream")
    response = admin_client.post(reverse("accounts:language"), {"language": "en", "file": upload})
    assert response.status_code != 400
