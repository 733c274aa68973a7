"""The annual plan against delivery: per programme, planned cohorts and participants against
the cohorts that opened and their enrolments taken up; and the same table as an Excel workbook.

It joins the catalogue's plan to delivery's cohorts, so it lives in reports, above both
(docs/adr/0003-layers.md); the catalogue keeps the plan lines themselves.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Sum
from django.utils.translation import gettext as _

from kaskad.catalogue.models import AnnualPlan, Programme, ProgrammeVersion, VersionStatus
from kaskad.core.cells import text_workbook
from kaskad.delivery.models import Cohort, Enrolment
from kaskad.registry.models import Branch

# Cohorts that count as delivered in plan-versus-actual (a planned cohort has not started to
# recruit yet), and the enrolments that count as participants.
ACTUAL_COHORT_STATUSES = ("open", "running", "finished", "closed")
ACTUAL_ENROLMENT_STATUSES = ("enrolled", "completed", "not_completed")


@dataclass
class PlanRow:
    programme: Programme | None  # None on the totals row
    planned_cohorts: int = 0
    planned_participants: int = 0
    actual_cohorts: int = 0
    actual_participants: int = 0
    # False for a programme delivered without any plan line for it.
    in_plan: bool = True

    @staticmethod
    def _percent(actual: int, planned: int) -> float | None:
        return round(actual * 100 / planned, 1) if planned else None

    @property
    def cohorts_percent(self) -> float | None:
        return self._percent(self.actual_cohorts, self.planned_cohorts)

    @property
    def participants_percent(self) -> float | None:
        return self._percent(self.actual_participants, self.planned_participants)


@dataclass
class PlanReport:
    year: int
    branch: Branch | None
    rows: list[PlanRow] = field(default_factory=list)
    # Over the programmes with a plan line only, so the percentages compare like with like.
    total: PlanRow | None = None
    # Cohorts and participants of programmes nobody planned, counted apart.
    unplanned: PlanRow | None = None


def plan_vs_actual(*, year: int, branch: Branch | None = None) -> PlanReport:
    """Planned against delivered cohorts and participants for each programme, for one branch
    or (branch=None) the whole country.

    Actual cohorts: cohorts on any version of the programme, of that branch, starting in
    `year`, that went beyond "planned". Actual participants: their enrolments that were taken
    up (enrolled, completed or not completed; not waitlisted, withdrawn or removed).
    The total counts only programmes with a plan line; what was delivered without one is
    `unplanned`, shown apart. Four grouped queries whatever the number of programmes.
    """
    plan_qs = AnnualPlan.objects.filter(year=year)
    cohort_qs = Cohort.objects.filter(starts_on__year=year, status__in=ACTUAL_COHORT_STATUSES)
    if branch is not None:
        plan_qs = plan_qs.filter(branch=branch)
        cohort_qs = cohort_qs.filter(branch=branch)
    planned = {
        row["programme"]: row
        for row in plan_qs.values("programme").annotate(
            cohorts=Sum("planned_cohorts"), participants=Sum("planned_participants")
        )
    }
    cohorts = dict(
        cohort_qs.values_list("version__programme")
        .annotate(n=Count("id"))
        .values_list("version__programme", "n")
    )
    participants = dict(
        Enrolment.objects.filter(
            cohort__in=cohort_qs.values("pk"), status__in=ACTUAL_ENROLMENT_STATUSES
        )
        .values_list("cohort__version__programme")
        .annotate(n=Count("id"))
        .values_list("cohort__version__programme", "n")
    )
    programme_ids = set(planned) | set(cohorts) | set(participants)
    programmes = (
        list(
            Programme.objects.filter(pk__in=programme_ids)
            .select_related("area")
            .prefetch_related(
                Prefetch(
                    "versions",
                    queryset=ProgrammeVersion.objects.filter(
                        status__in=[VersionStatus.APPROVED, VersionStatus.DRAFT]
                    ).order_by("-number"),
                    to_attr="live_versions",
                ),
            )
            .order_by("area__sort_order", "code")
        )
        if programme_ids
        else []
    )
    # A retired programme has no live version: show its latest title (one more query, only
    # when such programmes appear).
    retired = [p.pk for p in programmes if not p.live_versions]
    latest: dict[int, ProgrammeVersion] = {}
    if retired:
        for version in ProgrammeVersion.objects.filter(programme_id__in=retired).order_by(
            "programme_id", "-number"
        ):
            latest.setdefault(version.programme_id, version)
    report = PlanReport(year=year, branch=branch)
    total = PlanRow(programme=None)
    unplanned = PlanRow(programme=None, in_plan=False)
    for programme in programmes:
        live = programme.live_versions
        programme.current = next(  # type: ignore[attr-defined]
            (v for v in live if v.status == VersionStatus.APPROVED), None
        )
        programme.shown = (  # type: ignore[attr-defined]
            programme.current or (live[0] if live else latest.get(programme.pk))  # type: ignore[attr-defined]
        )
        plan: Any = planned.get(programme.pk, {})
        row = PlanRow(
            programme=programme,
            planned_cohorts=int(plan.get("cohorts") or 0),
            planned_participants=int(plan.get("participants") or 0),
            actual_cohorts=cohorts.get(programme.pk, 0),
            actual_participants=participants.get(programme.pk, 0),
            in_plan=programme.pk in planned,
        )
        report.rows.append(row)
        into = total if row.in_plan else unplanned
        into.planned_cohorts += row.planned_cohorts
        into.planned_participants += row.planned_participants
        into.actual_cohorts += row.actual_cohorts
        into.actual_participants += row.actual_participants
    report.total = total
    report.unplanned = unplanned
    return report


# --- The workbook (same rows and totals as the page) -------------------------------------


def _title(row: PlanRow) -> str:
    shown = getattr(row.programme, "shown", None)
    return str(shown.title) if shown is not None else ""


def plan_workbook(report: PlanReport, *, scope_label: str) -> bytes:
    buffer = io.BytesIO()
    workbook = text_workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_("Plan vs actual")[:31])
    bold = workbook.add_format({"bold": True})
    header = workbook.add_format(
        {"bold": True, "bg_color": "#E6F1F9", "border": 1, "text_wrap": True, "valign": "top"}
    )
    number = workbook.add_format({"num_format": "#,##0", "border": 1})
    percent = workbook.add_format({"num_format": "0.0", "border": 1})
    text = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    total_text = workbook.add_format({"bold": True, "border": 1, "top": 2})
    total_number = workbook.add_format({"bold": True, "num_format": "#,##0", "border": 1, "top": 2})
    total_percent = workbook.add_format({"bold": True, "num_format": "0.0", "border": 1, "top": 2})

    sheet.write(0, 0, _("Annual plan and delivery, %(year)s") % {"year": report.year}, bold)
    sheet.write(1, 0, scope_label)
    columns = [
        (_("Code"), 14),
        (_("Programme"), 60),
        (_("Planned cohorts"), 12),
        (_("Actual cohorts"), 12),
        (_("Cohorts, percentage of plan"), 12),
        (_("Planned participants"), 14),
        (_("Actual participants"), 14),
        (_("Participants, percentage of plan"), 14),
    ]
    first = 3
    for col, (label, width) in enumerate(columns):
        sheet.write(first, col, label, header)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(first + 1, 2)

    def write_row(at: int, row: PlanRow, code: str, title: str, formats: tuple[Any, ...]) -> None:
        label_format, number_format, percent_format = formats
        sheet.write(at, 0, code, label_format)
        sheet.write(at, 1, title, label_format)
        sheet.write_number(at, 2, row.planned_cohorts, number_format)
        sheet.write_number(at, 3, row.actual_cohorts, number_format)
        _write_percent(sheet, at, 4, row.cohorts_percent, percent_format)
        sheet.write_number(at, 5, row.planned_participants, number_format)
        sheet.write_number(at, 6, row.actual_participants, number_format)
        _write_percent(sheet, at, 7, row.participants_percent, percent_format)

    at = first + 1
    for row in report.rows:
        code = row.programme.code if row.programme is not None else ""
        write_row(at, row, code, _title(row), (text, number, percent))
        at += 1
    if report.total is not None:
        write_row(
            at, report.total, _("Total of the plan"), "", (total_text, total_number, total_percent)
        )
        at += 1
    if report.unplanned is not None and (
        report.unplanned.actual_cohorts or report.unplanned.actual_participants
    ):
        write_row(
            at,
            report.unplanned,
            _("Delivered outside the plan"),
            _("not counted in the total"),
            (text, number, percent),
        )
    workbook.close()
    return buffer.getvalue()


def _write_percent(sheet: Any, row: int, col: int, value: float | None, fmt: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, value, fmt)
