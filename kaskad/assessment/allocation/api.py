"""Allocation's JSON API: the queues (overdue, waiting for an assessor), the assessors' load,
and starting an allocation run (national administrators only).

Scope as on the pages: national administrators see everything, branch coordinators their
branches' part (read-only), everyone else gets 404.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from kaskad.assessment.allocation import selectors
from kaskad.assessment.allocation.tasks import allocation_job_start
from kaskad.catalogue.models import Programme
from kaskad.core.api import ERRORS, ApiError, ErrorOut, PageOut, PageQuery, api_user, paginate

router = Router(tags=["assessment"])


class QueueKind(StrEnum):
    OVERDUE = "overdue"
    UNALLOCATED = "unallocated"


class QueueFilters(PageQuery):
    kind: QueueKind = Field(QueueKind.UNALLOCATED, description="“overdue” or “unallocated”.")
    programme: int | None = Field(None, ge=1, description="Only this programme (its id).")


class QueueItem(Schema):
    portfolio_id: int
    code: str
    attempt: int
    programme: str
    branch: str
    role: str = Field(description="The task: first, second or moderation.")
    assessor_id: int | None = Field(description="Overdue tasks: who holds it.")
    due_at: datetime | None
    submitted_at: datetime | None
    task_id: int | None


class QueuePage(PageOut):
    items: list[QueueItem]


class LoadFilters(PageQuery):
    programme: int | None = Field(None, ge=1)


class LoadItem(Schema):
    accreditation_id: int
    person_id: int
    name: str
    programme: str
    capacity: int
    open: int
    marked_this_year: int
    is_moderator: bool
    active: bool


class LoadPage(PageOut):
    items: list[LoadItem]


class AllocateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    programme: int | None = Field(None, ge=1, description="Only this programme; all if left out.")


class AllocateOut(Schema):
    job_id: int
    status: str
    status_url: str


@router.get(
    "/assessment/allocation/queues",
    response={200: QueuePage, **ERRORS},
    summary="Overdue tasks or portfolios waiting for an assessor",
)
def allocation_queues(request: HttpRequest, filters: Query[QueueFilters]) -> dict[str, Any]:
    user = api_user(request)
    if filters.kind == QueueKind.OVERDUE:
        return paginate(
            selectors.overdue_queue(user=user, programme_id=filters.programme),
            filters,
            lambda t: {
                "portfolio_id": t.portfolio_id,
                "code": str(t.portfolio),
                "attempt": t.attempt,
                "programme": t.portfolio.programme.code,
                "branch": t.portfolio.branch.code,
                "role": t.role,
                "assessor_id": t.assessor_id,
                "due_at": t.due_at,
                "submitted_at": t.portfolio.submitted_at,
                "task_id": t.pk,
            },
        )
    return paginate(
        selectors.unallocated_queue(user=user, programme_id=filters.programme),
        filters,
        lambda p: {
            "portfolio_id": p.pk,
            "code": str(p),
            "attempt": p.attempt,
            "programme": p.programme.code,
            "branch": p.branch.code,
            "role": p.needed_role,
            "assessor_id": None,
            "due_at": None,
            "submitted_at": p.submitted_at,
            "task_id": None,
        },
    )


@router.get(
    "/assessment/allocation/loads",
    response={200: LoadPage, **ERRORS},
    summary="Assessors with their open tasks, capacity and marked this year",
)
def allocation_loads(request: HttpRequest, filters: Query[LoadFilters]) -> dict[str, Any]:
    return paginate(
        selectors.assessor_loads(user=api_user(request), programme_id=filters.programme),
        filters,
        lambda a: {
            "accreditation_id": a.pk,
            "person_id": a.person_id,
            "name": a.person.full_name,
            "programme": a.programme.code,
            "capacity": a.capacity,
            "open": a.open_count,
            "marked_this_year": a.marked_count,
            "is_moderator": a.is_moderator,
            "active": a.active,
        },
    )


@router.post(
    "/assessment/allocation/run",
    response={202: AllocateOut, 400: ErrorOut, **ERRORS},
    summary="Allocate submitted portfolios (a background job)",
)
def allocation_run(
    request: HttpRequest, payload: AllocateIn | None = None
) -> Status[dict[str, Any]]:
    """National administrators only (others: 404). Answers 202 with the job to follow at
    `status_url` (the job's page)."""
    user = api_user(request)
    selectors.require_manager(user)
    programme = None
    if payload is not None and payload.programme:
        programme = Programme.objects.filter(pk=payload.programme).first()
        if programme is None:
            raise ApiError(
                "unknown_programme", _("There is no such programme."), status=404, field="programme"
            )
    job = allocation_job_start(by=user, programme=programme)
    return Status(
        202,
        {
            "job_id": job.pk,
            "status": job.status,
            "status_url": reverse("core:job_detail", kwargs={"pk": job.pk}),
        },
    )
