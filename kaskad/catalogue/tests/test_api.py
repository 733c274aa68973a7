"""The JSON API of the catalogue, the plan and the trainers: shapes, scope and errors."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.cascade.services import accreditation_grant
from kaskad.catalogue.services import certification_add, plan_line_create, programme_revise
from kaskad.catalogue.tests.factories import current, make_cohort, make_enrolment, make_programme
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"


def api(client: Client, user: User | None) -> Client:
    if user is not None:
        client.force_login(user)
    return client


def test_areas_in_three_languages(client: Client) -> None:
    body = api(client, make_user()).get("/api/programme-areas").json()
    assert len(body) == 6
    assert body[0]["code"] == "methods"
    assert body[0]["name_kk"] and body[0]["name_ru"] and body[0]["name_en"]


def test_the_catalogue_lists_approved_programmes(client: Client) -> None:
    make_programme(code="EL", languages=["kk", "ru", "en"])
    make_programme(code="DR", approve=False)
    body = api(client, make_user()).get("/api/programmes").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["code"] == "EL" and item["status"] == "approved"
    assert item["current_version"]["title_ru"] == "Эффективное обучение"
    assert item["current_version"]["languages"] == ["kk", "ru", "en"]
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    assert api(client, admin).get("/api/programmes", {"status": "draft"}).json()["count"] == 1


def test_one_programme_with_modules_and_certifications(client: Client) -> None:
    programme = make_programme(code="EL")
    certification_add(programme=programme, body="ACQUIN", certified_on=date(2018, 6, 30), by=None)
    programme_revise(programme=programme, by=None)
    body = api(client, make_user()).get("/api/programmes/el").json()
    assert body["current_version"]["number"] == 1
    assert [m["hours"] for m in body["current_version"]["modules"]] == [40, 40]
    assert body["certifications"] == [
        {
            "body": "ACQUIN",
            "certified_on": "2018-06-30",
            "valid_until": "2021-06-30",
            "valid": False,
            "note": "",
        }
    ]
    assert body["draft"] is None  # drafts are for national administrators
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    assert api(client, admin).get("/api/programmes/EL").json()["draft"]["number"] == 2


def test_errors_have_the_common_shape(client: Client) -> None:
    api(client, make_user())
    missing = client.get("/api/programmes/NOPE")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    bad = client.get("/api/programmes", {"format": "radio"})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "format"
    area = client.get("/api/programmes", {"area": "astrology"})
    assert (area.status_code, area.json()["error"]["code"]) == (422, "unknown_area")
    client.logout()
    assert client.get("/api/programmes").status_code == 401


def _plan() -> None:
    programme = make_programme(code="EL")
    plan_line_create(
        year=2025,
        branch=branch("ALA"),
        programme=programme,
        planned_cohorts=2,
        planned_participants=50,
        by=None,
    )
    plan_line_create(
        year=2025,
        branch=branch("AST"),
        programme=programme,
        planned_cohorts=2,
        planned_participants=50,
        by=None,
    )
    cohort = make_cohort(version=current(programme), branch=branch("ALA"), status="finished")
    make_enrolment(cohort=cohort, person=make_person(), status="completed")


def test_the_plan_for_the_country_and_a_branch(client: Client) -> None:
    _plan()
    api(client, make_user(roles=[(Role.ANALYST, None)]))
    country = client.get("/api/plan", {"year": "2025"}).json()
    assert country["branch"] is None
    assert country["total"]["planned_cohorts"] == 4
    assert country["rows"][0]["programme_code"] == "EL"
    assert country["rows"][0]["cohorts_percent"] == 25.0
    ast = client.get("/api/plan", {"year": "2025", "branch": "AST"}).json()
    assert (ast["branch"]["code"], ast["total"]["actual_cohorts"]) == ("AST", 0)
    assert client.get("/api/plan", {"year": "1800"}).status_code == 422


def test_a_coordinator_gets_their_branch_plan_and_404_for_others(client: Client) -> None:
    _plan()
    api(client, make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))]))
    own = client.get("/api/plan", {"year": "2025"}).json()
    assert own["branch"]["code"] == "ALA"
    assert (own["total"]["actual_cohorts"], own["total"]["actual_participants"]) == (1, 1)
    other = client.get("/api/plan", {"year": "2025", "branch": "AST"})
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    api(client, make_user(roles=[(Role.TEACHER, None)]))
    assert client.get("/api/plan", {"year": "2025"}).status_code == 403


def test_trainers_are_scoped_and_filtered_by_programme(client: Client) -> None:
    el, fl = make_programme(code="EL"), make_programme(code="FL")
    here = make_person(organisation=make_organisation(area=area_of("ALA")))
    there = make_person(organisation=make_organisation(area=area_of("AST")))
    for person, programme in ((here, el), (there, el), (here, fl)):
        accreditation_grant(
            person=person,
            programme=programme,
            level="regional",
            valid_from=date(2020, 1, 1),
            valid_until=date(2030, 1, 1),
            by=None,
        )
    api(client, make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))]))
    body = client.get("/api/trainers", {"programme": "el"}).json()
    assert [(i["person"]["id"], i["programme"], i["valid_today"]) for i in body["items"]] == [
        (here.pk, "EL", True)
    ]
    unknown = client.get("/api/trainers", {"programme": "NOPE"})
    assert (unknown.status_code, unknown.json()["error"]["field"]) == (422, "programme")
    api(client, make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    assert client.get("/api/trainers").json()["count"] == 3
    api(client, make_user(roles=[(Role.TEACHER, None)]))
    assert client.get("/api/trainers").status_code == 403
