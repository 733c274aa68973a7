"""Out of scope looks like nothing (ADR 0002): analysts and individual portfolios, enrolling by
IIN as an existence oracle, searching by a full IIN, and IINs unmasked only within the
viewer's scope."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kaskad.accounts.models import Role, User
from kaskad.accounts.scopes import iin_for, mask_iin
from kaskad.accounts.tests.factories import make_user
from kaskad.accounts.tokens import api_token_create
from kaskad.assessment.tests.portfolio_helpers import (
    add_text_file,
    cohort_trainer,
    participant_case,
)
from kaskad.delivery.models import Enrolment
from kaskad.delivery.tests.factories import (
    accredit,
    coordinator_of,
    make_bare_programme,
    make_cohort,
    make_teacher,
    teacher_user,
)
from kaskad.registry.tests.factories import unique_iin

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings, tmp_path) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from django.utils import translation

    translation.activate("en")


def api(user: User) -> Client:
    _token, raw = api_token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def analyst() -> User:
    return make_user(roles=[(Role.ANALYST, None)])


# --- Analysts: aggregated reports only ----------------------------------------------------------


def test_analysts_cannot_open_individual_portfolios_files_or_cohort_portfolio_pages() -> None:
    case = participant_case()
    file = add_text_file(case)
    cohort_trainer(case.cohort)
    browser = page(analyst())
    urls = [
        reverse("assessment:portfolio_detail", args=[case.portfolio.pk]),
        reverse("assessment:portfolio_file", args=[case.portfolio.pk, file.pk]),
        reverse("assessment:cohort_portfolios", args=[case.cohort.pk]),
    ]
    for url in urls:
        assert browser.get(url).status_code == 404, url
    response = api(analyst()).get(f"/api/assessment/portfolios/{case.portfolio.pk}")
    missing = api(analyst()).get("/api/assessment/portfolios/999999999")
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()
    # The trainer's list of cohorts with portfolios is not theirs either.
    listing = browser.get(reverse("assessment:trainer_portfolios"))
    assert case.cohort.code not in listing.content.decode()


# --- Enrolling by IIN is no existence oracle ----------------------------------------------------


@pytest.mark.parametrize("role", ["teacher", "trainer", "assessor", "analyst"])
def test_roles_that_may_not_enrol_others_get_one_answer_whatever_the_iin(role: str) -> None:
    cohort = make_cohort(status="open")
    person = make_teacher()
    user = make_user(roles=[(role, None)], person=person)
    client = api(user)
    registered = make_teacher(branch_code="AST")
    answers = [
        post_json(client, f"/api/cohorts/{cohort.pk}/enrol", {"iin": iin})
        for iin in (registered.iin, unique_iin())
    ]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json() == answers[1].json()
    assert registered.surname not in answers[0].content.decode()
    assert not Enrolment.objects.exists()


def test_a_coordinator_gets_the_unknown_iin_answer_for_someone_of_another_branch() -> None:
    cohort = make_cohort(status="open")  # branch ALA
    coordinator = api(coordinator_of("ALA"))
    elsewhere = make_teacher(branch_code="AST", surname="Секретова")
    outside = post_json(coordinator, f"/api/cohorts/{cohort.pk}/enrol", {"iin": elsewhere.iin})
    unknown = post_json(coordinator, f"/api/cohorts/{cohort.pk}/enrol", {"iin": unique_iin()})
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()
    assert outside.json()["error"]["code"] == "unknown_iin"
    assert "Секретова" not in outside.content.decode()
    assert not Enrolment.objects.exists()


def test_the_list_page_and_its_csv_answer_alike_for_unknown_and_out_of_scope_iins() -> None:
    import base64
    import re

    cohort = make_cohort(status="open")
    browser = page(coordinator_of("ALA"))
    elsewhere = make_teacher(branch_code="AST", surname="Секретова")
    unknown = unique_iin()
    response = browser.post(
        reverse("delivery:enrol_list", args=[cohort.pk]),
        {"iins": f"{elsewhere.iin}\n{unknown}"},
    )
    assert response.status_code == 200
    results = response.context["results"]
    first, second = ({k: v for k, v in r.items() if k not in ("line", "value")} for r in results)
    assert first == second
    assert first["code"] == "unknown_iin" and first["name"] == ""
    html = response.content.decode()
    assert "Секретова" not in html
    encoded = re.search(r"data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)", html)
    assert encoded is not None
    csv = base64.b64decode(encoded.group(1)).decode("utf-8")
    assert "Секретова" not in csv
    rows = [line.split(",", 2)[2] for line in csv.strip().splitlines()[1:]]
    assert len(rows) == 2 and rows[0] == rows[1]


# --- Searching by a full IIN --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "finds"),
    [
        (Role.NATIONAL_ADMIN, True),
        (Role.ANALYST, False),
        (Role.TRAINER, False),
        (Role.ASSESSOR, False),
        (Role.PLAGIARISM_OFFICER, False),
    ],
)
def test_a_full_iin_finds_someone_only_for_roles_that_see_iins(role: str, finds: bool) -> None:
    person = make_teacher(surname="Іздеуова")
    user = make_user(roles=[(role, None)])
    html = page(user).get(reverse("registry:person_list"), {"q": str(person.iin)}).content.decode()
    assert ("Іздеуова" in html) == finds
    found = api(user).get("/api/people", {"q": str(person.iin)}).json()["count"]
    assert found == (1 if finds else 0)
    assert api(user).get(f"/api/people/by-iin/{person.iin}").status_code == (200 if finds else 404)


def test_everyone_finds_their_own_iin() -> None:
    person = make_teacher(surname="Өзімова")
    user = teacher_user(person)
    html = page(user).get(reverse("registry:person_list"), {"q": str(person.iin)}).content.decode()
    assert "Өзімова" in html
    assert api(user).get("/api/people", {"q": str(person.iin)}).json()["count"] == 1


# --- IINs in full only within the viewer's scope ------------------------------------------------


def test_a_coordinator_sees_an_out_of_scope_trainers_iin_masked() -> None:
    programme = make_bare_programme()
    trainer = make_teacher(branch_code="AST", position="trainer")
    accredit(trainer, programme, level="national")  # national trainers are seen everywhere
    ours = make_teacher(branch_code="ALA", position="trainer")
    accredit(ours, programme)
    browser = page(coordinator_of("ALA"))
    other_page = browser.get(reverse("cascade:trainer_detail", args=[trainer.pk]))
    assert other_page.status_code == 200
    html = other_page.content.decode()
    assert str(trainer.iin) not in html
    assert mask_iin(trainer.iin) in html
    own_page = browser.get(reverse("cascade:trainer_detail", args=[ours.pk]))
    assert str(ours.iin) in own_page.content.decode()


def test_iin_for_unmasks_only_within_the_scope() -> None:
    ala = make_teacher(branch_code="ALA")
    ast = make_teacher(branch_code="AST")
    coordinator = coordinator_of("ALA")
    assert iin_for(coordinator, ala) == ala.iin
    assert iin_for(coordinator, ast) == mask_iin(ast.iin)
    leader = make_user(roles=[(Role.SCHOOL_LEADER, ala.current_organisation)])
    assert iin_for(leader, ala) == ala.iin
    assert iin_for(leader, ast) == mask_iin(ast.iin)
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    assert iin_for(admin, ast) == ast.iin
    assert iin_for(teacher_user(ast), ast) == ast.iin


def test_the_trainer_search_finds_another_branchs_trainer_by_name_but_not_by_iin() -> None:
    cohort = make_cohort(status="open")  # branch ALA
    trainer = make_teacher(branch_code="AST", position="trainer", surname="Жаттықтырова")
    accredit(trainer, cohort.version.programme, level="national")
    browser = page(coordinator_of("ALA"))
    url = reverse("delivery:trainer_search", args=[cohort.pk])
    by_name = browser.get(url, {"q": "Жаттықтырова"}).content.decode()
    assert "Жаттықтырова" in by_name
    by_iin = browser.get(url, {"q": str(trainer.iin)}).content.decode()
    assert "Жаттықтырова" not in by_iin
