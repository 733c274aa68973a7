"""Test data for assessment. Rubrics, assessors and portfolios are made directly with their
models (the state a test starts from); what a test checks goes through the services.

    version = make_version()                      # delivery factories
    rubric = make_rubric(version=version)         # 4 criteria, levels 1..3
    cohort = make_cohort(version=version, status="finished")
    portfolio = make_portfolio(cohort=cohort, status="submitted", text="...")
    assessor, assessor_user = make_assessor(programme=version.programme, branch_code="AST")
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import (
    AssessorAccreditation,
    Assignment,
    AssignmentRole,
    Criterion,
    CriterionLevel,
    FileKind,
    Portfolio,
    PortfolioFile,
    PortfolioStatus,
    Rubric,
)
from kaskad.catalogue.models import Programme, ProgrammeVersion
from kaskad.delivery.models import Cohort, Enrolment
from kaskad.delivery.services import enrolment_request
from kaskad.delivery.tests.factories import (
    make_cohort,
    make_teacher,
    make_version,
    national_admin,
)
from kaskad.registry.models import Person

_numbers = itertools.count(1)

CRITERIA = [
    ("Planning of the lesson series", "Сабақтар топтамасын жоспарлау", "Планирование серии уроков"),
    ("Use of assessment for learning", "Оқу үшін бағалауды қолдану", "Оценивание для обучения"),
    ("Reflection on practice", "Тәжірибеге рефлексия", "Рефлексия практики"),
    ("Impact on pupils' learning", "Оқушылардың оқуына әсері", "Влияние на обучение учащихся"),
]
LEVELS = {1: "does not meet the standard", 2: "meets the standard", 3: "exceeds the standard"}


def make_rubric(*, version: ProgrammeVersion, criteria: int = 4, **policy: Any) -> Rubric:
    rubric = Rubric.objects.create(version=version, **policy)
    for order, (en, kk, ru) in enumerate(CRITERIA[:criteria], start=1):
        criterion = Criterion.objects.create(
            rubric=rubric, order=order, title=en, title_en=en, title_kk=kk, title_ru=ru
        )
        for level, text in LEVELS.items():
            CriterionLevel.objects.create(
                criterion=criterion, level=level, descriptor=text, descriptor_en=text
            )
    return rubric


def make_assessor(
    *,
    programme: Programme,
    branch_code: str = "AST",
    capacity: int = 50,
    moderator: bool = False,
    person: Person | None = None,
) -> tuple[Person, User]:
    person = person or make_teacher(branch_code=branch_code, position="methodologist")
    AssessorAccreditation.objects.create(
        person=person,
        programme=programme,
        capacity=capacity,
        is_moderator=moderator,
        valid_until=timezone.localdate() + timedelta(days=365),
    )
    user = getattr(person, "user", None) or make_user(roles=[(Role.ASSESSOR, None)], person=person)
    return person, user


def enrol(cohort: Cohort, person: Person | None = None) -> Enrolment:
    person = person or make_teacher(branch_code=cohort.branch.code)
    return enrolment_request(cohort=cohort, person=person, by=national_admin())


def make_portfolio(
    *,
    cohort: Cohort | None = None,
    enrolment: Enrolment | None = None,
    rubric: Rubric | None = None,
    status: str = PortfolioStatus.DRAFT,
    text: str = "",
    attempt: int = 1,
    plagiarism_status: str = "not_checked",
) -> Portfolio:
    """A portfolio with one TXT file holding `text` (a default text if empty)."""
    if enrolment is None:
        if cohort is None:
            cohort = make_cohort(status="open")
        enrolment = enrol(cohort)
    cohort = enrolment.cohort
    rubric = rubric or Rubric.objects.filter(version=cohort.version).first()
    if rubric is None:
        rubric = make_rubric(version=cohort.version)
    now = timezone.now()
    portfolio = Portfolio.objects.create(
        enrolment=enrolment,
        rubric=rubric,
        attempt=attempt,
        status=status,
        deadline=now + timedelta(days=rubric.submission_days),
        submitted_at=None if status == PortfolioStatus.DRAFT else now,
        programme_id=cohort.version.programme_id,
        branch_id=cohort.branch_id,
        plagiarism_status=plagiarism_status,
    )
    body = text or f"Portfolio {next(_numbers)}: a series of lessons on fractions, with reflection."
    data = body.encode()
    PortfolioFile.objects.create(
        portfolio=portfolio,
        attempt=attempt,
        original_name="portfolio.txt",
        kind=FileKind.TXT,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        stored=ContentFile(data, name="portfolio.txt"),
        text=body,
    )
    return portfolio


# --- Marking and certification ------------------------------------------------------------
# A portfolio in assessment with its first assignment, assessors and moderators, and marks:
#
#     world = marking_world(percent=0)
#     first = give_task(world.portfolio, world.assessors[0])
#     assignment_mark(assignment=first, marks=marks_for(world.rubric, [2, 2, 3, 2]), ...)


@dataclass
class World:
    rubric: Rubric
    cohort: Cohort
    portfolio: Portfolio
    assessors: list[tuple[Person, User]]
    moderators: list[tuple[Person, User]]


def marking_world(
    *,
    percent: int = 0,
    assessors: int = 4,
    moderators: int = 2,
    plagiarism_status: str = "clear",
    status: str = PortfolioStatus.IN_ASSESSMENT,
) -> World:
    version = make_version()
    rubric = make_rubric(version=version, second_marking_percent=percent)
    cohort = make_cohort(version=version, status="open")
    portfolio = make_portfolio(
        cohort=cohort, rubric=rubric, status=status, plagiarism_status=plagiarism_status
    )
    # Assessors work in another branch: no conflict of interest with the participant.
    people = [
        make_assessor(programme=version.programme, branch_code="AST") for _ in range(assessors)
    ]
    mods = [
        make_assessor(programme=version.programme, branch_code="AST", moderator=True)
        for _ in range(moderators)
    ]
    return World(rubric, cohort, portfolio, people, mods)


def give_task(
    portfolio: Portfolio,
    assessor: tuple[Person, User] | Person,
    *,
    role: str = AssignmentRole.FIRST,
    attempt: int | None = None,
) -> Assignment:
    """An allocated task, made directly (the state a test starts from)."""
    person = assessor[0] if isinstance(assessor, tuple) else assessor
    now = timezone.now()
    return Assignment.objects.create(
        portfolio=portfolio,
        attempt=attempt or portfolio.attempt,
        role=role,
        assessor=person,
        allocated_at=now,
        due_at=now + timedelta(days=7),
    )


def marks_for(rubric: Rubric, levels: list[int], comment: str = "Clear evidence.") -> dict:
    criteria = list(rubric.criteria.order_by("order"))
    return {c.pk: (level, f"{comment} ({c.order})") for c, level in zip(criteria, levels)}


SATISFACTORY = [2, 2, 2, 2]
GOOD = [3, 3, 3, 2]
UNSATISFACTORY = [1, 2, 2, 2]


def live(portfolio: Portfolio, role: str, attempt: int | None = None) -> Assignment | None:
    return (
        Assignment.objects.filter(
            portfolio=portfolio, role=role, attempt=attempt or portfolio.attempt
        )
        .exclude(status="withdrawn")
        .first()
    )


def need(portfolio: Portfolio, role: str, attempt: int | None = None) -> Assignment:
    """The live task of `role`, which the test expects to exist."""
    task = live(portfolio, role, attempt)
    assert task is not None, f"no live {role} task"
    return task


def user_of(assignment: Assignment) -> Any:
    return User.objects.get(person_id=assignment.assessor_id)
