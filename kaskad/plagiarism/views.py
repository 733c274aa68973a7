"""Plagiarism pages: the officer's queue, the report of a check (officers, and the portfolio's
assessors blind), the officer's decision, a re-run of a failed check and the bulk re-check.

Thin on purpose: reads through `selectors` (scope first: out of scope is 404), writes through
`services` (whose refusals are shown as messages or on the form field they name).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_on_form
from kaskad.delivery.models import Cohort
from kaskad.plagiarism import selectors
from kaskad.plagiarism.forms import DecisionForm, QueueFilterForm, RecheckForm
from kaskad.plagiarism.models import CheckStatus, PlagiarismCheck
from kaskad.plagiarism.permissions import is_officer
from kaskad.plagiarism.services import (
    RecheckFilters,
    decision_record,
    recheck_job_start,
)

PAGE_SIZE = 25


def _require_officer(request: HttpRequest) -> None:
    if not is_officer(request.user):
        raise Http404


@login_required
def queue(request: AuthedRequest) -> HttpResponse:
    """Suspected portfolios, highest similarity first; checks that failed below."""
    _require_officer(request)
    form = QueueFilterForm(request.GET)
    programme_id = None
    if form.is_valid() and form.cleaned_data["programme"]:
        programme_id = form.cleaned_data["programme"].pk
    page = Paginator(
        selectors.queue(user=request.user, programme_id=programme_id), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "plagiarism/queue.html",
        {
            "form": form,
            "page": page,
            "querystring": params.urlencode(),
            "failed": list(
                selectors.failed_checks(user=request.user, programme_id=programme_id)[:50]
            ),
        },
    )


def _source_number(request: HttpRequest) -> int | None:
    try:
        return max(1, int(request.GET.get("source", "")))
    except ValueError:
        return None


def _render_report(
    request: AuthedRequest,
    check: PlagiarismCheck,
    *,
    form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = selectors.report_view(
        user=request.user, check=check, source_number=_source_number(request)
    )
    return render(
        request,
        "plagiarism/report.html",
        {
            "report": view,
            "form": form or DecisionForm(),
            "finished": check.status in (CheckStatus.DONE, CheckStatus.FAILED),
        },
        status=status,
    )


@login_required
def report(request: AuthedRequest, pk: int) -> HttpResponse:
    check = selectors.check_get(user=request.user, pk=pk)
    return _render_report(request, check)


@login_required
def portfolio_report(request: AuthedRequest, pk: int) -> HttpResponse:
    """The report of a portfolio's current attempt (the link the marking pages use)."""
    check = selectors.check_for_portfolio(user=request.user, portfolio_id=pk)
    return redirect("plagiarism:report", pk=check.pk)


@login_required
@require_POST
def decision(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_officer(request)
    check = selectors.check_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        with domain_errors_on_form(form):
            decision_record(
                check=check,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                by=request.user,
            )
            messages.success(request, _("The decision is recorded."))
            return redirect("plagiarism:report", pk=check.pk)
    return _render_report(request, check, form=form, status=400)


@login_required
@require_POST
def rerun(request: AuthedRequest, pk: int) -> HttpResponse:
    """Queue the check of a portfolio again (a failed check, or after a template changed)."""
    from kaskad.plagiarism.tasks import check_portfolio

    _require_officer(request)
    check = selectors.check_get(user=request.user, pk=pk)
    portfolio_id = check.portfolio_id
    transaction.on_commit(lambda: check_portfolio.enqueue(portfolio_id))
    messages.info(request, _("The check is queued; its report replaces this one when done."))
    return redirect("plagiarism:report", pk=check.pk)


@login_required
@require_http_methods(["GET", "POST"])
def recheck(request: AuthedRequest) -> HttpResponse:
    """Re-check a whole session: a background job with a progress page."""
    _require_officer(request)
    form = RecheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        cohort_id = None
        if data["cohort"]:
            cohort_id = (
                Cohort.objects.filter(code__iexact=data["cohort"].strip())
                .values_list("pk", flat=True)
                .first()
            )
            if cohort_id is None:
                form.add_error("cohort", _("No cohort has this code."))
        if form.is_valid():
            filters = RecheckFilters(
                programme_id=data["programme"].pk if data["programme"] else None,
                cohort_id=cohort_id,
                submitted_from=data["submitted_from"],
                submitted_until=data["submitted_until"],
            )
            with domain_errors_on_form(form):
                job = recheck_job_start(filters=filters, by=request.user)
                return redirect(reverse("core:job_detail", kwargs={"pk": job.pk}))
    status = 400 if request.method == "POST" else 200
    return render(request, "plagiarism/recheck.html", {"form": form}, status=status)
