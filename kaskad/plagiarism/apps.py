from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def enqueue_check(sender: Any = None, portfolio_id: int | None = None, **kwargs: Any) -> None:
    """A portfolio was submitted: check it in the background once the submission commits."""
    from django.db import transaction

    from kaskad.plagiarism.tasks import check_portfolio

    if portfolio_id is None:
        return
    transaction.on_commit(lambda: check_portfolio.enqueue(portfolio_id))


class PlagiarismConfig(AppConfig):
    name = "kaskad.plagiarism"
    label = "plagiarism"
    verbose_name = _("Plagiarism checks")

    def ready(self) -> None:
        from kaskad.assessment.events import portfolio_submitted

        portfolio_submitted.connect(enqueue_check, dispatch_uid="plagiarism_check_on_submit")
