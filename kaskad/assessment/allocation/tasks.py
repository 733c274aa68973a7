"""Allocation as a background job: the page records a Job and the worker (`manage.py
db_worker`) runs `allocate_submitted`, keeping the Job's progress current for the page's bar."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from kaskad.assessment.allocation.services import allocate_submitted
from kaskad.catalogue.models import Programme
from kaskad.core.jobs import job_claim, job_enqueue
from kaskad.core.models import Job
from kaskad.core.progress import JobProgress

if TYPE_CHECKING:
    from kaskad.accounts.models import User

logger = logging.getLogger(__name__)

JOB_KIND = "allocation"


def allocation_job_start(*, by: User | None, programme: Programme | None = None) -> Job:
    """Record the job and queue it once this transaction commits."""
    language = getattr(by, "language", "") or translation.get_language() or ""
    with translation.override(language or settings.LANGUAGE_CODE):
        title = (
            _("Allocation of submitted portfolios: %(programme)s") % {"programme": programme.code}
            if programme is not None
            else _("Allocation of submitted portfolios")
        )
    with transaction.atomic():
        job = Job.objects.create(
            kind=JOB_KIND,
            created_by=by if getattr(by, "pk", None) else None,
            title=title[:200],
            params={"programme": programme.pk if programme else None},
            language=language[:8],
        )
        job_enqueue(job, run_allocation)
    return job


def latest_allocation_job() -> Job | None:
    return Job.objects.filter(kind=JOB_KIND).select_related("created_by").first()


def run_allocation_job(job_id: int) -> dict[str, Any]:
    """Run a queued allocation (in the worker). A finished job is left alone; running the
    allocation twice allocates nothing the second time; a running job is not started twice."""
    job = job_claim(job_id, stage="loading")
    if job is None:
        return {"skipped": True}
    params = job.params if isinstance(job.params, dict) else {}
    programme = (
        Programme.objects.filter(pk=params["programme"]).first()
        if params.get("programme")
        else None
    )
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            with JobProgress(job.pk) as progress:
                result = allocate_submitted(
                    by=job.created_by, programme=programme, progress=progress
                )
        except Exception:
            logger.exception("allocation job %s failed", job.pk)
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED,
                result={
                    "ok": False,
                    "message": _(
                        "The allocation stopped because of an unexpected error; nothing was "
                        "allocated. Please tell the administrators."
                    ),
                },
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            raise
        outcome = {
            "ok": True,
            **result.as_dict(),
            "message": result.summary(),
            "url": reverse("assessment:allocation_dashboard"),
        }
        total = result.allocated + len(result.unallocated)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED,
            result=outcome,
            stage="",
            done=total,
            total=total,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return {"ok": True, "allocated": result.allocated}


@task()
def run_allocation(job_id: int) -> dict[str, Any]:
    """Run the allocation recorded in Job `job_id` (queued by allocation_job_start)."""
    return run_allocation_job(job_id)
