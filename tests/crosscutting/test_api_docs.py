"""The real API's documentation renders and lists every endpoint."""

from __future__ import annotations

import pytest
from django.test import Client

from kaskad.accounts.tests.factories import make_user

pytestmark = pytest.mark.django_db

EXPECTED = {
    "/api/areas": {"get"},
    "/api/branches": {"get"},
    "/api/organisations": {"get"},
    "/api/organisations/{organisation_id}": {"get"},
    "/api/organisations/{organisation_id}/staff": {"get"},
    "/api/people": {"get", "post"},
    "/api/people/{person_id}": {"get", "patch"},
    "/api/people/{person_id}/employments": {"get"},
    "/api/people/by-iin/{iin}": {"get"},
    "/api/me": {"get"},
    "/api/me/language": {"post"},
}


@pytest.fixture
def signed_in() -> Client:
    client = Client()
    client.force_login(make_user())
    return client


def test_docs_and_schema_need_a_sign_in() -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/docs")
    response = Client().get("/api/openapi.json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    bad = Client(HTTP_AUTHORIZATION="Bearer nonsense").get("/api/openapi.json")
    assert bad.status_code == 401


def test_a_script_reads_the_schema_with_its_token() -> None:
    from kaskad.accounts.tokens import api_token_create

    _record, token = api_token_create(user=make_user(), name="ci")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/openapi.json").status_code == 200


def test_docs_page_renders_with_local_assets(signed_in: Client) -> None:
    response = signed_in.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/api/openapi.json" in html
    # Served from our static files: schools' networks may not reach a CDN.
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_openapi_lists_the_endpoints_and_both_ways_to_sign_in(signed_in: Client) -> None:
    response = signed_in.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = {p: set(ops) for p, ops in schema["paths"].items()}
    for url, methods in EXPECTED.items():
        assert methods <= paths.get(url, set()), url
    schemes = schema["components"]["securitySchemes"]
    assert {"TokenAuth", "SessionAuth"} <= set(schemes)
    assert schemes["TokenAuth"]["scheme"] == "bearer"
    # The error shape is documented where errors can happen.
    get_org = schema["paths"]["/api/organisations/{organisation_id}"]["get"]
    assert "404" in get_org["responses"] and "401" in get_org["responses"]
    assert "ErrorOut" in schema["components"]["schemas"]
