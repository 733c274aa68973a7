"""Test data for delivery: cohorts, sessions and enrolments through the delivery services, so
the rules apply. Programme versions and accreditations come from the catalogue's and the
cascade's factories (re-exported here for the tests of the apps above delivery).

    version = make_version(formats=["classroom", "online"], capacity...)
    admin = national_admin()
    cohort = make_cohort(version=version, branch=branch("ALA"), capacity=2, status="open")
    trainer = make_trainer(programme=version.programme)
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.cascade.tests.factories import accredit
from kaskad.catalogue.models import Programme, ProgrammeVersion
from kaskad.catalogue.tests.factories import make_bare_programme, make_version
from kaskad.delivery.models import Cohort, CohortStatus, Session
from kaskad.delivery.services.cohorts import CohortData, cohort_create, cohort_set_status
from kaskad.delivery.services.sessions import SessionData, session_add
from kaskad.registry.models import Branch, Person
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

START = date(2026, 3, 2)


def national_admin() -> User:
    return make_user(roles=[(Role.NATIONAL_ADMIN, None)])


def coordinator_of(branch_code: str) -> User:
    return make_user(roles=[(Role.BRANCH_COORDINATOR, branch(branch_code))])


def make_cohort(
    *,
    version: ProgrammeVersion | None = None,
    branch_obj: Branch | None = None,
    format: str = "classroom",
    language: str = "kk",
    capacity: int | None = 25,
    starts_on: date = START,
    ends_on: date | None = None,
    status: str = CohortStatus.PLANNED,
    by: Any = None,
    code: str = "",
) -> Cohort:
    version = version or make_version()
    by = by or national_admin()
    cohort = cohort_create(
        data=CohortData(
            version=version,
            branch=branch_obj or branch("ALA"),
            format=format,
            language=language,
            starts_on=starts_on,
            ends_on=ends_on or starts_on + timedelta(days=11),
            capacity=None if format == "self_paced" else capacity,
            code=code,
        ),
        by=by,
    )
    path: list[str] = ["open", "running", "finished", "closed"]
    for step in path[: path.index(status) + 1] if status != CohortStatus.PLANNED else []:
        cohort = cohort_set_status(cohort=cohort, status=step, by=by)
    return Cohort.objects.select_related("version", "version__programme", "branch").get(
        pk=cohort.pk
    )


def add_session(
    cohort: Cohort, *, day: int = 0, hours: str = "6", by: Any = None, **extra: Any
) -> Session:
    place = extra.pop("place", "Room 101" if cohort.format in ("classroom", "blended") else "")
    link = extra.pop(
        "online_link", "https://meet.example.kz/room" if cohort.format != "classroom" else ""
    )
    return session_add(
        cohort=cohort,
        data=SessionData(
            date=cohort.starts_on + timedelta(days=day),
            starts_at=time(9, 0),
            ends_at=time(15, 0),
            hours=Decimal(hours),
            place=place,
            online_link=link,
        ),
        by=by or national_admin(),
    )


def make_teacher(
    *, branch_code: str = "ALA", position: str = "teacher", level: str = "primary", **extra: Any
) -> Person:
    school = extra.pop("organisation", None) or make_organisation(area=area_of(branch_code))
    return make_person(organisation=school, position=position, level=level, **extra)


def teacher_user(person: Person) -> User:
    return make_user(roles=[(Role.TEACHER, None)], person=person)


def make_trainer(*, programme: Programme, branch_code: str = "ALA") -> tuple[Person, User]:
    person = make_teacher(branch_code=branch_code, position="trainer")
    accredit(person, programme)
    return person, make_user(roles=[(Role.TRAINER, None)], person=person)


# The catalogue's and the cascade's builders, for the tests that import them from here.
__all__ = [
    "START",
    "accredit",
    "add_session",
    "coordinator_of",
    "make_bare_programme",
    "make_cohort",
    "make_teacher",
    "make_trainer",
    "make_version",
    "national_admin",
    "teacher_user",
]
