"""Test data for projects, through the services so the rules apply.

world = make_world()   # a project in Astana with one school, its team, a mentor, a group
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.projects.models import ActionResearch, LessonStudyGroup, Project, ProjectSchool
from kaskad.projects.services import (
    ProjectData,
    action_research_start,
    lesson_study_start,
    project_create,
    school_join,
    staff_add,
    team_member_add,
)
from kaskad.registry.models import Person
from kaskad.registry.tests.factories import branch, make_organisation, make_person


def national_admin() -> User:
    return make_user(roles=[(Role.NATIONAL_ADMIN, None)])


def coordinator(code: str = "AST") -> User:
    return make_user(roles=[(Role.BRANCH_COORDINATOR, branch(code))])


def person_user(person: Person) -> User:
    return make_user(roles=[(Role.TEACHER, None)], person=person)


def make_project(
    *, by: User | None = None, code: str = "share", branch_code: str = "AST"
) -> Project:
    return project_create(
        data=ProjectData(
            code=code,
            name_kk="NIS/SHARE жобасы",
            name_ru="Проект NIS/SHARE",
            name_en="NIS/SHARE project",
            kind="action_research",
            first_year=2024,
            last_year=2026,
            branch=branch(branch_code),
        ),
        by=by or national_admin(),
    )


@dataclass
class World:
    admin: User
    project: Project
    school: ProjectSchool
    teachers: list[Person] = field(default_factory=list)
    mentor: Person | None = None
    group: LessonStudyGroup | None = None


def make_world() -> World:
    admin = national_admin()
    project = make_project(by=admin)
    organisation = make_organisation(name="№ 37 мектеп-лицей")
    school = school_join(project=project, organisation=organisation, year=2024, by=admin)
    teachers = [make_person(organisation=organisation) for _ in range(4)]
    roles = ["principal", "senior_leader", "coordinator", "teacher"]
    for person, role in zip(teachers, roles, strict=True):
        team_member_add(school=school, person=person, role=role, by=admin)
    mentor = make_person()
    staff_add(project=project, person=mentor, role="mentor", by=admin)
    group = lesson_study_start(
        project=project,
        name="Математика 5",
        focus="Бөлшектерді 5-сыныпқа түсіндіру",
        research_question="Модельдер бөлшектерді түсінуге көмектесе ме?",
        members=teachers[1:4],
        by=admin,
    )
    return World(admin, project, school, teachers, mentor, group)


def make_research(world: World) -> ActionResearch:
    return action_research_start(school=world.school, title="Кері байланыс", by=world.admin)


CONSENT = date(2024, 9, 10)
