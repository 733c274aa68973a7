"""Report pages: the annual report (on screen, XLSX, PDF in kk/ru/en, issued versions), the
assessment tables, and the drill-down from a figure to the records behind it.

National administrators and analysts see the whole country or pick a branch or an area;
coordinators see their branch and its areas; anyone else gets 404. Thin on purpose: the
figures come from `tables.annual_report` over the read model.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_as_messages
from kaskad.reports import selectors
from kaskad.reports.dashboards import chart_data
from kaskad.reports.documents import XLSX, annual_report_pdf, drill_workbook, tables_workbook
from kaskad.reports.exports import assessment_workbook
from kaskad.reports.figures import METRICS, drill_queryset, load_sources
from kaskad.reports.models import IssuedReport
from kaskad.reports.readmodels import freshness
from kaskad.reports.services import LANGUAGES, annual_report_issue_start
from kaskad.reports.tables import NATIONAL_METRICS, ReportScope, annual_report

DRILL_LIMIT = 200


class ReportFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, choices=())
    branch = forms.ChoiceField(label=gettext_lazy("Branch"), required=False, choices=())
    area = forms.ChoiceField(label=gettext_lazy("Area"), required=False, choices=())

    def __init__(
        self,
        *args: Any,
        years: list[int],
        branches: Any,
        areas: Any,
        country: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]
        choices: list[tuple[str, Any]] = [("", gettext_lazy("Whole country"))] if country else []
        choices += [(b.code, f"{b.city} ({b.code})") for b in branches]
        self.fields["branch"].choices = choices  # type: ignore[attr-defined]
        self.fields["area"].choices = [("", gettext_lazy("All areas"))] + [  # type: ignore[attr-defined]
            (a.code, str(a)) for a in areas
        ]


def _year(request: AuthedRequest) -> tuple[int, list[int]]:
    years = selectors.report_years()
    year_text = request.GET.get("year", "")
    if not year_text:
        return years[0], years
    if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
        raise Http404
    year = int(year_text)
    return year, sorted({*years, year}, reverse=True)


def report_context(request: AuthedRequest) -> tuple[int, ReportScope, ReportFilterForm, str]:
    """The year and scope asked for, within what the user may see (else 404), the filter
    form, and the query string that keeps them."""
    scope = selectors.annual_scope(
        request.user,
        branch_code=request.GET.get("branch", ""),
        area_code=request.GET.get("area", ""),
    )
    year, years = _year(request)
    params = {"year": year, **scope.query()}
    if scope.area is not None:
        params["branch"] = scope.area.branch.code
    form = ReportFilterForm(
        {**params},
        years=years,
        branches=selectors.report_branches_visible_to(request.user),
        areas=selectors.report_areas_visible_to(request.user),
        country=user_scope(request.user).national,
    )
    return year, scope, form, urlencode({"year": year, **scope.query()})


def _attach_drill_links(tables: list[Any], *, scope: ReportScope, allowed: bool) -> None:
    """Each count cell with records behind it gets the address of its list."""
    base = reverse("reports:figure")
    scope_query = scope.query()
    for table in tables:
        for row in table.rows:
            for cell in row.cells:
                drill = cell.drill
                cell.url = ""
                if not allowed or not drill or "metric" not in drill:
                    continue
                metric = METRICS.get(drill["metric"])
                if metric is None or metric.describe is None:
                    continue
                params = {**drill, **scope_query}
                cell.url = f"{base}?{urlencode(params)}"


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    if not selectors.can_see_reports(request.user):
        raise Http404
    if (
        user_scope(request.user).has(Role.BRANCH_COORDINATOR)
        and not user_scope(request.user).national
    ):
        return redirect("reports:dashboard")
    return redirect("reports:annual")


@login_required
def annual(request: AuthedRequest) -> HttpResponse:
    year, scope, form, query = report_context(request)
    load_sources()
    tables = annual_report(year=year, scope=scope)
    _attach_drill_links(tables, scope=scope, allowed=selectors.can_drill(request.user))
    issued = IssuedReport.objects.filter(
        year=year, scope_kind=scope.kind, scope_code=scope.code
    ).order_by("-version")
    return render(
        request,
        "reports/annual.html",
        {
            "form": form,
            "tables": tables,
            "year": year,
            "scope": scope,
            "query": query,
            "state": freshness(year),
            "issued": issued,
            "languages": LANGUAGES,
            "may_issue": user_scope(request.user).has(Role.NATIONAL_ADMIN),
            "charts": chart_data(tables),
        },
    )


@login_required
def annual_export(request: AuthedRequest) -> HttpResponse:
    year, scope, _form, _query = report_context(request)
    tables = annual_report(year=year, scope=scope)
    data = tables_workbook(
        tables, title=_("Annual report %(year)s") % {"year": year}, scope_label=scope.label
    )
    response = HttpResponse(data, content_type=XLSX)
    name = f"annual-{year}-{scope.code or 'KZ'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def annual_pdf(request: AuthedRequest) -> HttpResponse:
    year, scope, _form, _query = report_context(request)
    language = request.GET.get("lang", "")
    if language not in LANGUAGES:
        raise Http404
    state = freshness(year)
    data = annual_report_pdf(
        year=year, scope=scope, language=language, built_at=state.built_at if state else None
    )
    response = HttpResponse(data, content_type="application/pdf")
    name = f"annual-{year}-{scope.code or 'KZ'}-{language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def annual_issue(request: AuthedRequest) -> HttpResponse:
    year, scope, _form, query = report_context(request)
    if not user_scope(request.user).has(Role.NATIONAL_ADMIN):
        raise Http404
    with domain_errors_as_messages(request):
        job = annual_report_issue_start(year=year, scope=scope, by=request.user)
        return redirect("core:job_detail", pk=job.pk)
    return redirect(f"{reverse('reports:annual')}?{query}")


def issued_visible_to(request: AuthedRequest) -> Any:
    """Issued reports the user may open: the country's for national roles, their branch's and
    its areas' for coordinators."""
    scope = user_scope(request.user)
    if not selectors.can_see_reports(request.user):
        return IssuedReport.objects.none()
    if scope.national:
        return IssuedReport.objects.all()
    branches = list(
        selectors.report_branches_visible_to(request.user).values_list("code", flat=True)
    )
    areas = list(selectors.report_areas_visible_to(request.user).values_list("code", flat=True))
    from django.db.models import Q

    return IssuedReport.objects.filter(
        Q(scope_kind="branch", scope_code__in=branches) | Q(scope_kind="area", scope_code__in=areas)
    )


@login_required
def issued_file(request: AuthedRequest, pk: int, kind: str) -> FileResponse:
    report = get_object_or_404(issued_visible_to(request), pk=pk)
    if kind not in ("pdf_kk", "pdf_ru", "pdf_en", "xlsx"):
        raise Http404
    stored = getattr(report, kind)
    if not stored:
        raise Http404
    return FileResponse(
        stored.open("rb"), as_attachment=True, filename=stored.name.rsplit("/", 1)[-1]
    )


def _drill(request: AuthedRequest) -> tuple[Any, list[Any], int, ReportScope, str, str]:
    """The records behind one figure, within the viewer's scope."""
    if not selectors.can_drill(request.user):
        raise Http404
    year, scope, _form, query = report_context(request)
    load_sources()
    metric = METRICS.get(request.GET.get("metric", ""))
    if metric is None or metric.describe is None:
        raise Http404
    programme_text = request.GET.get("programme", "")
    if programme_text and not programme_text.isdigit():
        raise Http404
    key = request.GET.get("key")
    national = metric.code in NATIONAL_METRICS
    qs = drill_queryset(
        metric,
        year=year,
        branch_id=None if national or scope.area else (scope.branch.pk if scope.branch else None),
        area_id=None if national else (scope.area.pk if scope.area else None),
        programme_id=int(programme_text) if programme_text else None,
        key=key,
    )
    total = qs.count()
    records = [metric.describe(obj) for obj in qs[:DRILL_LIMIT]]
    if metric.person is None:
        records.sort(key=lambda r: r.sort_key if r.sort_key is not None else ())
    label = str(metric.label)
    if key:
        label = f"{label}: {key}"
    return metric, records, total, scope, label, query


@login_required
def figure(request: AuthedRequest) -> HttpResponse:
    metric, records, total, scope, label, query = _drill(request)
    if request.GET.get("format") == "xlsx":
        data = drill_workbook(records, title=label, scope_label=scope.label)
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{metric.code}.xlsx"'
        return response
    return render(
        request,
        "reports/figure.html",
        {
            "label": label,
            "records": records,
            "total": total,
            "limit": DRILL_LIMIT,
            "scope": scope,
            "year": request.GET.get("year", ""),
            "query": query,
            "export": request.GET.urlencode() + "&format=xlsx",
        },
    )


@login_required
def assessment(request: AuthedRequest) -> HttpResponse:
    year, scope, form, query = report_context(request)
    report = selectors.assessment_report_from_facts(year=year, scope=scope)
    return render(
        request,
        "reports/assessment.html",
        {
            "form": form,
            "report": report,
            "year": year,
            "branch": scope.branch,
            "scope": scope,
            "query": query,
            "state": freshness(year),
        },
    )


@login_required
def assessment_export(request: AuthedRequest) -> HttpResponse:
    year, scope, _form, _query = report_context(request)
    report = selectors.assessment_report_from_facts(year=year, scope=scope)
    response = HttpResponse(assessment_workbook(report, scope_label=scope.label), content_type=XLSX)
    name = f"assessment-{year}-{scope.code or 'KZ'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
