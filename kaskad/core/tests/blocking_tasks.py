"""A background task for the tests of lost workers: it claims its job, then waits while a flag
file exists (so a test can kill the worker in the middle of it)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.utils import timezone
from django_tasks import task

from kaskad.core.jobs import job_claim
from kaskad.core.models import Job


@task()
def wait_for_flag(job_id: int) -> dict[str, Any]:
    job = job_claim(job_id, stage="waiting")
    if job is None:
        return {"skipped": True}
    flag = Path(job.params["flag"])
    deadline = time.monotonic() + 300
    while flag.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.SUCCEEDED, result={"ok": True}, finished_at=timezone.now()
    )
    return {"ok": True}


@task()
def append_line(path: str) -> None:
    """Idempotent enough for the tests: appends one line per run."""
    with Path(path).open("a") as handle:
        handle.write("ran\n")
