"""The registry's figures: teachers of general-education organisations at the end of the
year (the denominator of the share of school trainers)."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kaskad.registry.choices import OrganisationKind, Position
from kaskad.registry.models import Employment
from kaskad.reports.figures import DrillRow, Metric, Source, register
from kaskad.reports.sources._common import full_name, label_of, years_of

GENERAL_EDUCATION = (OrganisationKind.SCHOOL, OrganisationKind.NIS)
TEACHING_POSITIONS = ("teacher", "deputy_director", "director", "methodologist")


def teachers(year: int) -> QuerySet[Employment]:
    """Main jobs at general-education schools held on the last day of `year`."""
    end = date(year, 12, 31)
    return Employment.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=end),
        is_primary=True,
        started_on__lte=end,
        organisation__kind__in=GENERAL_EDUCATION,
        position__in=TEACHING_POSITIONS,
    )


def employment_row(employment: Employment) -> DrillRow:
    return DrillRow(
        name=full_name(employment.person),
        organisation=str(employment.organisation),
        programme="",
        on=employment.started_on,
        detail=label_of(Position, employment.position),
    )


def changed_years(since: datetime) -> set[int]:
    changed = Employment.objects.filter(updated_at__gt=since)
    return years_of(changed, "started_on", "ended_on")


SOURCE = register(
    Source(
        name="registry",
        metrics=[
            Metric(
                code="teachers",
                label=_("Teachers of general-education schools"),
                records=teachers,
                branch="organisation__area__branch_id",
                area="organisation__area_id",
                counts="person_id",
                describe=employment_row,
                related=("person", "organisation"),
                person="person__",
            ),
        ],
        changed_years=changed_years,
    )
)
