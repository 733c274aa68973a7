"""The catalogue's figures: programmes developed (their first version approved in the year),
the annual plan (cohorts and participants planned), and the programmes in the plan."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaskad.catalogue.models import AnnualPlan, ProgrammeVersion, QualityCertification
from kaskad.reports.figures import DrillRow, Metric, Source, register, year_bounds
from kaskad.reports.sources._common import local_date, years_of


def developed(year: int) -> QuerySet[ProgrammeVersion]:
    start, end = year_bounds(year)
    return ProgrammeVersion.objects.filter(number=1, approved_at__gte=start, approved_at__lt=end)


def plan_lines(year: int) -> QuerySet[AnnualPlan]:
    return AnnualPlan.objects.filter(year=year)


def version_row(version: ProgrammeVersion) -> DrillRow:
    return DrillRow(
        name=str(version.title),
        organisation=str(version.programme.area),
        programme=version.programme.code,
        on=local_date(version.approved_at),
        detail=_("version %(number)s") % {"number": version.number},
        sort_key=(version.programme.code,),
    )


def plan_row(line: AnnualPlan) -> DrillRow:
    return DrillRow(
        name=line.programme.code,
        organisation=str(line.branch),
        programme=line.programme.code,
        on=None,
        detail=_("%(cohorts)s cohorts, %(participants)s participants")
        % {"cohorts": line.planned_cohorts, "participants": line.planned_participants},
        sort_key=(line.programme.code, line.branch.code),
    )


def changed_years(since: datetime) -> set[int]:
    years = years_of(ProgrammeVersion.objects.filter(updated_at__gt=since), "approved_at")
    years |= set(
        AnnualPlan.objects.filter(updated_at__gt=since).values_list("year", flat=True).distinct()
    )
    for cert in QualityCertification.objects.filter(updated_at__gt=since)[:1000]:
        years |= set(range(cert.certified_on.year, cert.valid_until.year + 1))
    return years


SOURCE = register(
    Source(
        name="catalogue",
        metrics=[
            Metric(
                code="programmes_developed",
                label=_("Programmes developed"),
                records=developed,
                programme="programme_id",
                describe=version_row,
                related=("programme__area",),
            ),
            Metric(
                code="programmes_in_plan",
                label=_("Programmes in the annual plan"),
                records=plan_lines,
                counts="programme_id",
                describe=plan_row,
                related=("programme", "branch"),
            ),
            Metric(
                code="planned_cohorts",
                label=_("Planned cohorts"),
                records=plan_lines,
                branch="branch_id",
                programme="programme_id",
                sums="planned_cohorts",
                describe=plan_row,
                related=("programme", "branch"),
            ),
            Metric(
                code="planned_participants",
                label=_("Planned participants"),
                records=plan_lines,
                branch="branch_id",
                programme="programme_id",
                sums="planned_participants",
                describe=plan_row,
                related=("programme", "branch"),
            ),
        ],
        changed_years=changed_years,
    )
)
