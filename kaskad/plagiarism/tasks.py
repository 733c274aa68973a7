"""Background tasks of the plagiarism checks (run by `manage.py db_worker`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from kaskad.core.errors import DomainError


@task()
def check_portfolio(portfolio_id: int) -> dict[str, Any]:
    """Check the submitted attempt of a portfolio. Idempotent: a re-run replaces the check of
    that attempt; a portfolio that is no longer submitted (or is gone) is skipped."""
    from kaskad.plagiarism.services import check_run

    try:
        check = check_run(portfolio_id=portfolio_id)
    except DomainError as error:
        return {"skipped": True, "code": error.code}
    return {
        "check_id": check.pk,
        "status": check.status,
        "similarity_percent": None
        if check.similarity_percent is None
        else str(check.similarity_percent),
    }


@task()
def run_recheck(job_id: int) -> dict[str, Any]:
    """Run the bulk re-check recorded in Job `job_id` (queued by services.recheck_job_start)."""
    from kaskad.plagiarism.services import run_recheck_job

    return run_recheck_job(job_id)
