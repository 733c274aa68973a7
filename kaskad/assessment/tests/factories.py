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
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import (
    AssessorAccreditation,
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
from kaskad.delivery.tests.factories import make_cohort, make_teacher, national_admin
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
