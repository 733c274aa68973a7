"""Reads behind the national reports: the tables of the centre's annual report on the
assessment and certification of course participants, per programme, for one year and one
branch or the whole country.

The figures (the same definitions on the page and in the XLSX):

* **Evaluated**: portfolios whose first attempt reached an outcome (certified or not
  certified) in the year. **Certified**: those certified at the first attempt. A certificate
  revoked later still counts in the year it was awarded: the report is a record of what the
  assessment decided.
* **Repeated evaluation**: portfolios whose second (final) attempt reached an outcome in the
  year, and those certified at it.
* **Ratings**: the rating of the first attempt of the portfolios evaluated (the portfolio's
  rating while it is at attempt 1; for a portfolio that went on to a repeated evaluation, the
  rating its first attempt settled on: the moderator's, else the first marker's, with whom
  any second marker agreed). Percentages are of the portfolios rated.
* **Plagiarism check**, of the portfolios evaluated or re-evaluated in the year: checked
  (the check finished), flagged (matches to review, or plagiarism confirmed), confirmed.

The year of an outcome is the year (in the server's time zone) of its CERTIFIED / NOT
CERTIFIED event in the portfolio's history. Everything is read in a fixed handful of grouped
queries, whatever the number of portfolios or programmes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.assessment.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    EventKind,
    PlagiarismStatus,
    Portfolio,
    PortfolioEvent,
    Rating,
)
from kaskad.catalogue.models import Programme, ProgrammeVersion, VersionStatus
from kaskad.registry.models import Area, Branch
from kaskad.reports.tables import ReportScope

if TYPE_CHECKING:
    from kaskad.accounts.models import User

REPORT_ROLES = (Role.NATIONAL_ADMIN, Role.ANALYST, Role.BRANCH_COORDINATOR)
OUTCOME_KINDS = (EventKind.CERTIFIED, EventKind.NOT_CERTIFIED)
CHECKED = (
    PlagiarismStatus.CLEAR,
    PlagiarismStatus.SUSPECTED,
    PlagiarismStatus.CLEARED,
    PlagiarismStatus.CONFIRMED,
)
FLAGGED = (PlagiarismStatus.SUSPECTED, PlagiarismStatus.CONFIRMED)
YEARS_BACK = 10  # the years offered in the filter; history is kept ten years


# --- Who sees what ------------------------------------------------------------------------------


def can_see_reports(user: User) -> bool:
    return user_scope(user).has(*REPORT_ROLES)


def report_branches_visible_to(user: User) -> QuerySet[Branch]:
    """National roles see every branch (and the whole country); a coordinator their own."""
    scope = user_scope(user)
    if scope.national:
        return Branch.objects.order_by("code")
    if scope.has(Role.BRANCH_COORDINATOR):
        return Branch.objects.filter(pk__in=scope.branch_ids).order_by("code")
    return Branch.objects.none()


def report_scope(user: User, *, branch_code: str = "") -> Branch | None:
    """The branch a report is for (None: the whole country), within what the user may see;
    404 for anyone without a reporting role or asking for a branch outside their scope."""
    if not can_see_reports(user):
        raise Http404
    branches = report_branches_visible_to(user)
    if branch_code:
        branch = branches.filter(code=branch_code.strip().upper()).first()
        if branch is None:
            raise Http404
        return branch
    if user_scope(user).national:
        return None
    branch = branches.first()
    if branch is None:
        raise Http404
    return branch


def report_years() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - YEARS_BACK, -1))


# --- The figures --------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


@dataclass
class AssessmentRow:
    programme: Programme | None  # None on the totals row
    evaluated: int = 0
    certified: int = 0
    re_evaluated: int = 0
    re_certified: int = 0
    unsatisfactory: int = 0
    satisfactory: int = 0
    good: int = 0
    checked: int = 0
    flagged: int = 0
    confirmed: int = 0

    @property
    def title(self) -> str:
        shown = getattr(self.programme, "shown", None)
        return str(shown.title) if shown is not None else ""

    @property
    def code(self) -> str:
        return self.programme.code if self.programme is not None else ""

    @property
    def certified_percent(self) -> float | None:
        return _percent(self.certified, self.evaluated)

    @property
    def re_certified_percent(self) -> float | None:
        return _percent(self.re_certified, self.re_evaluated)

    @property
    def rated(self) -> int:
        return self.unsatisfactory + self.satisfactory + self.good

    @property
    def unsatisfactory_percent(self) -> float | None:
        return _percent(self.unsatisfactory, self.rated)

    @property
    def satisfactory_percent(self) -> float | None:
        return _percent(self.satisfactory, self.rated)

    @property
    def good_percent(self) -> float | None:
        return _percent(self.good, self.rated)

    @property
    def flagged_percent(self) -> float | None:
        return _percent(self.flagged, self.checked)

    def add(self, other: AssessmentRow) -> None:
        for f in fields(self):
            if f.name != "programme":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class AssessmentReport:
    year: int
    branch: Branch | None
    rows: list[AssessmentRow] = field(default_factory=list)
    total: AssessmentRow = field(default_factory=lambda: AssessmentRow(programme=None))

    # Each table of the annual report lists the programmes that have figures for it.
    @property
    def evaluation_rows(self) -> list[AssessmentRow]:
        return [r for r in self.rows if r.evaluated]

    @property
    def repeated_rows(self) -> list[AssessmentRow]:
        return [r for r in self.rows if r.re_evaluated]

    @property
    def rating_rows(self) -> list[AssessmentRow]:
        return [r for r in self.rows if r.rated]

    @property
    def plagiarism_rows(self) -> list[AssessmentRow]:
        return [r for r in self.rows if r.checked]


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime(year, 1, 1, tzinfo=tz),
        datetime(year + 1, 1, 1, tzinfo=tz),
    )


def first_attempt_rating(marks: list[tuple[str, str]]) -> str:
    """The rating attempt 1 settled on, from its marked assignments as (role, rating): the
    moderator's when there was a moderation, else the first marker's (a second marker who
    disagreed would have sent it to moderation)."""
    by_role = dict(marks)
    return (
        by_role.get(AssignmentRole.MODERATION)
        or by_role.get(AssignmentRole.FIRST)
        or by_role.get(AssignmentRole.SECOND)
        or ""
    )


def assessment_report(*, year: int, branch: Branch | None = None) -> AssessmentReport:
    """The evaluation, repeated evaluation, ratings and plagiarism tables for one year and one
    branch (None: the whole country). Five queries whatever the size."""
    start, end = _year_bounds(year)
    outcomes = PortfolioEvent.objects.filter(kind__in=OUTCOME_KINDS, at__gte=start, at__lt=end)
    if branch is not None:
        outcomes = outcomes.filter(portfolio__branch_id=branch.pk)
    first = Q(attempt=1)
    second = Q(attempt=2)
    certified = Q(kind=EventKind.CERTIFIED)
    # Attempt-1 ratings read from the portfolio while it is still at attempt 1.
    own = first & Q(portfolio__attempt=1)
    figures = (
        outcomes.values("portfolio__programme")
        .annotate(
            evaluated=Count("portfolio_id", filter=first, distinct=True),
            certified=Count("portfolio_id", filter=first & certified, distinct=True),
            re_evaluated=Count("portfolio_id", filter=second, distinct=True),
            re_certified=Count("portfolio_id", filter=second & certified, distinct=True),
            unsatisfactory=Count(
                "portfolio_id",
                filter=own & Q(portfolio__rating=Rating.UNSATISFACTORY),
                distinct=True,
            ),
            satisfactory=Count(
                "portfolio_id",
                filter=own & Q(portfolio__rating=Rating.SATISFACTORY),
                distinct=True,
            ),
            good=Count(
                "portfolio_id", filter=own & Q(portfolio__rating=Rating.GOOD), distinct=True
            ),
        )
        .order_by()
    )
    rows: dict[int, AssessmentRow] = {}
    for item in figures:
        rows[item["portfolio__programme"]] = AssessmentRow(
            programme=None,
            evaluated=item["evaluated"],
            certified=item["certified"],
            re_evaluated=item["re_evaluated"],
            re_certified=item["re_certified"],
            unsatisfactory=item["unsatisfactory"],
            satisfactory=item["satisfactory"],
            good=item["good"],
        )

    # Portfolios re-evaluated since: their first attempt's rating is in its marks.
    marks: dict[int, list[tuple[str, str]]] = defaultdict(list)
    programme_of: dict[int, int] = {}
    for portfolio_id, programme_id, role, rating in (
        Assignment.objects.filter(
            attempt=1,
            status=AssignmentStatus.MARKED,
            portfolio__attempt=2,
            portfolio_id__in=outcomes.filter(attempt=1).values("portfolio_id"),
        )
        .exclude(rating="")
        .values_list("portfolio_id", "portfolio__programme_id", "role", "rating")
    ):
        marks[portfolio_id].append((role, rating))
        programme_of[portfolio_id] = programme_id
    for portfolio_id, portfolio_marks in marks.items():
        rating = first_attempt_rating(portfolio_marks)
        row = rows.setdefault(programme_of[portfolio_id], AssessmentRow(programme=None))
        if rating in (Rating.UNSATISFACTORY, Rating.SATISFACTORY, Rating.GOOD):
            setattr(row, str(rating), getattr(row, str(rating)) + 1)

    plagiarism = (
        Portfolio.objects.filter(pk__in=outcomes.values("portfolio_id"))
        .values("programme_id")
        .annotate(
            checked=Count("pk", filter=Q(plagiarism_status__in=CHECKED)),
            flagged=Count("pk", filter=Q(plagiarism_status__in=FLAGGED)),
            confirmed=Count("pk", filter=Q(plagiarism_status=PlagiarismStatus.CONFIRMED)),
        )
        .order_by()
    )
    for checks in plagiarism:
        row = rows.setdefault(checks["programme_id"], AssessmentRow(programme=None))
        row.checked = checks["checked"]
        row.flagged = checks["flagged"]
        row.confirmed = checks["confirmed"]

    report = AssessmentReport(year=year, branch=branch)
    for programme in _programmes(set(rows)):
        row = rows[programme.pk]
        row.programme = programme
        report.rows.append(row)
        report.total.add(row)
    return report


def _programmes(ids: set[int]) -> list[Programme]:
    """The programmes in the report's order (area, code), each with `shown`: the approved
    version, else the newest one (for its title). Two queries, none when empty."""
    if not ids:
        return []
    programmes: list[Programme] = list(
        Programme.objects.filter(pk__in=ids)
        .select_related("area")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ProgrammeVersion.objects.order_by("-number"),
                to_attr="all_versions",
            )
        )
        .order_by("area__sort_order", "code")
    )
    for programme in programmes:
        versions = programme.all_versions  # type: ignore[attr-defined]
        programme.shown = next(  # type: ignore[attr-defined]
            (v for v in versions if v.status == VersionStatus.APPROVED),
            versions[0] if versions else None,
        )
    return programmes


# --- The scope of the annual report: country, branch or area ------------------------------------

DRILL_ROLES = (Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR)


def can_drill(user: User) -> bool:
    """Who may open a figure to the names behind it (personal data): national administrators
    and coordinators, within their scope."""
    return user_scope(user).has(*DRILL_ROLES)


def report_areas_visible_to(user: User) -> QuerySet[Area]:
    scope = user_scope(user)
    if scope.national:
        return Area.objects.order_by("sort_order", "code")
    if scope.has(Role.BRANCH_COORDINATOR):
        return Area.objects.filter(branch_id__in=scope.branch_ids).order_by("sort_order", "code")
    return Area.objects.none()


def annual_scope(user: User, *, branch_code: str = "", area_code: str = "") -> ReportScope:
    """The scope asked for, within what the user may see; 404 otherwise (an area or branch
    outside the user's scope answers like one that does not exist)."""
    if area_code:
        if not can_see_reports(user):
            raise Http404
        area = (
            report_areas_visible_to(user)
            .select_related("branch")
            .filter(code=area_code.strip())
            .first()
        )
        if area is None:
            raise Http404
        return ReportScope(area=area)
    return ReportScope(branch=report_scope(user, branch_code=branch_code))


def assessment_report_from_facts(*, year: int, scope: ReportScope) -> AssessmentReport:
    """The assessment tables read from the read model (what the pages show); equal to
    `assessment_report` over the records (the truth tests check it)."""
    from kaskad.reports.tables import Figures, programmes_in_order

    f = Figures(year=year, scope=scope)
    ids = f.programmes("evaluated", "re_evaluated", "checked", "rated")
    report = AssessmentReport(year=year, branch=scope.branch)
    for programme in programmes_in_order(ids):
        p = programme.pk
        row = AssessmentRow(
            programme=programme,
            evaluated=f.get("evaluated", programme=p),
            certified=f.get("certified", programme=p),
            re_evaluated=f.get("re_evaluated", programme=p),
            re_certified=f.get("re_certified", programme=p),
            unsatisfactory=f.get("rated", programme=p, key=Rating.UNSATISFACTORY),
            satisfactory=f.get("rated", programme=p, key=Rating.SATISFACTORY),
            good=f.get("rated", programme=p, key=Rating.GOOD),
            checked=f.get("checked", programme=p),
            flagged=f.get("flagged", programme=p),
            confirmed=f.get("confirmed", programme=p),
        )
        report.rows.append(row)
        report.total.add(row)
    return report
