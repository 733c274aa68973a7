"""The registry through the JSON API: who sees what, masking, and reads that stay cheap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kaskad.accounts.models import Role, User
from kaskad.accounts.scopes import mask_iin
from kaskad.accounts.tests.factories import make_user
from kaskad.registry.models import Area, Branch, Organisation, Person
from kaskad.registry.tests.factories import area_of, branch, employ, make_organisation, make_person

pytestmark = pytest.mark.django_db


@dataclass
class World:
    org_ala: Organisation  # Almaty branch, led by the school leader
    org_ala2: Organisation  # Almaty branch, not led by them
    org_ast: Organisation  # Astana branch
    p_ala: Person  # teaches at org_ala
    p_ala2: Person  # teaches at org_ala2
    p_ast: Person  # teaches at org_ast
    p_free: Person  # not employed anywhere
    users: dict[str, User]


@pytest.fixture
def world() -> World:
    org_ala = make_organisation(area=area_of("ALA"), name="Алматы мектебі")
    org_ala2 = make_organisation(area=area_of("ALA"), name="Алматы екінші мектебі")
    org_ast = make_organisation(area=area_of("AST"), name="Астана мектебі")
    p_ala = make_person(organisation=org_ala, surname="Қасымова", given_name="Әлия")
    p_ala2 = make_person(organisation=org_ala2, surname="Ахметов", given_name="Нұрлан", sex="M")
    p_ast = make_person(organisation=org_ast, surname="Омарова", given_name="Гүлнар")
    p_free = make_person(surname="Жұмабаев", given_name="Ерлан", sex="M")
    users = {
        "national_admin": make_user(roles=[(Role.NATIONAL_ADMIN, None)]),
        "branch_coordinator": make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))]),
        "school_leader": make_user(roles=[(Role.SCHOOL_LEADER, org_ala)]),
        "trainer": make_user(roles=[(Role.TRAINER, None)], person=p_ast),
        "assessor": make_user(roles=[(Role.ASSESSOR, None)]),
        "teacher": make_user(roles=[(Role.TEACHER, None)], person=p_ala),
        "analyst": make_user(roles=[(Role.ANALYST, None)]),
    }
    return World(org_ala, org_ala2, org_ast, p_ala, p_ala2, p_ast, p_free, users)


def client_for(user: User) -> Client:
    # English, so assertions on messages hold once the kk/ru catalogues are filled in.
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def get(user: User, url: str, **params: Any) -> Any:
    return client_for(user).get(url, params)


# What each role may see. Everything else answers 404, exactly like a record that does not exist.
ORGANISATIONS = {
    "national_admin": {"org_ala", "org_ala2", "org_ast"},
    "branch_coordinator": {"org_ala", "org_ala2"},
    "school_leader": {"org_ala"},
    "trainer": set(),
    "assessor": set(),
    "teacher": set(),
    "analyst": {"org_ala", "org_ala2", "org_ast"},
}
PEOPLE = {
    "national_admin": {"p_ala", "p_ala2", "p_ast", "p_free"},
    "branch_coordinator": {"p_ala", "p_ala2"},
    "school_leader": {"p_ala"},
    "trainer": {"p_ast"},  # their own record
    "assessor": set(),
    "teacher": {"p_ala"},  # their own record
    "analyst": {"p_ala", "p_ala2", "p_ast", "p_free"},
}
SEES_IIN = {"national_admin", "branch_coordinator", "school_leader"}
ALL_ORGS = ("org_ala", "org_ala2", "org_ast")
ALL_PEOPLE = ("p_ala", "p_ala2", "p_ast", "p_free")
ROLES = list(ORGANISATIONS)


@pytest.mark.parametrize("role", ROLES)
def test_organisation_list_and_fetch_follow_the_scope(world: World, role: str) -> None:
    user = world.users[role]
    response = get(user, "/api/organisations", page_size=200)
    assert response.status_code == 200
    body = response.json()
    listed = {o["id"] for o in body["items"]}
    expected = {getattr(world, name).pk for name in ORGANISATIONS[role]}
    assert listed == expected
    assert body["count"] == len(expected)
    for name in ALL_ORGS:
        org = getattr(world, name)
        detail = get(user, f"/api/organisations/{org.pk}")
        staff = get(user, f"/api/organisations/{org.pk}/staff")
        if name in ORGANISATIONS[role]:
            assert detail.status_code == 200, (role, name)
            assert detail.json()["code"] == org.code
            assert staff.status_code == 200
        else:
            assert detail.status_code == 404, (role, name)
            assert staff.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_people_fetch_and_history_follow_the_scope(world: World, role: str) -> None:
    user = world.users[role]
    for name in ALL_PEOPLE:
        person = getattr(world, name)
        detail = get(user, f"/api/people/{person.pk}")
        history = get(user, f"/api/people/{person.pk}/employments")
        if name in PEOPLE[role]:
            assert detail.status_code == 200, (role, name)
            assert history.status_code == 200
        else:
            assert detail.status_code == 404, (role, name)
            assert history.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_people_search_never_leaves_the_scope(world: World, role: str) -> None:
    user = world.users[role]
    found: set[int] = set()
    # Every test person's surname is searched for; only those in scope may come back.
    for name in ALL_PEOPLE:
        person = getattr(world, name)
        response = get(user, "/api/people", q=person.surname)
        assert response.status_code == 200
        found |= {p["id"] for p in response.json()["items"]}
    assert found == {getattr(world, name).pk for name in PEOPLE[role]}


def test_out_of_scope_answers_exactly_like_a_missing_record(world: World) -> None:
    coordinator = world.users["branch_coordinator"]
    out_of_scope = get(coordinator, f"/api/people/{world.p_ast.pk}")
    missing = get(coordinator, "/api/people/987654321")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()
    assert missing.json() == {
        "error": {"code": "not_found", "message": "Not found.", "field": None, "details": []}
    }
    org_out = get(coordinator, f"/api/organisations/{world.org_ast.pk}")
    org_missing = get(coordinator, "/api/organisations/987654321")
    assert org_out.json() == org_missing.json()


@pytest.mark.parametrize("role", ROLES)
def test_iins_are_masked_for_roles_that_do_not_need_them(world: World, role: str) -> None:
    user = world.users[role]
    for name in PEOPLE[role]:
        person = getattr(world, name)
        body = get(user, f"/api/people/{person.pk}").json()
        own = person.pk == user.person_id
        if role in SEES_IIN or own:
            assert body["iin"] == person.iin
            assert body["birth_date"] == person.birth_date.isoformat()
            assert body["sex"] == person.sex
        else:
            assert body["iin"] == mask_iin(person.iin)
            assert person.iin not in str(body)
            assert body["birth_date"] is None and body["sex"] is None
            assert body["email"] is None and body["phone"] is None


def test_analyst_sees_masked_iins_in_lists_too(world: World) -> None:
    analyst = world.users["analyst"]
    staff = get(analyst, f"/api/organisations/{world.org_ala.pk}/staff").json()
    assert [m["person"]["iin"] for m in staff["items"]] == [mask_iin(world.p_ala.iin)]
    search = get(analyst, "/api/people", q="Қасымова").json()
    assert [p["iin"] for p in search["items"]] == [mask_iin(world.p_ala.iin)]


def test_searching_by_iin_needs_a_role_that_sees_iins(world: World) -> None:
    # Otherwise an analyst could link any known IIN to a name through the search box.
    iin = world.p_ala2.iin
    assert get(world.users["analyst"], "/api/people", q=iin).json()["count"] == 0
    assert get(world.users["analyst"], f"/api/people/by-iin/{iin}").status_code == 404
    admin = world.users["national_admin"]
    assert [p["id"] for p in get(admin, "/api/people", q=iin).json()["items"]] == [world.p_ala2.pk]
    assert get(admin, f"/api/people/by-iin/{iin}").json()["id"] == world.p_ala2.pk
    teacher = world.users["teacher"]  # their own number is fine
    assert get(teacher, f"/api/people/by-iin/{world.p_ala.iin}").json()["id"] == world.p_ala.pk


def test_person_detail_has_the_current_employment(world: World) -> None:
    employ(
        person=world.p_ala,
        organisation=world.org_ala2,
        position="deputy_director",
        started_on=date(2020, 9, 1),
    )
    body = get(world.users["national_admin"], f"/api/people/{world.p_ala.pk}").json()
    assert body["current_organisation"]["id"] == world.org_ala2.pk
    job = body["current_employment"]
    assert job["organisation"]["id"] == world.org_ala2.pk
    assert job["position"] == "deputy_director"
    assert job["is_current"] is True
    history = get(world.users["national_admin"], f"/api/people/{world.p_ala.pk}/employments")
    assert [e["organisation"]["id"] for e in history.json()] == [
        world.org_ala2.pk,
        world.org_ala.pk,
    ]
    assert [e["is_current"] for e in history.json()] == [True, False]


def test_person_search_finds_names_however_they_are_typed(world: World) -> None:
    admin = world.users["national_admin"]
    for query in ("Қасымова", "Касымова", "kasymova", "kasim ali"):
        items = get(admin, "/api/people", q=query).json()["items"]
        assert [p["id"] for p in items] == [world.p_ala.pk], query


def test_organisation_filters(world: World) -> None:
    admin = world.users["national_admin"]
    college = make_organisation(area=area_of("ALA"), kind="college", locality="rural")
    by_area = get(admin, "/api/organisations", area=area_of("AST").pk).json()
    assert {o["id"] for o in by_area["items"]} == {world.org_ast.pk}
    by_kind = get(admin, "/api/organisations", kind="college").json()
    assert [o["id"] for o in by_kind["items"]] == [college.pk]
    assert by_kind["items"][0]["kind_label"]
    by_locality = get(admin, "/api/organisations", locality="rural").json()
    assert [o["id"] for o in by_locality["items"]] == [college.pk]
    by_name = get(admin, "/api/organisations", q="екінші").json()
    assert [o["id"] for o in by_name["items"]] == [world.org_ala2.pk]
    by_bin = get(admin, "/api/organisations", q=world.org_ast.bin).json()
    assert [o["id"] for o in by_bin["items"]] == [world.org_ast.pk]


def test_pagination(world: World) -> None:
    admin = world.users["national_admin"]
    for _ in range(5):
        make_organisation(area=area_of("AST"))
    first = get(admin, "/api/organisations", page_size=3).json()
    second = get(admin, "/api/organisations", page_size=3, page=2).json()
    past_end = get(admin, "/api/organisations", page_size=3, page=99).json()
    assert first["count"] == second["count"] == 8
    assert (first["page"], first["page_size"], len(first["items"])) == (1, 3, 3)
    assert len(second["items"]) == 3
    assert not {o["id"] for o in first["items"]} & {o["id"] for o in second["items"]}
    assert past_end["items"] == [] and past_end["count"] == 8


def test_areas_and_branches_are_reference_data_for_everyone(world: World) -> None:
    for user in world.users.values():
        areas = get(user, "/api/areas").json()
        assert len(areas) == Area.objects.count() == 20
        branches = get(user, "/api/branches").json()
        assert len(branches) == Branch.objects.count() == 16
    almaty = next(a for a in areas if a["id"] == area_of("ALA").pk)
    assert almaty["branch"]["code"] == "ALA"
    assert all(almaty[f"name_{lang}"] for lang in ("kk", "ru", "en"))
    ala = next(b for b in branches if b["code"] == "ALA")
    assert almaty["id"] in {a["id"] for a in ala["areas"]}


def test_names_follow_the_request_language(world: World) -> None:
    client = client_for(world.users["analyst"])
    area = area_of("ALA")
    ru = client.get("/api/areas", headers={"accept-language": "ru"}).json()
    en = client.get("/api/areas", headers={"accept-language": "en"}).json()
    assert next(a for a in ru if a["id"] == area.pk)["name"] == area.name_ru  # type: ignore[attr-defined]
    assert next(a for a in en if a["id"] == area.pk)["name"] == area.name_en  # type: ignore[attr-defined]


# --- Queries stay fixed -------------------------------------------------------------------------


def queries_for(client: Client, url: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["national_admin", "branch_coordinator", "analyst"])
def test_organisation_list_queries_do_not_grow_with_the_page(world: World, role: str) -> None:
    for _ in range(12):
        make_organisation(area=area_of("ALA"))
    client = client_for(world.users[role])
    small = queries_for(client, "/api/organisations", page_size=2)
    large = queries_for(client, "/api/organisations", page_size=200)
    assert small == large


@pytest.mark.parametrize("role", ["national_admin", "branch_coordinator", "analyst"])
def test_people_search_queries_do_not_grow_with_the_page(world: World, role: str) -> None:
    for _ in range(12):
        make_person(organisation=world.org_ala2, surname="Сейітқали")
    client = client_for(world.users[role])
    small = queries_for(client, "/api/people", q="Сейітқали", page_size=2)
    large = queries_for(client, "/api/people", q="Сейітқали", page_size=200)
    assert small == large


def test_staff_queries_do_not_grow_with_the_page(world: World) -> None:
    for _ in range(12):
        make_person(organisation=world.org_ala)
    client = client_for(world.users["school_leader"])
    url = f"/api/organisations/{world.org_ala.pk}/staff"
    assert queries_for(client, url, page_size=2) == queries_for(client, url, page_size=200)
