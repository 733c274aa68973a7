"""Background tasks of the registry (run by `manage.py db_worker`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from kaskad.registry.imports.jobs import run_import_job


@task()
def run_import(job_id: int) -> dict[str, Any]:
    """Run the import recorded in Job `job_id` (queued by imports.jobs.import_job_start)."""
    return run_import_job(job_id)
