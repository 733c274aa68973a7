"""Reads of the participant's side of portfolios, scope first: a portfolio outside the user's
scope answers 404 exactly like a missing one.

Who sees a portfolio here:

* the participant (the enrolment's person): their own;
* the trainers of the cohort (CohortTrainer): the portfolios of their cohort's participants,
  and a draft's files (to give feedback);
* staff: national administrators all, branch coordinators their branch's.

Analysts see the aggregated reports only: an individual portfolio, its files, marks and
assessors' comments answer 404 to them, exactly like a missing one.

Assessors never come through here: their view is blind (see marking_selectors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404

from kaskad.accounts.scopes import user_scope
from kaskad.assessment.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    CriterionLevel,
    CriterionMark,
    DraftFeedback,
    PlagiarismStatus,
    Portfolio,
    PortfolioFile,
    PortfolioStatus,
    Rubric,
)
from kaskad.assessment.portfolios.services import (
    EDITABLE_STATUSES,
    PORTFOLIO_ENROLMENT_STATUSES,
    submission_deadline,
)
from kaskad.catalogue.models import AssessmentScheme
from kaskad.core.collation import name_order
from kaskad.delivery.models import Cohort, CohortTrainer, Enrolment

if TYPE_CHECKING:
    from kaskad.accounts.models import User

ROLE_ORDER: dict[str, int] = {
    AssignmentRole.FIRST: 0,
    AssignmentRole.SECOND: 1,
    AssignmentRole.MODERATION: 2,
}


def _base() -> QuerySet[Portfolio]:
    return Portfolio.objects.select_related(
        "rubric",
        "rubric__version",
        "programme",
        "enrolment",
        "enrolment__person",
        "enrolment__cohort",
        "enrolment__cohort__version",
    )


def _get(qs: QuerySet[Portfolio], pk: int) -> Portfolio:
    try:
        return qs.get(pk=pk)
    except Portfolio.DoesNotExist as exc:
        raise Http404 from exc


def portfolio_get_for_participant(*, user: User, pk: int) -> Portfolio:
    """The participant's own portfolio (or one in a staff member's scope)."""
    scope = user_scope(user)
    condition = Q(pk__in=[])
    if scope.national_write:
        condition = Q()
    else:
        if scope.branch_ids:
            condition |= Q(branch_id__in=scope.branch_ids)
        if scope.person_id:
            condition |= Q(enrolment__person_id=scope.person_id)
    return _get(_base().filter(condition), pk)


def portfolio_get_for_trainer(*, user: User, pk: int) -> Portfolio:
    """A portfolio of a cohort the user trains (or one in a staff member's scope)."""
    scope = user_scope(user)
    condition = Q(pk__in=[])
    if scope.national_write:
        condition = Q()
    else:
        if scope.branch_ids:
            condition |= Q(branch_id__in=scope.branch_ids)
        if scope.person_id:
            condition |= Q(
                enrolment__cohort_id__in=CohortTrainer.objects.filter(
                    person_id=scope.person_id
                ).values("cohort_id")
            )
    return _get(_base().filter(condition), pk)


# --- The participant's list -------------------------------------------------------------------


@dataclass
class MyPortfolioRow:
    enrolment: Enrolment
    portfolio: Portfolio | None
    # The deadline a portfolio would get (None when the rubric is not published yet).
    deadline: datetime | None
    has_rubric: bool
    file_count: int = 0


def my_portfolios(*, user: User) -> list[MyPortfolioRow]:
    """One row per enrolment of the user in a programme with a portfolio assessment."""
    person_id = user_scope(user).person_id
    if person_id is None:
        return []
    enrolments = list(
        Enrolment.objects.filter(person_id=person_id, status__in=PORTFOLIO_ENROLMENT_STATUSES)
        .exclude(cohort__version__assessment_scheme=AssessmentScheme.NONE)
        .select_related("cohort", "cohort__version", "cohort__version__programme")
        .order_by("-cohort__ends_on", "-pk")
    )
    portfolios = {
        p.enrolment_id: p
        for p in Portfolio.objects.filter(enrolment__in=enrolments).annotate(
            file_count=Count(
                "files",
                filter=Q(files__removed_at__isnull=True) & Q(files__attempt=F("attempt")),
            )
        )
    }
    rubrics = {
        r.version_id: r
        for r in Rubric.objects.filter(version_id__in={e.cohort.version_id for e in enrolments})
    }
    rows = []
    for enrolment in enrolments:
        portfolio = portfolios.get(enrolment.pk)
        rubric = rubrics.get(enrolment.cohort.version_id)
        if portfolio is not None:
            deadline: datetime | None = portfolio.deadline
        elif rubric is not None:
            deadline = submission_deadline(ends_on=enrolment.cohort.ends_on, rubric=rubric)
        else:
            deadline = None
        rows.append(
            MyPortfolioRow(
                enrolment=enrolment,
                portfolio=portfolio,
                deadline=deadline,
                has_rubric=rubric is not None,
                file_count=getattr(portfolio, "file_count", 0) if portfolio else 0,
            )
        )
    return rows


# --- One portfolio ----------------------------------------------------------------------------


@dataclass
class FileRow:
    file: PortfolioFile
    words: int


def portfolio_files(*, portfolio: Portfolio, attempt: int | None = None) -> list[FileRow]:
    """The files of an attempt (the current one by default), without removed ones."""
    files = PortfolioFile.objects.filter(
        portfolio=portfolio,
        attempt=attempt or portfolio.attempt,
        removed_at__isnull=True,
    ).order_by("uploaded_at", "pk")
    return [FileRow(file=f, words=len(f.text.split())) for f in files]


def portfolio_feedback(*, portfolio: Portfolio) -> QuerySet[DraftFeedback]:
    return DraftFeedback.objects.filter(portfolio=portfolio).select_related("author")


def file_get_for_download(*, user: User, pk: int, file_pk: int) -> PortfolioFile:
    """A file the user may download: the participant's own and staff's in scope; a trainer
    only a draft's files."""
    scope = user_scope(user)
    try:
        portfolio = portfolio_get_for_participant(user=user, pk=pk)
    except Http404:
        portfolio = portfolio_get_for_trainer(user=user, pk=pk)
        if portfolio.status not in EDITABLE_STATUSES and not scope.national_write:
            raise Http404 from None
    try:
        return PortfolioFile.objects.get(pk=file_pk, portfolio=portfolio, removed_at__isnull=True)
    except PortfolioFile.DoesNotExist as exc:
        raise Http404 from exc


# --- The released result ----------------------------------------------------------------------


@dataclass
class MarkRow:
    criterion: str
    level: int
    descriptor: str
    comment: str


@dataclass
class MarkingResult:
    role: str
    role_label: str
    rating: str
    rating_label: str
    comment: str
    marks: list[MarkRow]


@dataclass
class AttemptResult:
    attempt: int
    rating: str
    rating_label: str
    certified: bool
    plagiarism_confirmed: bool
    markings: list[MarkingResult] = field(default_factory=list)


def released_attempts(portfolio: Portfolio) -> list[int]:
    """Attempts whose result the participant may see: every earlier attempt (an attempt ends
    released before the next opens) and the current one once released."""
    attempts = list(range(1, portfolio.attempt))
    if portfolio.released_at is not None:
        attempts.append(portfolio.attempt)
    return attempts


def portfolio_results(*, portfolio: Portfolio) -> list[AttemptResult]:
    """The marks, level descriptors and comments of each released attempt, newest first.
    Nothing says who the assessors were."""
    attempts = released_attempts(portfolio)
    if not attempts:
        return []
    assignments = list(
        Assignment.objects.filter(
            portfolio=portfolio, attempt__in=attempts, status=AssignmentStatus.MARKED
        )
        .only("pk", "attempt", "role", "rating", "comment", "portfolio_id")
        .prefetch_related(
            Prefetch(
                "marks",
                queryset=CriterionMark.objects.select_related("criterion").order_by(
                    "criterion__order"
                ),
            )
        )
    )
    descriptors = {
        (level.criterion_id, level.level): str(level.descriptor)
        for level in CriterionLevel.objects.filter(criterion__rubric_id=portfolio.rubric_id)
    }
    ratings = dict(Portfolio._meta.get_field("rating").choices or [])
    roles = dict(AssignmentRole.choices)
    results = []
    for attempt in sorted(attempts, reverse=True):
        mine = sorted(
            (a for a in assignments if a.attempt == attempt), key=lambda a: ROLE_ORDER[a.role]
        )
        markings = [
            MarkingResult(
                role=a.role,
                role_label=str(roles.get(a.role, a.role)),
                rating=a.rating,
                rating_label=str(ratings.get(a.rating, a.rating)),
                comment=a.comment,
                marks=[
                    MarkRow(
                        criterion=str(m.criterion.title),
                        level=m.level,
                        descriptor=descriptors.get((m.criterion_id, m.level), ""),
                        comment=m.comment,
                    )
                    for m in a.marks.all()
                ],
            )
            for a in mine
        ]
        # The deciding marking: the moderator's, else the first (the second agreed with it).
        deciding = next(
            (m for m in markings if m.role == AssignmentRole.MODERATION),
            markings[0] if markings else None,
        )
        if attempt == portfolio.attempt:
            rating = portfolio.rating
            certified = portfolio.status == PortfolioStatus.CERTIFIED
            confirmed = portfolio.plagiarism_status == PlagiarismStatus.CONFIRMED
        else:
            rating = deciding.rating if deciding else ""
            certified = False  # an earlier attempt ended not certified
            confirmed = False
        results.append(
            AttemptResult(
                attempt=attempt,
                rating=rating,
                rating_label=str(ratings.get(rating, rating)),
                certified=certified,
                plagiarism_confirmed=confirmed,
                markings=markings,
            )
        )
    return results


# --- The trainer's cohort ---------------------------------------------------------------------


def trainer_cohorts(*, user: User) -> QuerySet[Cohort]:
    """Cohorts with a portfolio assessment the user trains (all in scope for staff)."""
    scope = user_scope(user)
    qs = (
        Cohort.objects.select_related("version", "version__programme", "branch")
        .exclude(version__assessment_scheme=AssessmentScheme.NONE)
        .order_by("-ends_on", "code")
    )
    if scope.national_write:
        return qs
    condition = Q(pk__in=[])
    if scope.branch_ids:
        condition |= Q(branch_id__in=scope.branch_ids)
    if scope.person_id:
        condition |= Q(
            pk__in=CohortTrainer.objects.filter(person_id=scope.person_id).values("cohort_id")
        )
    return qs.filter(condition)


def trainer_cohort_get(*, user: User, pk: int) -> Cohort:
    try:
        return trainer_cohorts(user=user).get(pk=pk)
    except Cohort.DoesNotExist as exc:
        raise Http404 from exc


@dataclass
class CohortPortfolioRow:
    enrolment: Enrolment
    portfolio: Portfolio | None
    file_count: int
    feedback_count: int
    files: list[FileRow] = field(default_factory=list)
    # The comments already given on the draft, oldest first (shown so a trainer does not
    # repeat or contradict themselves).
    feedback: list[Any] = field(default_factory=list)


def cohort_portfolios(*, cohort: Cohort) -> list[CohortPortfolioRow]:
    """Every participant of the cohort with their portfolio (None when not opened yet)."""
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort, status__in=PORTFOLIO_ENROLMENT_STATUSES)
        .select_related("person")
        .order_by(*name_order("person__"), "pk")
    )
    portfolios = {
        p.enrolment_id: p
        for p in Portfolio.objects.filter(enrolment__cohort=cohort).annotate(
            file_count=Count(
                "files",
                filter=Q(files__removed_at__isnull=True) & Q(files__attempt=F("attempt")),
                distinct=True,
            ),
            feedback_count=Count("feedback", distinct=True),
        )
    }
    # The files of drafts, which the trainer may open to give feedback: one query.
    drafts = {p.pk: p for p in portfolios.values() if p.status in EDITABLE_STATUSES}
    files: dict[int, list[FileRow]] = {pk: [] for pk in drafts}
    for record in PortfolioFile.objects.filter(
        portfolio_id__in=drafts, removed_at__isnull=True
    ).order_by("uploaded_at", "pk"):
        if record.attempt == drafts[record.portfolio_id].attempt:
            files[record.portfolio_id].append(FileRow(file=record, words=len(record.text.split())))
    comments: dict[int, list[Any]] = {pk: [] for pk in drafts}
    for comment in (
        DraftFeedback.objects.filter(portfolio_id__in=drafts)
        .select_related("author")
        .order_by("created_at", "pk")
    ):
        comments[comment.portfolio_id].append(comment)
    rows = []
    for enrolment in enrolments:
        portfolio = portfolios.get(enrolment.pk)
        rows.append(
            CohortPortfolioRow(
                enrolment=enrolment,
                portfolio=portfolio,
                file_count=getattr(portfolio, "file_count", 0),
                feedback_count=getattr(portfolio, "feedback_count", 0),
                files=files.get(portfolio.pk, []) if portfolio else [],
                feedback=comments.get(portfolio.pk, []) if portfolio else [],
            )
        )
    return rows
