"""Coordinators' cohort pages: the list (and its export), creation, the cohort page, status
and capacity.

Thin on purpose: reads through `selectors` (scope first: out of scope is 404), writes through
`services` (whose refusals are shown as messages or on the form field they name).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaskad.accounts.scopes import iin_for, user_scope
from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form
from kaskad.delivery import exports, permissions, selectors
from kaskad.delivery.forms import (
    AssessmentForm,
    CapacityForm,
    CohortFilterForm,
    CohortForm,
    SessionForm,
    SessionSeriesForm,
    StatusForm,
    TrainerSearchForm,
)
from kaskad.delivery.messages import outcome_text
from kaskad.delivery.models import COHORT_TRANSITIONS, Cohort, CohortStatus
from kaskad.delivery.services.cohorts import (
    CohortData,
    cohort_create,
    cohort_set_capacity,
    cohort_set_status,
)
from kaskad.delivery.views._common import (
    IRREVERSIBLE,
    PAGE_SIZE,
    STATUS_ACTIONS,
    _detail_url,
    _managed,
)

# --- Cohorts ------------------------------------------------------------------------------------


@login_required
def cohort_list(request: AuthedRequest) -> HttpResponse:
    if not permissions.works_in_delivery(request.user):
        raise Http404
    form, filters = _list_filters(request)
    page = Paginator(selectors.cohort_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    scope = user_scope(request.user)
    return render(
        request,
        "delivery/cohort_list.html",
        {
            "form": form,
            "page": page,
            "querystring": params.urlencode(),
            "can_create": scope.national_write or bool(scope.branch_ids),
        },
    )


def _list_filters(request: AuthedRequest) -> tuple[CohortFilterForm, selectors.CohortFilters]:
    form = CohortFilterForm(request.GET)
    filters = selectors.CohortFilters()
    if form.is_valid():
        filters = selectors.CohortFilters(
            q=form.cleaned_data["q"],
            status=form.cleaned_data["status"],
            format=form.cleaned_data["format"],
        )
    return form, filters


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def cohort_list_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    """The cohort list as on the page, with its filters, every page of it."""
    if not permissions.works_in_delivery(request.user):
        raise Http404
    if fmt not in exports.FORMATS:
        raise Http404
    _form, filters = _list_filters(request)
    table = exports.cohorts_table(selectors.cohort_list(user=request.user, filters=filters))
    stamp = timezone.localdate().isoformat()
    return _download(exports.render(table, fmt), fmt, f"cohorts-{stamp}")


@login_required
def cohort_export(request: AuthedRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    """A cohort's roster, attendance register or completion, for whoever sees its page."""
    cohort = selectors.cohort_get(user=request.user, pk=pk, worklist=True)
    build = exports.COHORT_TABLES.get(kind)
    if build is None or fmt not in exports.FORMATS:
        raise Http404
    table = build(cohort=cohort, user=request.user)
    return _download(exports.render(table, fmt), fmt, f"{cohort.code}-{kind}")


@login_required
def cohort_create_view(request: AuthedRequest) -> HttpResponse:
    branches = selectors.branches_managed_by(request.user)
    if not branches.exists():
        raise Http404
    form = CohortForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        with domain_errors_on_form(form):
            cohort = cohort_create(
                data=CohortData(
                    version=values["version"],
                    branch=values["branch"],
                    format=values["format"],
                    language=values["language"],
                    starts_on=values["starts_on"],
                    ends_on=values["ends_on"],
                    capacity=values["capacity"],
                    code=values["code"],
                    abroad_country=values.get("abroad_country") or "",
                ),
                by=request.user,
            )
            messages.success(
                request,
                _(
                    "Cohort %(code)s created. Add its sessions and trainers, then open it for "
                    "enrolment."
                )
                % {"code": cohort.code},
            )
            return redirect("delivery:cohort_detail", pk=cohort.pk)
    return render(request, "delivery/cohort_form.html", {"form": form})


@login_required
def cohort_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, pk=pk, worklist=True)
    user = request.user
    manager = permissions.manages_cohort(user, cohort)
    trainer = not manager and permissions.trains_cohort(user, cohort)
    results = manager or trainer  # individual outcomes: not for analysts (ADR 0002)
    total_hours = selectors.cohort_total_hours(cohort=cohort)
    roster = list(selectors.cohort_roster(cohort=cohort))
    waitlist = list(selectors.cohort_waitlist(cohort=cohort))
    rows = [
        {
            "enrolment": e,
            "iin": iin_for(user, e.person),
            "percent": _percent(e.hours_attended, total_hours),
            "outcome": outcome_text(e.outcome or []) if results else "",
        }
        for e in roster
    ]
    waiting = [
        {
            "enrolment": e,
            "position": number,
            "iin": iin_for(user, e.person),
        }
        for number, e in enumerate(waitlist, start=1)
    ]
    ended = [
        {"enrolment": e, "outcome": outcome_text(e.outcome or []) if results else ""}
        for e in selectors.cohort_ended_enrolments(cohort=cohort)[:50]
    ]
    editable = cohort.status not in selectors.READ_ONLY_STATUSES
    sessions = list(selectors.cohort_sessions(cohort=cohort))
    transitions = [
        (status, STATUS_ACTIONS[CohortStatus(status)])
        for status in sorted(COHORT_TRANSITIONS[cohort.status])
    ]
    return render(
        request,
        "delivery/cohort_detail.html",
        {
            "cohort": cohort,
            "manager": manager,
            "trainer": trainer,
            "results": results,
            "editable": editable,
            "markable": cohort.status in selectors.MARKABLE_STATUSES,
            # Results come at the end of a course (the assessment app will record them).
            "assessable": cohort.status in (CohortStatus.RUNNING, CohortStatus.FINISHED),
            "sessions": sessions,
            "trainers": list(selectors.cohort_trainers(cohort=cohort)),
            "total_hours": total_hours,
            "rows": rows,
            "waiting": waiting,
            "ended": ended,
            "transitions": transitions,
            "export_kinds": [
                ("roster", _("Roster")),
                ("attendance", _("Attendance register")),
                ("completion", _("Completion")),
            ],
            "session_form": SessionForm(initial=_session_initial(cohort, sessions)),
            "series_form": SessionSeriesForm(
                prefix="series",
                initial={
                    **_session_initial(cohort, sessions),
                    "date": cohort.starts_on,
                    "until": cohort.ends_on,
                    "weekdays": [0, 1, 2, 3, 4],
                },
            ),
            "capacity_form": CapacityForm(initial={"capacity": cohort.capacity}),
            "trainer_form": TrainerSearchForm(),
            "assessment_choices": AssessmentForm().fields["result"].choices,  # type: ignore[attr-defined]
        },
    )


def _session_initial(cohort: Cohort, sessions: list[Any]) -> dict[str, Any]:
    """The next session starts like the last one: same times, hours, place and link, the day
    after it; so the place is not typed again."""
    if not sessions:
        return {"date": cohort.starts_on, "starts_at": "09:00", "ends_at": "13:00", "hours": 4}
    last = sessions[-1]
    next_day = min(last.date + timedelta(days=1), cohort.ends_on)
    return {
        "date": next_day,
        "starts_at": last.starts_at,
        "ends_at": last.ends_at,
        "hours": last.hours,
        "place": last.place,
        "online_link": last.online_link,
    }


def _percent(hours: Decimal, total: Decimal) -> int | None:
    if not total:
        return None
    return int(hours * 100 / total)


@login_required
def cohort_status(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    form = StatusForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect(_detail_url(cohort))
    status = form.cleaned_data["status"]
    reason = (request.POST.get("early_start_reason") or "").strip()
    needs_confirm = status in IRREVERSIBLE and status in COHORT_TRANSITIONS[cohort.status]
    if needs_confirm and (request.method != "POST" or request.POST.get("confirm") != "yes"):
        preview = selectors.cohort_status_preview(
            cohort=cohort, status=status, today=timezone.localdate()
        )
        error = ""
        if request.method == "POST" and "from_confirm" in request.POST:
            error = _("Tick the box to confirm: this change cannot be undone.")
        return render(
            request,
            "delivery/cohort_status_confirm.html",
            {
                "cohort": cohort,
                "status": status,
                "label": STATUS_ACTIONS[CohortStatus(status)],
                "preview": preview,
                "error": error,
                "reason": reason,
            },
            status=400 if error else 200,
        )
    if request.method != "POST":
        return redirect(_detail_url(cohort))
    with domain_errors_as_messages(request):
        cohort = cohort_set_status(
            cohort=cohort, status=status, by=request.user, early_start_reason=reason
        )
        messages.success(
            request,
            _("Cohort %(code)s is now %(status)s.")
            % {"code": cohort.code, "status": cohort.get_status_display()},
        )
    return redirect(_detail_url(cohort))


@login_required
@require_POST
def cohort_capacity(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The capacity must be a whole number of at least 1."))
        return redirect(_detail_url(cohort))
    with domain_errors_as_messages(request):
        cohort = cohort_set_capacity(
            cohort=cohort, capacity=form.cleaned_data["capacity"], by=request.user
        )
        messages.success(request, _("Capacity saved: %(n)s seats.") % {"n": cohort.capacity})
    return redirect(_detail_url(cohort))
