"""A cohort's trainers: search, assignment, removal.

Thin on purpose: reads through `selectors` (scope first: out of scope is 404), writes through
`services` (whose refusals are shown as messages or on the form field they name).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_as_messages
from kaskad.delivery import selectors
from kaskad.delivery.forms import TrainerSearchForm
from kaskad.delivery.services.trainers import trainer_assign, trainer_remove
from kaskad.delivery.views._common import _detail_url, _managed


@login_required
def trainer_search(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    form = TrainerSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    candidates = selectors.trainer_candidates(user=request.user, cohort=cohort, q=q)
    # The search box asks (htmx) for the results only; without script it is a page.
    partial = bool(getattr(request, "htmx", False))
    template = "delivery/_trainer_results.html" if partial else "delivery/trainer_search.html"
    return render(request, template, {"cohort": cohort, "q": q, "candidates": candidates})


@login_required
@require_POST
def trainer_assign_view(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    try:
        person_id = int(request.POST.get("person", ""))
    except ValueError:
        raise Http404 from None
    person = selectors.trainer_candidate_get(user=request.user, pk=person_id)
    with domain_errors_as_messages(request):
        trainer_assign(
            cohort=cohort, person=person, by=request.user, is_lead=request.POST.get("lead") != "0"
        )
        messages.success(
            request, _("%(name)s now trains this cohort.") % {"name": person.full_name}
        )
    return redirect(_detail_url(cohort, "trainers"))


@login_required
@require_POST
def trainer_remove_view(request: AuthedRequest, pk: int, person_pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    person = selectors.person_get(pk=person_pk)
    with domain_errors_as_messages(request):
        trainer_remove(cohort=cohort, person=person, by=request.user)
        messages.success(
            request, _("%(name)s no longer trains this cohort.") % {"name": person.full_name}
        )
    return redirect(_detail_url(cohort, "trainers"))
