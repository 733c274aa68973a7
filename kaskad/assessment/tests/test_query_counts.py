"""The list pages of assessment cost the same number of queries for 2 rows as for 6: no query
per row (each page is loaded once to warm up, then counted at both sizes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import (
    Assignment,
    AssignmentRole,
    EventKind,
    Portfolio,
    PortfolioStatus,
)
from kaskad.assessment.portfolios.history import event_record
from kaskad.assessment.tests.factories import (
    enrol,
    give_task,
    make_assessor,
    make_portfolio,
    make_rubric,
)
from kaskad.assessment.tests.query_counts import assert_flat
from kaskad.delivery.tests.factories import make_cohort, make_teacher, make_version, national_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    version = make_version()
    rubric = make_rubric(version=version)
    cohort = make_cohort(version=version, status="open", capacity=100)
    return {"version": version, "rubric": rubric, "cohort": cohort}


def submitted(world: dict[str, Any], n: int, **extra: Any) -> list[Portfolio]:
    return [
        make_portfolio(cohort=world["cohort"], status=PortfolioStatus.SUBMITTED, **extra)
        for _ in range(n)
    ]


def test_allocation_dashboard(world: dict[str, Any]) -> None:
    assessor = make_assessor(programme=world["version"].programme, branch_code="AST")

    def grow(n: int) -> list[str]:
        for portfolio in submitted(world, n):
            give_task(portfolio, assessor)
        return [world["version"].programme.code]

    assert_flat(national_admin(), reverse("assessment:allocation_dashboard"), grow)


def test_unallocated_queue(world: dict[str, Any]) -> None:
    def grow(n: int) -> list[str]:
        return [str(p) for p in submitted(world, n)]

    assert_flat(national_admin(), reverse("assessment:allocation_unallocated"), grow)


def test_overdue_queue(world: dict[str, Any]) -> None:
    def grow(n: int) -> list[str]:
        shown = []
        for portfolio in submitted(world, n):
            assessor = make_assessor(programme=world["version"].programme, branch_code="AST")
            task = give_task(portfolio, assessor)
            Assignment.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(days=2))
            shown.append(str(portfolio))
        return shown

    assert_flat(national_admin(), reverse("assessment:allocation_overdue"), grow)


def test_assessors_list(world: dict[str, Any]) -> None:
    def grow(n: int) -> list[str]:
        people = [
            make_assessor(programme=world["version"].programme, branch_code="AST")[0]
            for _ in range(n)
        ]
        return [p.surname for p in people]

    assert_flat(national_admin(), reverse("assessment:allocation_assessors"), grow)


def test_portfolio_history(world: dict[str, Any]) -> None:
    admin = national_admin()

    def grow(n: int) -> list[str]:
        portfolios = submitted(world, n)
        for portfolio in portfolios:
            event_record(portfolio=portfolio, kind=EventKind.SUBMITTED, actor=admin, data={})
        return [f"P-{p.pk}" for p in portfolios]

    assert_flat(admin, reverse("assessment:history_list"), grow)


def test_marking_queue(world: dict[str, Any]) -> None:
    person, user = make_assessor(programme=world["version"].programme, branch_code="AST")

    def grow(n: int) -> list[str]:
        portfolios = submitted(world, n)
        for portfolio in portfolios:
            Portfolio.objects.filter(pk=portfolio.pk).update(status=PortfolioStatus.IN_ASSESSMENT)
            give_task(portfolio, person)
        return [f"P-{p.pk}" for p in portfolios]

    assert_flat(user, reverse("assessment:marking_queue"), grow)


def test_moderation_queue(world: dict[str, Any]) -> None:
    person, user = make_assessor(
        programme=world["version"].programme, branch_code="AST", moderator=True
    )

    def grow(n: int) -> list[str]:
        portfolios = submitted(world, n)
        for portfolio in portfolios:
            Portfolio.objects.filter(pk=portfolio.pk).update(status=PortfolioStatus.MODERATION)
            give_task(portfolio, person, role=AssignmentRole.MODERATION)
        return [f"P-{p.pk}" for p in portfolios]

    assert_flat(user, reverse("assessment:moderation_queue"), grow)


def test_my_portfolios(world: dict[str, Any]) -> None:
    person = make_teacher(branch_code="ALA")
    user = make_user(person=person, roles=[(Role.TEACHER, None)])

    def grow(n: int) -> list[str]:
        shown = []
        for _ in range(n):
            cohort = make_cohort(status="open")  # a programme of its own each
            make_portfolio(enrolment=enrol(cohort, person))
            shown.append(cohort.code)
        return shown

    assert_flat(user, reverse("assessment:my_portfolios"), grow)


def test_publishing_worklist(world: dict[str, Any]) -> None:
    def grow(n: int) -> list[str]:
        portfolios = submitted(world, n)
        Portfolio.objects.filter(pk__in=[p.pk for p in portfolios]).update(
            status=PortfolioStatus.CERTIFIED,
            rating="good",
            plagiarism_status="clear",
            publish_consent_at=timezone.now(),
        )
        return [str(p) for p in portfolios]

    assert_flat(national_admin(), reverse("assessment:publishing_worklist"), grow)
