"""Races on one portfolio: the same task marked twice at once, and a marking crossing the
plagiarism decision. Each request has its own connection and they are released together.
Run on PostgreSQL, and on SQLite when the test database is a file."""

from __future__ import annotations

from typing import Any

import pytest

from kaskad.assessment.certification.services import portfolio_set_plagiarism
from kaskad.assessment.marking.services import assignment_mark
from kaskad.assessment.models import (
    Assignment,
    AssignmentRole,
    CriterionMark,
    EventKind,
    PortfolioStatus,
)
from kaskad.assessment.tests.factories import (
    GOOD,
    give_task,
    marking_world,
    marks_for,
    user_of,
)
from kaskad.core.errors import DomainError
from kaskad.core.testing import race, skip_without_real_connections
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_task_marked_twice_at_once_counts_once():
    skip_without_real_connections()
    sync_reference_data(Branch, Area)
    world = marking_world(percent=100)
    task = give_task(world.portfolio, world.assessors[0])
    user = user_of(task)
    marks = marks_for(world.rubric, GOOD)

    def work() -> Any:
        return assignment_mark(
            assignment=Assignment.objects.get(pk=task.pk), marks=marks, comment="ok", by=user
        )

    results = race([work for _ in range(4)])
    done = [r for r in results if isinstance(r, Assignment)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(done) == 1, results
    assert len(refused) == 3 and {e.code for e in refused} == {"assignment_already_marked"}
    assert CriterionMark.objects.filter(assignment=task).count() == 4
    assert world.portfolio.events.filter(kind=EventKind.MARKED).count() == 1
    assert (
        Assignment.objects.filter(portfolio=world.portfolio, role=AssignmentRole.SECOND).count()
        == 1
    )


def test_marking_crossing_the_plagiarism_decision_never_gets_stuck():
    skip_without_real_connections()
    sync_reference_data(Branch, Area)
    for _ in range(3):
        world = marking_world(percent=0, plagiarism_status="pending")
        task = give_task(world.portfolio, world.assessors[0])
        user = user_of(task)
        marks = marks_for(world.rubric, GOOD)
        portfolio_id = world.portfolio.pk

        def mark(task: Assignment = task, user: Any = user, marks: Any = marks) -> Any:
            return assignment_mark(assignment=task, marks=marks, comment="ok", by=user)

        def clear(portfolio: Any = world.portfolio) -> Any:
            return portfolio_set_plagiarism(portfolio=portfolio, status="clear", by=None)

        results = race([mark, clear])
        assert not any(isinstance(r, BaseException) for r in results), results
        world.portfolio.refresh_from_db()
        assert world.portfolio.pk == portfolio_id
        # Whichever came first, the result is settled: certified and released.
        assert world.portfolio.status == PortfolioStatus.CERTIFIED
        assert world.portfolio.released_at is not None
