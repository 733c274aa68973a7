"""Cross-cutting pages: the progress of a background job and the error pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaskad.core.http import AuthedRequest, is_safe_url
from kaskad.core.jobs import job_files_delete_on, job_for, job_restart, job_restartable
from kaskad.core.models import Notification
from kaskad.core.notifications import (
    notification_list,
    notification_text,
    notifications_mark_read,
)
from kaskad.core.pages import domain_errors_as_messages


def _job_context(request: AuthedRequest, pk: int) -> dict[str, Any]:
    """The job, and the link to its result when the job left one (`result["url"]`, a path
    on this site; `result["message"]` is shown as text)."""
    job = job_for(request, pk)
    url = job.result.get("url") if isinstance(job.result, dict) and job.is_finished else None
    if not (isinstance(url, str) and is_safe_url(request, url)):
        url = None
    return {
        "job": job,
        "result_url": url,
        "restartable": job_restartable(job),
        "files_delete_on": job_files_delete_on(job),
    }


@login_required
def job_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return render(request, "core/job_detail.html", _job_context(request, pk))


@login_required
def job_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress bar alone; the page polls it every second until the job has finished."""
    return render(request, "core/_job_progress.html", _job_context(request, pk))


@login_required
@require_POST
def job_restart_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Queue again a job whose worker stopped (the button on the job page)."""
    job = job_for(request, pk)
    with domain_errors_as_messages(request):
        job_restart(job=job, by=request.user)
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


# --- Notifications ------------------------------------------------------------------------------

NOTIFICATIONS_PAGE_SIZE = 25


@login_required
def notifications(request: AuthedRequest) -> HttpResponse:
    """The user's notifications, newest first; POST marks them all as read."""
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("delivery:notifications")
    page = Paginator(
        notification_list(user=request.user),
        NOTIFICATIONS_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    notes: list[Notification] = list(page.object_list)
    items = [{"notification": n, "text": notification_text(n.message, n.params)} for n in notes]
    unread = sum(1 for n in notes if n.read_at is None)
    return render(
        request,
        "delivery/notifications.html",
        {"page": page, "items": items, "unread": unread, "querystring": ""},
    )
