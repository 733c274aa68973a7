"""A Lesson Study group from its focus to RL3 and the summary PDF, in a real browser: the
project's trainer starts the cycle, a case pupil without the parents' consent is refused, the
three case pupils and the three research lessons are recorded, the discussion of RL1 must start
from the case pupils, the cycle is finished (no fourth lesson), and the summary report is a PDF
in the group's language that names no pupil."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.projects.models import LessonStudyGroup
from kaskad.projects.services import school_join, staff_add, team_member_add
from kaskad.projects.tests.factories import make_project, national_admin
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data
from kaskad.registry.tests.factories import make_organisation, make_person
from tests.e2e.test_enrolment_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_lesson_study_from_focus_to_rl3_and_summary_pdf(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    sync_reference_data(Branch, Area)
    base = live_server.url
    admin = national_admin()
    project = make_project(by=admin, code="ls-kz")
    school = school_join(
        project=project, organisation=make_organisation(name="№ 37 мектеп"), year=2024, by=admin
    )
    teachers = [
        make_person(surname=surname, given_name="Айгүл")
        for surname in ("Сәрсенова", "Жақыпова", "Оспанова", "Бекова")
    ]
    for person, role in zip(
        teachers, ("principal", "coordinator", "teacher", "teacher"), strict=True
    ):
        team_member_add(school=school, person=person, role=role, by=admin)
    trainer = make_person(surname="Тренерова")
    staff_add(project=project, person=trainer, role="trainer", by=admin)
    make_user(username="lstrainer", roles=[(Role.TRAINER, None)], person=trainer, language="en")

    page = sign_in(browser, base, "lstrainer")
    page.goto(f"{base}/projects/")
    page.click(f"a[href='/projects/{project.code}/']")
    page.click("text=Start a Lesson Study cycle")
    page.fill("#id_group-name", "Maths 5: fractions")
    page.fill("#id_group-focus", "Improve how we teach comparing fractions to Grade 5")
    page.fill("#id_group-research_question", "Do fraction strips help middle and low attainers?")
    page.select_option("#id_group-language", "kk")
    for person in teachers[1:]:
        page.get_by_label(person.full_name).check()
    page.click("form[data-testid='form-group'] button[type=submit]")
    page.wait_for_url(f"{base}/projects/lesson-study/*/")
    group = LessonStudyGroup.objects.get()

    # A case pupil without the parents' consent is refused, with the reason on the field.
    page.select_option("#id_pupil-code", "A")
    page.select_option("#id_pupil-attainment", "high")
    page.click("form[data-testid='form-pupil'] button[type=submit]")
    assert "consent is not recorded" in page.inner_text("form[data-testid='form-pupil']")
    assert not group.pupils.exists()
    for code, level in (("A", "high"), ("B", "middle"), ("C", "low")):
        page.select_option("#id_pupil-code", code)
        page.select_option("#id_pupil-attainment", level)
        page.fill("#id_pupil-consent_recorded_on", "2024-09-20")
        page.click("form[data-testid='form-pupil'] button[type=submit]")
        page.wait_for_selector(f"text={code} · ")
    assert group.pupils.count() == 3

    for number in (1, 2, 3):
        page.goto(f"{base}/projects/lesson-study/{group.pk}/")
        page.fill("#id_lesson-taught_on", f"2024-10-{number * 7:02d}")
        page.fill("#id_lesson-plan", f"RL{number}: compare 1/2, 2/4 and 3/8 with strips")
        page.fill("#id_lesson-success_criteria", "Pupils explain why two fractions are equal")
        page.fill("#id_lesson-stages", "Warm-up\nPairs with strips\nExit ticket")
        page.click("form[data-testid='form-lesson'] button[type=submit]")
        page.wait_for_url(f"{base}/projects/lesson-study/{group.pk}/rl{number}/")
        # The discussion starts from the case pupils: without them it is refused.
        page.click("text=Record the discussion")
        page.fill("#id_discussion-discussion", "Pairs worked well")
        page.click("form[data-testid='form-discussion'] button[type=submit]")
        assert "starts from the case pupils" in page.inner_text(
            "form[data-testid='form-discussion']"
        )
        for code in "ABC":
            page.fill(f"#id_discussion-pupil_{code}", f"{code} used the strips")
        page.fill("#id_discussion-changes_next", "Give every pair folding strips")
        page.click("form[data-testid='form-discussion'] button[type=submit]")
        page.wait_for_selector("text=Give every pair folding strips")
    page.screenshot(path=str(artifacts / "lesson-study-rl3.png"), full_page=True)

    page.goto(f"{base}/projects/lesson-study/{group.pk}/")
    page.click("text=Finish the cycle")
    page.wait_for_selector("text=The cycle is finished.")
    assert page.locator("#id_lesson-plan").count() == 0  # no fourth lesson is offered
    page.screenshot(path=str(artifacts / "lesson-study-finished.png"), full_page=True)

    response = page.request.get(f"{base}/projects/lesson-study/{group.pk}/report.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    (artifacts / "lesson-study-summary.pdf").write_bytes(response.body())
    reader = PdfReader(io.BytesIO(response.body()))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "RL1" in text and "RL3" in text
    assert "Зерттеу сұрағы" in text  # the group's language: Kazakh
    assert "Give every pair folding strips" in text
    assert teachers[0].surname not in text  # the principal is not in the group
    page.context.close()
