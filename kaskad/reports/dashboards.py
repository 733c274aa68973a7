"""Dashboards per role: a few tables, each with the chart drawn from it (the data endpoint
serves the same tables as chart data, so the chart and the table beside it never differ).

* national roles — teachers trained and certified by branch this year; by year over five years;
* coordinator — plan against actual this year (each figure opens to names), cohorts by
  status this year, overdue assessment tasks by programme;
* school leader — their teachers' training status per school (due for training, category due).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.assessment.models import Assignment, AssignmentStatus
from kaskad.delivery.models import Cohort, CohortStatus
from kaskad.registry.models import Branch
from kaskad.reports import analytics
from kaskad.reports.models import Fact
from kaskad.reports.tables import (
    Cell,
    Figures,
    ReportScope,
    Row,
    Table,
    percent,
    plan_vs_actual,
    programmes_in_order,
    title_of,
)

if TYPE_CHECKING:
    from kaskad.accounts.models import User


def _national_by_branch(year: int) -> Table:
    table = Table(
        code="by_branch",
        title=_("Teachers trained and certified by branch, %(year)s") % {"year": year},
        columns=[_("Branch"), _("Teachers trained"), _("Certified"), _("Certified, percent")],
        chart_columns=(1, 2),
    )
    figures: dict[tuple[int | None, str], int] = {}
    for branch_id, metric, value in (
        Fact.objects.filter(year=year, metric__in=("completed", "certified", "evaluated"))
        .values("branch_id", "metric")
        .annotate(v=Sum("value"))
        .values_list("branch_id", "metric", "v")
    ):
        figures[(branch_id, metric)] = int(value or 0)
    totals = {"completed": 0, "certified": 0, "evaluated": 0}
    for branch in Branch.objects.order_by("code"):
        values = {m: figures.get((branch.pk, m), 0) for m in totals}
        for m in totals:
            totals[m] += values[m]
        table.rows.append(
            Row(
                label=branch.city,
                code=branch.code,
                cells=[
                    Cell(values["completed"]),
                    Cell(values["certified"]),
                    Cell(percent(values["certified"], values["evaluated"]), is_percent=True),
                ],
            )
        )
    table.rows.append(
        Row(
            label=_("Total"),
            total=True,
            cells=[
                Cell(totals["completed"]),
                Cell(totals["certified"]),
                Cell(percent(totals["certified"], totals["evaluated"]), is_percent=True),
            ],
        )
    )
    return table


def _by_year(year: int, scope: ReportScope) -> Table:
    years = list(range(year - 4, year + 1))
    table = Table(
        code="by_year",
        title=_("Teachers trained and certified by year"),
        columns=[_("Year"), _("Teachers trained"), _("Certified"), _("Trainers trained")],
        chart_columns=(1, 2, 3),
    )
    f = Figures(year=year, scope=scope)
    for y in years:
        table.rows.append(
            Row(
                label=str(y),
                cells=[
                    f.cell("completed", year=y),
                    f.cell("certified", year=y),
                    f.cell("trainers_trained", year=y),
                ],
            )
        )
    return table


def _cohorts_by_status(year: int, branch: Branch) -> Table:
    table = Table(
        code="cohorts",
        title=_("Cohorts of %(year)s by status") % {"year": year},
        columns=[_("Status"), _("Cohorts")],
        chart_columns=(1,),
    )
    counts = dict(
        Cohort.objects.filter(branch=branch, starts_on__year=year)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    for status in CohortStatus:
        table.rows.append(Row(label=str(status.label), cells=[Cell(counts.get(status.value, 0))]))
    table.rows.append(Row(label=_("Total"), total=True, cells=[Cell(sum(counts.values()))]))
    return table


def _overdue_assessment(branch: Branch) -> Table:
    table = Table(
        code="overdue",
        title=_("Assessment tasks past their due date"),
        columns=[_("Programme"), _("Tasks overdue")],
        chart_columns=(1,),
    )
    counts = dict(
        Assignment.objects.filter(
            status=AssignmentStatus.ALLOCATED,
            due_at__lt=timezone.now(),
            portfolio__branch=branch,
        )
        .values_list("portfolio__programme_id")
        .annotate(n=Count("pk"))
        .values_list("portfolio__programme_id", "n")
    )
    for programme in programmes_in_order(list(counts)):
        table.rows.append(
            Row(label=title_of(programme), code=programme.code, cells=[Cell(counts[programme.pk])])
        )
    table.rows.append(Row(label=_("Total"), total=True, cells=[Cell(sum(counts.values()))]))
    return table


def school_status(organisation_ids: frozenset[int]) -> Table:
    table = Table(
        code="teachers_status",
        title=_("My teachers' training status"),
        columns=[
            _("School"),
            _("Teachers"),
            _("Trained in the last three years"),
            _("Due for training"),
            _("Category due within 12 months"),
        ],
        chart_columns=(2, 3, 4),
    )
    rows = analytics.due_counts(
        analytics.teachers_in(organisation_ids=organisation_ids), group="organisation__name"
    )
    total = [0, 0, 0, 0]
    for r in rows:
        values = [
            r["teachers"],
            r["teachers"] - r["training_due"],
            r["training_due"],
            r["category_due"],
        ]
        total = [a + b for a, b in zip(total, values, strict=True)]
        table.rows.append(Row(label=r["organisation__name"], cells=[Cell(v) for v in values]))
    table.rows.append(Row(label=_("Total"), total=True, cells=[Cell(v) for v in total]))
    return table


def dashboard_tables(user: User, *, year: int | None = None) -> tuple[str, list[Table]]:
    """(the dashboard's kind, its tables) for the user's role."""
    scope = user_scope(user)
    year = year or timezone.localdate().year
    if scope.national and scope.has(Role.NATIONAL_ADMIN, Role.ANALYST):
        return "national", [_national_by_branch(year), _by_year(year, ReportScope())]
    if scope.has(Role.BRANCH_COORDINATOR) and scope.branch_ids:
        branch = Branch.objects.filter(pk__in=scope.branch_ids).order_by("code").first()
        assert branch is not None
        report_scope = ReportScope(branch=branch)
        plan = plan_vs_actual(Figures(year=year, scope=report_scope))
        plan.title = _("Plan against actual, %(year)s") % {"year": year}
        return "branch", [
            plan,
            _cohorts_by_status(year, branch),
            _overdue_assessment(branch),
            _by_year(year, report_scope),
        ]
    if scope.has(Role.SCHOOL_LEADER) and scope.organisation_ids:
        return "school", [school_status(scope.organisation_ids)]
    return "", []


def chart_data(tables: list[Table]) -> list[dict[str, Any]]:
    """Each table as chart data: the rows' labels (no total) against its chart columns."""
    out = []
    for table in tables:
        rows = [r for r in table.rows if not r.total]
        columns = [c for c in table.chart_columns if c < len(table.columns)]
        if not columns:
            continue
        out.append(
            {
                "code": table.code,
                "title": table.title,
                "labels": [r.label if len(r.label) <= 40 else r.label[:38] + "…" for r in rows],
                "datasets": [
                    {
                        "label": table.columns[c],
                        "data": [
                            (r.cells[c - 1].value or 0) if c - 1 < len(r.cells) else 0 for r in rows
                        ],
                    }
                    for c in columns
                ],
            }
        )
    return out
