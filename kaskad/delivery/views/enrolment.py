"""Enrolment by a coordinator: lists of IINs, removal, the assessment result by hand.

Thin on purpose: reads through `selectors` (scope first: out of scope is 404), writes through
`services` (whose refusals are shown as messages or on the form field they name).
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form
from kaskad.delivery.forms import AssessmentForm, EnrolListForm
from kaskad.delivery.lists import ListProblem, lines_from_text, lines_from_upload, results_csv
from kaskad.delivery.models import EnrolmentStatus
from kaskad.delivery.services.completion import enrolment_set_assessment
from kaskad.delivery.services.enrolment import enrolment_remove, enrolment_request_list
from kaskad.delivery.views._common import _detail_url, _managed

# --- Enrolment by a coordinator ------------------------------------------------------------------


RESULT_LABELS = {
    EnrolmentStatus.ENROLLED: gettext_lazy("enrolled"),
    EnrolmentStatus.WAITLISTED: gettext_lazy("waitlisted"),
    "refused": gettext_lazy("refused"),
}


@login_required
def enrol_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """Paste or upload a list of IINs; every line gets its result."""
    cohort = _managed(request, pk)
    form = EnrolListForm(request.POST or None, request.FILES or None)
    results: list[dict[str, Any]] = []
    csv_href = ""
    if request.method == "POST" and form.is_valid():
        with domain_errors_on_form(form):
            upload = form.cleaned_data.get("file")
            if upload is not None:
                lines = lines_from_upload(upload.read())
            else:
                lines = lines_from_text(form.cleaned_data["iins"])
            if not lines:
                raise ListProblem("empty", _("The list has no IINs."))
            outcome = enrolment_request_list(cohort=cohort, lines=lines, by=request.user)
            for item in outcome:
                results.append(
                    {
                        "line": item.line,
                        "value": item.value,
                        "name": item.person.full_name if item.person else "",
                        "outcome": item.outcome,
                        "result": str(RESULT_LABELS.get(item.outcome, item.outcome)),
                        "position": item.waitlist_position,
                        "message": item.message,
                        "code": item.code,
                    }
                )
            data = ("\ufeff" + results_csv(results)).encode("utf-8")
            csv_href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode()
            cohort.refresh_from_db()
    counts = {
        key: sum(1 for r in results if r["outcome"] == key)
        for key in ("enrolled", "waitlisted", "refused")
    }
    return render(
        request,
        "delivery/enrol_list.html",
        {
            "cohort": cohort,
            "form": form,
            "results": results,
            "counts": counts,
            "csv_href": csv_href,
            "csv_name": f"{cohort.code}-enrolment.csv",
        },
    )


@login_required
@require_POST
def enrolment_remove_view(request: AuthedRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    enrolment = cohort.enrolments.select_related("person").filter(pk=enrolment_pk).first()
    if enrolment is None:
        raise Http404
    enrolment.cohort = cohort
    with domain_errors_as_messages(request):
        enrolment_remove(enrolment=enrolment, by=request.user, note=request.POST.get("note", ""))
        messages.success(
            request,
            _("%(name)s was taken off the cohort.") % {"name": enrolment.person.full_name},
        )
    return redirect(_detail_url(cohort, "roster"))


@login_required
@require_POST
def enrolment_assessment_view(request: AuthedRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    enrolment = cohort.enrolments.select_related("person").filter(pk=enrolment_pk).first()
    if enrolment is None:
        raise Http404
    enrolment.cohort = cohort
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose passed, not passed or unknown."))
        return redirect(_detail_url(cohort, "roster"))
    with domain_errors_as_messages(request):
        enrolment_set_assessment(enrolment=enrolment, passed=form.passed(), by=request.user)
        messages.success(
            request,
            _("Assessment result saved for %(name)s.") % {"name": enrolment.person.full_name},
        )
    return redirect(_detail_url(cohort, "roster"))
