"""The demo's projects: NIS/SHARE with its real first-year schools, a finished Lesson Study cycle
with case pupils A, B and C, Action Research in progress; and no export names anyone who is
not a member of the project."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from pypdf import PdfReader

from kaskad.accounts.models import User
from kaskad.projects.models import (
    ActionResearch,
    LessonStudyGroup,
    Project,
    ProjectSchool,
    ProjectStaff,
    TeamMember,
)
from kaskad.projects.pdf import action_research_pdf, lesson_study_pdf
from kaskad.projects.reports import project_rows, project_rows_xlsx
from kaskad.registry.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_share_project_and_its_exports_name_members_only(tmp_path: Path) -> None:
    call_command(
        "seed",
        scale="demo",
        seed=5,
        people=400,
        organisations=30,
        out=tmp_path,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    project = Project.objects.get(code="nis-share")
    first_year = ProjectSchool.objects.filter(project=project, year=2024)
    assert first_year.count() == 20
    names = " ".join(s.organisation.name_ru for s in first_year)  # type: ignore[attr-defined]
    for number in (37, 50, 59, 60, 67, 72, 74, 75, 90, 91):
        assert f"№ {number}" in names
    group = LessonStudyGroup.objects.get(project=project)
    assert group.status == "finished"
    assert sorted(group.pupils.values_list("code", flat=True)) == ["A", "B", "C"]
    assert group.lessons.count() == 3
    research = ActionResearch.objects.get(school__project=project)
    assert research.status == "open" and research.entries.exists()
    # Two mentoring links (rural hub school, city school), each with its log.
    links = list(project.mentoring.select_related("hub_link"))
    assert sorted(link.hub_link.kind for link in links) == ["city", "rural"]
    assert all(link.sessions.exists() for link in links)
    assert project.plan.count() == 3
    # Participants abroad, registered without an IIN.
    assert Person.objects.filter(iin__isnull=True, document_country="TM").count() == 3

    members = (
        set(TeamMember.objects.values_list("person_id", flat=True))
        | set(LessonStudyGroup.objects.values_list("members", flat=True))
        | set(ProjectStaff.objects.values_list("person_id", flat=True))
    )
    outsiders = [p.full_name for p in Person.objects.exclude(pk__in=members)]
    assert outsiders
    texts = []
    for data in (lesson_study_pdf(group), action_research_pdf(research)):
        texts.append("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
    admin = User.objects.get(username="admin")
    sheet = openpyxl.load_workbook(
        io.BytesIO(project_rows_xlsx(project_rows(user=admin))), read_only=True
    ).active
    assert sheet is not None
    texts.append(repr(list(sheet.iter_rows(values_only=True))))
    for text in texts:
        found = [name for name in outsiders if name in text]
        assert not found, found
