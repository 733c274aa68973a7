"""Reads of projects. Every list starts from `project_list_visible_to(user)`: a project is
visible to its members (team members, Lesson Study teachers), its trainers and mentors, and the
staff of its branch (coordinators; national administrators see all). Anything
else is exactly like not existing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from kaskad.core.errors import NotFoundError
from kaskad.core.roles import Role
from kaskad.core.scope import scope_of
from kaskad.projects.models import (
    ActionResearch,
    LessonStudyGroup,
    MentoringLink,
    Project,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kaskad.accounts.models import User


def project_list_visible_to(user: User | AnonymousUser) -> QuerySet[Project]:
    scope = scope_of(user)
    qs = Project.objects.select_related("branch")
    if scope.has(Role.NATIONAL_ADMIN):
        return qs
    condition = Q(pk__in=[])
    if scope.has(Role.BRANCH_COORDINATOR) and scope.branch_ids:
        condition |= Q(branch_id__in=scope.branch_ids)
    if scope.person_id is not None:
        pid = scope.person_id
        condition |= (
            Q(staff__person_id=pid)
            | Q(schools__team__person_id=pid)
            | Q(lesson_studies__members__pk=pid)
        )
    return qs.filter(condition).distinct()


def _not_found() -> NotFoundError:
    from django.utils.translation import gettext

    return NotFoundError("not_found", gettext("Not found."))


def project_get(*, user: User | AnonymousUser, code: str) -> Project:
    project = project_list_visible_to(user).filter(code=code).first()
    if project is None:
        raise _not_found()
    return project


def lesson_study_get(*, user: User | AnonymousUser, pk: int) -> LessonStudyGroup:
    group = (
        LessonStudyGroup.objects.select_related("project", "project__branch")
        .filter(pk=pk, project__in=project_list_visible_to(user))
        .first()
    )
    if group is None:
        raise _not_found()
    return group


def action_research_get(*, user: User | AnonymousUser, pk: int) -> ActionResearch:
    research = (
        ActionResearch.objects.select_related(
            "school", "school__organisation", "school__project", "school__project__branch"
        )
        .filter(pk=pk, school__project__in=project_list_visible_to(user))
        .first()
    )
    if research is None:
        raise _not_found()
    return research


def mentoring_link_get(*, user: User | AnonymousUser, pk: int) -> MentoringLink:
    link = (
        MentoringLink.objects.select_related(
            "project",
            "project__branch",
            "hub_link",
            "hub_link__mentor",
            "hub_link__mentee",
        )
        .filter(pk=pk, project__in=project_list_visible_to(user))
        .first()
    )
    if link is None:
        raise _not_found()
    return link
