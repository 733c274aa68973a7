"""The online courses' figures: completers of the year, those who came through a cohort
(their cohort enrolment is completed with the course, so they are also among the teachers
trained online) and those who enrolled in an open course (MOOC). A completion is placed in the
branch that runs the course and in the area fixed on the enrolment when it completed."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, CharField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from kaskad.learning.models import Enrolment, EnrolmentStatus, Result
from kaskad.reports.figures import DrillRow, Metric, Source, register, year_bounds
from kaskad.reports.sources._common import full_name, label_of, local_date, years_of

ROUTES = {"cohort": _("through a cohort"), "open": _("open enrolment (MOOC)")}


def completions(year: int) -> QuerySet[Enrolment]:
    start, end = year_bounds(year)
    return Enrolment.objects.filter(
        status=EnrolmentStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end
    ).annotate(
        route_=Case(
            When(delivery_enrolment__isnull=True, then=Value("open")),
            default=Value("cohort"),
            output_field=CharField(),
        )
    )


def completion_row(row: Enrolment) -> DrillRow:
    name = full_name(row.person) if row.person_id else str(row.user)
    return DrillRow(
        name=name,
        organisation=str(row.course.branch),
        programme=row.course.code,
        on=local_date(row.completed_at),
        detail=label_of(Result, row.result) if row.result else "",
    )


def changed_years(since: datetime) -> set[int]:
    # A completion only moves forward (learning rows have no update time of their own).
    return years_of(Enrolment.objects.filter(completed_at__gt=since), "completed_at")


SOURCE = register(
    Source(
        name="learning",
        metrics=[
            Metric(
                code="online_completed",
                label=_("Online course completers"),
                records=completions,
                branch="course__branch_id",
                # Fixed at completion (ADR 0007, "Online completions"); None: no registry
                # person, counted in the country's and the branch's figures only.
                area="area_id",
                programme="course__programme_version__programme_id",
                key="route_",
                describe=completion_row,
                related=("person", "user", "course__branch"),
                person="person__",
            ),
        ],
        changed_years=changed_years,
    )
)
