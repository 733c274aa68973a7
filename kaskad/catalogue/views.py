"""Catalogue pages: the programme list and page, editing and approving versions (national
administrators), quality certification, and the annual plan against delivery.

Thin: reads through `selectors`, writes through `services`; a rule broken in a service comes
back as a message on the field it concerns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaskad.catalogue import permissions, selectors, services
from kaskad.catalogue.forms import (
    CertificationForm,
    ModuleFormSet,
    PlanLineForm,
    ProgrammeCreateForm,
    ProgrammeFilterForm,
    VersionForm,
    formset_modules,
    version_initial,
)
from kaskad.catalogue.models import (
    Format,
    Programme,
    ProgrammeVersion,
    VersionStatus,
)
from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form
from kaskad.registry.choices import Language, Level, Position
from kaskad.registry.models import Branch

if TYPE_CHECKING:
    from kaskad.accounts.models import User

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request: AuthedRequest, items: Any) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _require_catalogue_manager(request: AuthedRequest) -> None:
    if not permissions.can_manage_catalogue(request.user):
        raise PermissionDenied


def _labels(codes: list[str], choices: Any) -> list[str]:
    names = dict(choices)
    return [str(names.get(code, code)) for code in codes]


# --- Programmes ---------------------------------------------------------------------------------


@login_required
def programme_list(request: AuthedRequest) -> HttpResponse:
    admin = permissions.can_see_drafts(request.user)
    form = ProgrammeFilterForm(request.GET, show_status=admin)
    filters = selectors.ProgrammeFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ProgrammeFilters(
            q=data["q"],
            area=data["area"].pk if data["area"] else None,
            format=data["format"],
            language=data["language"],
            status=data.get("status", ""),
        )
    page = _page(request, selectors.programme_list(user=request.user, filters=filters))
    selectors.attach_versions(page.object_list)
    return render(
        request,
        "catalogue/programme_list.html",
        {
            "form": form,
            "page": page,
            "querystring": _querystring(request),
            "can_manage": admin,
            "can_see_watch": permissions.can_see_certification_watch(request.user),
            "can_see_plan": permissions.can_see_plan(request.user),
        },
    )


def _version_facts(version: ProgrammeVersion) -> dict[str, Any]:
    return {
        "formats": _labels(version.formats, Format.choices),
        "languages": _labels(version.languages, Language.choices),
        "positions": _labels(version.audience_positions, Position.choices),
        "levels": _labels(version.audience_levels, Level.choices),
    }


@login_required
def programme_detail(request: AuthedRequest, code: str, number: int | None = None) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, code=code)
    admin = permissions.can_see_drafts(request.user)
    shown: ProgrammeVersion | None
    if number is not None:
        shown = selectors.version_get(user=request.user, programme=programme, number=number)
    else:
        shown = programme.current or programme.draft  # type: ignore[attr-defined]
        if shown is None and admin:  # a retired programme: its latest version
            shown = selectors.programme_versions(programme=programme).first()
    if shown is None:
        raise Http404
    modules = list(shown.modules.all())
    versions = list(selectors.programme_versions(programme=programme)) if admin else []
    draft = programme.draft  # type: ignore[attr-defined]
    return render(
        request,
        "catalogue/programme_detail.html",
        {
            "programme": programme,
            "version": shown,
            "modules": modules,
            "module_hours": sum(m.hours for m in modules),
            "facts": _version_facts(shown),
            "certifications": list(selectors.programme_certifications(programme=programme)),
            "versions": versions,
            "draft": draft,
            "missing": services.version_missing_fields(draft) if admin and draft else [],
            "can_manage": admin,
            "status": programme.status,  # type: ignore[attr-defined]
            "today": timezone.localdate(),
        },
    )


def _module_initial(version: ProgrammeVersion | None) -> list[dict[str, Any]]:
    if version is None:
        return []
    return [
        {
            "title_kk": m.title_kk,  # type: ignore[attr-defined]
            "title_ru": m.title_ru,  # type: ignore[attr-defined]
            "title_en": m.title_en,  # type: ignore[attr-defined]
            "hours": m.hours,
        }
        for m in version.modules.all()
    ]


@login_required
def programme_create(request: AuthedRequest) -> HttpResponse:
    _require_catalogue_manager(request)
    if request.method == "POST":
        form = ProgrammeCreateForm(request.POST)
        formset = ModuleFormSet(request.POST, prefix="modules")
        if form.is_valid() and formset.is_valid():
            with domain_errors_on_form(form):
                programme = services.programme_create(
                    code=form.cleaned_data["code"],
                    area=form.cleaned_data["area"],
                    data=form.version_data(formset_modules(formset)),
                    by=request.user,
                    source="web",
                )
                messages.success(
                    request,
                    _("Programme %(code)s created as draft version 1.") % {"code": programme.code},
                )
                return redirect("catalogue:programme_detail", code=programme.code)
    else:
        form = ProgrammeCreateForm()
        formset = ModuleFormSet(prefix="modules")
    return render(
        request,
        "catalogue/version_form.html",
        {"form": form, "formset": formset, "programme": None, "version": None},
    )


@login_required
def version_edit(request: AuthedRequest, code: str, number: int) -> HttpResponse:
    _require_catalogue_manager(request)
    programme = selectors.programme_get(user=request.user, code=code)
    version = selectors.version_get(user=request.user, programme=programme, number=number)
    if version.status != VersionStatus.DRAFT:
        messages.error(
            request,
            _("Version %(number)s is %(status)s and can no longer be changed: start a revision.")
            % {"number": version.number, "status": version.get_status_display()},
        )
        return redirect("catalogue:programme_version", code=programme.code, number=number)
    if request.method == "POST":
        form = VersionForm(request.POST)
        formset = ModuleFormSet(request.POST, prefix="modules")
        if form.is_valid() and formset.is_valid():
            with domain_errors_on_form(form):
                services.version_update(
                    version=version,
                    data=form.version_data(formset_modules(formset)),
                    by=request.user,
                    source="web",
                )
                messages.success(request, _("The draft has been saved."))
                # The saved draft itself, not the approved version it will replace.
                return redirect(
                    "catalogue:programme_version", code=programme.code, number=version.number
                )
    else:
        current = services.VersionData.from_version(version)
        form = VersionForm(initial=version_initial(current))
        formset = ModuleFormSet(prefix="modules", initial=_module_initial(version))
    return render(
        request,
        "catalogue/version_form.html",
        {"form": form, "formset": formset, "programme": programme, "version": version},
    )


@login_required
@require_POST
def version_approve(request: AuthedRequest, code: str, number: int) -> HttpResponse:
    _require_catalogue_manager(request)
    programme = selectors.programme_get(user=request.user, code=code)
    version = selectors.version_get(user=request.user, programme=programme, number=number)
    if request.POST.get("confirm") != "yes":
        messages.error(
            request,
            _(
                "Version %(number)s was not approved: tick the box to confirm, because approval "
                "cannot be undone."
            )
            % {"number": version.number},
        )
        return redirect("catalogue:programme_version", code=programme.code, number=number)
    with domain_errors_as_messages(request):
        services.version_approve(version=version, by=request.user, source="web")
        messages.success(
            request,
            _("Version %(number)s is approved: new cohorts will follow it.")
            % {"number": version.number},
        )
    return redirect("catalogue:programme_detail", code=programme.code)


@login_required
@require_POST
def programme_revise(request: AuthedRequest, code: str) -> HttpResponse:
    _require_catalogue_manager(request)
    programme = selectors.programme_get(user=request.user, code=code)
    with domain_errors_as_messages(request):
        draft = services.programme_revise(programme=programme, by=request.user, source="web")
        messages.success(
            request,
            _("Draft version %(number)s started as a copy of the approved one.")
            % {"number": draft.number},
        )
        return redirect("catalogue:version_edit", code=programme.code, number=draft.number)
    return redirect("catalogue:programme_detail", code=programme.code)


@login_required
@require_POST
def programme_retire(request: AuthedRequest, code: str) -> HttpResponse:
    _require_catalogue_manager(request)
    programme = selectors.programme_get(user=request.user, code=code)
    with domain_errors_as_messages(request):
        services.programme_retire(programme=programme, by=request.user, source="web")
        messages.success(
            request,
            _("Programme %(code)s is retired. Cohorts already running keep their version.")
            % {"code": programme.code},
        )
    return redirect("catalogue:programme_detail", code=programme.code)


@login_required
def certification_add(request: AuthedRequest, code: str) -> HttpResponse:
    _require_catalogue_manager(request)
    programme = selectors.programme_get(user=request.user, code=code)
    if request.method == "POST":
        form = CertificationForm(request.POST)
        if form.is_valid():
            with domain_errors_on_form(form):
                services.certification_add(
                    programme=programme,
                    body=form.cleaned_data["body"],
                    certified_on=form.cleaned_data["certified_on"],
                    valid_until=form.cleaned_data["valid_until"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                    source="web",
                )
                messages.success(request, _("The certification has been recorded."))
                return redirect("catalogue:programme_detail", code=programme.code)
    else:
        form = CertificationForm()
    return render(
        request, "catalogue/certification_form.html", {"form": form, "programme": programme}
    )


@login_required
def certification_watch(request: AuthedRequest) -> HttpResponse:
    if not permissions.can_see_certification_watch(request.user):
        raise PermissionDenied
    rows = selectors.certifications_expiring()
    return render(
        request,
        "catalogue/certification_watch.html",
        {
            "rows": rows,
            "expired": sum(1 for r in rows if r.expired),
            "expiring": sum(1 for r in rows if not r.expired),
        },
    )


# --- Annual plan --------------------------------------------------------------------------------


def _plan_programmes(user: User) -> Any:
    return (
        selectors.programme_list_visible_to(user)
        .exclude(status=VersionStatus.RETIRED)  # type: ignore[misc]
        .order_by("code")
    )


def _editable_branches(user: User) -> Any:
    allowed = permissions.plan_branch_ids_editable_by(user)
    qs = Branch.objects.order_by("code")
    return qs if allowed is None else qs.filter(pk__in=allowed)


def _back_to_plan(year: int, branch: Branch) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("catalogue:plan") + f"?year={year}&branch={branch.code}")


@login_required
def plan_line_create(request: AuthedRequest) -> HttpResponse:
    branches = _editable_branches(request.user)
    if not branches.exists():
        raise PermissionDenied
    programmes = _plan_programmes(request.user)
    if request.method == "POST":
        form = PlanLineForm(request.POST, branches=branches, programmes=programmes)
        if form.is_valid():
            data = form.cleaned_data
            with domain_errors_on_form(form):
                services.plan_line_create(
                    year=data["year"],
                    branch=data["branch"],
                    programme=data["programme"],
                    planned_cohorts=data["planned_cohorts"],
                    planned_participants=data["planned_participants"],
                    by=request.user,
                    source="web",
                )
                messages.success(request, _("The plan line has been added."))
                return _back_to_plan(data["year"], data["branch"])
    else:
        initial: dict[str, Any] = {"year": request.GET.get("year") or timezone.localdate().year}
        branch = branches.filter(code=request.GET.get("branch", "")).first()
        if branch is not None:
            initial["branch"] = branch
        programme = programmes.filter(code=request.GET.get("programme", "")).first()
        if programme is not None:
            initial["programme"] = programme
        form = PlanLineForm(initial=initial, branches=branches, programmes=programmes)
    return render(request, "catalogue/plan_line_form.html", {"form": form, "line": None})


@login_required
def plan_line_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    line = selectors.plan_line_get(user=request.user, pk=pk)  # another branch's: 404
    if not permissions.can_edit_plan(request.user, line.branch):
        raise PermissionDenied
    branches = Branch.objects.filter(pk=line.branch_id)
    programmes = Programme.objects.filter(pk=line.programme_id)
    initial = {
        "year": line.year,
        "branch": line.branch,
        "programme": line.programme,
        "planned_cohorts": line.planned_cohorts,
        "planned_participants": line.planned_participants,
    }
    if request.method == "POST" and "delete" in request.POST:
        services.plan_line_delete(line=line, by=request.user, source="web")
        messages.success(request, _("The plan line has been deleted."))
        return _back_to_plan(line.year, line.branch)
    if request.method == "POST":
        form = PlanLineForm(
            request.POST, initial=initial, branches=branches, programmes=programmes, editing=True
        )
        if form.is_valid():
            with domain_errors_on_form(form):
                services.plan_line_update(
                    line=line,
                    planned_cohorts=form.cleaned_data["planned_cohorts"],
                    planned_participants=form.cleaned_data["planned_participants"],
                    by=request.user,
                    source="web",
                )
                messages.success(request, _("The plan line has been saved."))
                return _back_to_plan(line.year, line.branch)
    else:
        form = PlanLineForm(initial=initial, branches=branches, programmes=programmes, editing=True)
    return render(request, "catalogue/plan_line_form.html", {"form": form, "line": line})
