"""The support reports: events by type, branch, month and topic; teachers reached; partner-school
coverage per term; requests by topic, branch and month, median time to answer and the share
answered within the SLA. Every figure starts from the user's scoped selectors."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, F, IntegerField, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kaskad.core.scope import scope_of
from kaskad.networks.models import (
    EventKind,
    EventParticipant,
    Partnership,
    RequestStatus,
    RequestTopic,
    SupportEvent,
    TopicArea,
)
from kaskad.networks.selectors import event_visible_to, leading_visible_to, request_visible_to
from kaskad.registry.models import Branch

if TYPE_CHECKING:
    from kaskad.accounts.models import User


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _month(value: Any) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)[:7]


def _term_bounds(year: int, term: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    if term == 1:
        start, end = date(year, 9, 1), date(year + 1, 1, 1)
    else:
        start, end = date(year + 1, 1, 1), date(year + 1, 9, 1)
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end, time.min, tzinfo=tz),
    )


def events_filtered(
    *, user: User, year: int, kind: str = "", topic: str = "", branch: int | None = None
) -> Any:
    qs = event_visible_to(user).filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if topic:
        qs = qs.filter(topic=topic)
    if branch:
        qs = qs.filter(branch_id=branch)
    return qs


def event_report(
    *, user: User, year: int, kind: str = "", topic: str = "", branch: int | None = None
) -> dict[str, Any]:
    qs = events_filtered(user=user, year=year, kind=kind, topic=topic, branch=branch)
    kinds = dict(EventKind.choices)
    topics = dict(TopicArea.choices)
    branches = dict(Branch.objects.values_list("id", "name"))
    plain = qs.order_by()
    by_kind = plain.values_list("kind").annotate(n=Count("id"), p=Sum("participant_count"))
    by_topic = plain.values_list("topic").annotate(n=Count("id"), p=Sum("participant_count"))
    by_branch = plain.values_list("branch_id").annotate(n=Count("id"), p=Sum("participant_count"))
    by_month = (
        plain.annotate(month=TruncMonth("starts_at"))
        .values_list("month")
        .annotate(n=Count("id"), p=Sum("participant_count"))
    )
    totals = plain.aggregate(n=Count("id"), p=Sum("participant_count"))
    participations = EventParticipant.objects.filter(year=year)
    if kind or topic or branch or not scope_of(user).national:
        participations = participations.filter(event__in=plain.values("pk"))
    reached = participations.values("person_id").distinct().count()
    return {
        "total": totals["n"] or 0,
        "participants": totals["p"] or 0,
        "reached": reached,
        "by_kind": sorted(
            ([str(kinds.get(k, k)), n, p or 0] for k, n, p in by_kind), key=lambda r: -r[1]
        ),
        "by_topic": sorted(
            ([str(topics.get(k, k)), n, p or 0] for k, n, p in by_topic), key=lambda r: -r[1]
        ),
        "by_branch": sorted(
            ([str(branches.get(k, k)), n, p or 0] for k, n, p in by_branch), key=lambda r: r[0]
        ),
        "by_month": sorted([_month(m), n, p or 0] for m, n, p in by_month),
    }


def partner_coverage(*, user: User, year: int) -> list[list[Any]]:
    """Per term: partner schools in scope, how many had at least one event (held for the
    school, or attended by someone working there at the time), and the share."""
    leading_ids = leading_visible_to(user).filter(year=year).values("pk")
    partners = set(
        Partnership.objects.filter(year=year, leading_id__in=leading_ids).values_list(
            "school_id", flat=True
        )
    )
    first_term_ends = _term_bounds(year, 2)[0]
    term = Case(
        When(starts_at__lt=first_term_ends, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    touched: dict[int, set[int]] = {1: set(), 2: set()}
    held = (
        SupportEvent.objects.filter(year=year, school_id__isnull=False)
        .order_by()
        .annotate(term=term)
        .values_list("term", "school_id")
        .distinct()
    )
    for number, school_id in held:
        touched[number].add(school_id)
    attended_term = Case(
        When(event__starts_at__lt=first_term_ends, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    attended = (
        EventParticipant.objects.filter(year=year, organisation_id__isnull=False)
        .order_by()
        .annotate(term=attended_term)
        .values_list("term", "organisation_id")
        .distinct()
    )
    for number, school_id in attended:
        touched[number].add(school_id)
    total = len(partners)
    rows = []
    for number in (1, 2):
        covered = len(partners & touched[number])
        share = round(100 * covered / total, 1) if total else 0.0
        rows.append([number, total, covered, share])
    return rows


def request_report(*, user: User, year: int, branch: int | None = None) -> dict[str, Any]:
    qs = request_visible_to(user).filter(year=year).order_by()
    if branch:
        qs = qs.filter(branch_id=branch)
    topics = dict(RequestTopic.choices)
    statuses = dict(RequestStatus.choices)
    branches = dict(Branch.objects.values_list("id", "name"))
    total = qs.count()
    by_topic = qs.values_list("topic").annotate(n=Count("id"))
    by_branch = qs.values_list("branch_id").annotate(n=Count("id"))
    by_month = (
        qs.annotate(month=TruncMonth("created_at")).values_list("month").annotate(n=Count("id"))
    )
    by_status = qs.values_list("status").annotate(n=Count("id"))
    answered = list(
        qs.filter(answered_at__isnull=False).values_list("created_at", "answered_at", "due_on")
    )
    hours = [(a - c).total_seconds() / 3600 for c, a, _d in answered if a is not None]
    tz = timezone.get_current_timezone()
    within = sum(
        1 for _c, a, d in answered if a is not None and timezone.localtime(a, tz).date() <= d
    )
    overdue = qs.filter(
        status__in=[RequestStatus.NEW, RequestStatus.ASSIGNED], due_on__lt=timezone.localdate()
    ).count()
    rated = qs.filter(rating__isnull=False).aggregate(s=Sum("rating"), n=Count("id"))
    return {
        "total": total,
        "answered": len(answered),
        "overdue": overdue,
        "median_hours": round(statistics.median(hours), 1) if hours else None,
        "within_sla": round(100 * within / len(answered), 1) if answered else None,
        "mean_rating": round(rated["s"] / rated["n"], 2) if rated["n"] else None,
        "by_topic": sorted(([str(topics.get(k, k)), n] for k, n in by_topic), key=lambda r: -r[1]),
        "by_branch": sorted(
            ([str(branches.get(k, k)), n] for k, n in by_branch), key=lambda r: r[0]
        ),
        "by_month": sorted([_month(m), n] for m, n in by_month),
        "by_status": [[str(statuses.get(k, k)), n] for k, n in by_status],
    }


def planning_and_assessment_share(report: dict[str, Any]) -> float | None:
    """The share of requests about lesson planning and assessment (the centre's headline)."""
    total = report["total"]
    if not total:
        return None
    labels = {str(RequestTopic.PLANNING.label), str(RequestTopic.ASSESSMENT.label)}
    part = sum(n for label, n in report["by_topic"] if label in labels)
    return round(100.0 * float(part) / float(total), 1)


__all__ = ["F", "Table", "event_report", "partner_coverage", "request_report"]
