"""Assessment's figures, per programme, branch and area (of the participant at enrolment):

* **evaluated**: portfolios whose first attempt reached an outcome (certified or not) in the
  year; **certified**: those certified at the first attempt. A certificate revoked later
  still counts in the year it was awarded: the report records what the assessment decided.
* **re_evaluated** / **re_certified**: the same for the second (final) attempt.
* **rated**, by rating: the rating the first attempt settled on (the portfolio's while it is at
  attempt 1; for a re-evaluated one, its first attempt's moderator's, else first marker's).
* **checked** / **flagged** / **confirmed**: plagiarism checks of the portfolios evaluated or
  re-evaluated in the year.

The year of an outcome is the year (server time zone) of its CERTIFIED / NOT CERTIFIED event.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from kaskad.assessment.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    EventKind,
    PlagiarismStatus,
    Portfolio,
    PortfolioEvent,
    PortfolioStatus,
    Rating,
)
from kaskad.reports.figures import DrillRow, Metric, Source, register, year_bounds
from kaskad.reports.sources._common import (
    full_name,
    label_of,
    local_date,
    years_of,
)

OUTCOME_KINDS = (EventKind.CERTIFIED, EventKind.NOT_CERTIFIED)
CHECKED = (
    PlagiarismStatus.CLEAR,
    PlagiarismStatus.SUSPECTED,
    PlagiarismStatus.CLEARED,
    PlagiarismStatus.CONFIRMED,
)
FLAGGED = (PlagiarismStatus.SUSPECTED, PlagiarismStatus.CONFIRMED)


def _outcome(year: int, *, attempt: int | None, certified: bool = False) -> Exists:
    start, end = year_bounds(year)
    events = PortfolioEvent.objects.filter(
        portfolio=OuterRef("pk"),
        kind__in=(EventKind.CERTIFIED,) if certified else OUTCOME_KINDS,
        at__gte=start,
        at__lt=end,
    )
    if attempt is not None:
        events = events.filter(attempt=attempt)
    return Exists(events)


def evaluated(year: int) -> QuerySet[Portfolio]:
    return Portfolio.objects.filter(_outcome(year, attempt=1))


def certified(year: int) -> QuerySet[Portfolio]:
    return Portfolio.objects.filter(_outcome(year, attempt=1, certified=True))


def re_evaluated(year: int) -> QuerySet[Portfolio]:
    return Portfolio.objects.filter(_outcome(year, attempt=2))


def re_certified(year: int) -> QuerySet[Portfolio]:
    return Portfolio.objects.filter(_outcome(year, attempt=2, certified=True))


def first_attempt_rating() -> Case:
    """The rating the first attempt settled on (see the module's docstring)."""
    marks = (
        Assignment.objects.filter(
            portfolio=OuterRef("pk"), attempt=1, status=AssignmentStatus.MARKED
        )
        .exclude(rating="")
        .annotate(
            order_=Case(
                When(role=AssignmentRole.MODERATION, then=Value(0)),
                When(role=AssignmentRole.FIRST, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("order_", "pk")
        .values("rating")[:1]
    )
    return Case(
        When(attempt=1, then=F("rating")),
        default=Subquery(marks),
        output_field=CharField(),
    )


def rated(year: int) -> QuerySet[Portfolio]:
    return (
        evaluated(year)
        .annotate(settled_rating=first_attempt_rating())
        .exclude(settled_rating="")
        .exclude(settled_rating__isnull=True)
    )


def _any_outcome(year: int) -> QuerySet[Portfolio]:
    return Portfolio.objects.filter(_outcome(year, attempt=None))


def checked(year: int) -> QuerySet[Portfolio]:
    return _any_outcome(year).filter(plagiarism_status__in=CHECKED)


def flagged(year: int) -> QuerySet[Portfolio]:
    return _any_outcome(year).filter(plagiarism_status__in=FLAGGED)


def confirmed(year: int) -> QuerySet[Portfolio]:
    return _any_outcome(year).filter(plagiarism_status=PlagiarismStatus.CONFIRMED)


def portfolio_row(portfolio: Portfolio) -> DrillRow:
    enrolment = portfolio.enrolment
    organisation = enrolment.organisation
    return DrillRow(
        name=full_name(enrolment.person),
        organisation=str(organisation) if organisation else "",
        programme=portfolio.programme.code,
        on=local_date(portfolio.released_at or portfolio.submitted_at),
        detail=" · ".join(
            str(x)
            for x in (
                label_of(PortfolioStatus, portfolio.status),
                label_of(Rating, portfolio.rating) if portfolio.rating else "",
                label_of(PlagiarismStatus, portfolio.plagiarism_status),
            )
            if x
        ),
    )


def changed_years(since: datetime) -> set[int]:
    events = PortfolioEvent.objects.filter(at__gt=since)
    portfolios = Portfolio.objects.filter(updated_at__gt=since)
    return years_of(events, "at") | years_of(
        PortfolioEvent.objects.filter(kind__in=OUTCOME_KINDS, portfolio__in=portfolios), "at"
    )


def _metric(code: str, label: object, records: object, key: str | None = None) -> Metric:
    return Metric(
        code=code,
        label=label,  # type: ignore[arg-type]
        records=records,  # type: ignore[arg-type]
        branch="branch_id",
        area="enrolment__area_id",
        programme="programme_id",
        key=key,
        describe=portfolio_row,
        related=("enrolment__person", "enrolment__organisation", "programme"),
        person="enrolment__person__",
    )


SOURCE = register(
    Source(
        name="assessment",
        metrics=[
            _metric("evaluated", _("Evaluated"), evaluated),
            _metric("certified", _("Certified"), certified),
            _metric("re_evaluated", _("Repeated evaluation: evaluated"), re_evaluated),
            _metric("re_certified", _("Repeated evaluation: certified"), re_certified),
            _metric("rated", _("Rated"), rated, "settled_rating"),
            _metric("checked", _("Checked for plagiarism"), checked),
            _metric("flagged", _("Plagiarism suspected or confirmed"), flagged),
            _metric("confirmed", _("Plagiarism confirmed"), confirmed),
        ],
        changed_years=changed_years,
    )
)
