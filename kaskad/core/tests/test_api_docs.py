"""The real API's documentation renders and lists every endpoint."""

from __future__ import annotations

from django.test import Client

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


def test_docs_page_renders_with_local_assets() -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/api/openapi.json" in html
    # Served from our static files: schools' networks may not reach a CDN.
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_openapi_lists_the_endpoints_and_both_ways_to_sign_in() -> None:
    response = Client().get("/api/openapi.json")
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
