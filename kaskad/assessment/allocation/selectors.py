"""Reads of allocation: the dashboard counts, the overdue and unallocated queues, the assessors'
load, rubrics.

Who sees them:

* national administrators: everything, and they act on it;
* branch coordinators: the portfolios of their branches and the assessors working in their
  branches, read-only;
* everyone else: 404 (the pages do not exist for them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kaskad.accounts.scopes import user_scope
from kaskad.assessment.models import (
    AssessorAccreditation,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Portfolio,
    PortfolioStatus,
    Rubric,
)
from kaskad.catalogue.models import Programme, ProgrammeVersion, VersionStatus

if TYPE_CHECKING:
    from kaskad.accounts.models import User


@dataclass(frozen=True)
class Access:
    manage: bool  # may act (national administrator)
    branch_ids: frozenset[int] | None  # None: the whole country


def allocation_access(user: User) -> Access:
    """National administrators manage; coordinators read their branches; others 404."""
    scope = user_scope(user)
    if scope.national_write:
        return Access(manage=True, branch_ids=None)
    if scope.branch_ids:
        return Access(manage=False, branch_ids=scope.branch_ids)
    raise Http404


def require_manager(user: User) -> Access:
    access = allocation_access(user)
    if not access.manage:
        raise Http404  # read-only viewers have no such action
    return access


def portfolios_visible_to(user: User) -> QuerySet[Portfolio]:
    access = allocation_access(user)
    qs = Portfolio.objects.all()
    if access.branch_ids is not None:
        qs = qs.filter(branch_id__in=access.branch_ids)
    return qs


# --- Queues -------------------------------------------------------------------------------------


def _task(role: str, *, statuses: tuple[str, ...] | None = None) -> Exists:
    tasks = Assignment.objects.filter(
        portfolio_id=OuterRef("pk"), attempt=OuterRef("attempt"), role=role
    )
    if statuses is None:
        tasks = tasks.exclude(status=AssignmentStatus.WITHDRAWN)
    else:
        tasks = tasks.filter(status__in=statuses)
    return Exists(tasks)


def unallocated_condition() -> Q:
    """Portfolios waiting for a task nobody holds: submitted without a live first task; in
    assessment with the first marking done and no live second task; with the moderator without
    a live moderation task."""
    return (
        Q(status=PortfolioStatus.SUBMITTED) & ~Q(_task(AssignmentRole.FIRST))
        | Q(status=PortfolioStatus.IN_ASSESSMENT)
        & Q(_task(AssignmentRole.FIRST, statuses=(AssignmentStatus.MARKED,)))
        & ~Q(_task(AssignmentRole.SECOND))
        | Q(status=PortfolioStatus.MODERATION) & ~Q(_task(AssignmentRole.MODERATION))
    )


def unallocated_queue(*, user: User, programme_id: int | None = None) -> QuerySet[Portfolio]:
    """Portfolios waiting for an assessor, oldest submission first, each with `needed_role`."""
    qs = portfolios_visible_to(user).filter(unallocated_condition())
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    return (
        qs.annotate(
            needed_role=Case(
                When(status=PortfolioStatus.SUBMITTED, then=Value(AssignmentRole.FIRST.value)),
                When(
                    status=PortfolioStatus.MODERATION,
                    then=Value(AssignmentRole.MODERATION.value),
                ),
                default=Value(AssignmentRole.SECOND.value),
                output_field=CharField(),
            )
        )
        .select_related("programme", "branch", "rubric__version")
        .order_by("submitted_at", "pk")
    )


def overdue_queue(
    *, user: User, programme_id: int | None = None, now: datetime | None = None
) -> QuerySet[Assignment]:
    """Open tasks past their due date, the longest overdue first."""
    now = now or timezone.now()
    qs = Assignment.objects.filter(
        status=AssignmentStatus.ALLOCATED,
        due_at__lt=now,
        portfolio__in=portfolios_visible_to(user).values("pk"),
    )
    if programme_id:
        qs = qs.filter(portfolio__programme_id=programme_id)
    return qs.select_related(
        "portfolio", "portfolio__programme", "portfolio__branch", "assessor"
    ).order_by("due_at", "pk")


def assignment_for_action(*, user: User, pk: int) -> Assignment:
    """An open task a national administrator may reallocate; 404 for everyone else."""
    require_manager(user)
    return get_object_or_404(
        Assignment.objects.select_related("portfolio", "assessor"),
        pk=pk,
        status=AssignmentStatus.ALLOCATED,
    )


def portfolio_for_action(*, user: User, pk: int) -> Portfolio:
    require_manager(user)
    return get_object_or_404(Portfolio.objects.select_related("rubric", "enrolment"), pk=pk)


# --- The dashboard ------------------------------------------------------------------------------


@dataclass
class ProgrammeCounts:
    programme: Programme
    title: str
    rubric_version_id: int | None
    submitted: int = 0  # every portfolio submitted at its current attempt
    unallocated: int = 0
    in_assessment: int = 0
    overdue: int = 0


def _current_titles(programme_ids: set[int]) -> dict[int, tuple[str, int]]:
    """The title and id of each programme's approved (else newest) version."""
    found: dict[int, tuple[str, int]] = {}
    approved: set[int] = set()
    versions = ProgrammeVersion.objects.filter(programme_id__in=programme_ids).order_by(
        "programme_id", "-number"
    )
    for version in versions:
        pid = version.programme_id
        if pid in approved:
            continue
        if version.status == VersionStatus.APPROVED:
            approved.add(pid)
            found[pid] = (str(version.title), version.pk)
        elif pid not in found:
            found[pid] = (str(version.title), version.pk)
    return found


def programme_counts(*, user: User, now: datetime | None = None) -> list[ProgrammeCounts]:
    """Per programme: submitted, waiting for an assessor, being assessed, overdue tasks."""
    now = now or timezone.now()
    visible = portfolios_visible_to(user)
    rows = (
        visible.exclude(status=PortfolioStatus.DRAFT)
        .exclude(status=PortfolioStatus.RESUBMISSION)
        .values("programme_id")
        .order_by()
        .annotate(
            submitted=Count("pk"),
            in_assessment=Count(
                "pk",
                filter=Q(status__in=(PortfolioStatus.IN_ASSESSMENT, PortfolioStatus.MODERATION)),
            ),
            unallocated=Count("pk", filter=unallocated_condition()),
        )
    )
    counts: dict[int, dict[str, Any]] = {row["programme_id"]: dict(row) for row in rows}
    overdue = dict(
        Assignment.objects.filter(
            status=AssignmentStatus.ALLOCATED,
            due_at__lt=now,
            portfolio__in=visible.values("pk"),
        )
        .values_list("portfolio__programme_id")
        .order_by()
        .annotate(n=Count("pk"))
    )
    ids = set(counts) | set(overdue)
    programmes = Programme.objects.in_bulk(ids)
    titles = _current_titles(ids)
    rubric_versions = dict(
        Rubric.objects.filter(version__programme_id__in=ids)
        .order_by("version__number")
        .values_list("version__programme_id", "version_id")
    )
    result = []
    for pid in sorted(ids, key=lambda i: programmes[i].code):
        row = counts.get(pid, {})
        result.append(
            ProgrammeCounts(
                programme=programmes[pid],
                title=titles.get(pid, ("", 0))[0],
                rubric_version_id=rubric_versions.get(pid),
                submitted=row.get("submitted", 0),
                unallocated=row.get("unallocated", 0),
                in_assessment=row.get("in_assessment", 0),
                overdue=overdue.get(pid, 0),
            )
        )
    return result


# --- Assessors ----------------------------------------------------------------------------------


def accreditations_visible_to(user: User) -> QuerySet[AssessorAccreditation]:
    access = allocation_access(user)
    qs = AssessorAccreditation.objects.all()
    if access.branch_ids is not None:
        qs = qs.filter(person__current_organisation__area__branch_id__in=access.branch_ids)
    return qs


def assessor_loads(
    *, user: User, programme_id: int | None = None, year: int | None = None
) -> QuerySet[AssessorAccreditation]:
    """Each accreditation with `open_count` (allocated tasks of that programme) and
    `marked_count` (tasks marked this year), most loaded first."""
    year = year or timezone.localdate().year
    tasks = Assignment.objects.filter(
        assessor_id=OuterRef("person_id"), portfolio__programme_id=OuterRef("programme_id")
    )

    def counted(condition: Q) -> Coalesce:
        return Coalesce(
            Subquery(
                tasks.filter(condition)
                .order_by()
                .values("assessor_id")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        )

    qs = accreditations_visible_to(user)
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    return (
        qs.annotate(
            open_count=counted(Q(status=AssignmentStatus.ALLOCATED)),
            marked_count=counted(Q(status=AssignmentStatus.MARKED, marked_at__year=year)),
        )
        .select_related("person", "programme", "person__current_organisation__area__branch")
        .order_by("-active", "programme__code", "person__surname", "person__given_name", "pk")
    )


def accreditation_for_action(*, user: User, pk: int) -> AssessorAccreditation:
    require_manager(user)
    return get_object_or_404(
        AssessorAccreditation.objects.select_related("person", "programme"), pk=pk
    )


# --- Rubrics ------------------------------------------------------------------------------------


def version_for_rubric(*, user: User, version_pk: int) -> ProgrammeVersion:
    """Any signed-in user may read a rubric (it is stated to assessors and participants)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    return get_object_or_404(ProgrammeVersion.objects.select_related("programme"), pk=version_pk)


def rubric_of(version: ProgrammeVersion) -> Rubric | None:
    return Rubric.objects.filter(version=version).prefetch_related("criteria__levels").first()
