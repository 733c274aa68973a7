"""Delivery pages: coordinators' cohorts (sessions, trainers, roster, waitlist, lists of
IINs), trainers' attendance screen, teachers' course offer and "My courses", notifications.

Thin on purpose: reads through `selectors` (scope first: out of scope is 404), writes through
`services` (whose refusals are shown as messages or on the form field they name).
"""

from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_POST

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import iin_for, user_scope
from kaskad.core.errors import DomainError
from kaskad.core.models import Notification
from kaskad.delivery import exports, selectors
from kaskad.delivery.forms import (
    AssessmentForm,
    CapacityForm,
    CohortFilterForm,
    CohortForm,
    EnrolListForm,
    SessionForm,
    SessionSeriesForm,
    StatusForm,
    TrainerSearchForm,
    add_domain_error,
)
from kaskad.delivery.lists import ListProblem, lines_from_text, lines_from_upload, results_csv
from kaskad.delivery.messages import notification_text, outcome_text
from kaskad.delivery.models import (
    COHORT_TRANSITIONS,
    AttendanceStatus,
    Cohort,
    CohortStatus,
    EnrolmentStatus,
)
from kaskad.delivery.services import (
    CohortData,
    SessionData,
    attendance_save,
    cohort_create,
    cohort_set_capacity,
    cohort_set_status,
    enrolment_remove,
    enrolment_request,
    enrolment_request_list,
    enrolment_set_assessment,
    enrolment_withdraw,
    session_add,
    session_add_series,
    session_remove,
    trainer_assign,
    trainer_remove,
)
from kaskad.registry.models import Branch, Person

PAGE_SIZE = 25
# The words on the button that moves a cohort to each status.
STATUS_ACTIONS = {
    CohortStatus.PLANNED: gettext_lazy("Back to planned"),
    CohortStatus.OPEN: gettext_lazy("Open for enrolment"),
    CohortStatus.RUNNING: gettext_lazy("Start the course"),
    CohortStatus.FINISHED: gettext_lazy("Finish and decide completion"),
    CohortStatus.CLOSED: gettext_lazy("Close"),
}


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(candidate)
    return HttpResponseRedirect(default)


def _require_staff(request: HttpRequest) -> None:
    scope = user_scope(request.user)
    if not (scope.national or scope.branch_ids or scope.has(Role.TRAINER)):
        raise Http404


def _person_of(request: HttpRequest) -> Person:
    person_id = user_scope(request.user).person_id
    if person_id is None:
        raise Http404
    return Person.objects.select_related("current_organisation", "current_organisation__area").get(
        pk=person_id
    )


# --- Cohorts ------------------------------------------------------------------------------------


@login_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
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


def _list_filters(request: HttpRequest) -> tuple[CohortFilterForm, selectors.CohortFilters]:
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
def cohort_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The cohort list as on the page, with its filters, every page of it."""
    _require_staff(request)
    if fmt not in exports.FORMATS:
        raise Http404
    _form, filters = _list_filters(request)
    table = exports.cohorts_table(selectors.cohort_list(user=request.user, filters=filters))
    stamp = timezone.localdate().isoformat()
    return _download(exports.render(table, fmt), fmt, f"cohorts-{stamp}")


@login_required
def cohort_export(request: HttpRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    """A cohort's roster, attendance register or completion, for whoever sees its page."""
    cohort = selectors.cohort_get(user=request.user, pk=pk, worklist=True)
    build = exports.COHORT_TABLES.get(kind)
    if build is None or fmt not in exports.FORMATS:
        raise Http404
    table = build(cohort=cohort, user=request.user)
    return _download(exports.render(table, fmt), fmt, f"{cohort.code}-{kind}")


def _managed_branches(request: HttpRequest) -> Any:
    scope = user_scope(request.user)
    if scope.national_write:
        return Branch.objects.order_by("code")
    return Branch.objects.filter(pk__in=scope.branch_ids).order_by("code")


@login_required
def cohort_create_view(request: HttpRequest) -> HttpResponse:
    branches = _managed_branches(request)
    if not branches.exists():
        raise Http404
    form = CohortForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
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
                ),
                by=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
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
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, pk=pk, worklist=True)
    user = request.user
    manager = selectors.manages_cohort(user, cohort)
    trainer = not manager and selectors.trains_cohort(user, cohort)
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


def _managed(request: HttpRequest, pk: int) -> Cohort:
    return selectors.cohort_get_managed(user=request.user, pk=pk)


def _detail_url(cohort: Cohort, anchor: str = "") -> str:
    url = reverse("delivery:cohort_detail", args=[cohort.pk])
    return f"{url}#{anchor}" if anchor else url


# Status changes that cannot be undone: each goes through a page that says what will happen and
# asks for a ticked confirmation (works without JavaScript).
IRREVERSIBLE = (CohortStatus.RUNNING, CohortStatus.FINISHED, CohortStatus.CLOSED)


@login_required
def cohort_status(request: HttpRequest, pk: int) -> HttpResponse:
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
    try:
        cohort = cohort_set_status(
            cohort=cohort, status=status, by=request.user, early_start_reason=reason
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Cohort %(code)s is now %(status)s.")
            % {"code": cohort.code, "status": cohort.get_status_display()},
        )
    return redirect(_detail_url(cohort))


@login_required
@require_POST
def cohort_capacity(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The capacity must be a whole number of at least 1."))
        return redirect(_detail_url(cohort))
    try:
        cohort = cohort_set_capacity(
            cohort=cohort, capacity=form.cleaned_data["capacity"], by=request.user
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Capacity saved: %(n)s seats.") % {"n": cohort.capacity})
    return redirect(_detail_url(cohort))


@login_required
@require_POST
def session_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        values = form.cleaned_data
        try:
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
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Session added."))
            return redirect(_detail_url(cohort, "sessions"))
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for problem in errors:
            messages.error(request, f"{label}: {problem}" if label else str(problem))
    return redirect(_detail_url(cohort, "sessions"))


@login_required
@require_POST
def session_series_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Many sessions at once: chosen weekdays, one time and place, until a date."""
    cohort = _managed(request, pk)
    form = SessionSeriesForm(request.POST, prefix="series")
    if form.is_valid():
        values = form.cleaned_data
        try:
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
        except DomainError as error:
            add_domain_error(form, error)
        else:
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
def session_remove_view(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    session = cohort.sessions.filter(pk=session_pk).first()
    if session is None:
        raise Http404
    session.cohort = cohort
    try:
        session_remove(session=session, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Session removed."))
    return redirect(_detail_url(cohort, "sessions"))


@login_required
def trainer_search(request: HttpRequest, pk: int) -> HttpResponse:
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
def trainer_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    person = _candidate(request, cohort)
    try:
        trainer_assign(
            cohort=cohort, person=person, by=request.user, is_lead=request.POST.get("lead") != "0"
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("%(name)s now trains this cohort.") % {"name": person.full_name}
        )
    return redirect(_detail_url(cohort, "trainers"))


def _candidate(request: HttpRequest, cohort: Cohort) -> Person:
    """A person the coordinator can see, or anyone holding an accreditation (national trainers
    work across branches); others are 404."""
    from kaskad.cascade.models import Accreditation
    from kaskad.registry.selectors import person_list_visible_to

    try:
        person_id = int(request.POST.get("person", ""))
    except ValueError:
        raise Http404 from None
    person = person_list_visible_to(request.user).filter(pk=person_id).first()
    if person is None and Accreditation.objects.filter(person_id=person_id).exists():
        person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


@login_required
@require_POST
def trainer_remove_view(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    person = Person.objects.filter(pk=person_pk).first()
    if person is None:
        raise Http404
    try:
        trainer_remove(cohort=cohort, person=person, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("%(name)s no longer trains this cohort.") % {"name": person.full_name}
        )
    return redirect(_detail_url(cohort, "trainers"))


# --- Enrolment by a coordinator ------------------------------------------------------------------


RESULT_LABELS = {
    EnrolmentStatus.ENROLLED: gettext_lazy("enrolled"),
    EnrolmentStatus.WAITLISTED: gettext_lazy("waitlisted"),
    "refused": gettext_lazy("refused"),
}


@login_required
def enrol_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Paste or upload a list of IINs; every line gets its result."""
    cohort = _managed(request, pk)
    form = EnrolListForm(request.POST or None, request.FILES or None)
    results: list[dict[str, Any]] = []
    csv_href = ""
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data.get("file")
            if upload is not None:
                lines = lines_from_upload(upload.read())
            else:
                lines = lines_from_text(form.cleaned_data["iins"])
            if not lines:
                raise ListProblem("empty", _("The list has no IINs."))
            outcome = enrolment_request_list(cohort=cohort, lines=lines, by=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
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
def enrolment_remove_view(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    enrolment = cohort.enrolments.select_related("person").filter(pk=enrolment_pk).first()
    if enrolment is None:
        raise Http404
    enrolment.cohort = cohort
    try:
        enrolment_remove(enrolment=enrolment, by=request.user, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(name)s was taken off the cohort.") % {"name": enrolment.person.full_name},
        )
    return redirect(_detail_url(cohort, "roster"))


@login_required
@require_POST
def enrolment_assessment_view(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    cohort = _managed(request, pk)
    enrolment = cohort.enrolments.select_related("person").filter(pk=enrolment_pk).first()
    if enrolment is None:
        raise Http404
    enrolment.cohort = cohort
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose passed, not passed or unknown."))
        return redirect(_detail_url(cohort, "roster"))
    try:
        enrolment_set_assessment(enrolment=enrolment, passed=form.passed(), by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Assessment result saved for %(name)s.") % {"name": enrolment.person.full_name},
        )
    return redirect(_detail_url(cohort, "roster"))


# --- Attendance ---------------------------------------------------------------------------------


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """One screen per session: everyone present by default, toggle the exceptions, one save."""
    session = selectors.session_get_for_marking(user=request.user, pk=pk)
    cohort = session.cohort
    future = session.date > timezone.localdate()
    editable = cohort.status in selectors.MARKABLE_STATUSES and not future
    if request.method == "POST":
        # A future session reaches the service, whose refusal names the day.
        if cohort.status not in selectors.MARKABLE_STATUSES:
            messages.error(
                request,
                _("Cohort %(code)s is %(status)s: its attendance can no longer be changed.")
                % {"code": cohort.code, "status": cohort.get_status_display()},
            )
            return redirect("delivery:attendance", pk=session.pk)
        rows = selectors.session_attendance(session=session)
        everyone_present = "all_present" in request.POST
        marks: dict[int, str] = {}
        for row in rows:
            value = (
                AttendanceStatus.PRESENT
                if everyone_present
                else request.POST.get(f"mark-{row.enrolment.pk}", "")
            )
            if value:
                marks[row.enrolment.pk] = value
        try:
            attendance_save(session=session, marks=marks, by=request.user)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            present = sum(1 for v in marks.values() if v == AttendanceStatus.PRESENT)
            messages.success(
                request,
                _("Attendance saved: %(present)s of %(total)s present.")
                % {"present": present, "total": len(marks)},
            )
        return redirect("delivery:attendance", pk=session.pk)
    rows = selectors.session_attendance(session=session)
    sessions = list(cohort.sessions.order_by("date", "starts_at", "id"))
    index = next((i for i, s in enumerate(sessions) if s.pk == session.pk), 0)
    saved = any(row.marked for row in rows)
    return render(
        request,
        "delivery/attendance.html",
        {
            "session": session,
            "cohort": cohort,
            "rows": rows,
            "editable": editable,
            "future": future,
            "saved": saved,
            "statuses": AttendanceStatus.choices,
            "labels": {value: str(label) for value, label in AttendanceStatus.choices},
            "keys": _attendance_keys(),
            "key_letters": {k["value"]: k["letter"] for k in _attendance_keys()},
            "previous": sessions[index - 1] if index > 0 else None,
            "next": sessions[index + 1] if index + 1 < len(sessions) else None,
            "number": index + 1,
            "count": len(sessions),
            "present_count": sum(
                1
                for r in rows
                if (r.status or AttendanceStatus.PRESENT) == AttendanceStatus.PRESENT
            ),
        },
    )


def _attendance_keys() -> list[dict[str, str]]:
    """The keys of the three marks: the Latin P/A/E (physical keys, any layout) and a letter
    of the label in the page's language, for the script and its legend."""
    labels = dict(AttendanceStatus.choices)
    letters = {
        AttendanceStatus.PRESENT: ("P", pgettext("key that marks a participant present", "P")),
        AttendanceStatus.ABSENT: ("A", pgettext("key that marks a participant absent", "A")),
        AttendanceStatus.EXCUSED: ("E", pgettext("key that marks a participant excused", "E")),
    }
    return [
        {
            "value": value,
            "latin": latin,
            "letter": letter.lower(),
            "label": str(labels[value]),
        }
        for value, (latin, letter) in letters.items()
    ]


# --- Teachers: the course offer and "My courses" -------------------------------------------------


@login_required
def open_courses(request: HttpRequest) -> HttpResponse:
    person = _person_of(request)
    cohorts = selectors.cohorts_open_to(person=person)
    active = selectors.active_programme_ids(person=person)
    rows = [{"cohort": c, "active": active.get(c.version.programme_id)} for c in cohorts]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "delivery/open_courses.html", {"page": page, "querystring": ""})


@login_required
@require_POST
def self_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_of(request)
    cohort = selectors.cohort_get(user=request.user, pk=pk)
    try:
        enrolment = enrolment_request(cohort=cohort, person=person, by=request.user, source="web")
    except DomainError as error:
        messages.error(request, str(error.message))
        return _back(request, reverse("delivery:open_courses"))
    position = enrolment.waitlist_position
    if position is None:
        messages.success(request, _("You are enrolled in %(code)s.") % {"code": cohort.code})
    else:
        messages.warning(
            request,
            _(
                "Cohort %(code)s is full: you are number %(position)s on the waitlist. You will be "
                "enrolled automatically when a seat frees."
            )
            % {"code": cohort.code, "position": position},
        )
    return redirect("delivery:my_courses")


@login_required
def my_courses(request: HttpRequest) -> HttpResponse:
    person = _person_of(request)
    courses = selectors.my_courses(person=person)
    past = [{"enrolment": e, "outcome": outcome_text(e.outcome or [])} for e in courses.past]
    return render(
        request,
        "delivery/my_courses.html",
        {"courses": courses, "past": past, "person": person},
    )


@login_required
@require_POST
def enrolment_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_get_for(user=request.user, pk=pk)
    try:
        enrolment = enrolment_withdraw(enrolment=enrolment, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Withdrawn from %(code)s.") % {"code": enrolment.cohort.code},
        )
    return _back(request, reverse("delivery:my_courses"))


# --- Notifications ------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        Notification.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect("delivery:notifications")
    page = Paginator(selectors.notification_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    notes: list[Notification] = list(page.object_list)
    items = [{"notification": n, "text": notification_text(n.message, n.params)} for n in notes]
    unread = sum(1 for n in notes if n.read_at is None)
    return render(
        request,
        "delivery/notifications.html",
        {"page": page, "items": items, "unread": unread, "querystring": ""},
    )
