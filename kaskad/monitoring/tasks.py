"""Background tasks of monitoring studies (run by the worker)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from kaskad.monitoring.reports.bulk import run_bulk_reports_job
from kaskad.monitoring.services import run_response_import_job


@task()
def import_responses(job_id: int) -> dict[str, Any]:
    """Check and write a response file (queued by response_import_job_start)."""
    return run_response_import_job(job_id)


@task()
def generate_reports(job_id: int) -> dict[str, Any]:
    """Print every pupil's individual report of a study test into one ZIP."""
    return run_bulk_reports_job(job_id)
