"""Teachers: the course offer, self-enrolment, "My courses" and withdrawal.

Thin on purpose: reads through `selectors` (scope first: out of scope is 404), writes through
`services` (whose refusals are shown as messages or on the form field they name).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaskad.core.http import AuthedRequest, redirect_back
from kaskad.core.pages import domain_errors_as_messages
from kaskad.delivery import selectors
from kaskad.delivery.messages import outcome_text
from kaskad.delivery.services.enrolment import enrolment_request, enrolment_withdraw
from kaskad.delivery.views._common import PAGE_SIZE

# --- Teachers: the course offer and "My courses" -------------------------------------------------


@login_required
def open_courses(request: AuthedRequest) -> HttpResponse:
    person = selectors.own_person(user=request.user)
    cohorts = selectors.cohorts_open_to(person=person)
    active = selectors.active_programme_ids(person=person)
    rows = [{"cohort": c, "active": active.get(c.version.programme_id)} for c in cohorts]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "delivery/open_courses.html", {"page": page, "querystring": ""})


@login_required
@require_POST
def self_enrol(request: AuthedRequest, pk: int) -> HttpResponse:
    person = selectors.own_person(user=request.user)
    cohort = selectors.cohort_get(user=request.user, pk=pk)
    with domain_errors_as_messages(request):
        enrolment = enrolment_request(cohort=cohort, person=person, by=request.user, source="web")
        position = enrolment.waitlist_position
        if position is None:
            messages.success(request, _("You are enrolled in %(code)s.") % {"code": cohort.code})
        else:
            messages.warning(
                request,
                _(
                    "Cohort %(code)s is full: you are number %(position)s on the waitlist. You "
                    "will be enrolled automatically when a seat frees."
                )
                % {"code": cohort.code, "position": position},
            )
        return redirect("delivery:my_courses")
    return redirect_back(request, reverse("delivery:open_courses"))


@login_required
def my_courses(request: AuthedRequest) -> HttpResponse:
    person = selectors.own_person(user=request.user)
    courses = selectors.my_courses(person=person)
    past = [{"enrolment": e, "outcome": outcome_text(e.outcome or [])} for e in courses.past]
    return render(
        request,
        "delivery/my_courses.html",
        {"courses": courses, "past": past, "person": person},
    )


@login_required
@require_POST
def enrolment_withdraw_view(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_get_for(user=request.user, pk=pk)
    with domain_errors_as_messages(request):
        enrolment = enrolment_withdraw(enrolment=enrolment, by=request.user)
        messages.success(
            request,
            _("Withdrawn from %(code)s.") % {"code": enrolment.cohort.code},
        )
    return redirect_back(request, reverse("delivery:my_courses"))
