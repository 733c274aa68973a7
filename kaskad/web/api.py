"""API endpoints that gather several apps: the home page's work list (`/me/worklist`) and the
annual plan against delivery (`/plan`). Same paths, tags and operation ids as when they lived in
accounts and catalogue; here because they read apps above those (docs/adr/0003-layers.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kaskad.catalogue import permissions, selectors
from kaskad.core.api import ERRORS, api_user
from kaskad.reports.plan import PlanRow, plan_vs_actual
from kaskad.reports.worklist import worklist

router = Router(tags=["accounts"])


class WorkItemOut(Schema):
    kind: str
    title: str
    detail: str
    url: str = Field(description="The page where the work is done.")
    due: date | None = None
    count: int | None = None
    overdue: bool = False


class WorkSectionOut(Schema):
    role: str
    kind: str = Field(
        description="attendance_to_mark, drafts_to_comment, tasks_to_mark, "
        "cohorts_starting_soon, attendance_overdue, portfolios_unallocated, teachers_in_training"
    )
    title: str
    total: int = Field(description="How many there are in all; `items` lists the first ten.")
    items: list[WorkItemOut]
    url: str | None = None


@router.get(
    "/me/worklist",
    response={200: list[WorkSectionOut], **ERRORS},
    summary="What is waiting for me",
    operation_id="kaskad_accounts_api_me_worklist",
)
def me_worklist(request: HttpRequest) -> list[dict[str, Any]]:
    """The home page's work list, in the user's language, by role: the same sections."""
    return [section.as_dict() for section in worklist(user=api_user(request))]


# --- Annual plan --------------------------------------------------------------------------------


class BranchRef(Schema):
    code: str
    name: str


class PlanRowOut(Schema):
    programme_code: str | None
    programme_title: str | None
    planned_cohorts: int
    actual_cohorts: int
    cohorts_percent: float | None = Field(description="Actual as % of plan; null if no plan.")
    planned_participants: int
    actual_participants: int
    participants_percent: float | None
    in_plan: bool = Field(True, description="False: delivered without a plan line.")


class PlanOut(Schema):
    year: int
    branch: BranchRef | None = Field(description="null: the whole country.")
    rows: list[PlanRowOut]
    total: PlanRowOut = Field(description="Over the programmes with a plan line only.")
    unplanned: PlanRowOut = Field(
        description="Cohorts and participants of programmes without a plan line (not in total)."
    )


class PlanQuery(Schema):
    year: int = Field(ge=2000, le=2100)
    branch: str = Field(
        "",
        max_length=8,
        description="A branch code (see /api/branches); empty for the whole country "
        "(national roles) or your own branch (coordinators).",
    )


def _plan_row(row: PlanRow) -> dict[str, Any]:
    shown = getattr(row.programme, "shown", None)
    return {
        "programme_code": row.programme.code if row.programme else None,
        "programme_title": str(shown.title) if shown else None,
        "planned_cohorts": row.planned_cohorts,
        "actual_cohorts": row.actual_cohorts,
        "cohorts_percent": row.cohorts_percent,
        "planned_participants": row.planned_participants,
        "actual_participants": row.actual_participants,
        "participants_percent": row.participants_percent,
        "in_plan": row.in_plan,
    }


@router.get(
    "/plan",
    response={200: PlanOut, **ERRORS},
    summary="Annual plan against delivery",
    tags=["catalogue"],
    # The operation id it had under the catalogue's router, so API clients see no change.
    operation_id="kaskad_catalogue_api_plan",
)
def plan(request: HttpRequest, query: Query[PlanQuery]) -> dict[str, Any]:
    """For each programme: planned cohorts and participants against the cohorts that opened
    in that year (open, running, finished or closed) and their enrolments taken up."""
    user = api_user(request)
    if not permissions.can_see_plan(user):
        raise PermissionDenied
    branch = None
    if query.branch:
        branch = selectors.plan_branch_get(user=user, code=query.branch)
    elif not permissions.can_see_country_plan(user):
        branch = selectors.plan_branches_visible_to(user).first()
    report = plan_vs_actual(year=query.year, branch=branch)
    assert report.total is not None
    return {
        "year": report.year,
        "branch": {"code": branch.code, "name": str(branch)} if branch else None,
        "rows": [_plan_row(row) for row in report.rows],
        "total": _plan_row(report.total),
        "unplanned": _plan_row(report.unplanned or PlanRow(programme=None)),
    }
