"""The one way services record a portfolio's transition (who, when, why), beside the audit
trail of decisions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kaskad.assessment.models import Portfolio, PortfolioEvent
from kaskad.core.audit import audit_record

if TYPE_CHECKING:
    from kaskad.accounts.models import User


def event_record(
    *,
    portfolio: Portfolio,
    kind: str,
    actor: User | None,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    audit: bool = True,
) -> PortfolioEvent:
    """Append to the portfolio's history; decisions also go to the audit trail."""
    event = PortfolioEvent.objects.create(
        portfolio=portfolio,
        kind=kind,
        attempt=portfolio.attempt,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason[:500],
        data=dict(data or {}),
    )
    if audit:
        audit_record(
            actor=actor,
            action="update",
            obj=portfolio,
            changes={"event": kind, "attempt": portfolio.attempt, **dict(data or {})},
            source=reason,
        )
    return event
