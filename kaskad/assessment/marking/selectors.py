"""Reads for marking: the assessor's and the moderator's queues and tasks (BLIND), the staff
history of a portfolio.

Blind by construction: what an assessor is shown is built from explicit column lists
(`values(...)`) that never reach the enrolment, the person, the organisation, the area, the
cohort or its trainers, and returned as plain dataclasses. The portfolio is named by a
pseudonymous code ("P-<id>") and its files by neutral names ("P-<id>-<n>.<kind>"); the file
served is the stored copy whose metadata was stripped on upload.

A task is found only through the signed-in person's own assignment: someone else's task, or a
task withdrawn from them, is simply not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from kaskad.accounts.scopes import user_scope
from kaskad.assessment.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Criterion,
    CriterionLevel,
    CriterionMark,
    PlagiarismStatus,
    Portfolio,
    PortfolioEvent,
    PortfolioFile,
    PortfolioStatus,
    Rating,
)
from kaskad.core.localised import localised_columns, localised_text
from kaskad.registry.models import Person

if TYPE_CHECKING:
    from kaskad.accounts.models import User

# Marked tasks stay in the queue this long, read-only.
RECENT_DAYS = 30
MARKING_ROLES = (AssignmentRole.FIRST, AssignmentRole.SECOND)
# Labels of the two markings a moderator compares: anonymous.
ANONYMOUS_LABELS = {AssignmentRole.FIRST: "A", AssignmentRole.SECOND: "B"}


def portfolio_code(portfolio_id: int) -> str:
    """The blind name of a portfolio (no participant's name) on every assessor's, moderator's
    and plagiarism officer's page."""
    return f"P-{portfolio_id}"


def file_download_name(portfolio_id: int, number: int, kind: str) -> str:
    return f"{portfolio_code(portfolio_id)}-{number}.{kind}"


# --- What an assessor sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRow:
    id: int
    code: str
    programme_code: str
    programme_title: str
    attempt: int
    role: str
    role_label: str
    status: str
    status_label: str
    due_at: datetime
    marked_at: datetime | None
    rating: str
    overdue: bool
    # The language the title is in: not the reader's when only another one exists.
    programme_title_language: str = ""


@dataclass(frozen=True)
class BlindFile:
    id: int
    number: int
    kind: str
    size: int
    words: int
    download_name: str
    text: str


@dataclass(frozen=True)
class LevelView:
    level: int
    descriptor: str


@dataclass(frozen=True)
class CriterionView:
    id: int
    order: int
    title: str
    levels: list[LevelView]


@dataclass(frozen=True)
class MarkView:
    criterion_id: int
    level: int
    comment: str


@dataclass(frozen=True)
class MarkingView:
    """One marking as another person may see it: anonymous ("Assessor A")."""

    label: str
    rating: str
    comment: str
    marks: dict[int, MarkView]


@dataclass(frozen=True)
class BlindTask:
    id: int
    portfolio_id: int
    code: str
    programme_code: str
    programme_title: str
    attempt: int
    role: str
    status: str
    due_at: datetime
    marked_at: datetime | None
    rating: str
    comment: str
    max_level: int
    good_mean: Any
    files: list[BlindFile]
    criteria: list[CriterionView]
    marks: dict[int, MarkView]
    # Only for a moderation task: the two markings, anonymous.
    markings: list[MarkingView] = field(default_factory=list)
    plagiarism_status: str = ""
    programme_title_language: str = ""
    draft: dict[str, Any] = field(default_factory=dict)
    draft_saved_at: datetime | None = None

    @property
    def has_plagiarism_report(self) -> bool:
        """A check has finished, so its report exists (the link would 404 before)."""
        return self.plagiarism_status not in ("", "not_checked", "pending")

    @property
    def open(self) -> bool:
        return self.status == AssignmentStatus.ALLOCATED


def _own_assignments(user: User) -> QuerySet[Assignment]:
    """The signed-in person's live tasks (never someone else's, never a withdrawn one)."""
    person_id = user_scope(user).person_id
    if person_id is None:
        return Assignment.objects.none()
    return Assignment.objects.filter(assessor_id=person_id).exclude(
        status=AssignmentStatus.WITHDRAWN
    )


_ROW_COLUMNS = (
    "id",
    "portfolio_id",
    "attempt",
    "role",
    "status",
    "due_at",
    "marked_at",
    "rating",
    "portfolio__programme__code",
    *localised_columns("portfolio__rubric__version__title"),
)


def _rows(qs: QuerySet[Assignment]) -> list[TaskRow]:
    now = timezone.now()
    recent = now - timedelta(days=RECENT_DAYS)
    qs = qs.filter(
        Q(status=AssignmentStatus.ALLOCATED)
        | Q(status=AssignmentStatus.MARKED, marked_at__gte=recent)
    ).order_by("status", "due_at", "id")
    roles = dict(AssignmentRole.choices)
    statuses = dict(AssignmentStatus.choices)
    return [
        TaskRow(
            id=r["id"],
            code=portfolio_code(r["portfolio_id"]),
            programme_code=r["portfolio__programme__code"],
            programme_title=localised_text(r, "portfolio__rubric__version__title")[0],
            programme_title_language=localised_text(r, "portfolio__rubric__version__title")[1],
            attempt=r["attempt"],
            role=r["role"],
            role_label=str(roles.get(r["role"], r["role"])),
            status=r["status"],
            status_label=str(statuses.get(r["status"], r["status"])),
            due_at=r["due_at"],
            marked_at=r["marked_at"],
            rating=r["rating"],
            overdue=r["status"] == AssignmentStatus.ALLOCATED and r["due_at"] < now,
        )
        for r in qs.values(*_ROW_COLUMNS)
    ]


def assessor_queue(*, user: User) -> list[TaskRow]:
    """The assessor's first and second markings: open ones, then those marked recently."""
    return _rows(_own_assignments(user).filter(role__in=MARKING_ROLES))


def moderation_queue(*, user: User) -> list[TaskRow]:
    """The moderator's moderation tasks: open ones, then those decided recently."""
    return _rows(_own_assignments(user).filter(role=AssignmentRole.MODERATION))


def _files(portfolio_id: int, attempt: int, *, with_text: bool = True) -> list[BlindFile]:
    columns = ["id", "kind", "size", "text"] if with_text else ["id", "kind", "size"]
    rows = (
        PortfolioFile.objects.filter(portfolio_id=portfolio_id, attempt=attempt)
        .filter(removed_at__isnull=True)
        .order_by("uploaded_at", "id")
        .values(*columns)
    )
    files = []
    for number, row in enumerate(rows, start=1):
        text = row.get("text") or ""
        files.append(
            BlindFile(
                id=row["id"],
                number=number,
                kind=row["kind"],
                size=row["size"],
                words=len(text.split()),
                download_name=file_download_name(portfolio_id, number, row["kind"]),
                text=text,
            )
        )
    return files


def _criteria(rubric_id: int) -> list[CriterionView]:
    criteria = Criterion.objects.filter(rubric_id=rubric_id).prefetch_related(
        Prefetch("levels", queryset=CriterionLevel.objects.order_by("level"))
    )
    return [
        CriterionView(
            id=c.pk,
            order=c.order,
            title=c.title,
            levels=[LevelView(level=lv.level, descriptor=lv.descriptor) for lv in c.levels.all()],
        )
        for c in criteria.order_by("order")
    ]


def _marks(assignment_id: int) -> dict[int, MarkView]:
    return {
        m["criterion_id"]: MarkView(
            criterion_id=m["criterion_id"], level=m["level"], comment=m["comment"]
        )
        for m in CriterionMark.objects.filter(assignment_id=assignment_id).values(
            "criterion_id", "level", "comment"
        )
    }


def _markings_for_moderator(portfolio_id: int, attempt: int) -> list[MarkingView]:
    rows = (
        Assignment.objects.filter(
            portfolio_id=portfolio_id,
            attempt=attempt,
            role__in=MARKING_ROLES,
            status=AssignmentStatus.MARKED,
        )
        .order_by("role")
        .values("id", "role", "rating", "comment")
    )
    return [
        MarkingView(
            label=ANONYMOUS_LABELS[AssignmentRole(r["role"])],
            rating=r["rating"],
            comment=r["comment"],
            marks=_marks(r["id"]),
        )
        for r in sorted(rows, key=lambda r: ANONYMOUS_LABELS[AssignmentRole(r["role"])])
    ]


_TASK_COLUMNS = (
    *_ROW_COLUMNS,
    "comment",
    "portfolio__rubric_id",
    "portfolio__rubric__max_level",
    "portfolio__rubric__good_mean",
    "portfolio__plagiarism_status",
    "draft",
    "draft_saved_at",
)


def task_for_assessor(*, user: User, pk: int, role: str | None = None) -> BlindTask:
    """One of the person's own tasks, blind. `role="moderation"` for the moderation page,
    otherwise a first or second marking. 404 for anything else."""
    qs = _own_assignments(user).filter(pk=pk)
    if role == AssignmentRole.MODERATION:
        qs = qs.filter(role=AssignmentRole.MODERATION)
    else:
        qs = qs.filter(role__in=MARKING_ROLES)
    row = qs.values(*_TASK_COLUMNS).first()
    if row is None:
        raise Http404
    portfolio_id = row["portfolio_id"]
    markings = (
        _markings_for_moderator(portfolio_id, row["attempt"])
        if row["role"] == AssignmentRole.MODERATION
        else []
    )
    return BlindTask(
        id=row["id"],
        portfolio_id=portfolio_id,
        code=portfolio_code(portfolio_id),
        programme_code=row["portfolio__programme__code"],
        programme_title=localised_text(row, "portfolio__rubric__version__title")[0],
        programme_title_language=localised_text(row, "portfolio__rubric__version__title")[1],
        attempt=row["attempt"],
        role=row["role"],
        status=row["status"],
        due_at=row["due_at"],
        marked_at=row["marked_at"],
        rating=row["rating"],
        comment=row["comment"],
        max_level=row["portfolio__rubric__max_level"],
        good_mean=row["portfolio__rubric__good_mean"],
        files=_files(portfolio_id, row["attempt"]),
        criteria=_criteria(row["portfolio__rubric_id"]),
        marks=_marks(row["id"]),
        markings=markings,
        plagiarism_status=row["portfolio__plagiarism_status"],
        draft=row["draft"] or {},
        draft_saved_at=row["draft_saved_at"],
    )


def assignment_for_marking(*, user: User, pk: int) -> Assignment:
    """The person's own open or marked task as a model, for the marking service (no joins)."""
    assignment = (
        _own_assignments(user)
        .filter(pk=pk)
        .only("id", "portfolio_id", "assessor_id", "attempt", "role", "status")
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


@dataclass(frozen=True)
class FileDownload:
    file: Any  # the FieldFile of the stripped copy
    name: str
    kind: str


def file_for_assessor(*, user: User, pk: int, file_pk: int) -> FileDownload:
    """A file of the task's attempt, the metadata-stripped copy, under a neutral name."""
    row = _own_assignments(user).filter(pk=pk).values("portfolio_id", "attempt").first()
    if row is None:
        raise Http404
    files = _files(row["portfolio_id"], row["attempt"], with_text=False)
    match = next((f for f in files if f.id == file_pk), None)
    if match is None:
        raise Http404
    stored = PortfolioFile.objects.only("id", "stored").get(pk=file_pk).stored
    return FileDownload(file=stored, name=match.download_name, kind=match.kind)


# --- Staff: the history of a portfolio ----------------------------------------------------------


def history_visible_to(user: User) -> QuerySet[Portfolio]:
    """National administrators see every portfolio's history, coordinators their branch's."""
    scope = user_scope(user)
    if scope.national_write:
        return Portfolio.objects.all()
    if scope.branch_ids:
        return Portfolio.objects.filter(branch_id__in=scope.branch_ids)
    return Portfolio.objects.none()


@dataclass(frozen=True)
class HistoryRow:
    id: int
    code: str
    participant: str
    programme_code: str
    cohort_code: str
    attempt: int
    status: str
    status_label: str
    rating: str
    updated_at: datetime


def history_list(*, user: User, q: str = "", status: str = "") -> QuerySet[Portfolio]:
    qs = history_visible_to(user).select_related(
        "programme", "enrolment__person", "enrolment__cohort"
    )
    if status in PortfolioStatus.values:
        qs = qs.filter(status=status)
    term = q.strip()
    if term:
        code = term.upper().removeprefix("P-")
        if code.isdigit():
            qs = qs.filter(pk=int(code))
        else:
            qs = qs.filter(
                Q(enrolment__person__surname__icontains=term)
                | Q(enrolment__cohort__code__icontains=term)
                | Q(programme__code__icontains=term)
            )
    return qs.order_by("-updated_at", "-id")


@dataclass(frozen=True)
class AssignmentHistory:
    id: int
    attempt: int
    role: str
    role_label: str
    assessor: str
    status: str
    status_label: str
    allocated_at: datetime
    due_at: datetime
    marked_at: datetime | None
    rating: str
    comment: str
    marks: list[tuple[str, int, str]]


@dataclass(frozen=True)
class EventView:
    kind: str
    label: str
    attempt: int
    at: datetime
    actor: str
    reason: str
    data: dict[str, Any]
    detail: str = ""


def _event_detail(data: dict[str, Any], names: dict[int, str]) -> str:
    """The facts an event carries (role, assessor, rating, statuses), in the reader's language."""
    roles = dict(AssignmentRole.choices)
    ratings = dict(Rating.choices)
    plagiarism = dict(PlagiarismStatus.choices)
    parts: list[str] = []
    if data.get("role") in roles:
        parts.append(str(roles[data["role"]]))
    if isinstance(data.get("assessor"), int) and data["assessor"] in names:
        parts.append(names[data["assessor"]])
    if data.get("rating") in ratings:
        parts.append(str(ratings[data["rating"]]))
    pair = data.get("ratings")
    if isinstance(pair, list):
        parts.append(" / ".join(str(ratings.get(r, r)) for r in pair))
    change = data.get("plagiarism_status")
    if isinstance(change, list) and len(change) == 2:
        parts.append(" → ".join(str(plagiarism.get(v, v)) for v in change))
    elif isinstance(change, str) and change in plagiarism:
        parts.append(str(plagiarism[change]))
    if data.get("similarity_percent") not in (None, ""):
        parts.append(f"{data['similarity_percent']} %")
    return " · ".join(parts)


@dataclass(frozen=True)
class PortfolioHistory:
    portfolio: Portfolio
    events: list[EventView]
    assignments: list[AssignmentHistory]


def portfolio_history(*, user: User, pk: int) -> PortfolioHistory:
    portfolio = (
        history_visible_to(user)
        .select_related(
            "programme",
            "branch",
            "rubric__version",
            "enrolment__person",
            "enrolment__cohort",
        )
        .filter(pk=pk)
        .first()
    )
    if portfolio is None:
        raise Http404
    rows = list(
        PortfolioEvent.objects.filter(portfolio=portfolio)
        .select_related("actor")
        .order_by("at", "id")
    )
    person_ids = {
        e.data["assessor"]
        for e in rows
        if isinstance(e.data, dict) and isinstance(e.data.get("assessor"), int)
    }
    names = {p.pk: p.full_name for p in Person.objects.filter(pk__in=person_ids)}
    events = [
        EventView(
            kind=e.kind,
            label=e.get_kind_display(),
            attempt=e.attempt,
            at=e.at,
            actor=(e.actor.get_full_name() or e.actor.username) if e.actor else "",
            reason=gettext(e.reason) if e.reason else "",
            data=e.data,
            detail=_event_detail(e.data if isinstance(e.data, dict) else {}, names),
        )
        for e in rows
    ]
    assignments = []
    for a in (
        Assignment.objects.filter(portfolio=portfolio)
        .select_related("assessor")
        .prefetch_related(
            Prefetch(
                "marks",
                queryset=CriterionMark.objects.select_related("criterion").order_by(
                    "criterion__order"
                ),
            )
        )
        .order_by("attempt", "allocated_at", "id")
    ):
        assignments.append(
            AssignmentHistory(
                id=a.pk,
                attempt=a.attempt,
                role=a.role,
                role_label=a.get_role_display(),
                assessor=a.assessor.full_name,
                status=a.status,
                status_label=a.get_status_display(),
                allocated_at=a.allocated_at,
                due_at=a.due_at,
                marked_at=a.marked_at,
                rating=a.rating,
                comment=a.comment,
                marks=[(m.criterion.title, m.level, m.comment) for m in a.marks.all()],
            )
        )
    return PortfolioHistory(portfolio=portfolio, events=events, assignments=assignments)


# --- The participant: feedback once released ----------------------------------------------------


@dataclass(frozen=True)
class AttemptFeedback:
    attempt: int
    rating: str  # the attempt's settled rating
    outcome: str  # the event kind that settled it: "certified" or "not_certified"
    markings: list[MarkingView]  # labelled by role, never by person


def released_feedback(*, portfolio: Portfolio) -> list[AttemptFeedback]:
    """The marks and comments the participant may read: every attempt whose outcome was
    settled and released (a RELEASED event), never the current attempt before its release.
    The caller has already checked that the reader is the participant (or staff)."""
    released = set(
        PortfolioEvent.objects.filter(portfolio=portfolio, kind="released").values_list(
            "attempt", flat=True
        )
    )
    if not released:
        return []
    outcomes: dict[int, dict[str, Any]] = {
        e["attempt"]: dict(e)
        for e in PortfolioEvent.objects.filter(
            portfolio=portfolio, kind__in=("certified", "not_certified"), attempt__in=released
        )
        .order_by("at", "id")
        .values("attempt", "kind", "data")
    }
    roles = dict(AssignmentRole.choices)
    feedback = []
    for attempt in sorted(released):
        rows = (
            Assignment.objects.filter(
                portfolio=portfolio, attempt=attempt, status=AssignmentStatus.MARKED
            )
            .order_by("marked_at", "id")
            .values("id", "role", "rating", "comment")
        )
        outcome: dict[str, Any] = outcomes.get(attempt, {})
        data = outcome.get("data") or {}
        feedback.append(
            AttemptFeedback(
                attempt=attempt,
                rating=str(data.get("rating", "")) if isinstance(data, dict) else "",
                outcome=str(outcome.get("kind", "")),
                markings=[
                    MarkingView(
                        label=str(roles.get(r["role"], r["role"])),
                        rating=r["rating"],
                        comment=r["comment"],
                        marks=_marks(r["id"]),
                    )
                    for r in rows
                ],
            )
        )
    return feedback
