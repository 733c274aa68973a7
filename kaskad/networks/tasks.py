"""Background tasks of the networks (run by `manage.py worker`). Each is idempotent."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def notify_overdue_requests() -> dict[str, Any]:
    """Notify about the requests past their due date (queued by `requests_overdue_sweep`);
    each request is notified once however often, or however many at once, this runs."""
    from kaskad.networks.support_requests import requests_notify_overdue

    return {"notified": requests_notify_overdue()}


@task()
def run_network_import(job_id: int) -> dict[str, Any]:
    """Run the network import recorded in Job `job_id` (queued by `network_import_start`)."""
    from kaskad.networks.import_jobs import run_network_import_job

    return run_network_import_job(job_id)
