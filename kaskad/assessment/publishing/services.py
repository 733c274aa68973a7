"""Publishing "good" portfolios to the collection of best materials that every teacher can
browse.

A portfolio is published by a national administrator or the coordinator of its branch, and
only when its final outcome is certified with the rating "good" and the participant has
consented (`Portfolio.publish_consent_at`, set by the participant through the portfolios
services). Consent is read again every time the collection is browsed (see
`publishing_selectors.PUBLISHED`): a published portfolio whose consent was withdrawn, or whose
certification was revoked, is never shown, whether or not someone has unpublished it yet.

Both directions are recorded in the portfolio's history as a PUBLISHED event whose data says
which way it went (`{"published": true}` or `{"published": false}`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaskad.assessment.models import EventKind, Portfolio, PortfolioStatus, Rating
from kaskad.assessment.permissions import may_publish
from kaskad.assessment.portfolios.history import event_record
from kaskad.core.errors import DomainError, NotFoundError

if TYPE_CHECKING:
    from kaskad.accounts.models import User

REASON_MAX = 500


def publishable_problem(portfolio: Portfolio) -> DomainError | None:
    """Why this portfolio cannot be published now (None when it can)."""
    if portfolio.status != PortfolioStatus.CERTIFIED:
        return DomainError(
            "not_certified",
            _("Only a certified portfolio can be published."),
        )
    if portfolio.rating != Rating.GOOD:
        return DomainError(
            "not_good",
            _("Only a portfolio rated “good” can be published."),
        )
    if portfolio.publish_consent_at is None:
        return DomainError(
            "no_consent",
            _("The participant has not agreed to publish this portfolio."),
        )
    return None


def _locked(portfolio: Portfolio, by: User) -> Portfolio:
    locked = Portfolio.objects.select_for_update().filter(pk=portfolio.pk).first()
    if locked is None or not may_publish(by, locked):
        # Out of scope looks exactly like missing.
        raise NotFoundError("not_found", _("The portfolio was not found."))
    return locked


def portfolio_publish(*, portfolio: Portfolio, by: User) -> Portfolio:
    """Put a certified "good" portfolio with the participant's consent into the collection."""
    with transaction.atomic():
        locked = _locked(portfolio, by)
        problem = publishable_problem(locked)
        if problem is not None:
            raise problem
        if locked.published_at is not None:
            raise DomainError("already_published", _("This portfolio is already published."))
        locked.published_at = timezone.now()
        locked.published_by = by
        locked.save(update_fields=["published_at", "published_by", "updated_at"])
        event_record(
            portfolio=locked,
            kind=EventKind.PUBLISHED,
            actor=by,
            data={"published": True},
        )
    return locked


def _take_down(locked: Portfolio, *, by: User, reason: str, code: str) -> Portfolio:
    locked.published_at = None
    locked.published_by = None
    locked.save(update_fields=["published_at", "published_by", "updated_at"])
    event_record(
        portfolio=locked,
        kind=EventKind.PUBLISHED,
        actor=by,
        reason=reason,
        data={"published": False, "code": code},
    )
    return locked


def portfolio_unpublish(*, portfolio: Portfolio, by: User, reason: str) -> Portfolio:
    """Take a portfolio out of the collection; the reason is required and kept."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "reason_required", _("Say why the material is taken down."), field="reason"
        )
    if len(reason) > REASON_MAX:
        raise DomainError(
            "reason_too_long",
            _("The reason is too long (at most %(n)s characters).") % {"n": REASON_MAX},
            field="reason",
        )
    with transaction.atomic():
        locked = _locked(portfolio, by)
        if locked.published_at is None:
            raise DomainError("not_published", _("This portfolio is not published."))
        return _take_down(locked, by=by, reason=reason, code="unpublished")


def portfolio_consent_withdrawn(*, portfolio: Portfolio, by: User) -> Portfolio:
    """Called when the participant withdraws their consent: a published portfolio leaves the
    collection at once (nothing to do when it was not published). The collection hides it
    anyway, since it reads the consent; this keeps the record and the history straight.

    `by` is the participant (or staff acting for them); no publishing right is needed."""
    with transaction.atomic():
        locked = Portfolio.objects.select_for_update().get(pk=portfolio.pk)
        if locked.published_at is None:
            return locked
        return _take_down(
            locked,
            by=by,
            reason="The participant withdrew their consent to publish.",
            code="consent_withdrawn",
        )
