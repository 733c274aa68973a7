"""Allocation pages: the dashboard (counts per programme, "Allocate now" as a background job
with a progress bar), the overdue and unallocated queues, the assessors with their load, the
accreditation form, and the rubric of a programme version.

National administrators act; branch coordinators read their branch's part; everyone else
gets 404. Reads go through `allocation_selectors`, writes through `allocation` and `rubrics`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaskad.assessment import permissions
from kaskad.assessment.allocation import selectors
from kaskad.assessment.allocation.forms import (
    AccreditationForm,
    AssignForm,
    PolicyForm,
    ReasonForm,
    RunForm,
)
from kaskad.assessment.allocation.services import (
    accreditation_save,
    assessor_deactivate,
    assign_one,
    assignment_reallocate,
    describe_deactivation,
)
from kaskad.assessment.allocation.tasks import allocation_job_start, latest_allocation_job
from kaskad.assessment.models import AssignmentRole
from kaskad.assessment.rubrics.services import (
    POLICY_RANGES,
    STANDARD_CRITERIA,
    rubric_create,
    rubric_update_policy,
    rule_text,
)
from kaskad.core.http import AuthedRequest, redirect_back
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form

PAGE_SIZE = 50


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        for error in errors:
            return str(error)
    return _("Check the form.")


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Dashboard ----------------------------------------------------------------------------------


@login_required
def allocation_dashboard(request: AuthedRequest) -> HttpResponse:
    access = selectors.allocation_access(request.user)
    rows = selectors.programme_counts(user=request.user)
    totals = {
        name: sum(getattr(row, name) for row in rows)
        for name in ("submitted", "unallocated", "in_assessment", "overdue")
    }
    job = latest_allocation_job() if access.manage else None
    return render(
        request,
        "assessment/allocation/dashboard.html",
        {
            "access": access,
            "rows": rows,
            "totals": totals,
            "job": job,
            "run_form": RunForm() if access.manage else None,
        },
    )


@login_required
@require_POST
def allocation_run(request: AuthedRequest) -> HttpResponse:
    selectors.require_manager(request.user)
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("assessment:allocation_dashboard")
    allocation_job_start(by=request.user, programme=form.cleaned_data.get("programme"))
    messages.info(
        request,
        _("Allocation started. The bar below shows its progress; you may leave this page."),
    )
    return redirect("assessment:allocation_dashboard")


# --- Queues -------------------------------------------------------------------------------------


def _programme_filter(request: HttpRequest) -> int | None:
    value = request.GET.get("programme") or ""
    return int(value) if value.isdigit() else None


@login_required
def allocation_overdue(request: AuthedRequest) -> HttpResponse:
    access = selectors.allocation_access(request.user)
    now = timezone.now()
    page = _page(
        request,
        selectors.overdue_queue(
            user=request.user, programme_id=_programme_filter(request), now=now
        ),
    )
    for task in page.object_list:
        task.days_late = (now - task.due_at).days
    return render(
        request,
        "assessment/allocation/overdue.html",
        {"access": access, "page": page, "querystring": _querystring(request)},
    )


@login_required
def allocation_unallocated(request: AuthedRequest) -> HttpResponse:
    access = selectors.allocation_access(request.user)
    page = _page(
        request,
        selectors.unallocated_queue(user=request.user, programme_id=_programme_filter(request)),
    )
    labels = dict(AssignmentRole.choices)
    for portfolio in page.object_list:
        portfolio.needed_label = labels.get(portfolio.needed_role, portfolio.needed_role)
    return render(
        request,
        "assessment/allocation/unallocated.html",
        {"access": access, "page": page, "querystring": _querystring(request)},
    )


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
@require_POST
def assignment_reallocate_view(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.assignment_for_action(user=request.user, pk=pk)
    back = reverse("assessment:allocation_overdue")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect_back(request, back)
    with domain_errors_as_messages(request):
        new_task = assignment_reallocate(
            assignment=task, by=request.user, reason=form.cleaned_data["reason"]
        )
        if new_task is None:
            messages.warning(
                request,
                _(
                    "No other assessor is eligible for portfolio %(portfolio)s: the task stays "
                    "with its assessor."
                )
                % {"portfolio": task.portfolio},
            )
        else:
            messages.success(
                request,
                _("Portfolio %(portfolio)s was given to another assessor, due %(due)s.")
                % {
                    "portfolio": task.portfolio,
                    "due": timezone.localtime(new_task.due_at).strftime("%d.%m.%Y"),
                },
            )
    return redirect_back(request, back)


@login_required
@require_POST
def portfolio_assign_view(request: AuthedRequest, pk: int) -> HttpResponse:
    portfolio = selectors.portfolio_for_action(user=request.user, pk=pk)
    back = reverse("assessment:allocation_unallocated")
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect_back(request, back)
    with domain_errors_as_messages(request):
        task = assign_one(portfolio=portfolio, role=form.cleaned_data["role"], by=request.user)
        if task is None:
            messages.warning(
                request,
                _(
                    "Still nobody eligible for portfolio %(portfolio)s: accredit another "
                    "assessor or raise a capacity."
                )
                % {"portfolio": portfolio},
            )
        else:
            messages.success(
                request, _("Portfolio %(portfolio)s was allocated.") % {"portfolio": portfolio}
            )
    return redirect_back(request, back)


# --- Assessors ----------------------------------------------------------------------------------


@login_required
def allocation_assessors(request: AuthedRequest) -> HttpResponse:
    access = selectors.allocation_access(request.user)
    page = _page(
        request,
        selectors.assessor_loads(user=request.user, programme_id=_programme_filter(request)),
    )
    for accreditation in page.object_list:
        capacity = accreditation.capacity or 1
        accreditation.percent = min(100, round(accreditation.open_count * 100 / capacity))
    return render(
        request,
        "assessment/allocation/assessors.html",
        {
            "access": access,
            "page": page,
            "querystring": _querystring(request),
            "year": timezone.localdate().year,
        },
    )


def _accreditation_form_page(
    request: HttpRequest, form: AccreditationForm, accreditation: Any = None
) -> HttpResponse:
    return render(
        request,
        "assessment/allocation/accreditation_form.html",
        {"form": form, "accreditation": accreditation},
    )


@login_required
def accreditation_create_view(request: AuthedRequest) -> HttpResponse:
    selectors.require_manager(request.user)
    form = AccreditationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        with domain_errors_on_form(form):
            assert form.person is not None
            accreditation, created = accreditation_save(
                person=form.person,
                programme=values["programme"],
                capacity=values["capacity"],
                is_moderator=values["is_moderator"],
                valid_until=values["valid_until"],
                by=request.user,
            )
            messages.success(
                request,
                (
                    _("%(name)s is accredited to assess %(programme)s.")
                    if created
                    else _("The accreditation of %(name)s for %(programme)s was updated.")
                )
                % {"name": form.person.full_name, "programme": accreditation.programme.code},
            )
            return redirect("assessment:allocation_assessors")
    return _accreditation_form_page(request, form)


@login_required
def accreditation_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    accreditation = selectors.accreditation_for_action(user=request.user, pk=pk)
    initial = {
        "iin": accreditation.person.iin,
        "programme": accreditation.programme,
        "capacity": accreditation.capacity,
        "is_moderator": accreditation.is_moderator,
        "valid_until": accreditation.valid_until,
    }
    form = AccreditationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        with domain_errors_on_form(form):
            accreditation_save(
                person=accreditation.person,
                programme=accreditation.programme,
                capacity=values["capacity"],
                is_moderator=values["is_moderator"],
                valid_until=values["valid_until"],
                active=accreditation.active,
                by=request.user,
            )
            messages.success(
                request,
                _("The accreditation of %(name)s for %(programme)s was updated.")
                % {
                    "name": accreditation.person.full_name,
                    "programme": accreditation.programme.code,
                },
            )
            return redirect("assessment:allocation_assessors")
    return _accreditation_form_page(request, form, accreditation)


@login_required
@require_POST
def accreditation_deactivate_view(request: AuthedRequest, pk: int) -> HttpResponse:
    accreditation = selectors.accreditation_for_action(user=request.user, pk=pk)
    back = reverse("assessment:allocation_assessors")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect_back(request, back)
    with domain_errors_as_messages(request):
        result = assessor_deactivate(
            accreditation=accreditation, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, describe_deactivation(result))
    return redirect_back(request, back)


# --- Rubrics ------------------------------------------------------------------------------------


def _policy_initial(rubric: Any) -> dict[str, Any]:
    names = [*POLICY_RANGES, "same_branch_is_conflict", "good_mean"]
    return {name: getattr(rubric, name) for name in names}


@login_required
def rubric_detail(request: AuthedRequest, version_pk: int) -> HttpResponse:
    version = selectors.version_for_rubric(user=request.user, version_pk=version_pk)
    rubric = selectors.rubric_of(version)
    manage = permissions.manages_allocation(request.user)
    form = None
    if manage and rubric is not None:
        form = PolicyForm(request.POST or None, initial=_policy_initial(rubric))
        if request.method == "POST" and form.is_valid():
            values = form.cleaned_data
            with domain_errors_on_form(form):
                rubric_update_policy(rubric=rubric, by=request.user, **values)
                messages.success(request, _("The rubric's policy was saved."))
                return redirect("assessment:rubric_detail", version_pk=version.pk)
    elif request.method == "POST":
        return redirect("assessment:rubric_detail", version_pk=version.pk)
    return render(
        request,
        "assessment/rubrics/detail.html",
        {
            "version": version,
            "rubric": rubric,
            "criteria": list(rubric.criteria.all()) if rubric else [],
            "levels": range(1, rubric.max_level + 1) if rubric else [],
            "rule": rule_text(rubric) if rubric else [],
            "manage": manage,
            "form": form,
        },
    )


@login_required
@require_POST
def rubric_create_standard_view(request: AuthedRequest, version_pk: int) -> HttpResponse:
    selectors.require_manager(request.user)
    version = selectors.version_for_rubric(user=request.user, version_pk=version_pk)
    with domain_errors_as_messages(request):
        rubric_create(version=version, criteria=STANDARD_CRITERIA, by=request.user)
        messages.success(request, _("The standard rubric was created for this version."))
    return redirect("assessment:rubric_detail", version_pk=version.pk)
