"""Test data for marking and certification: a portfolio in assessment with its first
assignment, assessors and moderators, and a full set of marks.

    world = marking_world(percent=0)                 # rubric, cohort, portfolio in assessment
    first = give_task(world.portfolio, world.assessors[0])
    assignment_mark(assignment=first, marks=marks_for(world.rubric, [2, 2, 3, 2]), ...)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from kaskad.accounts.models import User
from kaskad.assessment.models import (
    Assignment,
    AssignmentRole,
    Portfolio,
    PortfolioStatus,
    Rubric,
)
from kaskad.assessment.tests.factories import make_assessor, make_portfolio, make_rubric
from kaskad.delivery.models import Cohort
from kaskad.delivery.tests.factories import make_cohort, make_version
from kaskad.registry.models import Person


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
