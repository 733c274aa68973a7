"""Lesson observation pages: instruments, the (offline-capable) observation form, the record
and the teacher's acknowledgement, change over time, and observer agreement.

Thin: scope through `selectors`, writes through `services`; out of scope is a 404.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kaskad.accounts.scopes import user_scope
from kaskad.core.collation import name_key
from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form
from kaskad.observations import selectors, services
from kaskad.observations.charts import line_chart
from kaskad.observations.forms import (
    AcknowledgeForm,
    ChangeFilterForm,
    InstrumentUploadForm,
    ObservationForm,
    SchoolChoiceForm,
)
from kaskad.observations.scopes import (
    REPORT_ROLES,
    may_observe,
    observable_schools,
    observable_teachers,
)
from kaskad.observations.workbook import export_version, import_file
from kaskad.registry.choices import subject_label

SYNC_HEADER = "X-Kaskad-Sync"


def _national_admin(request: AuthedRequest) -> bool:
    return user_scope(request.user).national_write


# --- Instruments ------------------------------------------------------------------------------


@login_required
def instrument_list(request: AuthedRequest) -> HttpResponse:
    form = InstrumentUploadForm()
    errors = []
    if request.method == "POST":
        if not _national_admin(request):
            raise Http404
        form = InstrumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / Path(upload.name).name
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                outcome = import_file(path=path, filename=upload.name, by=request.user)
            if outcome.ok and outcome.version is not None:
                messages.success(
                    request,
                    _("Imported %(version)s as a draft: check it, then publish it.")
                    % {"version": outcome.version},
                )
                return redirect("observations:instrument_detail", pk=outcome.version.pk)
            errors = outcome.errors
    return render(
        request,
        "observations/instrument_list.html",
        {
            "versions": selectors.version_list(),
            "form": form,
            "errors": errors,
            "may_import": _national_admin(request),
        },
    )


@login_required
def instrument_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    with domain_errors_as_messages(request):
        version = selectors.version_tree(pk=pk)
    return render(
        request,
        "observations/instrument_detail.html",
        {
            "version": version,
            "in_use": services.version_in_use(version),
            "may_manage": _national_admin(request),
        },
    )


@login_required
@require_GET
def instrument_export(request: AuthedRequest, pk: int) -> HttpResponse:
    with domain_errors_as_messages(request):
        version = selectors.version_tree(pk=pk)
    response = HttpResponse(
        export_version(version),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{version.instrument.code}-v{version.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def instrument_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    if not _national_admin(request):
        raise Http404
    with domain_errors_as_messages(request):
        version = selectors.version_tree(pk=pk)
        services.instrument_version_publish(version=version, by=request.user)
        messages.success(request, _("The version is published."))
    return redirect("observations:instrument_detail", pk=pk)


@login_required
@require_POST
def instrument_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    if not _national_admin(request):
        raise Http404
    with domain_errors_as_messages(request):
        version = selectors.version_tree(pk=pk)
        copy = services.instrument_version_copy(version=version, by=request.user)
        messages.success(request, _("A new draft version was made: %(v)s.") % {"v": copy})
        return redirect("observations:instrument_detail", pk=copy.pk)
    return redirect("observations:instrument_detail", pk=pk)


# --- Observations -----------------------------------------------------------------------------


@login_required
def observation_list(request: AuthedRequest) -> HttpResponse:
    observations = selectors.observation_list(user=request.user)[:200]
    return render(
        request,
        "observations/observation_list.html",
        {
            "observations": observations,
            "may_observe": may_observe(request.user),
            "may_report": user_scope(request.user).has(*REPORT_ROLES),
        },
    )


@login_required
def observation_start(request: AuthedRequest) -> HttpResponse:
    """Choose the school, then the teacher: the form itself is about one teacher."""
    if not may_observe(request.user):
        raise Http404
    schools = sorted(
        observable_schools(request.user).filter(is_open=True).values_list("pk", "name"),
        key=lambda s: name_key(s[1]),
    )
    form = SchoolChoiceForm(request.GET or None, schools=schools)
    teachers: list[Any] = []
    if form.is_valid():
        teachers = sorted(
            observable_teachers(request.user).filter(
                current_organisation_id=form.cleaned_data["school"]
            ),
            key=lambda p: name_key(p.full_name),
        )
    return render(
        request,
        "observations/observation_start.html",
        {"form": form, "teachers": teachers, "versions": selectors.published_versions()},
    )


def _sync_answer(status: int, **payload: Any) -> JsonResponse:
    return JsonResponse(payload, status=status)


@login_required
def observation_form(request: AuthedRequest, teacher_id: int) -> HttpResponse:
    """The observation form. With JavaScript it keeps what is typed in the browser and sends
    it (exactly once, by its client id) when the connection returns: a POST with the
    X-Kaskad-Sync header is answered in JSON."""
    with domain_errors_as_messages(request):
        teacher = services.teacher_for_form(by=request.user, teacher_id=teacher_id)
    versions = list(selectors.published_versions())
    source = request.POST if request.method == "POST" else request.GET
    version = next((v for v in versions if str(v.pk) == source.get("version")), None)
    version = version or (versions[0] if versions else None)
    if version is None:
        raise Http404
    double_of = None
    if source.get("double_of"):
        try:
            with domain_errors_as_messages(request):
                double_of = selectors.observation_get(
                    user=request.user, pk=int(source["double_of"])
                )
        except ValueError:
            raise Http404 from None
        if double_of.teacher_id != teacher.pk:
            raise Http404
        version = double_of.version
    earlier = selectors.earlier_observations(
        user=request.user, teacher_id=teacher.pk, version_id=version.pk
    )
    initial: dict[str, Any] = {}
    if double_of is not None:
        initial.update(
            subject=double_of.subject,
            grade=double_of.grade,
            observed_on=double_of.observed_on,
            focus=double_of.focus,
        )
    elif source.get("previous"):
        initial["previous"] = source.get("previous")
        initial["priorities"] = [
            p.pk for o in earlier if str(o.pk) == source.get("previous") for p in o.priorities.all()
        ]
    sync = request.method == "POST" and SYNC_HEADER in request.headers
    form = ObservationForm(
        request.POST if request.method == "POST" else None,
        version=version,
        earlier=earlier,
        second_coding=double_of is not None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        created = None
        with domain_errors_on_form(form):
            observation, created = services.observation_record(
                by=request.user,
                data=form.to_data(
                    teacher_id=teacher.pk, double_of_id=double_of.pk if double_of else None
                ),
            )
        if created is not None:
            url = reverse("observations:detail", args=[observation.pk])
            if sync:
                return _sync_answer(201 if created else 200, id=observation.pk, url=url)
            messages.success(request, _("The observation is saved."))
            return redirect(url)
    if sync:
        errors = form.errors.get_json_data()
        return _sync_answer(
            400, errors={name: [e["message"] for e in items] for name, items in errors.items()}
        )
    return render(
        request,
        "observations/observation_form.html",
        {
            "form": form,
            "teacher": teacher,
            "version": version,
            "versions": versions,
            "double_of": double_of,
        },
    )


@login_required
def observation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    with domain_errors_as_messages(request):
        observation = selectors.observation_get(user=request.user, pk=pk)
    scores = sorted(
        observation.scores.all(),
        key=lambda s: (s.element.domain.order, s.element.order, s.element.code),
    )
    is_teacher = request.user.person_id == observation.teacher_id
    return render(
        request,
        "observations/observation_detail.html",
        {
            "observation": observation,
            "scores": scores,
            "subject": subject_label(observation.subject),
            "priorities": list(observation.priorities.all()),
            "may_acknowledge": is_teacher and observation.acknowledged_at is None,
            "ack_form": AcknowledgeForm(),
            "may_observe": may_observe(request.user) and not is_teacher,
            "may_second_code": (
                may_observe(request.user)
                and not is_teacher
                and observation.double_of_id is None
                and observation.observer_id != request.user.pk
                and not any(
                    s.observer_id == request.user.pk for s in observation.second_codings.all()
                )
            ),
        },
    )


@login_required
@require_POST
def observation_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    with domain_errors_as_messages(request):
        observation = selectors.observation_get(user=request.user, pk=pk)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        if request.user.person_id != observation.teacher_id:
            raise Http404
        messages.error(request, _("Write your reflection on the lesson."))
        return redirect("observations:detail", pk=pk)
    with domain_errors_as_messages(request):
        services.observation_acknowledge(
            observation=observation, by=request.user, reflection=form.cleaned_data["reflection"]
        )
        messages.success(request, _("Thank you: the observation is acknowledged."))
    return redirect("observations:detail", pk=pk)


# --- Change -----------------------------------------------------------------------------------


@login_required
def teacher_change(request: AuthedRequest, teacher_id: int) -> HttpResponse:
    with domain_errors_as_messages(request):
        teacher, timelines = selectors.teacher_change(user=request.user, teacher_id=teacher_id)
    charts = []
    for timeline in timelines:
        y_max = max((e.scale_max for e, _v in timeline.rows), default=5)
        chart = line_chart(
            x_labels=[f"{o.observed_on:%d.%m.%Y}" for o in timeline.observations],
            rows=[(e.code, values) for e, values in timeline.rows],
            y_max=y_max,
        )
        charts.append((timeline, chart))
    return render(
        request,
        "observations/teacher_change.html",
        {"teacher": teacher, "charts": charts},
    )


@login_required
def change_index(request: AuthedRequest) -> HttpResponse:
    if not user_scope(request.user).has(*REPORT_ROLES, "school_leader"):
        raise Http404
    scope = user_scope(request.user)
    schools = sorted(
        selectors.report_schools(user=request.user),
        key=lambda s: name_key(s.name),
    )
    return render(
        request,
        "observations/change_index.html",
        {
            "branches": selectors.report_branches(request.user) if scope.has(*REPORT_ROLES) else [],
            "networks": (
                selectors.report_networks(user=request.user) if scope.has(*REPORT_ROLES) else []
            ),
            "schools": schools,
        },
    )


def _period(request: AuthedRequest) -> dict[str, Any]:
    """The optional filters of a change page: lessons from and to a date, one version."""
    form = ChangeFilterForm(request.GET or None, versions=list(selectors.published_versions()))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return {
            "form": form,
            "version_id": data.get("version"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
    return {"form": form, "version_id": None, "date_from": None, "date_to": None}


def _change_page(
    request: AuthedRequest, *, title: str, changes: Any, back: str, form: Any
) -> HttpResponse:
    return render(
        request,
        "observations/change.html",
        {"title": title, "changes": changes, "back": back, "form": form},
    )


@login_required
def school_change(request: AuthedRequest, pk: int) -> HttpResponse:
    with domain_errors_as_messages(request):
        school = selectors.school_for_report(user=request.user, pk=pk)
    period = _period(request)
    form = period.pop("form")
    return _change_page(
        request,
        title=school.name,
        changes=selectors.change_for_schools(school_ids=[school.pk], **period),
        back=reverse("observations:change_index"),
        form=form,
    )


@login_required
def network_change(request: AuthedRequest, pk: int) -> HttpResponse:
    """A school network (a leading school and its partners in one year) as one group."""
    with domain_errors_as_messages(request):
        leading, school_ids = selectors.network_for_report(user=request.user, pk=pk)
    period = _period(request)
    form = period.pop("form")
    return _change_page(
        request,
        title=_("Network of %(school)s, %(year)s")
        % {"school": leading.school.name, "year": leading.year},
        changes=selectors.change_for_schools(school_ids=school_ids, **period),
        back=reverse("observations:change_index"),
        form=form,
    )


@login_required
def branch_change(request: AuthedRequest, pk: int) -> HttpResponse:
    with domain_errors_as_messages(request):
        branch = selectors.branch_for_report(user=request.user, pk=pk)
    period = _period(request)
    form = period.pop("form")
    return _change_page(
        request,
        title=branch.name,
        changes=selectors.change_for_branch(branch_id=branch.pk, **period),
        back=reverse("observations:change_index"),
        form=form,
    )


# --- Agreement --------------------------------------------------------------------------------


@login_required
def agreement(request: AuthedRequest) -> HttpResponse:
    if not user_scope(request.user).has(*REPORT_ROLES):
        raise Http404
    versions = list(selectors.agreement_versions(user=request.user))
    chosen = next((v for v in versions if str(v.pk) == request.GET.get("version")), None)
    chosen = chosen or (versions[0] if versions else None)
    report = selectors.agreement_report(user=request.user, version_id=chosen.pk) if chosen else []
    return render(
        request,
        "observations/agreement.html",
        {"versions": versions, "chosen": chosen, "report": report},
    )


# --- Offline ----------------------------------------------------------------------------------


@require_GET
def service_worker(request: AuthedRequest) -> HttpResponse:
    """The service worker: served from /observations/ so that it may answer for the form
    pages under it when the phone is offline."""
    response = render(
        request, "observations/sw.js", content_type="application/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response
