"""Bad input to the registry API: each answers 4xx with a stable code, a field and a message."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import AuditEntry
from kaskad.registry.messages import message_for
from kaskad.registry.models import Employment, Organisation, Person
from kaskad.registry.tests.factories import (
    area_of,
    branch,
    make_organisation,
    make_person,
    unique_iin,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return make_user(roles=[(Role.NATIONAL_ADMIN, None)])


@pytest.fixture
def coordinator() -> User:
    return make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])


@pytest.fixture
def org_ala() -> Organisation:
    return make_organisation(area=area_of("ALA"))


@pytest.fixture
def org_ast() -> Organisation:
    return make_organisation(area=area_of("AST"))


def client_for(user: User) -> Client:
    # English, so assertions on messages hold once the kk/ru catalogues are filled in.
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field", "details"}
    assert body["error"]["message"]
    return body["error"]


def post_json(client: Client, url: str, data: Any, **extra: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def patch_json(client: Client, url: str, data: Any) -> Any:
    return client.patch(url, json.dumps(data), content_type="application/json")


# --- IINs in the path ---------------------------------------------------------------------------

BAD_IINS = [
    ("87100840142", "iin_length"),
    ("8710084014270", "iin_length"),
    ("87100840142a", "iin_not_digits"),
    ("８７１００８４０１４２７", "iin_not_digits"),  # full-width digits look right but are not
    ("871008701427", "iin_century"),
    ("871308401427", "iin_date"),
    ("990101600003", "iin_future"),
    ("871008401428", "iin_checksum"),
    ("010101600586", "iin_checksum"),
    ("821214240092", "iin_checksum"),
]


@pytest.mark.parametrize(("iin", "code"), BAD_IINS)
def test_invalid_iin_answers_400_with_its_reason(admin: User, iin: str, code: str) -> None:
    with translation.override("en"):
        error = error_of(client_for(admin).get(f"/api/people/by-iin/{iin}"), 400)
        expected = message_for(code, {"value": iin})
    assert error["code"] == code
    assert error["field"] == "iin"
    assert error["message"] == expected


def test_iin_message_is_in_the_request_language(admin: User) -> None:
    client = client_for(admin)
    for language in ("kk", "ru", "en"):
        response = client.get(
            "/api/people/by-iin/871008401428", headers={"accept-language": language}
        )
        assert response["Content-Language"] == language
        with translation.override(language):
            expected = message_for("iin_checksum")
        assert error_of(response, 400)["message"] == expected


def test_valid_iin_of_nobody_answers_404(admin: User) -> None:
    error = error_of(client_for(admin).get("/api/people/by-iin/871008401427"), 404)
    assert error["code"] == "not_found"


def test_valid_iin_out_of_scope_answers_404(coordinator: User, org_ast: Organisation) -> None:
    person = make_person(organisation=org_ast)
    error = error_of(client_for(coordinator).get(f"/api/people/by-iin/{person.iin}"), 404)
    assert error["code"] == "not_found"


# --- Query parameters ---------------------------------------------------------------------------


def test_page_size_over_the_limit(admin: User) -> None:
    error = error_of(client_for(admin).get("/api/organisations", {"page_size": 201}), 422)
    assert error["code"] == "validation_error"
    assert error["field"] == "page_size"
    assert error["details"] == [
        {"field": "page_size", "code": "too_large", "message": "Must be at most 200."}
    ]


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"page": 0}, "page", "too_small"),
        ({"page": "two"}, "page", "invalid_integer"),
        ({"page_size": 0}, "page_size", "too_small"),
        ({"kind": "castle"}, "kind", "invalid_choice"),
        ({"locality": "suburban"}, "locality", "invalid_choice"),
        ({"area": "Almaty"}, "area", "invalid_integer"),
        ({"area": str(2**70)}, "area", "too_large"),
    ],
)
def test_bad_organisation_filters(
    admin: User, params: dict[str, Any], field: str, code: str
) -> None:
    error = error_of(client_for(admin).get("/api/organisations", params), 422)
    assert error["code"] == "validation_error"
    assert error["field"] == field
    assert error["details"][0]["code"] == code


def test_unknown_kind_lists_the_allowed_values(admin: User) -> None:
    error = error_of(client_for(admin).get("/api/organisations", {"kind": "castle"}), 422)
    assert "school" in error["details"][0]["message"]
    assert "kindergarten" in error["details"][0]["message"]


@pytest.mark.parametrize("q", [None, "", "a", "  a  "])
def test_people_search_needs_two_characters(admin: User, q: str | None) -> None:
    params = {} if q is None else {"q": q}
    error = error_of(client_for(admin).get("/api/people", params), 422)
    assert error["field"] == "q"
    assert error["details"][0]["code"] == ("required" if q is None else "too_short")


@pytest.mark.parametrize("url", ["/api/people/abc", "/api/people/0", f"/api/people/{2**64}"])
def test_bad_record_ids(admin: User, url: str) -> None:
    error = error_of(client_for(admin).get(url), 422)
    assert error["field"] == "person_id"


# --- POST /api/people ---------------------------------------------------------------------------


def new_person(organisation: Organisation, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "iin": unique_iin(birth_date=date(1990, 4, 16), sex="F"),
        "surname": "Сейітқали",
        "given_name": "Айгерім",
        "patronymic": "Болатқызы",
        "email": "aigerim@example.kz",
        "phone": "+7 701 123-45-67",
        "employment": {
            "organisation_id": organisation.pk,
            "position": "teacher",
            "started_on": "2019-09-01",
            "subjects": ["mathematics", "physics"],
            "level": "lower_secondary",
            "category": "moderator",
            "category_awarded_on": "2023-05-20",
            "experience_years": 6,
        },
    }
    data.update(overrides)
    return data


def test_create_person_with_employment(coordinator: User, org_ala: Organisation) -> None:
    data = new_person(org_ala)
    response = post_json(client_for(coordinator), "/api/people", data)
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert person.iin == data["iin"] == body["iin"]
    assert person.birth_date == date(1990, 4, 16)
    assert person.current_organisation == org_ala
    job = Employment.objects.get(person=person)
    assert job.subjects == ["mathematics", "physics"]
    assert job.category_due_on == date(2028, 5, 20)
    assert body["current_employment"]["organisation"]["id"] == org_ala.pk
    # Written through the services: the audit trail names who did it and how.
    entries = AuditEntry.objects.filter(actor=coordinator, source="api")
    assert {e.object_type for e in entries} == {"registry.person", "registry.employment"}


def test_create_person_needs_an_editing_role(org_ala: Organisation) -> None:
    for role, target in [
        (Role.ANALYST, None),
        (Role.SCHOOL_LEADER, org_ala),
        (Role.TEACHER, None),
        (Role.TRAINER, None),
        (Role.ASSESSOR, None),
    ]:
        user = make_user(roles=[(role, target)])
        error = error_of(post_json(client_for(user), "/api/people", new_person(org_ala)), 403)
        assert error["code"] == "forbidden"
    assert not Person.objects.exists()


def test_create_person_in_an_organisation_out_of_scope_is_404(
    coordinator: User, org_ast: Organisation
) -> None:
    error = error_of(post_json(client_for(coordinator), "/api/people", new_person(org_ast)), 404)
    assert error["code"] == "not_found"
    assert error["field"] == "employment.organisation_id"
    missing = new_person(org_ast)
    missing["employment"]["organisation_id"] = 987654321
    assert error_of(post_json(client_for(coordinator), "/api/people", missing), 404) == error
    assert not Person.objects.exists()


@pytest.mark.parametrize(("iin", "code"), BAD_IINS)
def test_create_person_with_an_invalid_iin(
    admin: User, org_ala: Organisation, iin: str, code: str
) -> None:
    error = error_of(post_json(client_for(admin), "/api/people", new_person(org_ala, iin=iin)), 400)
    assert (error["code"], error["field"]) == (code, "iin")


def test_create_person_twice_is_a_conflict(admin: User, org_ala: Organisation) -> None:
    client = client_for(admin)
    data = new_person(org_ala)
    first = post_json(client, "/api/people", data)
    assert first.status_code == 201
    error = error_of(post_json(client, "/api/people", {**data, "surname": "Басқа"}), 409)
    assert error["code"] == "person_exists"
    assert error["field"] == "iin"
    assert error["details"] == [{"person_id": first.json()["id"]}]
    assert Person.objects.get().surname == "Сейітқали"  # not overwritten


def test_conflict_does_not_reveal_a_person_out_of_scope(
    coordinator: User, org_ala: Organisation, org_ast: Organisation
) -> None:
    other = make_person(organisation=org_ast)
    data = new_person(org_ala, iin=other.iin)
    error = error_of(post_json(client_for(coordinator), "/api/people", data), 409)
    assert error["details"] == []


def test_domain_errors_come_back_with_code_and_field(admin: User, org_ala: Organisation) -> None:
    error = error_of(
        post_json(client_for(admin), "/api/people", new_person(org_ala, surname="Ivan0v")), 400
    )
    assert error["code"] == "name_bad_char"
    assert error["field"] == "surname"
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"surname": None}, "surname", "invalid_string"),
        ({"iin": 871008401427}, "iin", "invalid_string"),
        ({"email": "not-an-address"}, "email", "invalid_email"),
        ({"phone": "call me"}, "phone", "invalid_phone"),
        ({"surname": "Қ" * 101}, "surname", "too_long"),
        ({"nickname": "Ақ"}, "nickname", "unknown_field"),
        ({"employment": "school 5"}, "employment", "invalid_object"),
    ],
)
def test_create_person_wrong_types(
    admin: User, org_ala: Organisation, change: dict[str, Any], field: str, code: str
) -> None:
    data = new_person(org_ala, **change)
    error = error_of(post_json(client_for(admin), "/api/people", data), 422)
    assert error["code"] == "validation_error"
    assert {"field": field, "code": code} in [
        {"field": d["field"], "code": d["code"]} for d in error["details"]
    ]


@pytest.mark.parametrize(
    ("job_change", "field", "code"),
    [
        ({"position": "astronaut"}, "employment.position", "invalid_choice"),
        ({"started_on": "01.09.2019"}, "employment.started_on", "invalid_date"),
        ({"experience_years": -1}, "employment.experience_years", "too_small"),
        ({"experience_years": "many"}, "employment.experience_years", "invalid_integer"),
        ({"subjects": "mathematics"}, "employment.subjects", "invalid_list"),
        ({"category": "best"}, "employment.category", "invalid_choice"),
    ],
)
def test_create_person_bad_employment(
    admin: User, org_ala: Organisation, job_change: dict[str, Any], field: str, code: str
) -> None:
    data = new_person(org_ala)
    data["employment"].update(job_change)
    error = error_of(post_json(client_for(admin), "/api/people", data), 422)
    assert error["field"] == field
    assert error["details"][0]["code"] == code


def test_create_person_missing_fields_are_all_listed(admin: User, org_ala: Organisation) -> None:
    data = {"iin": unique_iin(), "employment": {"organisation_id": org_ala.pk}}
    error = error_of(post_json(client_for(admin), "/api/people", data), 422)
    missing = {d["field"] for d in error["details"] if d["code"] == "required"}
    assert missing == {
        "surname",
        "given_name",
        "employment.position",
        "employment.started_on",
    }


def test_malformed_json_body(admin: User) -> None:
    client = client_for(admin)
    for body in ('{"iin": "871008401427",', "not json", b"\xff\xfe"):
        response = client.post("/api/people", body, content_type="application/json")
        error = error_of(response, 400)
        assert error["code"] == "malformed_json"


def test_empty_body(admin: User) -> None:
    response = client_for(admin).post("/api/people", "", content_type="application/json")
    error = error_of(response, 422)
    assert error["details"][0]["code"] == "required"


# --- PATCH /api/people/{id} ---------------------------------------------------------------------


def test_patch_changes_only_what_is_sent_and_is_audited(
    coordinator: User, org_ala: Organisation
) -> None:
    person = make_person(organisation=org_ala, surname="Қасымова", given_name="Әлия")
    response = patch_json(
        client_for(coordinator),
        f"/api/people/{person.pk}",
        {"email": "aliya@example.kz", "phone": "8 (727) 300-00-00"},
    )
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert (person.surname, person.email, person.phone) == (
        "Қасымова",
        "aliya@example.kz",
        "8 (727) 300-00-00",
    )
    entry = AuditEntry.objects.get(object_type="registry.person", action="update")
    assert entry.actor == coordinator
    assert entry.source == "api"
    assert set(entry.changes) == {"email", "phone"}


def test_patch_name_updates_the_search(admin: User, org_ala: Organisation) -> None:
    person = make_person(organisation=org_ala, surname="Иванова")
    client = client_for(admin)
    response = patch_json(client, f"/api/people/{person.pk}", {"surname": "Жұмабаева"})
    assert response.status_code == 200
    found = client.get("/api/people", {"q": "jumabaeva"}).json()["items"]
    assert [p["id"] for p in found] == [person.pk]


def test_patch_cannot_blank_a_required_name(admin: User, org_ala: Organisation) -> None:
    person = make_person(organisation=org_ala)
    error = error_of(
        patch_json(client_for(admin), f"/api/people/{person.pk}", {"surname": " "}), 422
    )
    assert (error["field"], error["details"][0]["code"]) == ("surname", "required")


def test_patch_cannot_change_the_iin(admin: User, org_ala: Organisation) -> None:
    person = make_person(organisation=org_ala)
    error = error_of(
        patch_json(client_for(admin), f"/api/people/{person.pk}", {"iin": unique_iin()}), 422
    )
    assert error["details"][0]["code"] == "unknown_field"


def test_patch_scope(coordinator: User, org_ala: Organisation, org_ast: Organisation) -> None:
    outside = make_person(organisation=org_ast)
    error = error_of(
        patch_json(client_for(coordinator), f"/api/people/{outside.pk}", {"email": "a@b.kz"}), 404
    )
    assert error["code"] == "not_found"
    inside = make_person(organisation=org_ala)
    leader = make_user(roles=[(Role.SCHOOL_LEADER, org_ala)])  # sees the person, may not edit
    error = error_of(
        patch_json(client_for(leader), f"/api/people/{inside.pk}", {"email": "a@b.kz"}), 403
    )
    assert error["code"] == "forbidden"
    inside.refresh_from_db()
    assert inside.email == ""
