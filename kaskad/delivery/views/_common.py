"""What delivery's pages share: page size, the status buttons' words, the cohort a
coordinator manages.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from kaskad.core.http import AuthedRequest
from kaskad.delivery import selectors
from kaskad.delivery.models import Cohort, CohortStatus

PAGE_SIZE = 25


# The words on the button that moves a cohort to each status.
STATUS_ACTIONS = {
    CohortStatus.PLANNED: gettext_lazy("Back to planned"),
    CohortStatus.OPEN: gettext_lazy("Open for enrolment"),
    CohortStatus.RUNNING: gettext_lazy("Start the course"),
    CohortStatus.FINISHED: gettext_lazy("Finish and decide completion"),
    CohortStatus.CLOSED: gettext_lazy("Close"),
}


def _managed(request: AuthedRequest, pk: int) -> Cohort:
    return selectors.cohort_get_managed(user=request.user, pk=pk)


def _detail_url(cohort: Cohort, anchor: str = "") -> str:
    url = reverse("delivery:cohort_detail", args=[cohort.pk])
    return f"{url}#{anchor}" if anchor else url


# Status changes that cannot be undone: each goes through a page that says what will happen and
# asks for a ticked confirmation (works without JavaScript).
IRREVERSIBLE = (CohortStatus.RUNNING, CohortStatus.FINISHED, CohortStatus.CLOSED)
