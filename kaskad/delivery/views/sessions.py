"""A cohort's sessions: one, a weekly series, removal.

Thin on purpose: reads through `selectors` (scope first: out of scope is 404), writes through
`services` (whose refusals are shown as messages or on the form field they name).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form
from kaskad.delivery.forms import SessionForm, SessionSeriesForm
from kaskad.delivery.services.sessions import (
    SessionData,
    session_add,
    session_add_series,
    session_remove,
)
from kaskad.delivery.views._common import _detail_url, _managed


@login_required
@require_POST
def session_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        values = form.cleaned_data
        with domain_errors_on_form(form):
            session_add(
                cohort=cohort,
                data=SessionData(
                    date=values["date"],
                    starts_at=values["starts_at"],
                    ends_at=values["ends_at"],
                    hours=values["hours"],
                    place=values["place"],
                    online_link=values["online_link"],
                ),
                by=request.user,
            )
            messages.success(request, _("Session added."))
            return redirect(_detail_url(cohort, "sessions"))
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for problem in errors:
            messages.error(request, f"{label}: {problem}" if label else str(problem))
    return redirect(_detail_url(cohort, "sessions"))


@login_required
@require_POST
def session_series_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Many sessions at once: chosen weekdays, one time and place, until a date."""
    cohort = _managed(request, pk)
    form = SessionSeriesForm(request.POST, prefix="series")
    if form.is_valid():
        values = form.cleaned_data
        with domain_errors_on_form(form):
            created = session_add_series(
                cohort=cohort,
                data=SessionData(
                    date=values["date"],
                    starts_at=values["starts_at"],
                    ends_at=values["ends_at"],
                    hours=values["hours"],
                    place=values["place"],
                    online_link=values["online_link"],
                ),
                weekdays=values["weekdays"],
                until=values["until"],
                by=request.user,
            )
            messages.success(
                request,
                ngettext("%(n)s session added.", "%(n)s sessions added.", len(created))
                % {"n": len(created)},
            )
            return redirect(_detail_url(cohort, "sessions"))
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for problem in errors:
            messages.error(request, f"{label}: {problem}" if label else str(problem))
    return redirect(_detail_url(cohort, "sessions"))


@login_required
@require_POST
def session_remove_view(request: AuthedRequest, pk: int, session_pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    session = cohort.sessions.filter(pk=session_pk).first()
    if session is None:
        raise Http404
    session.cohort = cohort
    with domain_errors_as_messages(request):
        session_remove(session=session, by=request.user)
        messages.success(request, _("Session removed."))
    return redirect(_detail_url(cohort, "sessions"))
