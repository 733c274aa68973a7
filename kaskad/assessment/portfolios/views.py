"""Portfolio pages: the teacher's "My portfolios" and the portfolio page (files, submission,
the trainer's feedback, the released result, the consent to publish), and the trainer's
pages (their cohorts, a cohort's portfolios with feedback on drafts). Files are downloaded
through a view that checks scope, never from a public media URL.

Thin on purpose: reads through `portfolio_selectors` (out of scope is 404), writes through
`portfolios` (whose refusals are shown as messages in the reader's language).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaskad.assessment import permissions
from kaskad.assessment.models import PortfolioFile
from kaskad.assessment.permissions import is_participant, may_give_feedback, may_work_on
from kaskad.assessment.portfolios import selectors
from kaskad.assessment.portfolios.downloads import CONTENT_TYPES, file_response
from kaskad.assessment.portfolios.services import (
    EDITABLE_STATUSES,
    FEEDBACK_MAX,
    draft_feedback_add,
    may_consent,
    portfolio_file_add,
    portfolio_file_remove,
    portfolio_for_enrolment,
    portfolio_submit,
    publish_consent_set,
    upload_limit,
    upload_too_large,
)
from kaskad.assessment.rubrics.services import rule_text
from kaskad.core.http import AuthedRequest
from kaskad.core.localised import quoted
from kaskad.core.pages import domain_errors_as_messages
from kaskad.core.uploads import refused_uploads
from kaskad.delivery.selectors import enrolment_get_for

# A file sent to a portfolio the user cannot see is cut off early (then refused with a 404).
UNKNOWN_UPLOAD_LIMIT = 1024 * 1024
ACCEPT = ".pdf,.docx,.odt,.txt," + ",".join(
    sorted(set(CONTENT_TYPES.values()) - {CONTENT_TYPES["txt"]})
)


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Feedback on the draft"),
        max_length=FEEDBACK_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("The participant sees it on their portfolio page."),
    )


# --- The participant ----------------------------------------------------------------------------


@login_required
def my_portfolios(request: AuthedRequest) -> HttpResponse:
    rows = selectors.my_portfolios(user=request.user)
    return render(request, "assessment/portfolios/list.html", {"rows": rows, "now": timezone.now()})


@login_required
@require_POST
def portfolio_start(request: AuthedRequest, enrolment_pk: int) -> HttpResponse:
    enrolment = enrolment_get_for(user=request.user, pk=enrolment_pk)
    with domain_errors_as_messages(request):
        portfolio = portfolio_for_enrolment(enrolment=enrolment, by=request.user)
        return redirect("assessment:portfolio_detail", pk=portfolio.pk)
    return redirect("assessment:my_portfolios")


@login_required
def portfolio_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    portfolio = selectors.portfolio_get_for_participant(user=request.user, pk=pk)
    user = request.user
    now = timezone.now()
    editable = portfolio.status in EDITABLE_STATUSES and may_work_on(user, portfolio)
    open_for_work = editable and now <= portfolio.deadline
    files = selectors.portfolio_files(portfolio=portfolio)
    results = selectors.portfolio_results(portfolio=portfolio)
    return render(
        request,
        "assessment/portfolios/detail.html",
        {
            "portfolio": portfolio,
            "enrolment": portfolio.enrolment,
            "version": portfolio.rubric.version,
            "rubric": portfolio.rubric,
            "rule": rule_text(portfolio.rubric),
            "files": files,
            "feedback": list(selectors.portfolio_feedback(portfolio=portfolio)),
            "results": results,
            "editable": editable,
            "open_for_work": open_for_work,
            "deadline_passed": editable and now > portfolio.deadline,
            "room": max(portfolio.rubric.max_files - len(files), 0),
            "accept": ACCEPT,
            "participant": is_participant(user, portfolio),
            "consent_possible": is_participant(user, portfolio) and may_consent(portfolio),
            "submitted": portfolio.status not in EDITABLE_STATUSES,
        },
    )


def upload_limit_for(request: HttpRequest, kwargs: dict[str, Any]) -> int:
    """The largest file an upload to this portfolio may send (see `kaskad.core.uploads`):
    the rubric's; a portfolio the user cannot see takes the smallest, it is refused anyway."""
    if not request.user.is_authenticated:  # refused anyway, by login_required
        return UNKNOWN_UPLOAD_LIMIT
    try:
        pk = int(kwargs.get("pk") or kwargs.get("portfolio_id") or 0)
        portfolio = selectors.portfolio_get_for_participant(user=request.user, pk=pk)
    except (Http404, TypeError, ValueError):
        return UNKNOWN_UPLOAD_LIMIT
    return upload_limit(portfolio)


@login_required
@require_POST
def portfolio_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    portfolio = selectors.portfolio_get_for_participant(user=request.user, pk=pk)
    uploads = request.FILES.getlist("files")
    refused = refused_uploads(request)
    for skipped in refused:
        messages.error(
            request, str(upload_too_large(name=skipped.name, limit=skipped.limit).message)
        )
    if not uploads:
        if not refused:
            messages.error(request, _("Choose at least one file to upload."))
        return redirect("assessment:portfolio_detail", pk=pk)
    added: list[str] = []
    for upload in uploads:
        # Each file on its own: one refused file does not lose the others.
        with domain_errors_as_messages(request):
            record = portfolio_file_add(portfolio=portfolio, upload=upload, by=request.user)
            added.append(record.original_name)
    if added:
        messages.success(
            request,
            _("Added: %(names)s.") % {"names": ", ".join(quoted(n) for n in added)},
        )
    return redirect("assessment:portfolio_detail", pk=pk)


@login_required
@require_POST
def portfolio_file_remove_view(request: AuthedRequest, pk: int, file_pk: int) -> HttpResponse:
    portfolio = selectors.portfolio_get_for_participant(user=request.user, pk=pk)
    record = PortfolioFile.objects.filter(pk=file_pk, portfolio=portfolio).first()
    if record is None:
        raise Http404
    record.portfolio = portfolio
    with domain_errors_as_messages(request):
        portfolio_file_remove(file=record, by=request.user)
        messages.success(request, _("“%(name)s” was removed.") % {"name": record.original_name})
    return redirect("assessment:portfolio_detail", pk=pk)


@login_required
@require_POST
def portfolio_submit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    portfolio = selectors.portfolio_get_for_participant(user=request.user, pk=pk)
    with domain_errors_as_messages(request):
        portfolio_submit(portfolio=portfolio, by=request.user)
        messages.success(
            request,
            _(
                "The portfolio was submitted. It will be assessed anonymously; you will see the "
                "result and the feedback here."
            ),
        )
    return redirect("assessment:portfolio_detail", pk=pk)


@login_required
@require_POST
def portfolio_consent_view(request: AuthedRequest, pk: int) -> HttpResponse:
    portfolio = selectors.portfolio_get_for_participant(user=request.user, pk=pk)
    consent = request.POST.get("consent") == "1"
    with domain_errors_as_messages(request):
        publish_consent_set(portfolio=portfolio, consent=consent, by=request.user)
        messages.success(
            request,
            _("Thank you: your portfolio may be published in the collection of best materials.")
            if consent
            else _("Your consent was withdrawn: the portfolio will not be published."),
        )
    return redirect("assessment:portfolio_detail", pk=pk)


@login_required
def portfolio_file_download(request: AuthedRequest, pk: int, file_pk: int) -> FileResponse:
    record = selectors.file_get_for_download(user=request.user, pk=pk, file_pk=file_pk)
    try:
        handle = record.stored.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return file_response(handle, name=record.original_name, kind=record.kind)


# --- The trainer --------------------------------------------------------------------------------


@login_required
def trainer_cohorts(request: AuthedRequest) -> HttpResponse:
    cohorts = list(selectors.trainer_cohorts(user=request.user)[:200])
    if not cohorts and not permissions.may_review_portfolios(request.user):
        raise Http404
    return render(request, "assessment/portfolios/trainer_cohorts.html", {"cohorts": cohorts})


@login_required
def cohort_portfolios(request: AuthedRequest, cohort_pk: int) -> HttpResponse:
    cohort = selectors.trainer_cohort_get(user=request.user, pk=cohort_pk)
    rows = selectors.cohort_portfolios(cohort=cohort)
    return render(
        request,
        "assessment/portfolios/cohort.html",
        {
            "cohort": cohort,
            "rows": rows,
            "editable_statuses": [str(s) for s in EDITABLE_STATUSES],
            "form": FeedbackForm(),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def draft_feedback_view(request: AuthedRequest, pk: int) -> HttpResponse:
    portfolio = selectors.portfolio_get_for_trainer(user=request.user, pk=pk)
    if not may_give_feedback(request.user, portfolio):
        raise Http404
    form = FeedbackForm(request.POST)
    target = redirect("assessment:cohort_portfolios", cohort_pk=portfolio.enrolment.cohort_id)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return target
    with domain_errors_as_messages(request):
        draft_feedback_add(portfolio=portfolio, text=form.cleaned_data["text"], by=request.user)
        messages.success(
            request,
            _("Feedback sent to %(name)s.") % {"name": portfolio.enrolment.person.full_name},
        )
    return target
