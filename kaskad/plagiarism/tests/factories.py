"""Helpers of the plagiarism workflow tests: participants with portfolios in one cohort, a
submission that runs its background check (django-tasks' immediate backend), assessors.

    cohort = open_cohort()
    portfolio, user = participant(cohort, OWN[0] + "\\n\\n" + PASSAGE, surname="Abenova")
    submit(portfolio, user, capture)      # capture = django_capture_on_commit_callbacks
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kaskad.accounts.models import User
from kaskad.assessment.models import Assignment, AssignmentRole, Portfolio
from kaskad.assessment.portfolios.services import portfolio_submit
from kaskad.assessment.tests.factories import enrol, make_assessor, make_portfolio
from kaskad.delivery.models import Cohort
from kaskad.delivery.tests.factories import make_cohort, make_teacher, make_version, teacher_user
from kaskad.plagiarism.models import PlagiarismCheck
from kaskad.registry.models import Person

IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Tasks run where they are enqueued; cross-language search only where a test asks."""
    settings.TASKS = IMMEDIATE
    settings.KASKAD_PLAGIARISM_CROSS_LANGUAGE = "never"


def open_cohort(*, branch_code: str = "ALA", languages: list[str] | None = None) -> Cohort:
    from kaskad.registry.tests.factories import branch

    version = make_version(languages=languages)
    return make_cohort(version=version, status="open", branch_obj=branch(branch_code))


def participant(
    cohort: Cohort, text: str, *, surname: str = "", given_name: str = ""
) -> tuple[Portfolio, User]:
    """A participant of the cohort with a draft portfolio holding `text` (one TXT file)."""
    names = {k: v for k, v in (("surname", surname), ("given_name", given_name)) if v}
    person = make_teacher(branch_code=cohort.branch.code, **names)
    portfolio = make_portfolio(enrolment=enrol(cohort, person), text=text)
    return portfolio, teacher_user(person)


def submit(portfolio: Portfolio, user: User, capture: Any) -> PlagiarismCheck:
    """Submit as the participant; the commit queues the check, which runs at once."""
    with capture(execute=True):
        portfolio_submit(portfolio=portfolio, by=user)
    portfolio.refresh_from_db()
    return PlagiarismCheck.objects.get(portfolio=portfolio, attempt=portfolio.attempt)


def assign(portfolio: Portfolio, *, status: str = "allocated") -> tuple[Person, User]:
    """An accredited assessor with a task on the portfolio's current attempt."""
    person, user = make_assessor(programme=portfolio.programme, branch_code="AST")
    now = timezone.now()
    Assignment.objects.create(
        portfolio=portfolio,
        attempt=portfolio.attempt,
        role=AssignmentRole.FIRST,
        assessor=person,
        status=status,
        allocated_at=now,
        due_at=now + timedelta(days=7),
    )
    return person, user
