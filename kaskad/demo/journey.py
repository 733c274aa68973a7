"""A demo year of training, made through the same services as real work: cohorts with an
accredited trainer, enrolments and attendance, then (in `assessment_stage`) portfolios,
plagiarism checks, allocation, marking, certification and certificates.

So that after `make run` every role finds something to do: the coordinator a finished cohort
and an open one, the trainer their roster, the teacher a course to enrol in, a draft to submit
and a certificate to verify, the assessor a queue, the officer a report.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.translation import ngettext

from kaskad.accounts.models import User
from kaskad.cascade.models import Accreditation, TrainerLevel
from kaskad.catalogue.models import ProgrammeVersion, VersionStatus
from kaskad.delivery.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus
from kaskad.delivery.services import (
    CohortData,
    SessionData,
    attendance_save,
    cohort_create,
    cohort_set_status,
    enrolment_request,
    session_add,
    trainer_assign,
)
from kaskad.registry.models import Branch, Employment, Person

# Programmes of the seeded catalogue used by the demo, by code: assessed by portfolio.
FINISHED_PROGRAMME = "EL"
RUNNING_PROGRAMME = "TLS"
OPEN_PROGRAMMES = ("TLC", "DRAT-MATH")
DEMO_BRANCH = "AST"
PARTICIPANTS = 16


@dataclass
class DemoCohorts:
    finished: Cohort | None = None
    running: Cohort | None = None
    open: list[Cohort] = field(default_factory=list)


def _admin() -> User | None:
    return (
        User.objects.filter(username="admin").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )


def _version(code: str) -> ProgrammeVersion | None:
    return (
        ProgrammeVersion.objects.filter(programme__code=code, status=VersionStatus.APPROVED)
        .order_by("-number")
        .first()
    )


def _accredit(person: Person, version: ProgrammeVersion, *, on: date) -> None:
    Accreditation.objects.get_or_create(
        person=person,
        programme=version.programme,
        defaults={
            "level": TrainerLevel.NATIONAL,
            "valid_from": on - timedelta(days=400),
            "valid_until": on + timedelta(days=700),
        },
    )


def _teachers(branch: Branch, *, exclude: set[int], count: int) -> list[Person]:
    """Teachers in schools of the branch, in a fixed order."""
    ids = (
        Employment.objects.filter(
            organisation__area__branch=branch,
            ended_on__isnull=True,
            position="teacher",
        )
        .exclude(person_id__in=exclude)
        .order_by("person__iin")
        .values_list("person_id", flat=True)[: count * 2]
    )
    people = list(Person.objects.filter(pk__in=list(ids)).order_by("iin"))
    return people[:count]


def _cohort(
    version: ProgrammeVersion,
    branch: Branch,
    *,
    starts_on: date,
    days: int,
    language: str,
    capacity: int,
    by: User,
) -> Cohort:
    fmt = "classroom" if "classroom" in version.formats else version.formats[0]
    return cohort_create(
        data=CohortData(
            version=version,
            branch=branch,
            format=fmt,
            language=language if language in version.languages else version.languages[0],
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=days),
            capacity=capacity,
        ),
        by=by,
    )


def _sessions(cohort: Cohort, *, count: int, by: User) -> None:
    span = (cohort.ends_on - cohort.starts_on).days
    for index in range(count):
        day = cohort.starts_on + timedelta(
            days=min(span, index * max(1, span // max(1, count - 1)))
        )
        session_add(
            cohort=cohort,
            data=SessionData(
                date=day,
                starts_at=time(9, 0),
                ends_at=time(15, 0),
                hours=Decimal("6"),
                place="Astana, Mangilik Yel 8, room 204",
            ),
            by=by,
        )


def delivery_stage(*, today: date | None = None, seed: int = 7) -> DemoCohorts:
    """Cohorts of the demo branch. Idempotent: does nothing once the demo cohorts exist."""
    result = DemoCohorts()
    today = today or date.today()
    admin = _admin()
    branch = Branch.objects.filter(code=DEMO_BRANCH).first()
    finished_version = _version(FINISHED_PROGRAMME)
    running_version = _version(RUNNING_PROGRAMME)
    if admin is None or branch is None or finished_version is None or running_version is None:
        return result
    if Cohort.objects.filter(branch=branch).exists():
        return result
    rng = random.Random(seed)
    users = {u.username: u for u in User.objects.filter(username__in=["teacher", "trainer"])}
    teacher = users.get("teacher")
    trainer = users.get("trainer")
    demo_teacher = teacher.person if teacher else None
    with transaction.atomic():
        # Finished five weeks ago: its portfolios are being assessed now.
        finished = _cohort(
            finished_version,
            branch,
            starts_on=today - timedelta(days=49),
            days=12,
            language="ru",
            capacity=25,
            by=admin,
        )
        running = _cohort(
            running_version,
            branch,
            starts_on=today - timedelta(days=6),
            days=20,
            language="kk",
            capacity=20,
            by=admin,
        )
        for cohort in (finished, running):
            if trainer and trainer.person:
                _accredit(trainer.person, cohort.version, on=cohort.starts_on)
                trainer_assign(cohort=cohort, person=trainer.person, by=admin)
            _sessions(cohort, count=3, by=admin)
            cohort_set_status(cohort=cohort, status=CohortStatus.OPEN, by=admin)

        exclude = {p.pk for p in (demo_teacher, trainer.person if trainer else None) if p}
        people = _teachers(branch, exclude=exclude, count=PARTICIPANTS * 2)
        first, second = people[:PARTICIPANTS], people[PARTICIPANTS:]
        if demo_teacher:
            first = [demo_teacher, *first[:-1]]
            second = [demo_teacher, *second[: PARTICIPANTS // 2]]
        else:
            second = second[: PARTICIPANTS // 2]
        for cohort, group in ((finished, first), (running, second)):
            for person in group:
                enrolment_request(cohort=cohort, person=person, by=admin, source="demo")
            cohort_set_status(cohort=cohort, status=CohortStatus.RUNNING, by=admin)

        # Attendance of the finished cohort: nearly everyone present; one participant missed
        # two of three days and will not complete.
        enrolments = list(
            Enrolment.objects.filter(cohort=finished, status=EnrolmentStatus.ENROLLED).order_by(
                "pk"
            )
        )
        truant = enrolments[-1].pk if enrolments else None
        finished = Cohort.objects.get(pk=finished.pk)
        running = Cohort.objects.get(pk=running.pk)
        for index, session in enumerate(finished.sessions.order_by("date")):
            marks = {}
            for enrolment in enrolments:
                if enrolment.pk == truant and index > 0:
                    marks[enrolment.pk] = "absent"
                elif rng.random() < 0.05:
                    marks[enrolment.pk] = "excused"
                else:
                    marks[enrolment.pk] = "present"
            attendance_save(session=session, marks=marks, by=admin)
        finished = cohort_set_status(cohort=finished, status=CohortStatus.FINISHED, by=admin)
        first_session = running.sessions.order_by("date").first()
        if first_session is not None:
            attendance_save(
                session=first_session,
                marks={
                    e.pk: "present"
                    for e in Enrolment.objects.filter(
                        cohort=running, status=EnrolmentStatus.ENROLLED
                    )
                },
                by=admin,
            )

        # Open for enrolment next month, in two branches' languages.
        opened = []
        for offset, code in enumerate(OPEN_PROGRAMMES):
            version = _version(code)
            if version is None:
                continue
            cohort = _cohort(
                version,
                branch,
                starts_on=today + timedelta(days=30 + 14 * offset),
                days=10,
                language="kk" if offset == 0 else "ru",
                capacity=25,
                by=admin,
            )
            if trainer and trainer.person:
                _accredit(trainer.person, version, on=cohort.starts_on)
                trainer_assign(cohort=cohort, person=trainer.person, by=admin)
            _sessions(cohort, count=2, by=admin)
            opened.append(cohort_set_status(cohort=cohort, status=CohortStatus.OPEN, by=admin))
    result.finished = finished
    result.running = Cohort.objects.get(pk=running.pk)
    result.open = opened
    return result


def seed_journey(*, today: date | None = None) -> list[str]:
    """Everything the demo shows beyond the registry and the catalogue; returns what was made,
    as short phrases in the current language (empty when it was all there already)."""
    cohorts = delivery_stage(today=today)
    made: list[str] = []
    count = (1 if cohorts.finished else 0) + (1 if cohorts.running else 0) + len(cohorts.open)
    if count:
        made.append(ngettext("%(n)s cohort", "%(n)s cohorts", count) % {"n": count})
    return made
