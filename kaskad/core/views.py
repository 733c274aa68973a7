"""Cross-cutting pages: the progress of a background job and the error pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaskad.core.errors import DomainError
from kaskad.core.jobs import job_files_delete_on, job_restart, job_restartable
from kaskad.core.models import Job


@cache
def _supervisor_check() -> Callable[[Any], bool]:
    # The core app knows no bounded context (an import-linter contract), so who may follow
    # every job, not only their own, is named in settings and supplied by the accounts app.
    path = getattr(settings, "KASKAD_JOB_SUPERVISOR_CHECK", "")
    if not path:
        return lambda user: bool(getattr(user, "is_superuser", False))
    check: Callable[[Any], bool] = import_string(path)
    return check


def job_for(request: HttpRequest, pk: int) -> Job:
    """The job if the user started it or supervises all jobs; otherwise 404 (no leak)."""
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=pk)
    user = request.user
    if job.created_by_id == user.pk or _supervisor_check()(user):
        return job
    raise Http404


def _job_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The job, and the link to its result when the job left one (`result["url"]`, a path
    on this site; `result["message"]` is shown as text)."""
    job = job_for(request, pk)
    url = job.result.get("url") if isinstance(job.result, dict) and job.is_finished else None
    if not (
        isinstance(url, str)
        and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})
    ):
        url = None
    return {
        "job": job,
        "result_url": url,
        "restartable": job_restartable(job),
        "files_delete_on": job_files_delete_on(job),
    }


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "core/job_detail.html", _job_context(request, pk))


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone; the page polls it every second until the job has finished."""
    return render(request, "core/_job_progress.html", _job_context(request, pk))


@login_required
@require_POST
def job_restart_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue again a job whose worker stopped (the button on the job page)."""
    job = job_for(request, pk)
    try:
        job_restart(job=job, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The job has been queued again."))
    # The job page follows every job (the panel of an import page may be a fragment).
    return redirect("core:job_detail", pk=job.pk)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the database or a context processor may be what just failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
