"""The outcome of an attempt: certified or not, the plagiarism gate, the release of the result,
the one repeated evaluation, and revocation.

    outcome_settle(portfolio=..., by=...)            # the rating of the attempt is settled
    portfolio_set_plagiarism(portfolio=..., status=..., similarity_percent=..., by=...)
    certification_revoke(portfolio=..., by=..., reason=...)

Certified when the attempt's rating is satisfactory or good AND the plagiarism check is clear
(CLEAR or CLEARED). While the check is pending, suspected or not done the portfolio waits in
AWAITING_PLAGIARISM, unreleased; CONFIRMED plagiarism means not certified.

Release: marks, comments and the result become visible to the participant only when the
attempt's outcome is settled (`released_at` set, RELEASED event). `released_at` always refers to
the current attempt: opening the repeated evaluation clears it, and the feedback of an earlier
attempt (which necessarily ended released) stays visible.

A first attempt not certified opens the repeated evaluation at once: attempt 2, status
RESUBMISSION, a new deadline, a RE_EVALUATION event and a notification to the participant. The
second attempt's outcome is final. The enrolment's `assessment_passed` is set on the final
outcome only (certified at any attempt, not certified at the second).

Every write locks the portfolio row (`select_for_update`) so concurrent markings, plagiarism
decisions and revocations are serialised.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from kaskad.accounts.models import Role, User
from kaskad.accounts.scopes import user_scope
from kaskad.assessment.models import (
    PASSING_RATINGS,
    PLAGIARISM_SETTLED_OK,
    EventKind,
    PlagiarismStatus,
    Portfolio,
    PortfolioStatus,
    Rating,
)
from kaskad.assessment.portfolios.history import event_record
from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.core.notifications import notification_send
from kaskad.delivery.services import enrolment_record_assessment

# Notifications are stored as a msgid with parameters and translated when shown.
RESULT_NOTIFICATION = gettext_noop(
    "The result of your portfolio assessment for %(programme)s is available."
)
RE_EVALUATION_NOTIFICATION = gettext_noop(
    "Your portfolio for %(programme)s was not certified. You may revise and resubmit it once "
    "for a repeated evaluation until %(deadline)s."
)
REVOKED_NOTIFICATION = gettext_noop(
    "The certification of your portfolio for %(programme)s was revoked."
)
NOTIFICATION_MSGIDS = frozenset(
    {RESULT_NOTIFICATION, RE_EVALUATION_NOTIFICATION, REVOKED_NOTIFICATION}
)

# Why the system moved the portfolio on: stored in English, shown translated.
REASON_RE_EVALUATION = gettext_noop("not certified at the first attempt")
REASON_PLAGIARISM_CONFIRMED = gettext_noop("plagiarism confirmed")

# Statuses in which the rating of the attempt is being decided or waits for plagiarism.
SETTLEABLE_STATUSES = (
    PortfolioStatus.IN_ASSESSMENT,
    PortfolioStatus.MODERATION,
    PortfolioStatus.AWAITING_PLAGIARISM,
)
# Who decides plagiarism when a person (not a background task) does.
PLAGIARISM_ROLES = (Role.PLAGIARISM_OFFICER, Role.NATIONAL_ADMIN)
LAST_ATTEMPT = 2


def _lock(portfolio: Portfolio) -> Portfolio:
    return (
        Portfolio.objects.select_for_update()
        .select_related("rubric", "enrolment", "enrolment__cohort")
        .get(pk=portfolio.pk)
    )


def _copy_into(target: Portfolio, source: Portfolio) -> None:
    """Give the caller's instance the saved state."""
    for field in (
        "status",
        "attempt",
        "rating",
        "released_at",
        "deadline",
        "plagiarism_status",
        "similarity_percent",
        "submitted_at",
    ):
        setattr(target, field, getattr(source, field))


def _portfolio_url(portfolio: Portfolio) -> str:
    # The participant's page belongs to the portfolios part; leave the link out if absent.
    for name in ("assessment:portfolio_detail", "assessment:portfolio"):
        try:
            return reverse(name, args=[portfolio.pk])
        except NoReverseMatch:
            continue
    return ""


def _participant_user(portfolio: Portfolio) -> User | None:
    return User.objects.filter(person_id=portfolio.enrolment.person_id, is_active=True).first()


def _notify(portfolio: Portfolio, message: str, **params: Any) -> None:
    recipient = _participant_user(portfolio)
    if recipient is None:
        return
    programme = portfolio.rubric.version
    notification_send(
        to=recipient,
        message=message,
        params={"programme": str(programme.title), **params},
        url=_portfolio_url(portfolio),
    )


def _set_enrolment_result(portfolio: Portfolio, *, passed: bool, by: User | None) -> str:
    """Record the final result on the enrolment; returns "" or the code of why it could not be
    recorded (the participant no longer holds a seat), which the history keeps."""

    try:
        enrolment_record_assessment(
            enrolment=portfolio.enrolment,
            passed=passed,
            by=by,
            source=f"assessment of portfolio P-{portfolio.pk}",
        )
    except DomainError as error:
        return error.code
    return ""


def _release(portfolio: Portfolio, *, by: User | None, now: Any) -> None:
    portfolio.released_at = now
    event_record(portfolio=portfolio, kind=EventKind.RELEASED, actor=by, audit=False)


def _open_re_evaluation(portfolio: Portfolio, *, by: User | None, now: Any) -> None:
    previous_rating = portfolio.rating
    portfolio.attempt = LAST_ATTEMPT
    portfolio.status = PortfolioStatus.RESUBMISSION
    portfolio.deadline = now + timedelta(days=portfolio.rubric.resubmission_days)
    portfolio.rating = ""
    portfolio.released_at = None
    portfolio.submitted_at = None
    portfolio.save(
        update_fields=[
            "attempt",
            "status",
            "deadline",
            "rating",
            "released_at",
            "submitted_at",
            "updated_at",
        ]
    )
    event_record(
        portfolio=portfolio,
        kind=EventKind.RE_EVALUATION,
        actor=by,
        reason=REASON_RE_EVALUATION,
        data={
            "deadline": portfolio.deadline.isoformat(),
            "previous_rating": previous_rating,
        },
    )
    _notify(
        portfolio,
        RE_EVALUATION_NOTIFICATION,
        deadline=timezone.localtime(portfolio.deadline).date().isoformat(),
    )


def _settle_locked(portfolio: Portfolio, *, by: User | None, reason: str = "") -> Portfolio:
    """The outcome of the locked portfolio's current attempt, from its rating and plagiarism."""
    if portfolio.status not in SETTLEABLE_STATUSES:
        raise StateConflict(
            "outcome_not_settleable",
            _("The portfolio is %(status)s: there is no outcome to settle.")
            % {"status": portfolio.get_status_display()},
        )
    if portfolio.rating not in Rating.values:
        raise StateConflict(
            "rating_not_settled",
            _("The portfolio has no settled rating yet."),
        )
    now = timezone.now()
    plagiarism = portfolio.plagiarism_status
    if plagiarism in PLAGIARISM_SETTLED_OK:
        certified = portfolio.rating in PASSING_RATINGS
    elif plagiarism == PlagiarismStatus.CONFIRMED:
        certified = False
    else:
        # Pending, suspected or not checked: the result waits, unreleased.
        if portfolio.status != PortfolioStatus.AWAITING_PLAGIARISM:
            portfolio.status = PortfolioStatus.AWAITING_PLAGIARISM
            portfolio.save(update_fields=["status", "updated_at"])
        return portfolio

    status = PortfolioStatus.CERTIFIED if certified else PortfolioStatus.NOT_CERTIFIED
    portfolio.status = status
    final = certified or portfolio.attempt >= LAST_ATTEMPT
    data: dict[str, Any] = {
        "rating": portfolio.rating,
        "plagiarism_status": plagiarism,
        "final": final,
    }
    if final:
        problem = _set_enrolment_result(portfolio, passed=certified, by=by)
        if problem:
            data["enrolment_not_updated"] = problem
    why = reason
    if not why and plagiarism == PlagiarismStatus.CONFIRMED:
        why = REASON_PLAGIARISM_CONFIRMED
    event_record(
        portfolio=portfolio,
        kind=EventKind.CERTIFIED if certified else EventKind.NOT_CERTIFIED,
        actor=by,
        reason=why,
        data=data,
    )
    _release(portfolio, by=by, now=now)
    portfolio.save(update_fields=["status", "released_at", "updated_at"])
    if not certified and portfolio.attempt < LAST_ATTEMPT:
        _open_re_evaluation(portfolio, by=by, now=now)
    else:
        _notify(portfolio, RESULT_NOTIFICATION)
    return portfolio


def outcome_settle(*, portfolio: Portfolio, by: User | None, reason: str = "") -> Portfolio:
    """The rating of the current attempt is settled: certify, refuse or wait for plagiarism.

    Called by marking (first rating standing, agreement, moderation) in its own transaction,
    and by `portfolio_set_plagiarism` when a waiting portfolio's check is decided.
    """
    with transaction.atomic():
        locked = _settle_locked(_lock(portfolio), by=by, reason=reason)
    _copy_into(portfolio, locked)
    return locked


def _require_plagiarism_actor(by: User | None) -> None:
    if by is None:
        return  # a background task of the plagiarism check
    if not user_scope(by).has(*PLAGIARISM_ROLES):
        raise NotFoundError("not_found", _("Not found."))


def _similarity(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0 or number > 100:
        raise DomainError(
            "similarity_invalid",
            _("The similarity must be a number from 0 to 100."),
            field="similarity_percent",
        )
    return number.quantize(Decimal("0.01"))


def portfolio_set_plagiarism(
    *,
    portfolio: Portfolio,
    status: str,
    similarity_percent: Any = None,
    by: User | None,
    reason: str = "",
) -> Portfolio:
    """The plagiarism side reports a check or a decision. A portfolio that waited for it is
    settled at once (CLEAR/CLEARED: by its rating; CONFIRMED: not certified)."""
    if status not in PlagiarismStatus.values:
        raise DomainError(
            "plagiarism_status_invalid",
            _("Unknown plagiarism status: %(status)s.") % {"status": status},
            field="status",
        )
    similarity = _similarity(similarity_percent)
    _require_plagiarism_actor(by)
    with transaction.atomic():
        locked = _lock(portfolio)
        before = locked.plagiarism_status
        locked.plagiarism_status = status
        fields = ["plagiarism_status", "updated_at"]
        if similarity is not None:
            locked.similarity_percent = similarity
            fields.append("similarity_percent")
        locked.save(update_fields=fields)
        event_record(
            portfolio=locked,
            kind=EventKind.PLAGIARISM,
            actor=by,
            reason=reason,
            data={
                "plagiarism_status": [before, status],
                "similarity_percent": None if similarity is None else str(similarity),
            },
        )
        decided = status in PLAGIARISM_SETTLED_OK or status == PlagiarismStatus.CONFIRMED
        if locked.status == PortfolioStatus.AWAITING_PLAGIARISM and decided:
            locked = _settle_locked(locked, by=by, reason=reason)
    _copy_into(portfolio, locked)
    return locked


def _require_revoker(by: User, portfolio: Portfolio) -> None:
    scope = user_scope(by)
    if not (scope.national_write or portfolio.branch_id in scope.branch_ids):
        raise NotFoundError("not_found", _("Not found."))


def certification_revoke(*, portfolio: Portfolio, by: User, reason: str) -> Portfolio:
    """CERTIFIED -> REVOKED (the certificates app calls this when a certificate is revoked);
    the enrolment's assessment result becomes "not passed"."""
    _require_revoker(by, portfolio)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "reason_required", _("Give the reason for the revocation."), field="reason"
        )
    with transaction.atomic():
        locked = _lock(portfolio)
        if locked.status != PortfolioStatus.CERTIFIED:
            raise StateConflict(
                "not_certified",
                _("Only a certified portfolio can be revoked; this one is %(status)s.")
                % {"status": locked.get_status_display()},
            )
        locked.status = PortfolioStatus.REVOKED
        locked.save(update_fields=["status", "updated_at"])
        data: dict[str, Any] = {"status": [PortfolioStatus.CERTIFIED, PortfolioStatus.REVOKED]}
        problem = _set_enrolment_result(locked, passed=False, by=by)
        if problem:
            data["enrolment_not_updated"] = problem
        event_record(portfolio=locked, kind=EventKind.REVOKED, actor=by, reason=reason, data=data)
        _notify(locked, REVOKED_NOTIFICATION)
    _copy_into(portfolio, locked)
    return locked
