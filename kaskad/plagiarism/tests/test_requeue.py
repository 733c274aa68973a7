"""A submission whose check was never queued (the step after the commit failed) is not left at
plagiarism "pending" for ever: the periodic sweep queues it again."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from kaskad.assessment.models import PlagiarismStatus, Portfolio
from kaskad.assessment.portfolios.services import portfolio_submit
from kaskad.plagiarism.models import CheckStatus, PlagiarismCheck
from kaskad.plagiarism.services import STUCK_AFTER, checks_requeue_stuck
from kaskad.plagiarism.tests.factories import immediate_tasks, open_cohort, participant
from kaskad.plagiarism.tests.texts import OWN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]
__all__ = ["immediate_tasks"]  # the fixture, used through pytestmark


def submitted_with_a_failing_step(settings: Any, capture: Any) -> Portfolio:
    # The step after the submission fails: the task cannot even be found.
    settings.KASKAD_AFTER_SUBMISSION_TASKS = ["kaskad.plagiarism.tasks.no_such_task"]
    portfolio, user = participant(open_cohort(), OWN[0])
    with capture(execute=True):
        portfolio_submit(portfolio=portfolio, by=user)
    portfolio.refresh_from_db()
    assert portfolio.plagiarism_status == PlagiarismStatus.PENDING
    assert not PlagiarismCheck.objects.filter(portfolio=portfolio).exists()
    return portfolio


def test_the_submission_queues_the_check_on_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    portfolio, user = participant(open_cohort(), OWN[0])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        portfolio_submit(portfolio=portfolio, by=user)
    assert not PlagiarismCheck.objects.filter(portfolio=portfolio).exists()  # not before
    for callback in callbacks:
        callback()
    portfolio.refresh_from_db()
    assert portfolio.plagiarism_status == PlagiarismStatus.CLEAR


def test_a_failed_step_leaves_the_portfolio_queued_again_by_the_sweep(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    portfolio = submitted_with_a_failing_step(settings, django_capture_on_commit_callbacks)
    # Not yet: the check may just be slow to start.
    assert checks_requeue_stuck() == []
    Portfolio.objects.filter(pk=portfolio.pk).update(
        submitted_at=timezone.now() - STUCK_AFTER - timedelta(minutes=1)
    )
    out = StringIO()
    call_command("jobs_maintain", stdout=out)
    assert "Plagiarism checks queued again: 1." in out.getvalue()
    portfolio.refresh_from_db()
    assert portfolio.plagiarism_status == PlagiarismStatus.CLEAR
    check = PlagiarismCheck.objects.get(portfolio=portfolio, attempt=portfolio.attempt)
    assert check.status == CheckStatus.DONE
    # Settled: the next sweep leaves it alone.
    assert checks_requeue_stuck() == []


def test_a_check_started_recently_is_not_queued_twice(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    portfolio = submitted_with_a_failing_step(settings, django_capture_on_commit_callbacks)
    Portfolio.objects.filter(pk=portfolio.pk).update(
        submitted_at=timezone.now() - STUCK_AFTER - timedelta(minutes=1)
    )
    PlagiarismCheck.objects.create(
        portfolio=portfolio, attempt=portfolio.attempt, status=CheckStatus.RUNNING
    )
    assert checks_requeue_stuck() == []
    PlagiarismCheck.objects.filter(portfolio=portfolio).update(
        updated_at=timezone.now() - STUCK_AFTER - timedelta(minutes=1)
    )
    assert checks_requeue_stuck() == [portfolio.pk]
