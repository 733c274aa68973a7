"""The school networks' figures: leading and partner schools by area and year, support events
by type, organiser and branch (with the people they reached), teachers' requests by topic.

The network is stated per academic year (2025 is 2025/26): a school's figures follow the row
of that year, so a partner school of one year that leads the next counts as a partner in the
first and as a leading school in the second."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaskad.networks.models import (
    EventKind,
    LeadingSchool,
    Partnership,
    RequestStatus,
    RequestTopic,
    SupportEvent,
    SupportRequest,
)
from kaskad.reports.figures import DrillRow, Metric, Source, register
from kaskad.reports.sources._common import full_name, label_of, local_date


def leading_schools(year: int) -> QuerySet[LeadingSchool]:
    return LeadingSchool.objects.filter(year=year)


def partner_schools(year: int) -> QuerySet[Partnership]:
    return Partnership.objects.filter(year=year)


def events(year: int) -> QuerySet[SupportEvent]:
    return SupportEvent.objects.filter(year=year)


def requests(year: int) -> QuerySet[SupportRequest]:
    return SupportRequest.objects.filter(year=year)


def leading_row(row: LeadingSchool) -> DrillRow:
    area = row.school.area
    return DrillRow(
        name=str(row.school),
        organisation=str(area) if area else str(row.branch),
        programme="",
        on=row.decision_date,
        detail=_("decision %(number)s") % {"number": row.decision_number or "—"},
        sort_key=(str(row.school),),
    )


def partner_row(row: Partnership) -> DrillRow:
    return DrillRow(
        name=str(row.school),
        organisation=str(row.leading.school),
        programme="",
        on=None,
        detail=str(_("partner school")),
        sort_key=(str(row.school),),
    )


def event_row(event: SupportEvent) -> DrillRow:
    return DrillRow(
        name=str(event.title),
        organisation=str(event.branch),
        programme="",
        on=local_date(event.starts_at),
        detail=_("%(kind)s · %(n)s participants")
        % {"kind": label_of(EventKind, event.kind), "n": event.participant_count},
        sort_key=(event.starts_at, event.pk),
    )


def request_row(row: SupportRequest) -> DrillRow:
    return DrillRow(
        name=full_name(row.person),
        organisation=str(row.school),
        programme="",
        on=local_date(row.created_at),
        detail=f"{label_of(RequestTopic, row.topic)} · {label_of(RequestStatus, row.status)}",
    )


def changed_years(since: datetime) -> set[int]:
    years: set[int] = set()
    for model in (LeadingSchool, Partnership, SupportEvent, SupportRequest):
        years |= set(
            model.objects.filter(updated_at__gt=since).values_list("year", flat=True).distinct()
        )
    return years


def _event_metric(code: str, label: object, key: str, sums: str | None = None) -> Metric:
    return Metric(
        code=code,
        label=label,  # type: ignore[arg-type]
        records=events,
        branch="branch_id",
        area="school__area_id",
        key=key,
        sums=sums,
        describe=event_row,
        related=("branch",),
    )


SOURCE = register(
    Source(
        name="networks",
        metrics=[
            Metric(
                code="leading_schools",
                label=_("Leading schools"),
                records=leading_schools,
                branch="branch_id",
                area="school__area_id",
                describe=leading_row,
                related=("school__area", "branch"),
            ),
            Metric(
                code="partner_schools",
                label=_("Partner schools"),
                records=partner_schools,
                branch="leading__branch_id",
                area="school__area_id",
                counts="school_id",
                describe=partner_row,
                related=("school", "leading__school"),
            ),
            _event_metric("support_events", _("Events of post-course support"), "kind"),
            _event_metric(
                "support_events_organiser",
                _("Events of post-course support by organiser"),
                "organiser_kind",
            ),
            _event_metric(
                "support_event_participants",
                _("Participants of post-course support events"),
                "kind",
                sums="participant_count",
            ),
            Metric(
                code="support_requests",
                label=_("Teachers' requests"),
                records=requests,
                branch="branch_id",
                area="school__area_id",
                key="topic",
                describe=request_row,
                related=("person", "school"),
                person="person__",
            ),
        ],
        changed_years=changed_years,
    )
)
