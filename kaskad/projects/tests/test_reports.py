"""Reports by year and branch, on screen and as XLSX; no export names anyone who is not a
member (the reports are aggregates, the PDFs name only the team)."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.test import Client
from pypdf import PdfReader

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.projects.services import (
    ar_entry_add,
    case_pupil_add,
    lesson_study_finish,
    research_lesson_add,
)
from kaskad.projects.tests.factories import (
    CONSENT,
    coordinator,
    make_research,
    make_world,
    person_user,
)
from kaskad.registry.tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_rows_by_year_with_cycles_and_reports_on_screen_and_xlsx() -> None:
    world = make_world()
    group = world.group
    assert group is not None
    outsider = make_person(surname="Сыртқыбаева")
    for code in "ABC":
        case_pupil_add(
            group=group, code=code, attainment="middle", consent_recorded_on=CONSENT, by=world.admin
        )
    for day in (1, 8, 15):
        research_lesson_add(
            group=group,
            taught_on=date(2024, 10, day),
            plan="p",
            success_criteria="s",
            by=world.admin,
        )
    lesson_study_finish(group=group, by=world.admin)
    research = make_research(world)
    ar_entry_add(
        research=research,
        step="reconnaissance",
        dated=date(2024, 10, 2),
        text="baseline",
        by=person_user(world.teachers[2]),
    )

    analyst = Client()
    analyst.force_login(make_user(roles=[(Role.ANALYST, None)]))
    page = analyst.get("/projects/reports/?year=2024")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [(r.year, r.schools, r.teachers) for r in rows] == [(2024, 1, 4)]
    assert (rows[0].ar_started, rows[0].ar_finished, rows[0].reports) == (1, 0, 0)
    # The cycle was started in the current school year, within the project's years.
    all_rows = analyst.get("/projects/reports/").context["rows"]
    assert sum(r.ls_started for r in all_rows) == 1
    assert sum(r.ls_finished for r in all_rows) == sum(r.reports for r in all_rows) == 1

    xlsx = analyst.get("/projects/reports/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Project"
    assert len(values) == 1 + len(world.project.years)
    text = repr(values)
    for person in [*world.teachers, outsider]:
        assert person.surname not in text  # aggregates only

    pdf = Client()
    pdf.force_login(world.admin)
    for url in (
        f"/projects/lesson-study/{group.pk}/report.pdf",
        f"/projects/action-research/{research.pk}/report.pdf",
    ):
        reader = PdfReader(io.BytesIO(pdf.get(url).content))
        content = "".join(p.extract_text() for p in reader.pages)
        assert outsider.surname not in content


def test_reports_are_for_staff_and_scoped_to_the_branch() -> None:
    world = make_world()
    teacher = Client()
    teacher.force_login(person_user(world.teachers[0]))
    assert teacher.get("/projects/reports/").status_code == 404
    other = Client()
    other.force_login(coordinator("ALA"))
    assert other.get("/projects/reports/").context["rows"] == []
    own = Client()
    own.force_login(coordinator("AST"))
    assert len(own.get("/projects/reports/").context["rows"]) == len(world.project.years)
