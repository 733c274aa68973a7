"""Report pages: the assessment and certification tables of the annual report, on screen and
as XLSX. National administrators and analysts see the whole country or pick a branch;
coordinators see their branch; anyone else gets 404.

Thin on purpose: the figures come from `selectors.assessment_report`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaskad.accounts.scopes import user_scope
from kaskad.core.http import AuthedRequest
from kaskad.registry.models import Branch
from kaskad.reports import selectors
from kaskad.reports.exports import XLSX, assessment_workbook


class ReportFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, choices=())
    branch = forms.ChoiceField(label=gettext_lazy("Branch"), required=False, choices=())

    def __init__(
        self, *args: Any, years: list[int], branches: Any, country: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]
        choices: list[tuple[str, Any]] = [("", gettext_lazy("Whole country"))] if country else []
        choices += [(b.code, f"{b.city} ({b.code})") for b in branches]
        self.fields["branch"].choices = choices  # type: ignore[attr-defined]
        self.fields["branch"].required = not country


def _scope(request: AuthedRequest) -> tuple[int, Branch | None, ReportFilterForm]:
    """The year and branch asked for, within what the user may see (else 404)."""
    branch = selectors.report_scope(request.user, branch_code=request.GET.get("branch", ""))
    years = selectors.report_years()
    year_text = request.GET.get("year", "")
    if year_text:
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            raise Http404
        year = int(year_text)
        if year not in years:
            years = sorted({*years, year}, reverse=True)
    else:
        year = years[0]
    params = {"year": year, "branch": branch.code if branch else ""}
    form = ReportFilterForm(
        params,
        years=years,
        branches=selectors.report_branches_visible_to(request.user),
        country=user_scope(request.user).national,
    )
    return year, branch, form


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    if not selectors.can_see_reports(request.user):
        raise Http404
    return redirect("reports:assessment")


@login_required
def assessment(request: AuthedRequest) -> HttpResponse:
    year, branch, form = _scope(request)
    report = selectors.assessment_report(year=year, branch=branch)
    params = {"year": year, **({"branch": branch.code} if branch else {})}
    return render(
        request,
        "reports/assessment.html",
        {
            "form": form,
            "report": report,
            "year": year,
            "branch": branch,
            "query": urlencode(params),
        },
    )


@login_required
def assessment_export(request: AuthedRequest) -> HttpResponse:
    year, branch, _form = _scope(request)
    report = selectors.assessment_report(year=year, branch=branch)
    label = str(branch) if branch else _("Whole country")
    response = HttpResponse(assessment_workbook(report, scope_label=label), content_type=XLSX)
    name = f"assessment-{year}-{branch.code if branch else 'KZ'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
