"""Reports in a real browser: a coordinator opens the plan-versus-actual dashboard, drills a
figure down to the names behind it and downloads them as XLSX; a school leader sees who in
their school is due for training."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.tests.factories import enrol
from kaskad.catalogue.models import AnnualPlan
from kaskad.delivery.tests.factories import make_cohort, make_version, national_admin
from kaskad.registry.models import Area, Branch, Employment
from kaskad.registry.reference import sync_reference_data
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person
from kaskad.reports.readmodels import year_rebuild
from tests.e2e.test_enrolment_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_coordinator_drills_plan_against_actual_and_leader_sees_who_is_due(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    sync_reference_data(Branch, Area)
    national_admin()
    today = timezone.localdate()
    version = make_version(title="Тиімді оқыту", formats=["classroom"], languages=["kk"])
    starts_on = max(date(today.year, 1, 5), today - timedelta(days=1))
    cohort = make_cohort(
        version=version, branch_obj=branch("ALA"), status="open", starts_on=starts_on
    )
    AnnualPlan.objects.create(
        year=today.year, branch=branch("ALA"), programme=version.programme,
        planned_cohorts=2, planned_participants=40,
    )  # fmt: skip
    school = make_organisation(area=area_of("ALA"), name="№ 12 мектеп-гимназия")
    for surname in ("Яковлева", "Ғалымжанова", "Өтебаева"):
        enrol(cohort, make_person(organisation=school, surname=surname))
    due = make_person(organisation=school, surname="Әбілова")
    Employment.objects.filter(person=due).update(category_due_on=today + timedelta(days=40))
    year_rebuild(today.year)
    make_user(username="coordinator", roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))],
              language="kk")  # fmt: skip
    make_user(username="leader", roles=[(Role.SCHOOL_LEADER, school)], language="ru")

    page = sign_in(browser, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/reports/dashboard/")
    plan = page.locator("table#plan")
    assert "40" in plan.inner_text()
    page.wait_for_function("document.querySelector('canvas[data-chart=plan]').width > 0")
    page.screenshot(path=str(artifacts / "reports-coordinator-dashboard-kk.png"), full_page=True)
    # The actual participants of the programme: three names.
    plan.locator("tbody a.figure-link").last.click()
    page.wait_for_selector("table#records")
    names = page.locator("table#records tbody").inner_text()
    for surname in ("Яковлева", "Ғалымжанова", "Өтебаева"):
        assert surname in names
    with page.expect_download() as download_info:
        page.locator("a[href*='format=xlsx']").click()
    data = Path(download_info.value.path()).read_bytes()
    rows = [
        [c.value for c in r] for r in load_workbook(io.BytesIO(data)).active.iter_rows(min_row=5)
    ]
    assert len(rows) == 3

    leader = sign_in(browser, live_server.url, "leader", width=390)
    leader.goto(f"{live_server.url}/reports/due/")
    listing = leader.locator("table#due-list").inner_text()
    assert "Әбілова" in listing
    leader.screenshot(path=str(artifacts / "reports-leader-due-ru-phone.png"), full_page=True)
