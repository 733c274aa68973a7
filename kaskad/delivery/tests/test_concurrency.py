"""No overbooking, ever: many requests at once for the last seats of a cohort.

The thread tests give every request its own database connection and release them together
(a barrier), so they really race. They run on PostgreSQL, and on SQLite when the test
database is a file (an in-memory SQLite database shared between threads reports "table
locked" at once instead of waiting for the lock: there is no real second connection to race).
The sequential burst proves the same rule on any database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kaskad.core.errors import DomainError
from kaskad.core.testing import race, skip_without_real_connections
from kaskad.delivery.models import Cohort, Enrolment, EnrolmentStatus
from kaskad.delivery.services.enrolment import enrolment_request, enrolment_withdraw
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_cohort,
    make_teacher,
    make_version,
    national_admin,
    teacher_user,
)
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data

CAPACITY = 20
TAKEN = 17  # three seats left
REQUESTS = 50


def _full_cohort(capacity: int = CAPACITY, taken: int = TAKEN) -> Cohort:
    sync_reference_data(Branch, Area)  # transactional tests start from an empty database
    admin = national_admin()
    cohort = make_cohort(capacity=capacity, status="open", format="online", by=admin)
    for _ in range(taken):
        enrolment_request(cohort=cohort, person=make_teacher(), by=admin)
    return cohort


def _assert_consistent(cohort: Cohort) -> tuple[int, int]:
    cohort.refresh_from_db()
    enrolled = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ENROLLED).count()
    waiting = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.WAITLISTED).count()
    assert enrolled <= (cohort.capacity or enrolled)
    assert cohort.enrolled_count == enrolled
    assert cohort.waitlist_count == waiting
    return enrolled, waiting


def _check_burst(cohort: Cohort, results: list[Any]) -> None:
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    statuses = [r.status for r in results]
    assert set(statuses) <= {"enrolled", "waitlisted"}
    assert statuses.count("enrolled") == CAPACITY - TAKEN
    positions = sorted(r.waitlist_position for r in results if r.status == "waitlisted")
    assert positions == list(range(1, REQUESTS - (CAPACITY - TAKEN) + 1))
    assert _assert_consistent(cohort) == (CAPACITY, REQUESTS - (CAPACITY - TAKEN))
    # Arrival order: the stored order of the waitlist is the order positions were given in.
    stored = list(
        Enrolment.objects.filter(cohort=cohort, status="waitlisted")
        .order_by("requested_at", "id")
        .values_list("pk", flat=True)
    )
    by_position = [
        r.pk
        for r in sorted(
            (r for r in results if r.status == "waitlisted"), key=lambda r: r.waitlist_position
        )
    ]
    assert stored == by_position


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_the_last_seats_never_overbook() -> None:
    skip_without_real_connections()
    cohort = _full_cohort()
    teachers = [make_teacher(branch_code="AST") for _ in range(REQUESTS)]
    users = [teacher_user(t) for t in teachers]

    def request(person: Any, user: Any) -> Callable[[], Enrolment]:
        def work() -> Enrolment:
            fresh = Cohort.objects.select_related("version").get(pk=cohort.pk)
            return enrolment_request(cohort=fresh, person=person, by=user, source="test")

        return work

    results = race([request(p, u) for p, u in zip(teachers, users, strict=True)])
    _check_burst(cohort, results)


@pytest.mark.django_db(transaction=True)
def test_the_same_person_racing_into_two_cohorts_gets_one_place() -> None:
    skip_without_real_connections()
    sync_reference_data(Branch, Area)
    admin = national_admin()
    version = make_version()
    cohorts = [
        make_cohort(version=version, status="open", format="online", by=admin, code=f"TWIN-{i}")
        for i in range(2)
    ]
    person = make_teacher()
    user = teacher_user(person)

    def request(cohort_id: int) -> Callable[[], Enrolment]:
        def work() -> Enrolment:
            fresh = Cohort.objects.select_related("version").get(pk=cohort_id)
            return enrolment_request(cohort=fresh, person=person, by=user)

        return work

    results = race([request(cohorts[i % 2].pk) for i in range(20)])
    succeeded = [r for r in results if isinstance(r, Enrolment)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(succeeded) == 1
    assert len(refused) == 19
    assert {r.code for r in refused} == {"already_enrolled"}
    assert (
        Enrolment.objects.filter(person=person, status__in=["enrolled", "waitlisted"]).count() == 1
    )
    for cohort in cohorts:
        _assert_consistent(cohort)


@pytest.mark.django_db(transaction=True)
def test_withdrawals_and_requests_at_once_keep_the_cohort_full_and_consistent() -> None:
    skip_without_real_connections()
    cohort = _full_cohort(capacity=10, taken=10)
    admin = coordinator_of("ALA")
    seated = list(Enrolment.objects.filter(cohort=cohort, status="enrolled"))
    newcomers = [make_teacher(branch_code="ALA") for _ in range(30)]
    national = national_admin()

    def leave(enrolment: Enrolment) -> Callable[[], Enrolment]:
        def work() -> Enrolment:
            fresh = Enrolment.objects.select_related("cohort").get(pk=enrolment.pk)
            return enrolment_withdraw(enrolment=fresh, by=national)

        return work

    def join(person: Any) -> Callable[[], Enrolment]:
        def work() -> Enrolment:
            fresh = Cohort.objects.select_related("version").get(pk=cohort.pk)
            return enrolment_request(cohort=fresh, person=person, by=admin)

        return work

    workers = [leave(e) for e in seated[:6]] + [join(p) for p in newcomers]
    results = race(workers)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    enrolled, waiting = _assert_consistent(cohort)
    # 4 stayed + 6 seats refilled from 30 newcomers, whatever the interleaving.
    assert enrolled == 10
    assert waiting == 24


@pytest.mark.django_db
def test_a_sequential_burst_at_the_last_seats_never_overbooks() -> None:
    """The same rule on any database, SQLite included."""
    cohort = _full_cohort()
    results = []
    for _ in range(REQUESTS):
        person = make_teacher(branch_code="AST")
        fresh = Cohort.objects.select_related("version").get(pk=cohort.pk)
        results.append(enrolment_request(cohort=fresh, person=person, by=teacher_user(person)))
    _check_burst(cohort, results)


@pytest.mark.django_db
def test_the_database_refuses_a_roster_over_capacity_whatever_the_code_does() -> None:
    """The CheckConstraint is the backstop if a write ever bypassed the services."""
    from django.db import IntegrityError, transaction

    cohort = _full_cohort(capacity=2, taken=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cohort.objects.filter(pk=cohort.pk).update(enrolled_count=3)
