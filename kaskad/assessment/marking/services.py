"""Marking: an assessor marks criterion by criterion, and the portfolio moves on.

    assignment_mark(assignment=..., marks={criterion_id: (level, comment)}, comment="...", by=user)

After the FIRST marking the provisional rating stands unless it is unsatisfactory or the
portfolio falls in the rubric's random sample (`second_marking_percent`, drawn with the
operating system's random source): then a SECOND, independent assessor is assigned. After the
SECOND marking, the same rating settles the attempt; different ratings send the portfolio to
MODERATION, where a moderator (neither of the two markers) decides. A settled rating goes to
`certification.outcome_settle` (plagiarism gate, release, re-evaluation).

Concurrent markings of one portfolio are serialised by locking the portfolio row first.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from kaskad.accounts.scopes import user_scope
from kaskad.assessment.allocation.services import assign_one
from kaskad.assessment.certification.services import outcome_settle
from kaskad.assessment.models import (
    AssessorAccreditation,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Criterion,
    CriterionMark,
    EventKind,
    Portfolio,
    PortfolioStatus,
    Rating,
)
from kaskad.assessment.portfolios.history import event_record
from kaskad.assessment.rubrics.services import overall_rating
from kaskad.core.errors import DomainError, NotFoundError, StateConflict

if TYPE_CHECKING:
    from kaskad.accounts.models import User

# The portfolio status in which each role marks.
STATUS_FOR_ROLE = {
    AssignmentRole.FIRST: PortfolioStatus.IN_ASSESSMENT,
    AssignmentRole.SECOND: PortfolioStatus.IN_ASSESSMENT,
    AssignmentRole.MODERATION: PortfolioStatus.MODERATION,
}
COMMENT_MAX = 5000
# Why the system moved the portfolio on: stored in English in the history, shown translated.
REASON_FIRST_STANDS = gettext_noop("first marking stands")
REASON_UNSATISFACTORY = gettext_noop("provisional rating unsatisfactory")
REASON_SAMPLE = gettext_noop("random sample")
REASON_AGREE = gettext_noop("first and second marking agree")
REASON_DISAGREE = gettext_noop("first and second marking disagree")
REASON_MODERATOR_FINAL = gettext_noop("the moderator's rating is final for the attempt")
REASON_MODERATED = gettext_noop("moderated")

_random = random.SystemRandom()


class MarksInvalid(DomainError):
    """Some criteria are not marked correctly. `errors` maps a form field ("criterion-<id>",
    "comment") to its message; `message` is the first of them."""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        first_field, first_message = next(iter(errors.items()))
        super().__init__("marks_invalid", first_message, field=first_field)
        self.errors = dict(errors)


def criterion_field(criterion_id: int) -> str:
    return f"criterion-{criterion_id}"


def in_sample(percent: int) -> bool:
    """True with probability `percent`/100 (0 never, 100 always)."""
    if percent <= 0:
        return False
    if percent >= 100:
        return True
    return _random.random() * 100 < percent


def _parse_level(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _check_marks(
    *, criteria: list[Criterion], max_level: int, marks: Mapping[Any, Any], comment: str
) -> dict[int, tuple[int, str]]:
    """Every criterion of the rubric marked with a level 1..max_level and a comment; nothing
    else. Returns {criterion_id: (level, comment)} or raises MarksInvalid naming each problem."""
    errors: dict[str, Any] = {}
    given: dict[int, Any] = {}
    for key, value in marks.items():
        criterion_id = _parse_level(key)
        if criterion_id is None:
            continue
        given[criterion_id] = value
    known = {c.pk for c in criteria}
    clean: dict[int, tuple[int, str]] = {}
    for criterion in criteria:
        field = criterion_field(criterion.pk)
        name = criterion.title
        value = given.get(criterion.pk)
        if value is None:
            errors[field] = _("Choose a level for “%(criterion)s”.") % {"criterion": name}
            continue
        try:
            raw_level, raw_comment = value
        except (TypeError, ValueError):
            errors[field] = _("Choose a level for “%(criterion)s”.") % {"criterion": name}
            continue
        level = _parse_level(raw_level)
        text = str(raw_comment or "").strip()
        if level is None:
            errors[field] = _("Choose a level for “%(criterion)s”.") % {"criterion": name}
        elif not 1 <= level <= max_level:
            errors[field] = _("The level for “%(criterion)s” must be from 1 to %(max)s.") % {
                "criterion": name,
                "max": max_level,
            }
        elif not text:
            errors[field] = _("Write a comment on “%(criterion)s”.") % {"criterion": name}
        elif len(text) > COMMENT_MAX:
            errors[field] = _(
                "The comment on “%(criterion)s” is too long (at most %(max)s characters)."
            ) % {"criterion": name, "max": COMMENT_MAX}
        else:
            clean[criterion.pk] = (level, text)
    unknown = sorted(set(given) - known)
    if unknown:
        errors["marks"] = _("The marks name criteria that are not in this rubric: %(ids)s.") % {
            "ids": ", ".join(str(i) for i in unknown)
        }
    if not (comment or "").strip():
        errors["comment"] = _("Write an overall comment.")
    elif len(comment.strip()) > COMMENT_MAX:
        errors["comment"] = _("The overall comment is too long (at most %(max)s characters).") % {
            "max": COMMENT_MAX
        }
    if errors:
        raise MarksInvalid(errors)
    return clean


def _lock_accreditations(portfolio_id: int) -> None:
    """The order every allocation writer follows: the programme's accreditation rows (by pk)
    first, then the portfolio."""
    programme_id = Portfolio.objects.filter(pk=portfolio_id).values("programme_id")
    list(
        AssessorAccreditation.objects.select_for_update()
        .filter(programme_id__in=programme_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _require_assessor(by: User, assignment: Assignment) -> None:
    person_id = user_scope(by).person_id
    if person_id is None or person_id != assignment.assessor_id:
        # Someone else's task looks the same as a missing one.
        raise NotFoundError("not_found", _("Not found."))


def _rating(levels: list[int], portfolio: Portfolio) -> str:
    # cast: HasRule's attributes are read-only in spirit; a Rubric has them.
    return str(overall_rating(levels, cast(Any, portfolio.rubric)))


def _assign(*, portfolio: Portfolio, role: str, by: User, reason: str) -> Assignment | None:
    return assign_one(portfolio=portfolio, role=role, by=by, reason=reason)


def _marked(portfolio: Portfolio, role: str) -> Assignment:
    return Assignment.objects.get(
        portfolio=portfolio,
        attempt=portfolio.attempt,
        role=role,
        status=AssignmentStatus.MARKED,
    )


def _after_first(portfolio: Portfolio, assignment: Assignment, *, by: User) -> None:
    portfolio.rating = assignment.rating
    portfolio.save(update_fields=["rating", "updated_at"])
    unsatisfactory = assignment.rating == Rating.UNSATISFACTORY
    sampled = not unsatisfactory and in_sample(portfolio.rubric.second_marking_percent)
    if not (unsatisfactory or sampled):
        outcome_settle(portfolio=portfolio, by=by, reason=REASON_FIRST_STANDS)
        return
    reason = REASON_UNSATISFACTORY if unsatisfactory else REASON_SAMPLE
    event_record(
        portfolio=portfolio,
        kind=EventKind.SECOND_MARKING,
        actor=by,
        reason=reason,
        data={"unsatisfactory": unsatisfactory, "sampled": sampled},
    )
    # None when no one is eligible: the portfolio waits in the unallocated queue.
    _assign(portfolio=portfolio, role=AssignmentRole.SECOND, by=by, reason=reason)


def _after_second(portfolio: Portfolio, assignment: Assignment, *, by: User) -> None:
    first = _marked(portfolio, AssignmentRole.FIRST)
    if first.rating == assignment.rating:
        portfolio.rating = assignment.rating
        portfolio.save(update_fields=["rating", "updated_at"])
        outcome_settle(portfolio=portfolio, by=by, reason=REASON_AGREE)
        return
    portfolio.status = PortfolioStatus.MODERATION
    portfolio.rating = ""
    portfolio.save(update_fields=["status", "rating", "updated_at"])
    reason = REASON_DISAGREE
    event_record(
        portfolio=portfolio,
        kind=EventKind.MODERATION,
        actor=by,
        reason=reason,
        data={"ratings": [first.rating, assignment.rating]},
    )
    _assign(portfolio=portfolio, role=AssignmentRole.MODERATION, by=by, reason=reason)


def _after_moderation(portfolio: Portfolio, assignment: Assignment, *, by: User) -> None:
    portfolio.rating = assignment.rating
    portfolio.save(update_fields=["rating", "updated_at"])
    event_record(
        portfolio=portfolio,
        kind=EventKind.MODERATED,
        actor=by,
        reason=REASON_MODERATOR_FINAL,
        data={"assignment": assignment.pk, "rating": assignment.rating},
    )
    outcome_settle(portfolio=portfolio, by=by, reason=REASON_MODERATED)


def marks_problems(
    *, assignment: Assignment, marks: Mapping[Any, Any], comment: str
) -> dict[str, Any]:
    """What the final save would refuse in these marks, field by field, without saving (for a
    page that must list every problem at once)."""
    portfolio = Portfolio.objects.select_related("rubric").get(pk=assignment.portfolio_id)
    criteria = list(Criterion.objects.filter(rubric=portfolio.rubric).order_by("order"))
    try:
        _check_marks(
            criteria=criteria, max_level=portfolio.rubric.max_level, marks=marks, comment=comment
        )
    except MarksInvalid as error:
        return error.errors
    return {}


def assignment_save_draft(
    *,
    assignment: Assignment,
    marks: Mapping[Any, Any],
    comment: str,
    by: User,
) -> Assignment:
    """Keep the marks being written, incomplete as they may be, without deciding anything: only
    the assignment's own assessor, only while it is allocated. An empty level is kept empty;
    a level that is not one of the rubric's, or a criterion not in it, is refused (field by
    field, nothing saved); completeness and comments are for the final save."""
    _require_assessor(by, assignment)
    rubric = Portfolio.objects.select_related("rubric").get(pk=assignment.portfolio_id).rubric
    criteria = {c.pk: c.title for c in Criterion.objects.filter(rubric=rubric)}
    draft_marks: dict[str, list[Any]] = {}
    errors: dict[str, Any] = {}
    unknown: list[int] = []
    for key, value in marks.items():
        criterion_id = _parse_level(key)
        try:
            raw_level, raw_comment = value
        except (TypeError, ValueError):
            continue
        if criterion_id is None:
            continue
        if criterion_id not in criteria:
            unknown.append(criterion_id)
            continue
        level = _parse_level(raw_level)
        empty = raw_level is None or not str(raw_level).strip()
        if not empty and (level is None or not 1 <= level <= rubric.max_level):
            errors[criterion_field(criterion_id)] = _(
                "The level for “%(criterion)s” must be from 1 to %(max)s."
            ) % {"criterion": criteria[criterion_id], "max": rubric.max_level}
            continue
        text = str(raw_comment or "")[:COMMENT_MAX]
        if level is not None or text.strip():
            draft_marks[str(criterion_id)] = [level, text]
    if unknown:
        errors["marks"] = _("The marks name criteria that are not in this rubric: %(ids)s.") % {
            "ids": ", ".join(str(i) for i in sorted(unknown))
        }
    if errors:
        raise MarksInvalid(errors)
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status != AssignmentStatus.ALLOCATED:
            if locked.status == AssignmentStatus.WITHDRAWN:
                raise NotFoundError("not_found", _("Not found."))
            raise StateConflict(
                "assignment_already_marked", _("This portfolio has already been marked.")
            )
        locked.draft = {"marks": draft_marks, "comment": str(comment or "")[:COMMENT_MAX]}
        locked.draft_saved_at = timezone.now()
        locked.save(update_fields=["draft", "draft_saved_at"])
    return locked


def assignment_mark(
    *,
    assignment: Assignment,
    marks: Mapping[Any, Any],
    comment: str,
    by: User,
) -> Assignment:
    """The assessor's marks for every criterion, each `(level, comment)`, and an overall
    comment. Only the assignment's own assessor, only while it is allocated. Nothing is saved
    when anything is wrong."""
    _require_assessor(by, assignment)
    with transaction.atomic():
        if assignment.role != AssignmentRole.MODERATION:
            # This marking may end in assign_one, which locks the programme's accreditations
            # before the portfolio: take the locks in the same order (no deadlock).
            _lock_accreditations(assignment.portfolio_id)
        portfolio = (
            Portfolio.objects.select_for_update()
            .select_related("rubric", "rubric__version")
            .get(pk=assignment.portfolio_id)
        )
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status != AssignmentStatus.ALLOCATED:
            if locked.status == AssignmentStatus.WITHDRAWN:
                raise NotFoundError("not_found", _("Not found."))
            raise StateConflict(
                "assignment_already_marked", _("This portfolio has already been marked.")
            )
        if locked.attempt != portfolio.attempt or portfolio.status != STATUS_FOR_ROLE.get(
            AssignmentRole(locked.role)
        ):
            raise StateConflict(
                "portfolio_not_in_marking",
                _("The portfolio is %(status)s: it cannot be marked now.")
                % {"status": portfolio.get_status_display()},
            )
        rubric = portfolio.rubric
        criteria = list(Criterion.objects.filter(rubric=rubric).order_by("order"))
        clean = _check_marks(
            criteria=criteria, max_level=rubric.max_level, marks=marks, comment=comment
        )
        rating = _rating([clean[c.pk][0] for c in criteria], portfolio)
        CriterionMark.objects.bulk_create(
            CriterionMark(assignment=locked, criterion_id=cid, level=level, comment=text)
            for cid, (level, text) in clean.items()
        )
        locked.status = AssignmentStatus.MARKED
        locked.marked_at = timezone.now()
        locked.rating = rating
        locked.comment = comment.strip()
        locked.draft = {}
        locked.save(update_fields=["status", "marked_at", "rating", "comment", "draft"])
        event_record(
            portfolio=portfolio,
            kind=EventKind.MARKED,
            actor=by,
            data={"assignment": locked.pk, "role": locked.role, "rating": rating},
        )
        if locked.role == AssignmentRole.FIRST:
            _after_first(portfolio, locked, by=by)
        elif locked.role == AssignmentRole.SECOND:
            _after_second(portfolio, locked, by=by)
        else:
            _after_moderation(portfolio, locked, by=by)
    for field in ("status", "marked_at", "rating", "comment"):
        setattr(assignment, field, getattr(locked, field))
    return locked
