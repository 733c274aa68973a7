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
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import ngettext

from kaskad.accounts.demo import DEMO_PASSWORD
from kaskad.accounts.models import Role, User
from kaskad.accounts.services import user_create
from kaskad.assessment.allocation.services import accreditation_save, allocate_submitted
from kaskad.assessment.marking.services import assignment_mark
from kaskad.assessment.models import AssessorAccreditation, Assignment, AssignmentStatus, Portfolio
from kaskad.assessment.portfolios.services import (
    draft_feedback_add,
    portfolio_file_add,
    portfolio_for_enrolment,
    portfolio_submit,
    publish_consent_set,
)
from kaskad.assessment.publishing.services import portfolio_publish
from kaskad.assessment.rubrics.services import seed_rubrics
from kaskad.cascade.models import Accreditation, TrainerLevel
from kaskad.cascade.services import accreditation_grant
from kaskad.catalogue.models import ProgrammeVersion, VersionStatus
from kaskad.certificates.services import certificate_issue
from kaskad.delivery.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus
from kaskad.delivery.services.attendance import attendance_save
from kaskad.delivery.services.cohorts import CohortData, cohort_create, cohort_set_status
from kaskad.delivery.services.enrolment import enrolment_request
from kaskad.delivery.services.sessions import SessionData, session_add
from kaskad.delivery.services.trainers import trainer_assign
from kaskad.demo.learning import seed_learning
from kaskad.demo.library import seed_library
from kaskad.demo.monitoring import seed_monitoring
from kaskad.demo.observations import seed_observations
from kaskad.demo.portfolio_texts import TEMPLATE_RU, copied_text, portfolio_text
from kaskad.demo.projects import seed_projects
from kaskad.demo.reports import seed_reports
from kaskad.demo.surveys import seed_surveys
from kaskad.plagiarism.models import ProgrammeTemplate
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


def _accredit(person: Person, version: ProgrammeVersion, *, on: date, by: User) -> None:
    if Accreditation.objects.filter(person=person, programme=version.programme).exists():
        return
    accreditation_grant(
        person=person,
        programme=version.programme,
        level=TrainerLevel.NATIONAL,
        valid_from=on - timedelta(days=400),
        valid_until=on + timedelta(days=700),
        by=by,
        source="demo",
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
    today = today or timezone.localdate()
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
        # Finished ten days ago: its portfolios are being submitted and assessed now.
        finished = _cohort(
            finished_version,
            branch,
            starts_on=today - timedelta(days=22),
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
                _accredit(trainer.person, cohort.version, on=cohort.starts_on, by=admin)
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
                _accredit(trainer.person, version, on=cohort.starts_on, by=admin)
                trainer_assign(cohort=cohort, person=trainer.person, by=admin)
            _sessions(cohort, count=2, by=admin)
            opened.append(cohort_set_status(cohort=cohort, status=CohortStatus.OPEN, by=admin))
    result.finished = finished
    result.running = Cohort.objects.get(pk=running.pk)
    result.open = opened
    return result


@dataclass
class DemoAssessment:
    portfolios: int = 0
    certified: int = 0
    certificates: int = 0


IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}
EXTRA_ASSESSORS = ("SHY", "ALA", "KOK")  # branches the other demo assessors work in


def _assessor_users(programmes: list[Any], *, admin: User) -> list[User]:
    """The demo assessor plus three colleagues in other branches (the first a moderator),
    accredited for the demo programmes."""
    users: list[User] = []
    demo = User.objects.filter(username="assessor").select_related("person").first()
    if demo and demo.person:
        users.append(demo)
    for number, code in enumerate(EXTRA_ASSESSORS, start=2):
        username = f"assessor{number}"
        user = User.objects.filter(username=username).first()
        if user is None:
            branch = Branch.objects.filter(code=code).first()
            taken = set(
                User.objects.filter(person__isnull=False).values_list("person_id", flat=True)
            )
            people = _teachers(branch, exclude=taken, count=1) if branch else []
            if not people:
                continue
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                roles=[(Role.ASSESSOR, None)],
                person=people[0],
                first_name=people[0].given_name,
                last_name=people[0].surname,
            )
        users.append(user)
    until = timezone.localdate() + timedelta(days=730)
    for index, user in enumerate(users):
        person = user.person
        assert person is not None  # every user above was chosen with a person
        for programme in programmes:
            if AssessorAccreditation.objects.filter(person=person, programme=programme).exists():
                continue
            accreditation_save(
                person=person,
                programme=programme,
                capacity=30,
                is_moderator=index == 1,
                valid_until=until,
                by=admin,
            )
    return users


def _upload(text: str, name: str) -> Any:

    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def _mark_all(task: Any, *, user: User, level: int) -> None:

    criteria = task.portfolio.rubric.criteria.all()
    comments = [
        "Цели обучения сформулированы ясно и связаны с учебной программой.",
        "Приёмы оценивания подобраны к целям, дескрипторы понятны ученикам.",
        "Рефлексия опирается на наблюдения за конкретными учениками.",
        "Влияние на обучение показано на данных, но выборка небольшая.",
    ]
    marks = {
        criterion.pk: (level, comments[index % len(comments)])
        for index, criterion in enumerate(criteria)
    }
    assignment_mark(
        assignment=task,
        marks=marks,
        comment="Портфолио выполнено самостоятельно и последовательно.",
        by=user,
    )


def assessment_stage(cohorts: DemoCohorts, *, seed: int = 11) -> DemoAssessment:
    """Portfolios of the finished cohort submitted, checked, allocated and (except the demo
    assessor's own queue) marked; certificates for the certified; a draft in the running
    cohort for the demo teacher to finish."""

    result = DemoAssessment()
    admin = _admin()
    finished, running = cohorts.finished, cohorts.running
    if admin is None or finished is None:
        return result
    rng = random.Random(seed)
    seed_rubrics(by=admin)
    programmes = [finished.version.programme]
    if running is not None:
        programmes.append(running.version.programme)
    for programme in programmes:
        ProgrammeTemplate.objects.get_or_create(
            programme=programme,
            title="Шаблон портфолио слушателя",
            defaults={"text": TEMPLATE_RU},
        )
    assessors = _assessor_users(programmes, admin=admin)
    demo_assessor = assessors[0] if assessors and assessors[0].username == "assessor" else None
    teacher = User.objects.filter(username="teacher").first()

    enrolments = list(finished.enrolments.order_by("pk"))[:12]
    texts: dict[int, str] = {}
    portfolios = []
    for index, enrolment in enumerate(enrolments):
        portfolio = portfolio_for_enrolment(enrolment=enrolment, by=admin)
        # The fifth participant copies the fourth's lessons word for word.
        text = (
            copied_text(rng, texts[enrolments[3].pk])
            if index == 4
            else portfolio_text(rng, grade=7 if enrolment.person_id == _pid(teacher) else None)
        )
        texts[enrolment.pk] = text
        portfolio_file_add(portfolio=portfolio, upload=_upload(text, "portfolio.txt"), by=admin)
        # The plagiarism check that submission queues runs here and now, so the demo starts
        # settled and the worker finds nothing left over from it.
        with override_settings(TASKS=IMMEDIATE_TASKS):
            portfolios.append(portfolio_submit(portfolio=portfolio, by=admin))
    allocate_submitted(by=admin)
    result.portfolios = len(portfolios)

    # Everyone but the demo assessor marks their tasks (second markings and moderation that
    # follow too); the demo assessor marks the demo teacher's, which is rated good.
    users = {u.person_id: u for u in assessors}
    for _round in range(4):
        tasks = list(
            Assignment.objects.filter(
                portfolio__in=portfolios, status=AssignmentStatus.ALLOCATED
            ).select_related("portfolio__rubric", "portfolio__enrolment")
        )
        todo = [
            t
            for t in tasks
            if demo_assessor is None
            or t.assessor_id != demo_assessor.person_id
            or t.portfolio.enrolment.person_id == _pid(teacher)
        ]
        if not todo:
            break
        for task in todo:
            own = task.portfolio.enrolment.person_id == _pid(teacher)
            level = 3 if own else (1 if task.portfolio_id == portfolios[-1].pk else 2)
            _mark_all(task, user=users[task.assessor_id], level=level)
    result.certified = Portfolio.objects.filter(
        pk__in=[p.pk for p in portfolios], status="certified"
    ).count()

    if teacher is not None and teacher.person_id is not None:
        certified = Portfolio.objects.filter(
            enrolment__person_id=teacher.person_id, status="certified"
        )
        for portfolio in certified:
            publish_consent_set(portfolio=portfolio, consent=True, by=teacher)
            _publish(portfolio, by=admin)
        result.certificates = _certificates(portfolios, by=admin)
        # A draft in the running cohort, with the trainer's first comment.
        trainer = User.objects.filter(username="trainer").first()
        current = (
            running.enrolments.filter(person_id=teacher.person_id).first() if running else None
        )
        if current is not None:
            draft = portfolio_for_enrolment(enrolment=current, by=teacher)
            portfolio_file_add(
                portfolio=draft,
                upload=_upload(portfolio_text(rng, grade=8), "черновик.txt"),
                by=teacher,
            )
            if trainer is not None:
                draft_feedback_add(
                    portfolio=draft,
                    text="Хорошее начало. Добавьте, пожалуйста, критерии оценивания к уроку 2.",
                    by=trainer,
                )
    return result


def _pid(user: User | None) -> int | None:
    return user.person_id if user else None


def _publish(portfolio: Any, *, by: User) -> None:

    portfolio.refresh_from_db()
    if portfolio.rating == "good" and portfolio.published_at is None:
        portfolio_publish(portfolio=portfolio, by=by)


def _certificates(portfolios: list[Any], *, by: User) -> int:
    """Certificates for the certified portfolios."""

    issued = 0
    for portfolio in Portfolio.objects.filter(
        pk__in=[p.pk for p in portfolios], status="certified", certificates__isnull=True
    ):
        certificate_issue(portfolio=portfolio, by=by)
        issued += 1
    return issued


def seed_journey(*, today: date | None = None) -> list[str]:
    """Everything the demo shows beyond the registry and the catalogue; returns what was made,
    as short phrases in the current language (empty when it was all there already)."""
    cohorts = delivery_stage(today=today)
    made: list[str] = []
    count = (1 if cohorts.finished else 0) + (1 if cohorts.running else 0) + len(cohorts.open)
    if not count:
        return made
    made.append(ngettext("%(n)s cohort", "%(n)s cohorts", count) % {"n": count})
    assessment = assessment_stage(cohorts)
    if assessment.portfolios:
        made.append(
            ngettext("%(n)s portfolio", "%(n)s portfolios", assessment.portfolios)
            % {"n": assessment.portfolios}
        )
        made.append(
            ngettext("%(n)s certified", "%(n)s certified", assessment.certified)
            % {"n": assessment.certified}
        )
    if assessment.certificates:
        made.append(
            ngettext("%(n)s certificate", "%(n)s certificates", assessment.certificates)
            % {"n": assessment.certificates}
        )
    made.extend(seed_monitoring())
    made.extend(seed_surveys(cohorts=cohorts))
    made.extend(seed_learning())
    made.extend(seed_library())
    made.extend(seed_projects(today=today))
    seed_reports()
    made.extend(seed_observations(today=today))
    return made
