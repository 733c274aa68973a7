"""Pages of the cascade analytics, school-trainer coverage, "due for training" and the role
dashboards. Thin: the figures come from `analytics` and `dashboards`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.cascade.models import SchoolStrand
from kaskad.core.http import AuthedRequest
from kaskad.registry.models import Organisation
from kaskad.reports import analytics, selectors
from kaskad.reports.dashboards import chart_data, dashboard_tables
from kaskad.reports.documents import XLSX, drill_workbook
from kaskad.reports.figures import DrillRow
from kaskad.reports.readmodels import freshness
from kaskad.reports.sources._common import full_name
from kaskad.reports.views import _attach_drill_links, report_context

DUE_ROLES = (Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR, Role.SCHOOL_LEADER)
DUE_LIMIT = 200  # names on the page; the workbook holds them all


@login_required
def cascade(request: AuthedRequest) -> HttpResponse:
    year, scope, form, query = report_context(request)
    return render(
        request,
        "reports/cascade.html",
        {
            "form": form,
            "year": year,
            "scope": scope,
            "query": query,
            "state": freshness(year),
            "levels": analytics.reach_by_level(year=year, scope=scope),
            "reach": analytics.cascade_reach(year=year, scope=scope),
            "quality": analytics.cascade_quality(year=year, scope=scope),
            "min_n": analytics.MIN_N,
            "names": selectors.can_drill(request.user),
        },
    )


@login_required
def coverage(request: AuthedRequest) -> HttpResponse:
    year, scope, form, query = report_context(request)
    by = {"country": "area", "branch": "district", "area": "school"}[scope.kind]
    rows, total = analytics.coverage(scope=scope, by=by)
    return render(
        request,
        "reports/coverage.html",
        {
            "form": form,
            "year": year,
            "scope": scope,
            "query": query,
            "rows": rows,
            "total": total,
            "by": by,
            "strands": SchoolStrand.choices,
        },
    )


def _due_scope(request: AuthedRequest) -> tuple[object, str, frozenset[int] | None]:
    """What the due list covers: a school leader's own organisations, else the report scope
    (a coordinator's branch or one of its areas; national administrators pick one)."""
    scope = user_scope(request.user)
    if not scope.has(*DUE_ROLES):
        raise Http404
    if scope.has(Role.SCHOOL_LEADER) and not scope.has(
        Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR
    ):
        organisation_ids = scope.organisation_ids
        school = request.GET.get("school", "")
        if school:
            if not school.isdigit() or int(school) not in organisation_ids:
                raise Http404
            organisation_ids = frozenset({int(school)})
        return (
            None,
            ", ".join(
                Organisation.objects.filter(pk__in=organisation_ids).values_list("name", flat=True)
            ),
            organisation_ids,
        )
    _year, report_scope, _form, _query = report_context(request)
    return report_scope, report_scope.label, None


@login_required
def due(request: AuthedRequest) -> HttpResponse:
    report_scope, label, organisation_ids = _due_scope(request)
    employments = analytics.teachers_in(
        scope=report_scope,  # type: ignore[arg-type]
        organisation_ids=organisation_ids,
    )
    group = (
        "organisation__name"
        if organisation_ids is not None
        or (
            report_scope is not None and report_scope.kind == "area"  # type: ignore[attr-defined]
        )
        else "organisation__district__name"
    )
    listing = organisation_ids is not None or (
        report_scope is not None and report_scope.kind != "country"  # type: ignore[attr-defined]
    )
    if request.GET.get("format") == "xlsx":
        if not listing:
            raise Http404
        rows = [
            DrillRow(
                name=full_name(r.person),
                organisation=r.organisation,
                programme="",
                on=r.last_completed,
                detail=" · ".join(
                    x
                    for x in (
                        _("due for training") if r.training_due else "",
                        (_("category due %(date)s") % {"date": r.category_due_on.isoformat()})
                        if r.category_due and r.category_due_on
                        else "",
                    )
                    if x
                ),
            )
            for r in analytics.due_rows(employments, limit=None)
        ]
        data = drill_workbook(rows, title=_("Due for training"), scope_label=label)
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="due-for-training.xlsx"'
        return response
    extra = ("organisation__district__code",) if group != "organisation__name" else ()
    counts = analytics.due_counts(employments, group=group, extra=extra)
    totals = {
        k: sum(r[k] for r in counts)
        for k in ("teachers", "training_due", "category_due", "due_any")
    }
    context = {
        "label": label,
        "counts": counts,
        "group": group,
        "totals": totals,
        "rows": analytics.due_rows(employments, limit=DUE_LIMIT) if listing else [],
        "limit": DUE_LIMIT,
        "listing": listing,
        "query": request.GET.urlencode(),
        "due_years": analytics.DUE_YEARS,
        "category_months": analytics.CATEGORY_MONTHS,
        "leader": organisation_ids is not None,
        "today": timezone.localdate(),
    }
    if organisation_ids is None:
        _year, _scope, form, _q = report_context(request)
        context["form"] = form
    return render(request, "reports/due.html", context)


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    kind, tables = dashboard_tables(request.user)
    if not kind:
        raise Http404
    if kind == "branch":
        scope = selectors.annual_scope(request.user)
        _attach_drill_links(tables[:1], scope=scope, allowed=selectors.can_drill(request.user))
    year = timezone.localdate().year
    return render(
        request,
        "reports/dashboard.html",
        {"kind": kind, "tables": tables, "state": freshness(year), "year": year},
    )


@login_required
def dashboard_data(request: AuthedRequest) -> JsonResponse:
    kind, tables = dashboard_tables(request.user)
    if not kind:
        raise Http404
    return JsonResponse({"kind": kind, "charts": chart_data(tables)})
