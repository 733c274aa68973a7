"""Reads of the catalogue: who sees which programmes, eligibility, certification expiry and
plan against delivery."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.catalogue.selectors import (
    ProgrammeFilters,
    certifications_expiring,
    programme_current_version,
    programme_get,
    programme_list,
    programmes_eligible_for,
)
from kaskad.catalogue.services import (
    certification_add,
    plan_line_create,
    programme_retire,
    programme_revise,
    version_approve,
    version_update,
)
from kaskad.catalogue.tests.factories import (
    current,
    make_cohort,
    make_enrolment,
    make_programme,
    version_data,
)
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person
from kaskad.reports.plan import plan_vs_actual

pytestmark = pytest.mark.django_db


def codes(qs) -> list[str]:
    return [p.code for p in qs]


# --- visibility --------------------------------------------------------------------------------


def test_everyone_sees_approved_programmes_only_admins_see_drafts_and_retired() -> None:
    approved = make_programme(code="A1")
    draft = make_programme(code="D1", approve=False)
    retired = make_programme(code="R1")
    programme_retire(programme=retired, by=None)
    teacher = make_user(roles=[(Role.TEACHER, None)])
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    for user in (teacher, coordinator):
        assert codes(programme_list(user=user)) == [approved.code]
        with pytest.raises(Http404):
            programme_get(user=user, code=draft.code)
    assert codes(programme_list(user=admin)) == ["A1", "D1", "R1"]
    assert codes(programme_list(user=admin, filters=ProgrammeFilters(status="draft"))) == ["D1"]
    # A status filter does not let others see drafts.
    assert codes(programme_list(user=teacher, filters=ProgrammeFilters(status="draft"))) == ["A1"]


def test_a_draft_title_does_not_leak_through_search() -> None:
    programme = make_programme(code="S1")
    draft = programme_revise(programme=programme, by=None)
    version_update(version=draft, data=version_data(title_en="Secret new title"), by=None)
    teacher = make_user(roles=[(Role.TEACHER, None)])
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    assert codes(programme_list(user=teacher, filters=ProgrammeFilters(q="secret"))) == []
    assert codes(programme_list(user=admin, filters=ProgrammeFilters(q="secret"))) == ["S1"]


def test_filters_by_area_format_language_and_title() -> None:
    make_programme(code="M1", formats=["online"], languages=["kk"])
    make_programme(code="P1", area_code="preschool", formats=["classroom"], languages=["ru", "en"])
    user = make_user()
    from kaskad.catalogue.models import ProgrammeArea

    preschool = ProgrammeArea.objects.get(code="preschool").pk
    assert codes(programme_list(user=user, filters=ProgrammeFilters(area=preschool))) == ["P1"]
    assert codes(programme_list(user=user, filters=ProgrammeFilters(format="online"))) == ["M1"]
    assert codes(programme_list(user=user, filters=ProgrammeFilters(language="en"))) == ["P1"]
    assert codes(programme_list(user=user, filters=ProgrammeFilters(q="тиімді"))) == ["M1", "P1"]
    assert codes(programme_list(user=user, filters=ProgrammeFilters(q="p1"))) == ["P1"]


def test_the_current_version_is_the_approved_one() -> None:
    programme = make_programme()
    first = current(programme)
    draft = programme_revise(programme=programme, by=None)
    assert programme_current_version(programme) == first
    version_approve(version=draft, by=None)
    assert programme_current_version(programme) == draft
    programme_retire(programme=programme, by=None)
    assert programme_current_version(programme) is None


def test_eligibility_follows_the_person_current_position_and_level() -> None:
    open_to_all = make_programme(code="ALL")
    teachers = make_programme(code="TCH", audience_positions=["teacher"])
    primary = make_programme(
        code="PRI", audience_positions=["teacher"], audience_levels=["primary"]
    )
    leaders = make_programme(code="LEAD", audience_positions=["director", "deputy_director"])
    make_programme(code="DRAFT", approve=False)
    school = make_organisation()
    primary_teacher = make_person(organisation=school, level="primary")
    director = make_person(organisation=school, position="director")
    nobody = make_person()
    assert codes(programmes_eligible_for(primary_teacher)) == sorted(
        [open_to_all.code, teachers.code, primary.code]
    )
    assert codes(programmes_eligible_for(director)) == sorted([open_to_all.code, leaders.code])
    assert codes(programmes_eligible_for(nobody)) == [open_to_all.code]


# --- certification expiry -----------------------------------------------------------------------


def test_expiring_and_expired_certifications_are_listed_latest_only() -> None:
    today = date(2025, 1, 1)
    expired = make_programme(code="EXP")
    soon = make_programme(code="SOON")
    later = make_programme(code="LATER")
    renewed = make_programme(code="RENEW")
    retired = make_programme(code="RET")
    certification_add(programme=expired, body="ACQUIN", certified_on=date(2021, 6, 30), by=None)
    certification_add(programme=soon, body="ACQUIN", certified_on=date(2022, 5, 1), by=None)
    certification_add(programme=later, body="ACQUIN", certified_on=date(2023, 6, 30), by=None)
    certification_add(programme=renewed, body="ACQUIN", certified_on=date(2021, 6, 30), by=None)
    certification_add(programme=renewed, body="ACQUIN", certified_on=date(2024, 6, 30), by=None)
    certification_add(programme=retired, body="ACQUIN", certified_on=date(2021, 6, 30), by=None)
    programme_retire(programme=retired, by=None)
    rows = certifications_expiring(today=today)
    assert [(r.programme.code, r.expired) for r in rows] == [("EXP", True), ("SOON", False)]
    assert rows[1].days_left == (date(2025, 5, 1) - today).days


# --- plan against delivery ----------------------------------------------------------------------


@pytest.fixture
def delivery() -> dict[str, object]:
    """Two programmes in 2025: a plan in ALA and AST, cohorts in various states."""
    ala, ast = branch("ALA"), branch("AST")
    el, fl = make_programme(code="EL"), make_programme(code="FL")
    untouched = make_programme(code="ZZ")
    plan_line_create(
        year=2025, branch=ala, programme=el, planned_cohorts=4, planned_participants=100, by=None
    )
    plan_line_create(
        year=2025, branch=ast, programme=el, planned_cohorts=2, planned_participants=50, by=None
    )
    plan_line_create(
        year=2025, branch=ala, programme=fl, planned_cohorts=1, planned_participants=20, by=None
    )
    plan_line_create(
        year=2024,
        branch=ala,
        programme=untouched,
        planned_cohorts=9,
        planned_participants=9,
        by=None,
    )
    school = make_organisation(area=area_of("ALA"))
    people = [make_person(organisation=school) for _ in range(6)]
    # EL in ALA: one cohort on version 1, one on version 2 after a revision; both count.
    v1 = current(el)
    running = make_cohort(version=v1, branch=ala, status="running")
    v2 = programme_revise(programme=el, by=None)
    version_approve(version=v2, by=None)
    finished = make_cohort(version=v2, branch=ala, status="closed", starts_on=date(2025, 9, 1))
    for person, status in zip(people, ["enrolled", "completed", "not_completed", "waitlisted"]):
        make_enrolment(cohort=running, person=person, status=status)
    make_enrolment(cohort=finished, person=people[4], status="completed")
    make_enrolment(cohort=finished, person=people[5], status="withdrawn")
    # Not counted: a planned cohort, a cohort of 2024, a cohort of another branch for ALA.
    make_cohort(version=v2, branch=ala, status="planned")
    make_cohort(version=v2, branch=ala, status="finished", starts_on=date(2024, 12, 30))
    other = make_cohort(version=v2, branch=ast, status="open")
    make_enrolment(cohort=other, person=make_person(), status="enrolled")
    return {"ala": ala, "ast": ast}


def test_plan_against_actual_for_a_branch(delivery) -> None:
    report = plan_vs_actual(year=2025, branch=delivery["ala"])
    rows = {r.programme.code: r for r in report.rows}  # type: ignore[union-attr]
    assert set(rows) == {"EL", "FL"}
    el = rows["EL"]
    assert (el.planned_cohorts, el.actual_cohorts) == (4, 2)
    assert (el.planned_participants, el.actual_participants) == (100, 4)
    assert (el.cohorts_percent, el.participants_percent) == (50.0, 4.0)
    fl = rows["FL"]
    assert (fl.actual_cohorts, fl.actual_participants, fl.cohorts_percent) == (0, 0, 0.0)
    total = report.total
    assert total is not None
    assert (total.planned_cohorts, total.actual_cohorts) == (5, 2)
    assert (total.planned_participants, total.actual_participants) == (120, 4)
    assert total.cohorts_percent == 40.0


def test_plan_against_actual_for_the_country(delivery) -> None:
    report = plan_vs_actual(year=2025)
    el = next(r for r in report.rows if r.programme and r.programme.code == "EL")
    assert (el.planned_cohorts, el.actual_cohorts) == (6, 3)
    assert (el.planned_participants, el.actual_participants) == (150, 5)


def test_unplanned_delivery_shows_without_a_percentage() -> None:
    programme = make_programme(code="UNPLANNED")
    make_cohort(version=current(programme), branch=branch("ALA"), status="open")
    row = plan_vs_actual(year=2025).rows[0]
    assert (row.planned_cohorts, row.actual_cohorts, row.cohorts_percent) == (0, 1, None)


def test_the_total_counts_only_planned_programmes_and_shows_the_rest_apart() -> None:
    ala = branch("ALA")
    planned, unplanned = make_programme(code="PLANNED"), make_programme(code="EXTRA")
    plan_line_create(
        year=2025,
        branch=ala,
        programme=planned,
        planned_cohorts=2,
        planned_participants=40,
        by=None,
    )
    for _ in range(3):
        make_cohort(version=current(unplanned), branch=ala, status="open")
    report = plan_vs_actual(year=2025, branch=ala)
    total, extra = report.total, report.unplanned
    assert total is not None and extra is not None
    # Not "3 / 2 = 150 %": none of the planned cohorts exists.
    assert (total.planned_cohorts, total.actual_cohorts, total.cohorts_percent) == (2, 0, 0.0)
    assert (extra.actual_cohorts, extra.in_plan) == (3, False)
    assert {r.programme.code: r.in_plan for r in report.rows} == {  # type: ignore[union-attr]
        "PLANNED": True,
        "EXTRA": False,
    }


def test_plan_against_actual_takes_a_fixed_number_of_queries(delivery) -> None:
    with CaptureQueriesContext(connection) as few:
        plan_vs_actual(year=2025)
    for n in range(5):
        programme = make_programme(code=f"MORE{n}")
        plan_line_create(
            year=2025,
            branch=branch("ALA"),
            programme=programme,
            planned_cohorts=1,
            planned_participants=1,
            by=None,
        )
        make_cohort(version=current(programme), branch=branch("ALA"), status="open")
    with CaptureQueriesContext(connection) as many:
        report = plan_vs_actual(year=2025)
    assert len(report.rows) == 7
    assert len(many.captured_queries) == len(few.captured_queries) <= 5
