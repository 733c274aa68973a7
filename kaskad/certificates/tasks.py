"""Background tasks of certificates (run by `manage.py db_worker`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from kaskad.certificates.services import run_bulk_job


@task()
def generate_certificates(job_id: int) -> dict[str, Any]:
    """Issue a cohort's missing certificates and pack the ZIP (queued by bulk_job_start)."""
    return run_bulk_job(job_id)
