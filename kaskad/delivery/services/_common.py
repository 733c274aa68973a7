"""What the write services of delivery share: the refusal error and the manager and
editability checks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import User
from kaskad.core.errors import NotFoundError, StateConflict
from kaskad.delivery.models import Cohort, CohortStatus
from kaskad.delivery.permissions import manages_cohort
from kaskad.delivery.selectors import READ_ONLY_STATUSES


class EnrolmentRefused(StateConflict):
    """An enrolment request that the rules refuse; the message says which rule."""


def _require_manager(user: User, cohort: Cohort) -> None:
    # Out of scope looks the same as missing.
    if not manages_cohort(user, cohort):
        raise NotFoundError("not_found", _("Not found."))


def _status_label(status: str) -> str:
    return str(CohortStatus(status).label)


def _require_editable(cohort: Cohort) -> None:
    if cohort.status in READ_ONLY_STATUSES:
        raise StateConflict(
            "cohort_read_only",
            _("Cohort %(cohort)s is %(status)s: it can no longer be changed.")
            % {"cohort": cohort.code, "status": _status_label(cohort.status)},
        )
