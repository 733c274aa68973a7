"""Delivery's figures: teachers trained (completed courses) by programme, format and
audience; cohorts and participants against the annual plan."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, CharField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from kaskad.catalogue.models import Format
from kaskad.delivery.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus
from kaskad.registry.choices import OrganisationKind
from kaskad.reports.figures import DrillRow, Metric, Source, register, year_bounds
from kaskad.reports.sources._common import (
    full_name,
    label_of,
    local_date,
    years_of,
)

# Cohorts that count as delivered against the plan, and enrolments that count as participants.
ACTUAL_COHORT_STATUSES = ("open", "running", "finished", "closed")
ACTUAL_ENROLMENT_STATUSES = ("enrolled", "completed", "not_completed")

AUDIENCES = {
    "preschool": _("preschool education"),
    "secondary": _("secondary education"),
    "tvet_higher": _("technical, vocational and higher education"),
    "other": _("other organisations"),
}


def audience_of(prefix: str = "organisation__kind") -> Case:
    """The audience of a course participant, from the kind of organisation they worked at."""
    return Case(
        When(**{f"{prefix}": OrganisationKind.KINDERGARTEN}, then=Value("preschool")),
        When(
            **{f"{prefix}__in": [OrganisationKind.SCHOOL, OrganisationKind.NIS]},
            then=Value("secondary"),
        ),
        When(
            **{f"{prefix}__in": [OrganisationKind.COLLEGE, OrganisationKind.UNIVERSITY]},
            then=Value("tvet_higher"),
        ),
        default=Value("other"),
        output_field=CharField(),
    )


def completions(year: int) -> QuerySet[Enrolment]:
    start, end = year_bounds(year)
    return Enrolment.objects.filter(
        status=EnrolmentStatus.COMPLETED, ended_at__gte=start, ended_at__lt=end
    ).annotate(audience_=audience_of())


def enrolment_row(enrolment: Enrolment) -> DrillRow:
    organisation = enrolment.organisation
    return DrillRow(
        name=full_name(enrolment.person),
        organisation=str(organisation) if organisation else "",
        programme=enrolment.programme.code,
        on=local_date(enrolment.ended_at) or enrolment.cohort.starts_on,
        detail=f"{enrolment.cohort.code} · {label_of(EnrolmentStatus, enrolment.status)}",
    )


ENROLMENT_RELATED = ("person", "organisation", "programme", "cohort")


def actual_cohorts(year: int) -> QuerySet[Cohort]:
    return Cohort.objects.filter(starts_on__year=year, status__in=ACTUAL_COHORT_STATUSES)


def participants(year: int) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        cohort__starts_on__year=year,
        cohort__status__in=ACTUAL_COHORT_STATUSES,
        status__in=ACTUAL_ENROLMENT_STATUSES,
    )


def cohort_row(cohort: Cohort) -> DrillRow:
    return DrillRow(
        name=cohort.code,
        organisation=str(cohort.branch),
        programme=cohort.version.programme.code,
        on=cohort.starts_on,
        detail=f"{label_of(Format, cohort.format)} · {label_of(CohortStatus, cohort.status)}",
        sort_key=(cohort.starts_on, cohort.code),
    )


def changed_years(since: datetime) -> set[int]:
    enrolments = Enrolment.objects.filter(updated_at__gt=since)
    cohorts = Cohort.objects.filter(updated_at__gt=since)
    return years_of(enrolments, "ended_at", "cohort__starts_on") | years_of(
        cohorts, "starts_on", "ends_on"
    )


def _enrolment_metric(code: str, label: Any, records: Any, key: str | None) -> Metric:
    return Metric(
        code=code,
        label=label,
        records=records,
        branch="cohort__branch_id",
        area="area_id",
        programme="programme_id",
        key=key,
        describe=enrolment_row,
        related=ENROLMENT_RELATED,
        person="person__",
    )


SOURCE = register(
    Source(
        name="delivery",
        metrics=[
            _enrolment_metric("completed", _("Teachers trained"), completions, "cohort__format"),
            _enrolment_metric(
                "completed_audience", _("Teachers trained by audience"), completions, "audience_"
            ),
            Metric(
                code="actual_cohorts",
                label=_("Actual cohorts"),
                records=actual_cohorts,
                branch="branch_id",
                programme="version__programme_id",
                key="format",
                describe=cohort_row,
                related=("branch", "version__programme"),
            ),
            _enrolment_metric("participants", _("Actual participants"), participants, None),
        ],
        changed_years=changed_years,
    )
)
