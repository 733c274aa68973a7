"""Who may see and change what in a project (reading is scoped by the selectors)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaskad.core.roles import Role
from kaskad.core.scope import scope_of
from kaskad.projects.models import (
    ActionResearch,
    LessonStudyGroup,
    MentoringLink,
    Project,
    ProjectStaff,
    StaffRole,
    TeamMember,
)

if TYPE_CHECKING:
    from kaskad.accounts.models import User


def manages_project(user: User, project: Project) -> bool:
    """National administrators and the coordinators of the project's branch."""
    scope = scope_of(user)
    if scope.has(Role.NATIONAL_ADMIN):
        return True
    return scope.has(Role.BRANCH_COORDINATOR) and project.branch_id in scope.branch_ids


def may_create_projects(user: User) -> bool:
    return scope_of(user).has(Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR)


def staff_role(user: User, project: Project) -> set[str]:
    person_id = scope_of(user).person_id
    if person_id is None:
        return set()
    return set(
        ProjectStaff.objects.filter(project=project, person_id=person_id).values_list(
            "role", flat=True
        )
    )


def works_on_lesson_study(user: User, group: LessonStudyGroup) -> bool:
    """The group's teachers, the project's trainers and mentors, and its managers."""
    person_id = scope_of(user).person_id
    if person_id is not None and group.members.filter(pk=person_id).exists():
        return True
    return bool(staff_role(user, group.project)) or manages_project(user, group.project)


def team_member_of(user: User, research: ActionResearch) -> bool:
    person_id = scope_of(user).person_id
    return (
        person_id is not None
        and TeamMember.objects.filter(school_id=research.school_id, person_id=person_id).exists()
    )


def comments_on(user: User, research: ActionResearch) -> bool:
    """Mentors and trainers of the project (and its managers) comment on a team's entries."""
    project = research.school.project
    roles = staff_role(user, project)
    return StaffRole.MENTOR in roles or StaffRole.TRAINER in roles or manages_project(user, project)


def mentor_school_person(user: User, link: MentoringLink) -> bool:
    """Someone who works at the link's mentor school (main job or a second one)."""
    from kaskad.registry.models import Employment, Person

    person_id = scope_of(user).person_id
    if person_id is None:
        return False
    mentor_id = link.hub_link.mentor_id
    return (
        Person.objects.filter(pk=person_id, current_organisation_id=mentor_id).exists()
        or Employment.objects.filter(
            person_id=person_id, organisation_id=mentor_id, ended_on__isnull=True
        ).exists()
    )


def logs_mentoring(user: User, link: MentoringLink) -> bool:
    """The mentor school's people, the project's mentors, and its managers keep the log."""
    return (
        mentor_school_person(user, link)
        or StaffRole.MENTOR in staff_role(user, link.project)
        or manages_project(user, link.project)
    )
