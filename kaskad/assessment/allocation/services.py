"""Allocation of portfolios to accredited assessors: the bulk run over every submitted
portfolio, one task at a time (second marking, moderation), reallocation when an assessor is
late or drops out, and the accreditations themselves.

Rules that hold on every path:

* **Capacity.** An accreditation's capacity is the most open (allocated, not yet marked) tasks
  its assessor holds for that programme; allocation never goes beyond it.
* **Balance.** Each portfolio goes to the eligible assessor with the lowest (load + 1) /
  capacity, so loads grow in proportion to capacity.
* **Conflicts of interest** are never allocated: the participant themselves, the trainers of
  the participant's cohort, an assessor whose current organisation is the participant's
  organisation at enrolment, an assessor of the portfolio's branch when the rubric says so
  (`same_branch_is_conflict`), and anyone who already had a task on the portfolio in any
  attempt (so the repeated evaluation always goes to someone new, and a second marker is never
  the first).
* **No double allocation.** Every writer first locks the accreditation rows of the programme
  (`select_for_update`, in primary-key order) and then the portfolios; the bulk run takes the
  submitted portfolios `FOR UPDATE SKIP LOCKED`. On SQLite the IMMEDIATE transaction holds the
  write lock from the start. The partial unique constraint "one live task per role and
  attempt" is the backstop.

`allocate_submitted` computes the whole round in memory (a heap per programme over
load/capacity, conflicts precomputed as sets) and writes it with a few bulk statements in one
transaction: 50,000 portfolios in seconds (bench/allocation).
"""

from __future__ import annotations

import heapq
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import Role, User
from kaskad.accounts.scopes import user_scope
from kaskad.accounts.services import role_assign
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
from kaskad.assessment.portfolios.history import event_record
from kaskad.catalogue.models import Programme
from kaskad.core.audit import audit_record, diff
from kaskad.core.errors import DomainError, PermissionDeniedError
from kaskad.core.models import AuditEntry
from kaskad.delivery.models import CohortTrainer
from kaskad.registry.models import Person

ProgressCallback = Callable[[str, int, int], None]

# Statuses in which a portfolio may be given a task.
ASSIGNABLE = (
    PortfolioStatus.SUBMITTED,
    PortfolioStatus.IN_ASSESSMENT,
    PortfolioStatus.MODERATION,
)
MAX_CAPACITY = 5000
REASON_MAX = 500
BATCH = 2000
ID_CHUNK = 900  # below SQLite's 999 parameters per statement
SOURCE = "allocation"

# Why a portfolio was left unallocated (codes kept in results; texts for people).
NO_ASSESSORS = "no_assessors"
NO_CAPACITY = "no_capacity"
CONFLICTS = "conflicts"
REASON_TEXTS: dict[str, Promise] = {
    NO_ASSESSORS: _("No active assessor is accredited for this programme."),
    NO_CAPACITY: _("Every eligible assessor of this programme is at full capacity."),
    CONFLICTS: _(
        "Every assessor with free capacity has a conflict of interest with this portfolio."
    ),
}
# The stages reported to progress callbacks (codes; labels for terminals and pages).
STAGE_LABELS: dict[str, Promise] = {
    "loading": _("reading portfolios and assessors"),
    "allocating": _("allocating"),
    "writing": _("saving"),
}


class AllocationConflict(DomainError):
    """The state of the portfolio or task does not allow the change (HTTP 409)."""

    status = 409


def reason_text(code: str) -> str:
    return str(REASON_TEXTS.get(code, code))


def _require_admin(by: User | None) -> None:
    if by is None:
        return  # the system itself (command, worker)
    if not user_scope(by).national_write:
        raise PermissionDeniedError(
            "allocation_forbidden", _("Only national administrators may allocate portfolios.")
        )


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("Give a reason."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            "reason_too_long",
            _("The reason may be at most %(max)s characters.") % {"max": REASON_MAX},
            field="reason",
        )
    return reason


# --- The assessors of a programme and the heap over their load ----------------------------------


@dataclass
class _Assessor:
    accreditation_id: int
    person_id: int
    programme_id: int
    capacity: int
    load: int
    organisation_id: int | None
    branch_id: int | None
    is_moderator: bool
    start_load: int = 0


@dataclass
class _Portfolio:
    """What the conflict checks need to know about one portfolio."""

    id: int
    attempt: int
    programme_id: int
    branch_id: int
    rubric_id: int
    organisation_id: int | None
    cohort_id: int
    person_id: int


def _key(assessor: _Assessor) -> tuple[float, int, int]:
    # Lowest (load + 1) / capacity first; then the larger capacity; then a stable order.
    return ((assessor.load + 1) / assessor.capacity, -assessor.capacity, assessor.person_id)


class _Pool:
    """The assessors of one programme with room left, in a heap by (load + 1) / capacity.

    Lowest (load + 1) / capacity alone (D'Hondt's rule) lets a large capacity run up to
    n - 1 tasks ahead of its proportional share; so, as in Balinski and Young's quota
    method, an assessor is passed over while one more task would put them above the upper
    quota ceil(total * capacity / total capacity). Every load then stays within one task of
    its proportional share. When conflicts leave only assessors above quota, the least loaded
    of them still takes the portfolio (a portfolio is never left out for balance's sake).
    """

    def __init__(self, assessors: Iterable[_Assessor]) -> None:
        self.members = list(assessors)
        self.heap: list[tuple[tuple[float, int, int], int]] = [
            (_key(a), i) for i, a in enumerate(self.members) if a.load < a.capacity
        ]
        heapq.heapify(self.heap)
        self.total_load = sum(a.load for a in self.members)
        self.total_capacity = sum(a.capacity for a in self.members)

    def pick(self, blocked: Callable[[_Assessor], bool]) -> _Assessor | None:
        """Take the least-loaded assessor that is not blocked and count the task on them."""
        skipped: list[tuple[tuple[float, int, int], int]] = []
        over_quota: tuple[tuple[float, int, int], int] | None = None
        chosen: tuple[tuple[float, int, int], int] | None = None
        after = self.total_load + 1
        while self.heap:
            entry = heapq.heappop(self.heap)
            assessor = self.members[entry[1]]
            if blocked(assessor):
                skipped.append(entry)
                continue
            # Upper quota: load + 1 <= ceil(after * capacity / total capacity).
            if assessor.load + 1 > -(-after * assessor.capacity // self.total_capacity):
                if over_quota is None:
                    over_quota = entry
                else:
                    skipped.append(entry)
                continue
            chosen = entry
            break
        if chosen is None and over_quota is not None:
            chosen, over_quota = over_quota, None
        if over_quota is not None:
            skipped.append(over_quota)
        for entry in skipped:
            heapq.heappush(self.heap, entry)
        if chosen is None:
            return None
        assessor = self.members[chosen[1]]
        assessor.load += 1
        self.total_load += 1
        if assessor.load < assessor.capacity:
            heapq.heappush(self.heap, (_key(assessor), chosen[1]))
        return assessor

    def why_none(self) -> str:
        if not self.members:
            return NO_ASSESSORS
        if not self.heap:
            return NO_CAPACITY
        return CONFLICTS


def _conflict_check(
    portfolio: _Portfolio,
    *,
    trainers: frozenset[int] | set[int],
    previous: frozenset[int] | set[int],
    same_branch_is_conflict: bool,
) -> Callable[[_Assessor], bool]:
    """A test telling whether an assessor has a conflict of interest with the portfolio."""
    excluded = {portfolio.person_id, *trainers, *previous}
    organisation_id = portfolio.organisation_id
    branch_id = portfolio.branch_id if same_branch_is_conflict else None

    def blocked(assessor: _Assessor) -> bool:
        return (
            assessor.person_id in excluded
            or (organisation_id is not None and assessor.organisation_id == organisation_id)
            or (branch_id is not None and assessor.branch_id == branch_id)
        )

    return blocked


def _lock_accreditations(programme_ids: Iterable[int]) -> None:
    """Lock the accreditation rows of the programmes, always in the same order (no deadlock
    between two writers). Every allocation writer starts here."""
    ids = sorted(set(programme_ids))
    if ids:
        list(
            AssessorAccreditation.objects.select_for_update()
            .filter(programme_id__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _assessors(
    programme_ids: Iterable[int], *, today: date, moderators_only: bool = False
) -> dict[int, list[_Assessor]]:
    """Active, valid accreditations of the programmes with each assessor's open load."""
    ids = sorted(set(programme_ids))
    accreditations = AssessorAccreditation.objects.filter(
        programme_id__in=ids, active=True, valid_until__gte=today
    )
    if moderators_only:
        accreditations = accreditations.filter(is_moderator=True)
    loads = _open_loads(ids)
    found: dict[int, list[_Assessor]] = defaultdict(list)
    for row in accreditations.order_by("pk").values_list(
        "pk",
        "person_id",
        "programme_id",
        "capacity",
        "is_moderator",
        "person__current_organisation_id",
        "person__current_organisation__area__branch_id",
    ):
        pk, person_id, programme_id, capacity, is_moderator, organisation_id, branch_id = row
        if capacity <= 0:
            continue
        load = loads.get((person_id, programme_id), 0)
        found[programme_id].append(
            _Assessor(
                accreditation_id=pk,
                person_id=person_id,
                programme_id=programme_id,
                capacity=capacity,
                load=load,
                start_load=load,
                organisation_id=organisation_id,
                branch_id=branch_id,
                is_moderator=is_moderator,
            )
        )
    return found


def _open_loads(programme_ids: list[int]) -> dict[tuple[int, int], int]:
    """Open (allocated) tasks per (assessor person, programme)."""
    rows = (
        Assignment.objects.filter(
            status=AssignmentStatus.ALLOCATED, portfolio__programme_id__in=programme_ids
        )
        .values_list("assessor_id", "portfolio__programme_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    return {(person_id, programme_id): n for person_id, programme_id, n in rows}


def _live_task(role: str) -> Exists:
    return Exists(
        Assignment.objects.filter(
            portfolio_id=OuterRef("pk"), attempt=OuterRef("attempt"), role=role
        ).exclude(status=AssignmentStatus.WITHDRAWN)
    )


# --- The bulk run -------------------------------------------------------------------------------


@dataclass
class Unallocated:
    portfolio_id: int
    programme_id: int
    reason: str  # NO_ASSESSORS, NO_CAPACITY or CONFLICTS

    @property
    def reason_text(self) -> str:
        return reason_text(self.reason)


@dataclass
class AssessorLoad:
    accreditation_id: int
    person_id: int
    programme_id: int
    capacity: int
    load_before: int
    load: int

    @property
    def ratio(self) -> float:
        return self.load / self.capacity if self.capacity else 0.0


@dataclass
class AllocationResult:
    allocated: int = 0
    unallocated: list[Unallocated] = field(default_factory=list)
    loads: list[AssessorLoad] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def unallocated_by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for item in self.unallocated:
            counts[item.reason] += 1
        return dict(counts)

    @property
    def load_spread(self) -> tuple[float, float]:
        """(lowest, highest) load/capacity among the assessors who took part."""
        ratios = [load.ratio for load in self.loads]
        return (min(ratios), max(ratios)) if ratios else (0.0, 0.0)

    def summary(self) -> str:
        text = ngettext(
            "%(n)s portfolio allocated.", "%(n)s portfolios allocated.", self.allocated
        ) % {"n": self.allocated}
        if self.unallocated:
            left = ngettext(
                "%(n)s left without an assessor:",
                "%(n)s left without an assessor:",
                len(self.unallocated),
            ) % {"n": len(self.unallocated)}
            reasons = "; ".join(
                f"{reason_text(code)} ({n})"
                for code, n in sorted(self.unallocated_by_reason.items())
            )
            text = f"{text} {left} {reasons}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "allocated": self.allocated,
            "unallocated": len(self.unallocated),
            "unallocated_by_reason": self.unallocated_by_reason,
            "seconds": round(self.seconds, 3),
            "assessors": len(self.loads),
        }


def _submitted(programme: Programme | None) -> QuerySet[Portfolio]:
    qs = Portfolio.objects.filter(status=PortfolioStatus.SUBMITTED)
    if programme is not None:
        qs = qs.filter(programme_id=programme.pk)
    return qs


def allocate_submitted(
    *, by: User | None, programme: Programme | None = None, progress: ProgressCallback | None = None
) -> AllocationResult:
    """Give every submitted portfolio (of one programme, or all) a first-marking task: status
    in assessment, an ALLOCATED event each. Those nobody eligible can take stay submitted and
    are listed with the reason. One transaction: all of it or nothing."""
    _require_admin(by)
    report = progress or (lambda stage, done, total: None)
    started = time.monotonic()
    result = AllocationResult()
    actor_id = by.pk if by is not None else None
    with transaction.atomic():
        report("loading", 0, 0)
        now = timezone.now()
        today = timezone.localdate()
        programme_ids = set(
            _submitted(programme).order_by().values_list("programme_id", flat=True).distinct()
        )
        if not programme_ids:
            result.seconds = time.monotonic() - started
            return result
        _lock_accreditations(programme_ids)
        # Portfolios another writer holds are skipped: they stay for the next run.
        claimed = (
            _submitted(programme)
            .filter(programme_id__in=programme_ids)
            .exclude(_live_task(AssignmentRole.FIRST))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("submitted_at", "pk")
            .values_list(
                "pk",
                "attempt",
                "programme_id",
                "branch_id",
                "rubric_id",
                "enrolment__organisation_id",
                "enrolment__cohort_id",
                "enrolment__person_id",
            )
        )
        portfolios = [_Portfolio(*row) for row in claimed]
        total = len(portfolios)
        submitted = _submitted(programme).filter(programme_id__in=programme_ids).order_by()
        trainers: dict[int, set[int]] = defaultdict(set)
        for cohort_id, person_id in CohortTrainer.objects.filter(
            cohort_id__in=submitted.values("enrolment__cohort_id")
        ).values_list("cohort_id", "person_id"):
            trainers[cohort_id].add(person_id)
        previous: dict[int, set[int]] = defaultdict(set)
        for portfolio_id, person_id in Assignment.objects.filter(
            portfolio_id__in=submitted.values("pk")
        ).values_list("portfolio_id", "assessor_id"):
            previous[portfolio_id].add(person_id)
        rubrics = {
            pk: (marking_days, same_branch)
            for pk, marking_days, same_branch in Rubric.objects.filter(
                pk__in={p.rubric_id for p in portfolios}
            ).values_list("pk", "marking_days", "same_branch_is_conflict")
        }
        by_programme = _assessors(programme_ids, today=today)
        pools = {pid: _Pool(by_programme.get(pid, [])) for pid in programme_ids}
        report("loading", total, total)

        chosen: list[tuple[_Portfolio, _Assessor]] = []
        empty: frozenset[int] = frozenset()
        for done, portfolio in enumerate(portfolios, start=1):
            pool = pools[portfolio.programme_id]
            blocked = _conflict_check(
                portfolio,
                trainers=trainers.get(portfolio.cohort_id, empty),
                previous=previous.get(portfolio.id, empty),
                same_branch_is_conflict=rubrics[portfolio.rubric_id][1],
            )
            assessor = pool.pick(blocked)
            if assessor is None:
                result.unallocated.append(
                    Unallocated(portfolio.id, portfolio.programme_id, pool.why_none())
                )
            else:
                chosen.append((portfolio, assessor))
            if done % 1000 == 0 or done == total:
                report("allocating", done, total)

        _write_round(chosen, rubrics=rubrics, now=now, actor_id=actor_id, report=report)
        result.allocated = len(chosen)
        result.loads = [
            AssessorLoad(
                accreditation_id=a.accreditation_id,
                person_id=a.person_id,
                programme_id=a.programme_id,
                capacity=a.capacity,
                load_before=a.start_load,
                load=a.load,
            )
            for pool in pools.values()
            for a in pool.members
        ]
    result.seconds = time.monotonic() - started
    return result


def _write_round(
    chosen: list[tuple[_Portfolio, _Assessor]],
    *,
    rubrics: Mapping[int, tuple[int, bool]],
    now: Any,
    actor_id: int | None,
    report: ProgressCallback,
) -> None:
    """Tasks, statuses and history of a round, in batches; one audit entry for the round
    (each portfolio's own history holds its ALLOCATED event with who, when and to whom)."""
    total = len(chosen)
    if not total:
        return
    rows = [
        (
            portfolio.id,
            portfolio.attempt,
            assessor.person_id,
            now + timedelta(days=rubrics[portfolio.rubric_id][0]),
        )
        for portfolio, assessor in chosen
    ]
    if connection.vendor == "postgresql":
        ids = _write_round_copy(rows, now=now, actor_id=actor_id, report=report)
    else:
        ids = _write_round_orm(rows, now=now, actor_id=actor_id, report=report)
    AuditEntry.objects.create(
        actor_id=actor_id,
        action=AuditEntry.Action.UPDATE,
        object_type=Assignment._meta.label_lower,
        object_id=f"{min(ids)}-{max(ids)}",
        object_repr=f"allocation round: {total} first-marking tasks",
        changes={
            "event": EventKind.ALLOCATED.value,
            "role": AssignmentRole.FIRST.value,
            "portfolios": total,
            "assignments": [min(ids), max(ids)],
        },
        source=SOURCE,
    )


def _event_data(task_id: int, assessor_id: int, due_at: Any) -> dict[str, Any]:
    return {
        "role": AssignmentRole.FIRST.value,
        "assignment": task_id,
        "assessor": assessor_id,
        "due_at": due_at.isoformat(),
    }


def _check_updated(updated: int, total: int) -> None:
    if updated != total:  # the locks make this impossible; never write half a round
        raise AllocationConflict(
            "allocation_raced",
            _("Another allocation changed these portfolios at the same time. Try again."),
        )


def _write_round_orm(
    rows: list[tuple[int, int, int, Any]],
    *,
    now: Any,
    actor_id: int | None,
    report: ProgressCallback,
) -> list[int]:
    """Any database: bulk_create and chunked UPDATEs."""
    total = len(rows)
    report("writing", 0, total * 3)
    tasks = [
        Assignment(
            portfolio_id=portfolio_id,
            attempt=attempt,
            role=AssignmentRole.FIRST,
            assessor_id=assessor_id,
            status=AssignmentStatus.ALLOCATED,
            allocated_at=now,
            due_at=due_at,
        )
        for portfolio_id, attempt, assessor_id, due_at in rows
    ]
    for start in range(0, total, BATCH):
        Assignment.objects.bulk_create(tasks[start : start + BATCH])
        report("writing", min(start + BATCH, total), total * 3)
    updated = 0
    for start in range(0, total, ID_CHUNK):
        updated += Portfolio.objects.filter(
            pk__in=[row[0] for row in rows[start : start + ID_CHUNK]],
            status=PortfolioStatus.SUBMITTED,
        ).update(status=PortfolioStatus.IN_ASSESSMENT, updated_at=now)
    _check_updated(updated, total)
    report("writing", 2 * total, total * 3)
    events = [
        PortfolioEvent(
            portfolio_id=portfolio_id,
            kind=EventKind.ALLOCATED,
            attempt=attempt,
            actor_id=actor_id,
            reason="",
            data=_event_data(task.pk, assessor_id, due_at),
        )
        for (portfolio_id, attempt, assessor_id, due_at), task in zip(rows, tasks, strict=True)
    ]
    for start in range(0, total, BATCH):
        PortfolioEvent.objects.bulk_create(events[start : start + BATCH])
        report("writing", 2 * total + min(start + BATCH, total), total * 3)
    return [task.pk for task in tasks if task.pk is not None]


def _write_round_copy(
    rows: list[tuple[int, int, int, Any]],
    *,
    now: Any,
    actor_id: int | None,
    report: ProgressCallback,
) -> list[int]:
    """PostgreSQL: ids from the table's sequence, then COPY for tasks and events and one
    UPDATE for the statuses (the same rows the ORM path writes, several times faster)."""
    total = len(rows)
    report("writing", 0, total * 3)
    task_table = Assignment._meta.db_table
    event_table = PortfolioEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [task_table, total],
        )
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor  # the psycopg cursor, for COPY
        with raw.copy(
            f"COPY {task_table} (id, portfolio_id, attempt, role, assessor_id, status, "
            "allocated_at, due_at, rating, comment, draft) FROM STDIN"
        ) as copy:
            for task_id, (portfolio_id, attempt, assessor_id, due_at) in zip(
                ids, rows, strict=True
            ):
                copy.write_row(
                    (
                        task_id,
                        portfolio_id,
                        attempt,
                        AssignmentRole.FIRST.value,
                        assessor_id,
                        AssignmentStatus.ALLOCATED.value,
                        now,
                        due_at,
                        "",
                        "",
                        "{}",  # no draft marks yet (COPY does not apply the model's default)
                    )
                )
        report("writing", total, total * 3)
        cursor.execute(
            f"UPDATE {Portfolio._meta.db_table} SET status = %s, updated_at = %s "  # noqa: S608
            "WHERE id = ANY(%s) AND status = %s",
            [
                PortfolioStatus.IN_ASSESSMENT.value,
                now,
                [row[0] for row in rows],
                PortfolioStatus.SUBMITTED.value,
            ],
        )
        _check_updated(cursor.rowcount, total)
        report("writing", 2 * total, total * 3)
        with raw.copy(
            f"COPY {event_table} (portfolio_id, kind, attempt, at, actor_id, reason, data) "
            "FROM STDIN"
        ) as copy:
            for task_id, (portfolio_id, attempt, assessor_id, due_at) in zip(
                ids, rows, strict=True
            ):
                copy.write_row(
                    (
                        portfolio_id,
                        EventKind.ALLOCATED.value,
                        attempt,
                        now,
                        actor_id,
                        "",
                        json.dumps(_event_data(task_id, assessor_id, due_at)),
                    )
                )
        report("writing", 3 * total, total * 3)
    return ids


# --- One task at a time -------------------------------------------------------------------------


def _portfolio_facts(portfolio: Portfolio) -> _Portfolio:
    enrolment = portfolio.enrolment
    return _Portfolio(
        id=portfolio.pk,
        attempt=portfolio.attempt,
        programme_id=portfolio.programme_id,
        branch_id=portfolio.branch_id,
        rubric_id=portfolio.rubric_id,
        organisation_id=enrolment.organisation_id,
        cohort_id=enrolment.cohort_id,
        person_id=enrolment.person_id,
    )


def _pick_for(portfolio: Portfolio, role: str) -> _Assessor | None:
    """The least-loaded eligible assessor for a task on the (locked) portfolio."""
    facts = _portfolio_facts(portfolio)
    candidates = _assessors(
        [portfolio.programme_id],
        today=timezone.localdate(),
        moderators_only=role == AssignmentRole.MODERATION,
    ).get(portfolio.programme_id, [])
    trainers = set(
        CohortTrainer.objects.filter(cohort_id=facts.cohort_id).values_list("person_id", flat=True)
    )
    previous = set(
        Assignment.objects.filter(portfolio_id=portfolio.pk).values_list("assessor_id", flat=True)
    )
    blocked = _conflict_check(
        facts,
        trainers=trainers,
        previous=previous,
        same_branch_is_conflict=portfolio.rubric.same_branch_is_conflict,
    )
    return _Pool(candidates).pick(blocked)


def _locked_portfolio(portfolio_id: int) -> Portfolio:
    return (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related("rubric", "enrolment")
        .get(pk=portfolio_id)
    )


def _create_task(*, portfolio: Portfolio, role: str, assessor: _Assessor, now: Any) -> Assignment:
    return Assignment.objects.create(
        portfolio=portfolio,
        attempt=portfolio.attempt,
        role=role,
        assessor_id=assessor.person_id,
        status=AssignmentStatus.ALLOCATED,
        allocated_at=now,
        due_at=now + timedelta(days=portfolio.rubric.marking_days),
    )


def assign_one(
    *, portfolio: Portfolio, role: str, by: User | None, reason: str = ""
) -> Assignment | None:
    """A task of `role` (first, second, moderation) on the portfolio's current attempt for the
    least-loaded eligible assessor (moderation: moderators only). None, with nothing written,
    when nobody is eligible: the portfolio stays in the unallocated queue.

    Called by the marking services too (second marking, moderation), so any signed-in actor
    may trigger it; the pages that offer it check their own permissions."""
    if role not in AssignmentRole.values:
        raise DomainError("unknown_role", _("Unknown kind of task."), field="role")
    with transaction.atomic():
        _lock_accreditations([portfolio.programme_id])
        locked = _locked_portfolio(portfolio.pk)
        if locked.status not in ASSIGNABLE:
            raise AllocationConflict(
                "portfolio_not_assignable",
                _("Portfolio %(portfolio)s is %(status)s: it cannot be given to an assessor.")
                % {"portfolio": locked, "status": locked.get_status_display()},
            )
        if (
            Assignment.objects.filter(portfolio=locked, attempt=locked.attempt, role=role)
            .exclude(status=AssignmentStatus.WITHDRAWN)
            .exists()
        ):
            raise AllocationConflict(
                "already_assigned",
                _("Portfolio %(portfolio)s already has a task for %(role)s.")
                % {"portfolio": locked, "role": AssignmentRole(role).label},
            )
        assessor = _pick_for(locked, role)
        if assessor is None:
            return None
        now = timezone.now()
        task = _create_task(portfolio=locked, role=role, assessor=assessor, now=now)
        if role == AssignmentRole.FIRST and locked.status == PortfolioStatus.SUBMITTED:
            locked.status = PortfolioStatus.IN_ASSESSMENT
            locked.save(update_fields=["status", "updated_at"])
        event_record(
            portfolio=locked,
            kind=EventKind.ALLOCATED,
            actor=by,
            reason=reason,
            data={
                "role": role,
                "assignment": task.pk,
                "assessor": assessor.person_id,
                "due_at": task.due_at.isoformat(),
            },
        )
    portfolio.status = locked.status
    return task


def _reallocate_locked(
    *, task: Assignment, by: User, reason: str, keep_when_nobody: bool
) -> Assignment | None:
    """Move an open task (row locked by the caller's transaction) to another assessor."""
    portfolio = _locked_portfolio(task.portfolio_id)
    assessor = _pick_for(portfolio, task.role)
    if assessor is None and keep_when_nobody:
        return None
    task.status = AssignmentStatus.WITHDRAWN
    task.save(update_fields=["status"])
    now = timezone.now()
    new_task = (
        _create_task(portfolio=portfolio, role=task.role, assessor=assessor, now=now)
        if assessor is not None
        else None
    )
    if (
        new_task is None
        and task.role == AssignmentRole.FIRST
        and portfolio.status == PortfolioStatus.IN_ASSESSMENT
    ):
        # Back to the queue of the next allocation round.
        portfolio.status = PortfolioStatus.SUBMITTED
        portfolio.save(update_fields=["status", "updated_at"])
    event_record(
        portfolio=portfolio,
        kind=EventKind.REALLOCATED,
        actor=by,
        reason=reason,
        data={
            "role": task.role,
            "withdrawn": task.pk,
            "from": task.assessor_id,
            "assignment": new_task.pk if new_task else None,
            "to": new_task.assessor_id if new_task else None,
            "due_at": new_task.due_at.isoformat() if new_task else None,
        },
    )
    return new_task


def assignment_reallocate(*, assignment: Assignment, by: User, reason: str) -> Assignment | None:
    """Give an open task (late, or its assessor cannot mark it) to another eligible assessor.
    None, with nothing changed, when nobody else is eligible: the task stays where it is."""
    _require_admin(by)
    reason = _clean_reason(reason)
    with transaction.atomic():
        programme_id = (
            Portfolio.objects.filter(pk=assignment.portfolio_id)
            .values_list("programme_id", flat=True)
            .get()
        )
        _lock_accreditations([programme_id])
        task = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if task.status != AssignmentStatus.ALLOCATED:
            raise AllocationConflict(
                "task_not_open",
                _("This task is %(status)s: only open tasks can be reallocated.")
                % {"status": task.get_status_display()},
            )
        new_task = _reallocate_locked(task=task, by=by, reason=reason, keep_when_nobody=True)
    if new_task is not None:
        assignment.status = AssignmentStatus.WITHDRAWN
    return new_task


@dataclass
class DeactivationResult:
    reallocated: int = 0
    unallocated: int = 0  # tasks withdrawn with nobody to take them (back in the queue)


def assessor_deactivate(
    *, accreditation: AssessorAccreditation, by: User, reason: str
) -> DeactivationResult:
    """An assessor dropped out: the accreditation becomes inactive and every open task of it
    is withdrawn and given to another eligible assessor (or goes back to the queue)."""
    _require_admin(by)
    reason = _clean_reason(reason)
    result = DeactivationResult()
    with transaction.atomic():
        _lock_accreditations([accreditation.programme_id])
        locked = AssessorAccreditation.objects.get(pk=accreditation.pk)
        if not locked.active:
            raise AllocationConflict(
                "assessor_inactive", _("This assessor is already deactivated.")
            )
        locked.active = False
        locked.save(update_fields=["active", "updated_at"])
        audit_record(
            actor=by,
            action="update",
            obj=locked,
            changes={"active": [True, False], "reason": reason},
            source=SOURCE,
        )
        open_tasks = (
            Assignment.objects.select_for_update()
            .filter(
                assessor_id=locked.person_id,
                status=AssignmentStatus.ALLOCATED,
                portfolio__programme_id=locked.programme_id,
            )
            .order_by("pk")
        )
        for task in list(open_tasks):
            new_task = _reallocate_locked(task=task, by=by, reason=reason, keep_when_nobody=False)
            if new_task is None:
                result.unallocated += 1
            else:
                result.reallocated += 1
    accreditation.active = False
    return result


# --- Accreditations -----------------------------------------------------------------------------


def accreditation_save(
    *,
    person: Person,
    programme: Programme,
    capacity: int,
    is_moderator: bool,
    valid_until: date,
    by: User,
    active: bool = True,
) -> tuple[AssessorAccreditation, bool]:
    """Accredit a person as an assessor of a programme, or change the accreditation (capacity,
    moderator, validity; reactivation). Returns (accreditation, created). A person with a login
    gets the assessor role."""
    _require_admin(by)
    if (
        isinstance(capacity, bool)
        or not isinstance(capacity, int)
        or not 1 <= capacity <= MAX_CAPACITY
    ):
        raise DomainError(
            "capacity_out_of_range",
            _("The capacity must be a whole number from 1 to %(max)s.") % {"max": MAX_CAPACITY},
            field="capacity",
        )
    if valid_until < timezone.localdate():
        raise DomainError(
            "valid_until_past",
            _("The accreditation must be valid until today or later."),
            field="valid_until",
        )
    with transaction.atomic():
        _lock_accreditations([programme.pk])
        existing = AssessorAccreditation.objects.filter(person=person, programme=programme).first()
        values = {
            "capacity": capacity,
            "is_moderator": bool(is_moderator),
            "valid_until": valid_until,
            "active": bool(active),
        }
        if existing is None:
            accreditation = AssessorAccreditation.objects.create(
                person=person, programme=programme, **values
            )
            audit_record(
                actor=by,
                action="create",
                obj=accreditation,
                changes={"person": person.pk, "programme": programme.pk, **values},
                source=SOURCE,
            )
            created = True
        else:
            before = {name: getattr(existing, name) for name in values}
            changed = diff(before, values)
            if changed:
                for name, value in values.items():
                    setattr(existing, name, value)
                existing.save(update_fields=[*values, "updated_at"])
                audit_record(
                    actor=by, action="update", obj=existing, changes=changed, source=SOURCE
                )
            accreditation, created = existing, False
        user = getattr(person, "user", None)
        if user is not None:
            role_assign(user=user, role=Role.ASSESSOR)
    return accreditation, created


def describe_deactivation(result: DeactivationResult) -> str:
    """The outcome of a deactivation in the reader's language."""
    text = gettext("The assessor is deactivated.")
    if result.reallocated:
        text += " " + ngettext(
            "%(n)s open task was given to another assessor.",
            "%(n)s open tasks were given to other assessors.",
            result.reallocated,
        ) % {"n": result.reallocated}
    if result.unallocated:
        text += " " + ngettext(
            "%(n)s task found nobody eligible and is back in the unallocated queue.",
            "%(n)s tasks found nobody eligible and are back in the unallocated queue.",
            result.unallocated,
        ) % {"n": result.unallocated}
    return text
