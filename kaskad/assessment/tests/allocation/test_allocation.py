"""Allocation: balance by capacity, conflicts of interest of every kind, capacity, the reasons
a portfolio stays unallocated, the repeated evaluation, moderators, drop-outs, overdue tasks,
and no double allocation when two runs race."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kaskad.assessment.allocation import selectors
from kaskad.assessment.allocation.services import (
    CONFLICTS,
    NO_ASSESSORS,
    NO_CAPACITY,
    accreditation_save,
    allocate_submitted,
    assessor_deactivate,
    assign_one,
    assignment_reallocate,
)
from kaskad.assessment.models import (
    AssessorAccreditation,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    EventKind,
    Portfolio,
    PortfolioEvent,
    PortfolioStatus,
    Rubric,
)
from kaskad.assessment.tests.factories import enrol, make_assessor, make_portfolio, make_rubric
from kaskad.cascade.models import Accreditation
from kaskad.core.errors import DomainError, PermissionDeniedError
from kaskad.core.testing import race, real_race_possible
from kaskad.delivery.models import Cohort, CohortTrainer
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_cohort,
    make_teacher,
    make_trainer,
    make_version,
    national_admin,
)
from kaskad.registry.models import Area, Branch, Person
from kaskad.registry.reference import sync_reference_data
from kaskad.registry.tests.factories import branch, make_person


def _world(*, same_branch: bool = False, **policy: Any) -> tuple[Rubric, Cohort]:
    version = make_version()
    rubric = make_rubric(version=version, same_branch_is_conflict=same_branch, **policy)
    cohort = make_cohort(version=version, status="open", capacity=500, branch_obj=branch("ALA"))
    return rubric, cohort


def _submitted(cohort: Cohort, n: int, **extra: Any) -> list[Portfolio]:
    return [
        make_portfolio(cohort=cohort, status=PortfolioStatus.SUBMITTED, **extra) for _ in range(n)
    ]


def _live(portfolio: Portfolio, role: str = AssignmentRole.FIRST) -> Assignment:
    return Assignment.objects.exclude(status=AssignmentStatus.WITHDRAWN).get(
        portfolio=portfolio, role=role, attempt=portfolio.attempt
    )


def _open_load(person: Person) -> int:
    return Assignment.objects.filter(assessor=person, status=AssignmentStatus.ALLOCATED).count()


# --- The bulk run -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_loads_follow_capacity_within_one_task() -> None:
    rubric, cohort = _world(marking_days=5)
    capacities = [10, 20, 30, 40, 7]
    people = [
        make_assessor(programme=rubric.version.programme, branch_code="AST", capacity=c)[0]
        for c in capacities
    ]
    portfolios = _submitted(cohort, 53)
    admin = national_admin()
    stages: list[tuple[str, int, int]] = []

    result = allocate_submitted(by=admin, progress=lambda *a: stages.append(a))

    assert result.allocated == 53 and result.unallocated == []
    total = sum(capacities)
    for person, capacity in zip(people, capacities, strict=True):
        share = 53 * capacity / total
        assert abs(_open_load(person) - share) <= 1, (capacity, _open_load(person), share)
        assert _open_load(person) <= capacity
    for portfolio in portfolios:
        portfolio.refresh_from_db()
        assert portfolio.status == PortfolioStatus.IN_ASSESSMENT
        task = _live(portfolio)
        assert task.status == AssignmentStatus.ALLOCATED
        assert task.due_at - task.allocated_at == timedelta(days=5)
        event = PortfolioEvent.objects.get(portfolio=portfolio, kind=EventKind.ALLOCATED)
        assert event.actor == admin and event.data["assignment"] == task.pk
        assert event.data["assessor"] == task.assessor_id
    assert {s for s, _d, _t in stages} == {"loading", "allocating", "writing"}
    assert ("allocating", 53, 53) in stages
    assert sorted(load.load for load in result.loads) == sorted(_open_load(p) for p in people)

    # Nothing left to do: a second run allocates nothing and writes nothing.
    again = allocate_submitted(by=admin)
    assert again.allocated == 0
    assert Assignment.objects.count() == 53


@pytest.mark.django_db
def test_existing_open_work_counts_towards_the_load() -> None:
    rubric, cohort = _world()
    programme = rubric.version.programme
    busy, _u = make_assessor(programme=programme, branch_code="AST", capacity=10)
    free, _u = make_assessor(programme=programme, branch_code="AST", capacity=10)
    earlier = _submitted(cohort, 8)
    for portfolio in earlier:
        assign_one(portfolio=portfolio, role=AssignmentRole.FIRST, by=None)
    # Make `busy` hold all eight.
    Assignment.objects.update(assessor=busy)
    _submitted(cohort, 16)

    result = allocate_submitted(by=None)

    # `free` catches up first; then both fill to capacity, never beyond.
    assert (_open_load(busy), _open_load(free)) == (10, 10)
    assert result.allocated == 12
    assert [u.reason for u in result.unallocated] == [NO_CAPACITY] * 4


@pytest.mark.django_db
def test_conflicts_of_every_kind_are_never_allocated() -> None:
    rubric, cohort = _world(same_branch=True)
    programme = rubric.version.programme
    # Participants work in one school of the ALA branch.
    school = make_teacher(branch_code="ALA").current_organisation
    participants = [make_person(organisation=school) for _ in range(6)]
    portfolios = [
        make_portfolio(enrolment=enrol(cohort, person), status=PortfolioStatus.SUBMITTED)
        for person in participants
    ]
    # A trainer of the cohort (in another branch), a colleague from the same school,
    # an assessor of the same branch, and a participant who is also an assessor.
    trainer, _u = make_trainer(programme=programme, branch_code="AST")
    CohortTrainer.objects.create(
        cohort=cohort, person=trainer, accreditation=Accreditation.objects.get(person=trainer)
    )
    make_assessor(programme=programme, person=trainer, capacity=100)
    colleague = make_person(organisation=school)
    make_assessor(programme=programme, person=colleague, capacity=100)
    make_assessor(programme=programme, branch_code="ALA", capacity=100)
    make_assessor(programme=programme, person=participants[0], capacity=100)
    clean, _u = make_assessor(programme=programme, branch_code="KAR", capacity=4)

    result = allocate_submitted(by=national_admin())

    assert result.allocated == 4
    assert {u.reason for u in result.unallocated} == {CONFLICTS}
    tasks = Assignment.objects.all()
    assert {t.assessor_id for t in tasks} == {clean.pk}
    left = Portfolio.objects.filter(status=PortfolioStatus.SUBMITTED)
    assert left.count() == 2
    assert set(selectors.unallocated_queue(user=national_admin())) == set(left)
    assert all(p.pk in {x.pk for x in portfolios} for p in left)


@pytest.mark.django_db
def test_the_same_branch_is_allowed_when_the_rubric_says_so() -> None:
    rubric, cohort = _world(same_branch=False)
    local, _u = make_assessor(programme=rubric.version.programme, branch_code="ALA")
    _submitted(cohort, 3)
    assert allocate_submitted(by=None).allocated == 3
    assert _open_load(local) == 3


@pytest.mark.django_db
def test_nobody_accredited_or_nobody_with_room_leaves_portfolios_submitted_with_the_reason() -> (
    None
):
    rubric, cohort = _world()
    portfolios = _submitted(cohort, 3)
    result = allocate_submitted(by=None)
    assert result.allocated == 0
    assert [u.reason for u in result.unallocated] == [NO_ASSESSORS] * 3
    assert "No active assessor" in result.summary()
    assert not Assignment.objects.exists() and not PortfolioEvent.objects.exists()

    # Accredited, but the only assessor is full; an expired and an inactive one do not count.
    programme = rubric.version.programme
    full, _u = make_assessor(programme=programme, branch_code="AST", capacity=1)
    expired, _u = make_assessor(programme=programme, branch_code="AST")
    AssessorAccreditation.objects.filter(person=expired).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    inactive, _u = make_assessor(programme=programme, branch_code="AST")
    AssessorAccreditation.objects.filter(person=inactive).update(active=False)

    result = allocate_submitted(by=None)
    assert result.allocated == 1
    assert [u.reason for u in result.unallocated] == [NO_CAPACITY] * 2
    assert _open_load(full) == 1 and _open_load(expired) == 0 and _open_load(inactive) == 0
    statuses = Counter(
        Portfolio.objects.filter(pk__in=[p.pk for p in portfolios]).values_list("status", flat=True)
    )
    assert statuses == {PortfolioStatus.SUBMITTED: 2, PortfolioStatus.IN_ASSESSMENT: 1}


@pytest.mark.django_db
def test_only_national_administrators_allocate() -> None:
    _rubric, cohort = _world()
    _submitted(cohort, 1)
    with pytest.raises(PermissionDeniedError):
        allocate_submitted(by=coordinator_of("ALA"))
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_one_programme_only() -> None:
    rubric, cohort = _world()
    other_rubric, other_cohort = _world()
    make_assessor(programme=rubric.version.programme, branch_code="AST")
    make_assessor(programme=other_rubric.version.programme, branch_code="AST")
    _submitted(cohort, 2)
    _submitted(other_cohort, 2)
    result = allocate_submitted(by=None, programme=rubric.version.programme)
    assert result.allocated == 2
    assert Portfolio.objects.filter(status=PortfolioStatus.SUBMITTED).count() == 2


@pytest.mark.django_db
def test_the_repeated_evaluation_excludes_every_assessor_of_the_first_attempt() -> None:
    rubric, cohort = _world()
    programme = rubric.version.programme
    first, _u = make_assessor(programme=programme, branch_code="AST", capacity=50)
    second, _u = make_assessor(programme=programme, branch_code="AST", capacity=50)
    portfolio = make_portfolio(cohort=cohort, status=PortfolioStatus.SUBMITTED, attempt=2)
    now = timezone.now()
    for person, role in ((first, AssignmentRole.FIRST), (second, AssignmentRole.SECOND)):
        Assignment.objects.create(
            portfolio=portfolio,
            attempt=1,
            role=role,
            assessor=person,
            status=AssignmentStatus.MARKED,
            allocated_at=now,
            due_at=now,
            marked_at=now,
        )
    result = allocate_submitted(by=None)
    assert result.allocated == 0 and result.unallocated[0].reason == CONFLICTS

    newcomer, _u = make_assessor(programme=programme, branch_code="AST", capacity=1)
    assert allocate_submitted(by=None).allocated == 1
    assert _live(portfolio).assessor == newcomer
    assert _live(portfolio).attempt == 2


# --- One task at a time -------------------------------------------------------------------------


@pytest.mark.django_db
def test_second_marking_goes_to_someone_else_and_moderation_to_a_moderator() -> None:
    rubric, cohort = _world()
    programme = rubric.version.programme
    a, _u = make_assessor(programme=programme, branch_code="AST", capacity=5)
    b, _u = make_assessor(programme=programme, branch_code="AST", capacity=50)
    moderator, _u = make_assessor(
        programme=programme, branch_code="AST", capacity=5, moderator=True
    )
    portfolio = _submitted(cohort, 1)[0]

    first = assign_one(portfolio=portfolio, role=AssignmentRole.FIRST, by=None)
    assert first is not None and first.assessor_id == b.pk  # the most room
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.IN_ASSESSMENT
    with pytest.raises(DomainError) as error:
        assign_one(portfolio=portfolio, role=AssignmentRole.FIRST, by=None)
    assert error.value.code == "already_assigned"

    second = assign_one(portfolio=portfolio, role=AssignmentRole.SECOND, by=None, reason="sample")
    assert second is not None and second.assessor_id in {a.pk, moderator.pk}
    Portfolio.objects.filter(pk=portfolio.pk).update(status=PortfolioStatus.MODERATION)
    portfolio.refresh_from_db()
    moderation = assign_one(portfolio=portfolio, role=AssignmentRole.MODERATION, by=None)
    if second.assessor_id == moderator.pk:
        assert moderation is None  # the only moderator marked it already
    else:
        assert moderation is not None and moderation.assessor_id == moderator.pk
    event = PortfolioEvent.objects.filter(kind=EventKind.ALLOCATED, data__role="second").get()
    assert event.reason == "sample"


@pytest.mark.django_db
def test_moderation_without_any_eligible_moderator_is_none_and_writes_nothing() -> None:
    rubric, cohort = _world()
    make_assessor(programme=rubric.version.programme, branch_code="AST")
    portfolio = make_portfolio(cohort=cohort, status=PortfolioStatus.MODERATION)
    before = PortfolioEvent.objects.count()
    assert assign_one(portfolio=portfolio, role=AssignmentRole.MODERATION, by=None) is None
    assert not Assignment.objects.exists() and PortfolioEvent.objects.count() == before
    queue = list(selectors.unallocated_queue(user=national_admin()))
    needed = [(p.pk, getattr(p, "needed_role", None)) for p in queue]
    assert needed == [(portfolio.pk, "moderation")]


@pytest.mark.django_db
def test_assign_one_refuses_a_portfolio_in_the_wrong_state() -> None:
    rubric, cohort = _world()
    make_assessor(programme=rubric.version.programme, branch_code="AST")
    draft = make_portfolio(cohort=cohort)
    with pytest.raises(DomainError) as error:
        assign_one(portfolio=draft, role=AssignmentRole.FIRST, by=None)
    assert error.value.code == "portfolio_not_assignable"
    assert not Assignment.objects.exists()


# --- Overdue, reallocation, drop-outs -----------------------------------------------------------


@pytest.mark.django_db
def test_overdue_tasks_are_queued_and_reallocated_with_a_reason() -> None:
    rubric, cohort = _world()
    programme = rubric.version.programme
    late, _u = make_assessor(programme=programme, branch_code="AST", capacity=1)
    portfolio = _submitted(cohort, 1)[0]
    allocate_submitted(by=None)
    task = _live(portfolio)
    Assignment.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(days=1))
    admin = national_admin()
    assert [t.pk for t in selectors.overdue_queue(user=admin)] == [task.pk]

    # Nobody else: the task stays where it is.
    assert assignment_reallocate(assignment=task, by=admin, reason="late") is None
    task.refresh_from_db()
    assert task.status == AssignmentStatus.ALLOCATED

    with pytest.raises(DomainError) as error:
        assignment_reallocate(assignment=task, by=admin, reason="  ")
    assert error.value.code == "reason_required"

    other, _u = make_assessor(programme=programme, branch_code="AST", capacity=1)
    new_task = assignment_reallocate(assignment=task, by=admin, reason="Two weeks late")
    assert new_task is not None and new_task.assessor == other
    assert new_task.due_at > timezone.now()
    task.refresh_from_db()
    assert task.status == AssignmentStatus.WITHDRAWN
    event = PortfolioEvent.objects.get(kind=EventKind.REALLOCATED)
    assert event.reason == "Two weeks late"
    assert (event.data["from"], event.data["to"]) == (late.pk, other.pk)
    assert list(selectors.overdue_queue(user=admin)) == []
    with pytest.raises(DomainError) as error:
        assignment_reallocate(assignment=task, by=admin, reason="again")
    assert error.value.code == "task_not_open"


@pytest.mark.django_db
def test_deactivating_an_assessor_reallocates_their_open_work() -> None:
    rubric, cohort = _world()
    programme = rubric.version.programme
    leaving, _u = make_assessor(programme=programme, branch_code="AST", capacity=10)
    portfolios = _submitted(cohort, 3)
    allocate_submitted(by=None)
    staying, _u = make_assessor(programme=programme, branch_code="AST", capacity=2)
    accreditation = AssessorAccreditation.objects.get(person=leaving)
    admin = national_admin()

    with pytest.raises(DomainError):
        assessor_deactivate(accreditation=accreditation, by=admin, reason="")
    assert AssessorAccreditation.objects.get(pk=accreditation.pk).active

    result = assessor_deactivate(accreditation=accreditation, by=admin, reason="Left the CPM")

    assert (result.reallocated, result.unallocated) == (2, 1)
    assert not AssessorAccreditation.objects.get(pk=accreditation.pk).active
    assert _open_load(leaving) == 0 and _open_load(staying) == 2
    statuses = Counter(
        Portfolio.objects.filter(pk__in=[p.pk for p in portfolios]).values_list("status", flat=True)
    )
    assert statuses == {PortfolioStatus.IN_ASSESSMENT: 2, PortfolioStatus.SUBMITTED: 1}
    assert selectors.unallocated_queue(user=admin).count() == 1
    assert PortfolioEvent.objects.filter(kind=EventKind.REALLOCATED).count() == 3
    with pytest.raises(DomainError) as error:
        assessor_deactivate(accreditation=accreditation, by=admin, reason="again")
    assert error.value.code == "assessor_inactive"


@pytest.mark.django_db
def test_accreditation_save_creates_updates_and_validates() -> None:
    version = make_version()
    person = make_teacher(branch_code="AST")
    admin = national_admin()
    until = timezone.localdate() + timedelta(days=300)
    accreditation, created = accreditation_save(
        person=person,
        programme=version.programme,
        capacity=80,
        is_moderator=False,
        valid_until=until,
        by=admin,
    )
    assert created and accreditation.capacity == 80
    same, created = accreditation_save(
        person=person,
        programme=version.programme,
        capacity=120,
        is_moderator=True,
        valid_until=until,
        by=admin,
    )
    assert not created and same.pk == accreditation.pk
    assert (same.capacity, same.is_moderator) == (120, True)
    for capacity, valid_until, code in (
        (0, until, "capacity_out_of_range"),
        (10, timezone.localdate() - timedelta(days=1), "valid_until_past"),
    ):
        with pytest.raises(DomainError) as error:
            accreditation_save(
                person=person,
                programme=version.programme,
                capacity=capacity,
                is_moderator=False,
                valid_until=valid_until,
                by=admin,
            )
        assert error.value.code == code
    assert AssessorAccreditation.objects.get().capacity == 120


# --- Two runs at once ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_allocation_runs_at_once_never_allocate_a_portfolio_twice() -> None:
    if not real_race_possible():
        pytest.skip("the test database is in-memory SQLite: no second connection to race with")
    sync_reference_data(Branch, Area)  # transactional tests start from an empty database
    rubric, cohort = _world()
    programme = rubric.version.programme
    for capacity in (15, 15, 15):
        make_assessor(programme=programme, branch_code="AST", capacity=capacity)
    portfolios = _submitted(cohort, 30)
    # assign_one on some of the same portfolios races with the two bulk runs.
    admin = national_admin()

    def bulk() -> Any:
        return allocate_submitted(by=admin)

    def single(portfolio: Portfolio) -> Callable[[], Any]:
        return lambda: assign_one(portfolio=portfolio, role=AssignmentRole.FIRST, by=admin)

    results = race([bulk, bulk, *(single(p) for p in portfolios[:3])])

    errors = [r for r in results if isinstance(r, BaseException)]
    # assign_one may find the portfolio already allocated by a bulk run: a clear refusal.
    assert all(isinstance(e, DomainError) and e.code == "already_assigned" for e in errors), errors
    live = Assignment.objects.exclude(status=AssignmentStatus.WITHDRAWN)
    per_portfolio = Counter(live.values_list("portfolio_id", flat=True))
    assert set(per_portfolio.values()) == {1} and len(per_portfolio) == 30
    runs = [r for r in results[:2] if not isinstance(r, BaseException)]
    singles = [r for r in results[2:] if isinstance(r, Assignment)]
    assert sum(r.allocated for r in runs) + len(singles) == 30
    assert not Portfolio.objects.filter(status=PortfolioStatus.SUBMITTED).exists()
    for person_id, n in Counter(live.values_list("assessor_id", flat=True)).items():
        assert n <= 15, person_id
    assert PortfolioEvent.objects.filter(kind=EventKind.ALLOCATED).count() == 30
