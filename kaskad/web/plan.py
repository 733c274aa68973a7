"""The plan-versus-actual page and its workbook, under the catalogue's URLs and names
(`catalogue:plan`, `catalogue:plan_export`: config/urls.py adds these routes to the catalogue's
namespace). The table joins the catalogue's plan to delivery's cohorts (`kaskad.reports.plan`),
so its page sits above both; the plan lines it links to stay catalogue pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaskad.catalogue import permissions, selectors
from kaskad.catalogue.models import AnnualPlan
from kaskad.core.http import AuthedRequest
from kaskad.registry.models import Branch
from kaskad.reports.plan import plan_vs_actual, plan_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PlanFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, choices=())
    branch = forms.ChoiceField(label=gettext_lazy("Branch"), required=False, choices=())

    def __init__(
        self,
        *args: Any,
        years: list[int],
        branches: QuerySet[Branch],
        country: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]
        choices: list[tuple[str, Any]] = [("", gettext_lazy("Whole country"))] if country else []
        # The city names the branch in a few words; the full name does not fit a select.
        choices += [(b.code, f"{b.city} ({b.code})") for b in branches]
        self.fields["branch"].choices = choices  # type: ignore[attr-defined]
        self.fields["branch"].required = not country


def _plan_scope(request: AuthedRequest) -> tuple[int, Branch | None, PlanFilterForm]:
    """The year and branch asked for, within what the user may see (else 404)."""
    if not permissions.can_see_plan(request.user):
        raise PermissionDenied
    country = permissions.can_see_country_plan(request.user)
    branches = selectors.plan_branches_visible_to(request.user)
    years = selectors.plan_years(user=request.user)
    params = request.GET.copy()
    year_text = params.get("year", "")
    if year_text:
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            raise Http404
        if int(year_text) not in years:
            years = sorted({*years, int(year_text)}, reverse=True)
    else:
        params["year"] = str(timezone.localdate().year)
    code = params.get("branch", "")
    branch: Branch | None = None
    if code:
        branch = selectors.plan_branch_get(user=request.user, code=code)
    elif not country:
        branch = branches.first()
        if branch is None:
            raise PermissionDenied
        params["branch"] = branch.code
    form = PlanFilterForm(params, years=years, branches=branches, country=country)
    return int(str(params["year"])), branch, form


@login_required
def plan(request: AuthedRequest) -> HttpResponse:
    year, branch, form = _plan_scope(request)
    report = plan_vs_actual(year=year, branch=branch)
    lines: dict[int, AnnualPlan] = {}
    editable = False
    if branch is not None:
        editable = permissions.can_edit_plan(request.user, branch)
        lines = {
            line.programme_id: line
            for line in selectors.plan_lines(user=request.user, year=year, branch=branch)
        }
    for row in report.rows:
        row.line = lines.get(row.programme.pk) if row.programme else None  # type: ignore[attr-defined]
    can_add = permissions.plan_branch_ids_editable_by(request.user) != frozenset()
    params = {"year": year, **({"branch": branch.code} if branch else {})}
    return render(
        request,
        "catalogue/plan.html",
        {
            "form": form,
            "report": report,
            "year": year,
            "branch": branch,
            "lines": lines,
            "editable": editable,
            "can_add": can_add,
            "query": urlencode(params),
        },
    )


@login_required
def plan_export(request: AuthedRequest) -> HttpResponse:
    year, branch, _form = _plan_scope(request)
    report = plan_vs_actual(year=year, branch=branch)
    label = str(branch) if branch else _("Whole country")
    response = HttpResponse(plan_workbook(report, scope_label=label), content_type=XLSX)
    name = f"plan-{year}-{branch.code if branch else 'KZ'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns: list[URLPattern] = [
    path("plan/", plan, name="plan"),
    path("plan/export.xlsx", plan_export, name="plan_export"),
]
