"""A mentoring link in a real browser: the project's coordinator covers a hub-school link of
the network, the mentor school's coordinator logs a session (a date outside the link's school
year is refused on the field, nothing written), and the session shows in the log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.networks.services import hub_link_create
from kaskad.projects.models import MentoringSession
from kaskad.projects.services import school_join, team_member_add
from kaskad.projects.tests.factories import make_project, national_admin
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data
from kaskad.registry.tests.factories import branch, make_organisation, make_person
from tests.e2e.test_enrolment_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_mentoring_link_and_its_log(live_server: Any, browser: Any, artifacts: Path) -> None:
    sync_reference_data(Branch, Area)
    base = live_server.url
    admin = national_admin()
    project = make_project(by=admin, code="share-e2e")
    nis = make_organisation(name="Астанадағы НЗМ", kind="nis")
    rural = make_organisation(name="Ақсу ауылының мектебі", locality="rural")
    hub = hub_link_create(year=2025, mentor=nis, mentee=rural, kind="rural", by=admin)
    school = school_join(project=project, organisation=nis, year=2025, by=admin)
    mentor = make_person(organisation=nis, surname="Тәлімгерова", given_name="Әсел")
    team_member_add(school=school, person=mentor, role="coordinator", by=admin)
    make_user(
        username="ast_coordinator",
        roles=[(Role.BRANCH_COORDINATOR, branch("AST"))],
        language="en",
    )
    make_user(username="nis_mentor", roles=[(Role.TEACHER, None)], person=mentor, language="en")

    page = sign_in(browser, base, "ast_coordinator")
    page.goto(f"{base}/projects/{project.code}/")
    page.click("text=Cover a hub-school link")
    page.select_option("#id_mentoring-hub_link", str(hub.pk))
    page.click("[data-testid=form-mentoring] button[type=submit]")
    page.wait_for_selector("text=Ақсу ауылының мектебі")
    page.context.close()

    page = sign_in(browser, base, "nis_mentor")
    page.goto(f"{base}/projects/{project.code}/")
    page.click("text=0 sessions")
    page.click("text=Log a session")
    page.fill("#id_session-held_on", "2024-05-10")
    page.select_option("#id_session-form", "visit")
    page.fill("#id_session-topic", "Research question")
    page.click("[data-testid=form-session] button[type=submit]")
    page.wait_for_selector("text=outside the link's school year")
    assert not MentoringSession.objects.exists()
    page.fill("#id_session-held_on", "2025-11-12")
    page.fill("#id_session-next_steps", "Observation sheet")
    page.click("[data-testid=form-session] button[type=submit]")
    page.wait_for_selector("text=1 session")
    page.screenshot(path=str(artifacts / "mentoring-log.png"), full_page=True)
    session = MentoringSession.objects.get()
    assert session.mentor == mentor and session.next_steps == "Observation sheet"
