"""A participant with a portfolio to work on, for the portfolio tests.

case = participant_case()          # cohort running now, rubric published, draft opened
case.portfolio, case.user, case.cohort, case.enrolment, case.rubric
trainer_user = cohort_trainer(case.cohort)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kaskad.accounts.models import User
from kaskad.assessment.models import Portfolio, PortfolioFile, Rubric
from kaskad.assessment.portfolios.services import portfolio_file_add, portfolio_for_enrolment
from kaskad.assessment.tests.factories import enrol, make_rubric
from kaskad.delivery.models import Cohort, Enrolment
from kaskad.delivery.services import trainer_assign
from kaskad.delivery.tests.factories import (
    make_cohort,
    make_teacher,
    make_trainer,
    make_version,
    national_admin,
    teacher_user,
)
from kaskad.registry.tests.factories import branch

TEXT = (
    "Lesson study on fractions in grade 5: planning, observation of pupils and reflection on "
    "what changed in my teaching. Бөлшектер тақырыбындағы сабақтар топтамасы."
)


@dataclass
class Case:
    portfolio: Portfolio
    user: User
    enrolment: Enrolment
    cohort: Cohort
    rubric: Rubric


def participant_case(*, branch_code: str = "ALA", **policy: Any) -> Case:
    version = make_version()
    rubric = make_rubric(version=version, **policy)
    cohort = make_cohort(
        version=version,
        branch_obj=branch(branch_code),
        status="open",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=5),
    )
    person = make_teacher(branch_code=branch_code)
    enrolment = enrol(cohort, person)
    user = teacher_user(person)
    portfolio = portfolio_for_enrolment(enrolment=enrolment, by=user)
    return Case(portfolio=portfolio, user=user, enrolment=enrolment, cohort=cohort, rubric=rubric)


def cohort_trainer(cohort: Cohort) -> User:
    person, user = make_trainer(programme=cohort.version.programme)
    trainer_assign(cohort=cohort, person=person, by=national_admin())
    return user


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def add_text_file(case: Case, text: str = TEXT, name: str = "portfolio.txt") -> PortfolioFile:
    return portfolio_file_add(
        portfolio=case.portfolio, upload=upload(name, text.encode()), by=case.user
    )


def stored_files() -> list[str]:
    """Every file under MEDIA_ROOT (a fresh folder per test)."""
    found: list[str] = []
    for folder, _dirs, files in os.walk(settings.MEDIA_ROOT):
        found.extend(os.path.join(folder, f) for f in files)
    return found
