"""Projects by year and branch: schools and teachers involved, cycles started and completed,
reports produced. Aggregates only (no names), on screen and as XLSX."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from kaskad.core.cells import text_workbook
from kaskad.core.roles import Role
from kaskad.core.scope import scope_of
from kaskad.projects.models import (
    ActionResearch,
    CycleStatus,
    LessonStudyGroup,
    MentoringLink,
    Project,
    ProjectSchool,
    TeamMember,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kaskad.accounts.models import User


def may_see_reports(user: User | AnonymousUser) -> bool:
    return scope_of(user).has(Role.NATIONAL_ADMIN, Role.ANALYST, Role.BRANCH_COORDINATOR)


def projects_for_reports(user: User | AnonymousUser) -> QuerySet[Project]:
    scope = scope_of(user)
    qs = Project.objects.select_related("branch")
    if scope.has(Role.NATIONAL_ADMIN, Role.ANALYST):
        return qs
    return qs.filter(branch_id__in=scope.branch_ids)


@dataclass
class Row:
    project: str
    kind: str
    branch: str
    year: int
    schools: int
    teachers: int
    ls_started: int
    ls_finished: int
    ar_started: int
    ar_finished: int
    reports: int
    ready_to_publish: int


def project_rows(*, user: User | AnonymousUser, year: int | None = None) -> list[Row]:
    """One row per project and school year."""
    projects = list(projects_for_reports(user).order_by("branch__code", "first_year", "code"))
    ids = [p.pk for p in projects]
    schools = {
        (r["project_id"], r["year"]): r["n"]
        for r in ProjectSchool.objects.filter(project_id__in=ids)
        .values("project_id", "year")
        .annotate(n=Count("pk"))
    }
    teachers = {
        (r["school__project_id"], r["school__year"]): r["n"]
        for r in TeamMember.objects.filter(school__project_id__in=ids)
        .values("school__project_id", "school__year")
        .annotate(n=Count("person_id", distinct=True))
    }
    ls: dict[tuple[int, int], dict[str, Any]] = {
        (r["project_id"], r["year"]): dict(r)
        for r in LessonStudyGroup.objects.filter(project_id__in=ids)
        .values("project_id", "year")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(status=CycleStatus.FINISHED)))
    }
    ar: dict[tuple[int, int], dict[str, Any]] = {
        (r["school__project_id"], r["school__year"]): dict(r)
        for r in ActionResearch.objects.filter(school__project_id__in=ids)
        .values("school__project_id", "school__year")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status=CycleStatus.FINISHED)),
            ready=Count("pk", filter=Q(ready_to_publish=True)),
        )
    }
    rows: list[Row] = []
    for project in projects:
        for y in project.years:
            if year is not None and y != year:
                continue
            ls_row: dict[str, Any] = ls.get((project.pk, y), {})
            ar_row: dict[str, Any] = ar.get((project.pk, y), {})
            ls_done = int(ls_row.get("done", 0))
            ar_done = int(ar_row.get("done", 0))
            rows.append(
                Row(
                    project=str(project.name),
                    kind=str(project.get_kind_display()),
                    branch=str(project.branch.name),
                    year=y,
                    schools=schools.get((project.pk, y), 0),
                    teachers=teachers.get((project.pk, y), 0),
                    ls_started=int(ls_row.get("n", 0)),
                    ls_finished=ls_done,
                    ar_started=int(ar_row.get("n", 0)),
                    ar_finished=ar_done,
                    reports=ls_done + ar_done,
                    ready_to_publish=int(ar_row.get("ready", 0)),
                )
            )
    return rows


NUMBERS = (
    "schools",
    "teachers",
    "ls_started",
    "ls_finished",
    "ar_started",
    "ar_finished",
    "reports",
    "ready_to_publish",
)


def totals(rows: list[Row]) -> dict[str, int]:
    return {name: sum(getattr(r, name) for r in rows) for name in NUMBERS}


def headers() -> list[str]:
    return [
        _("Project"),
        _("Kind"),
        _("Branch"),
        _("Year"),
        _("Schools"),
        _("Teachers"),
        _("Lesson Study cycles started"),
        _("Lesson Study cycles completed"),
        _("Action Research started"),
        _("Action Research completed"),
        _("Reports produced"),
        _("Ready to publish"),
    ]


@dataclass
class MentoringRow:
    project: str
    year: int
    mentor: str
    mentee: str
    kind: str
    sessions: int
    last_session: str


def mentoring_rows(*, user: User | AnonymousUser, year: int | None = None) -> list[MentoringRow]:
    """Mentoring sessions per link of the projects the user reports on (schools, no people)."""
    links = (
        MentoringLink.objects.filter(project__in=projects_for_reports(user))
        .select_related("project", "hub_link__mentor", "hub_link__mentee")
        .annotate(n=Count("sessions"), last=Max("sessions__held_on"))
        .order_by("project__code", "hub_link__year", "hub_link__mentor__name", "pk")
    )
    if year is not None:
        links = links.filter(hub_link__year=year)
    return [
        MentoringRow(
            project=str(link.project.name),
            year=link.hub_link.year,
            mentor=str(link.hub_link.mentor.name),
            mentee=str(link.hub_link.mentee.name),
            kind=str(link.hub_link.get_kind_display()),
            sessions=int(link.n),
            last_session=link.last.isoformat() if link.last else "",
        )
        for link in links
    ]


def mentoring_headers() -> list[str]:
    return [
        _("Project"),
        _("Year"),
        _("Mentor school"),
        _("Mentee school"),
        _("Kind"),
        _("Mentoring sessions"),
        _("Last session"),
    ]


def project_rows_xlsx(rows: list[Row], mentoring: list[MentoringRow] | None = None) -> bytes:
    buffer = io.BytesIO()
    book = text_workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("Projects")[:31])
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for col, title in enumerate(headers()):
        sheet.write(0, col, title, bold)
    for line, row in enumerate(rows, start=1):
        values = [row.project, row.kind, row.branch, row.year] + [getattr(row, n) for n in NUMBERS]
        for col, value in enumerate(values):
            sheet.write(line, col, value)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 2, 22)
    sheet.set_column(3, 11, 14)
    sheet.freeze_panes(1, 0)
    links = book.add_worksheet(_("Mentoring")[:31])
    for col, title in enumerate(mentoring_headers()):
        links.write(0, col, title, bold)
    for line, m in enumerate(mentoring or [], start=1):
        cells: list[Any] = [
            m.project,
            m.year,
            m.mentor,
            m.mentee,
            m.kind,
            m.sessions,
            m.last_session,
        ]
        for col, value in enumerate(cells):
            links.write(line, col, value)
    links.set_column(0, 0, 40)
    links.set_column(2, 3, 36)
    links.set_column(4, 6, 18)
    links.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
