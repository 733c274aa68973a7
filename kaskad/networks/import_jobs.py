"""The network import as a background job: the upload is checked in the request (a trial run:
errors by line, column and value, nothing written), then recorded as a Job and run by the
worker, whose progress the import page and the job page show.

Running a job's task twice does nothing twice (`job_claim`), and the import itself is an
upsert: the same file imported again changes nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kaskad.core.jobs import job_claim, job_crashed, job_enqueue
from kaskad.core.models import Job
from kaskad.core.progress import JobProgress
from kaskad.networks.imports import CHECKING, network_import
from kaskad.networks.years import year_label

if TYPE_CHECKING:
    from kaskad.accounts.models import User

logger = logging.getLogger(__name__)

JOB_KIND = "network_import"


def page_url(job: Job) -> str:
    """The import page following this job."""
    return f"{reverse('networks:import')}?job={job.pk}"


def network_import_start(
    *,
    stored: Path,
    original_name: str,
    year: int,
    by: User | None = None,
    language: str | None = None,
) -> Job:
    """Record the job and queue it once this transaction commits."""
    from kaskad.networks.tasks import run_network_import

    language = language or getattr(by, "language", "") or translation.get_language() or ""
    with translation.override(language or settings.LANGUAGE_CODE):
        title = _("Import of the network %(year)s: %(file)s") % {
            "year": year_label(year),
            "file": original_name,
        }
    media_root = Path(settings.MEDIA_ROOT)
    with transaction.atomic():
        job = Job.objects.create(
            kind=JOB_KIND,
            created_by=by if getattr(by, "pk", None) else None,
            title=title[:200],
            input_file=str(stored.relative_to(media_root))
            if stored.is_relative_to(media_root)
            else str(stored),
            # One transaction writes everything: a worker lost half-way has written nothing.
            params={"year": year, "original_name": original_name, "all_or_nothing": True},
            language=language[:8],
        )
        job_enqueue(job, run_network_import)
    return job


def network_import_jobs_of(user: User, *, limit: int = 5) -> list[Job]:
    """The user's own latest network imports (for the import page)."""
    return list(Job.objects.filter(kind=JOB_KIND, created_by=user).order_by("-created_at")[:limit])


def run_network_import_job(job_id: int) -> dict[str, Any]:
    """Run a queued network import (in the worker). A finished or running job is left alone."""
    job = job_claim(job_id, stage=CHECKING)
    if job is None:
        return {"skipped": True}
    params = job.params if isinstance(job.params, dict) else {}
    original_name = str(params.get("original_name") or Path(job.input_file).name)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            if job.kind != JOB_KIND:
                raise ValueError(f"job {job.pk} is not a network import ({job.kind})")
            with JobProgress(job.pk) as progress:
                result = network_import(
                    path=Path(settings.MEDIA_ROOT) / job.input_file,
                    year=int(params["year"]),
                    by=job.created_by,
                    name=original_name,
                    progress=progress,
                )
            outcome = {**result.as_dict(), "message": result.summary(), "url": page_url(job)}
        except Exception:
            logger.exception("network import job %s failed", job.pk)
            job_crashed(job.pk)
            raise
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED if result.ok else Job.Status.FAILED,
            result=outcome,
            stage="",
            done=result.total,
            total=result.total,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return {"ok": result.ok, "total": result.total}
