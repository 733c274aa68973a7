"""Pages of networks, support events, teachers' requests and the support reports."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaskad.core.http import AuthedRequest
from kaskad.core.jobs import job_files_delete_on, job_for, job_restartable
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form
from kaskad.core.scope import iin_for, scope_of
from kaskad.core.uploads import refused_uploads
from kaskad.networks import events as event_services
from kaskad.networks import import_jobs, selectors
from kaskad.networks import support_requests as request_services
from kaskad.networks.exports import report_workbook
from kaskad.networks.forms import (
    CopyYearForm,
    EventForm,
    FeedbackForm,
    NetworkImportForm,
    RequestForm,
)
from kaskad.networks.imports import network_import, template_rows
from kaskad.networks.models import (
    EventKind,
    LeadingSchool,
    MethodCentre,
    RequestStatus,
    RequestTopic,
    TopicArea,
)
from kaskad.networks.permissions import (
    manages_any_network,
    manages_branch,
    organises_events,
    sees_networks,
)
from kaskad.networks.services import network_copy_year
from kaskad.networks.stats import (
    event_report,
    partner_coverage,
    planning_and_assessment_share,
    request_report,
)
from kaskad.networks.years import academic_year, year_label
from kaskad.registry.imports.jobs import store_upload
from kaskad.registry.imports.types import ImportResult
from kaskad.registry.models import Person
from kaskad.registry.selectors import person_list_visible_to


def upload_limit_for(request: HttpRequest, kwargs: dict[str, Any]) -> int:
    """The largest file a material or an attachment may be (see `kaskad.core.uploads`): a
    larger one is dropped while it arrives, and the page says which file was refused."""
    return event_services.MATERIAL_MAX_BYTES


def _refused(request: HttpRequest) -> bool:
    refused = refused_uploads(request)
    for upload in refused:
        messages.error(
            request,
            _("“%(name)s” is larger than %(limit)s MB: it was not uploaded.")
            % {"name": upload.name, "limit": upload.limit // (1024 * 1024)},
        )
    return bool(refused)


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _year(request: AuthedRequest) -> int:
    return _int(request.GET.get("year")) or academic_year()


# --- Network -------------------------------------------------------------------------------------


def _chart(growth: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars for the growth chart, drawn as SVG on the server (no script needed)."""
    peak = max((row["leading"] + row["partners"] for row in growth), default=0) or 1
    bars = []
    width = 56
    for index, row in enumerate(growth):
        lead_h = round(160 * row["leading"] / peak)
        part_h = round(160 * row["partners"] / peak)
        bars.append(
            {
                "x": 40 + index * (width + 16),
                "label": year_label(row["year"]),
                "leading": row["leading"],
                "partners": row["partners"],
                "centres": row["centres"],
                "lead_h": lead_h,
                "part_h": part_h,
                "lead_y": 180 - lead_h,
                "part_y": 180 - lead_h - part_h,
                "width": width,
            }
        )
    return {"bars": bars, "width": 60 + len(bars) * (width + 16)}


@login_required
def network(request: AuthedRequest) -> HttpResponse:
    if not sees_networks(request.user):
        raise Http404
    branches = list(selectors.branches_visible_to(request.user))
    if not branches:
        raise Http404
    chosen = _int(request.GET.get("branch"))
    branch = next((b for b in branches if b.pk == chosen), branches[0])
    years = selectors.network_years(branch=branch)
    year = _int(request.GET.get("year")) or (years[0] if years else academic_year())
    tree = selectors.network_tree(user=request.user, branch=branch, year=year)
    growth = selectors.network_growth(branch=branch)
    return render(
        request,
        "networks/network.html",
        {
            "branches": branches,
            "branch": branch,
            "year": year,
            "year_label": year_label(year),
            "years": [(y, year_label(y)) for y in sorted({*years, academic_year()}, reverse=True)],
            "tree": tree,
            "growth": growth,
            "chart": _chart(growth),
            "manages": manages_branch(request.user, branch.pk),
            "copy_form": CopyYearForm(
                initial={"branch": branch.pk, "from_year": year, "to_year": year + 1}
            ),
        },
    )


def _outcome(result: ImportResult | dict[str, Any], year: int) -> dict[str, Any]:
    """What the result section shows, from a trial run in this request or a finished job."""
    if isinstance(result, ImportResult):
        return {
            "ok": result.ok,
            "dry_run": result.dry_run,
            "summary": result.summary(),
            "notes": result.notes,
            "errors": [issue.as_dict() for issue in result.errors],
            "warnings": [issue.as_dict() for issue in result.warnings],
            "year": year,
        }
    return {
        "ok": bool(result.get("ok")),
        "dry_run": bool(result.get("dry_run")),
        "summary": str(result.get("message", "")),
        "notes": list(result.get("notes") or []),
        "errors": list(result.get("errors") or []),
        "warnings": list(result.get("warnings") or []),
        "year": year,
    }


@login_required
def network_import_page(request: AuthedRequest) -> HttpResponse:
    """Upload a network file: it is checked here (a trial run, nothing written); without
    errors the import runs in the background and this page follows its progress
    (`?job=<id>`, only for the one who started it)."""
    if not manages_any_network(request.user):
        raise Http404
    outcome = None
    job = None
    form = NetworkImportForm(
        request.POST or None, request.FILES or None, initial={"year": academic_year()}
    )
    if request.method == "GET" and request.GET.get("job"):
        job_id = _int(request.GET.get("job"))
        if job_id is None:
            raise Http404
        job = job_for(request, job_id)
        if job.kind != import_jobs.JOB_KIND:
            raise Http404
        if job.is_finished and isinstance(job.result, dict) and "errors" in job.result:
            params = job.params if isinstance(job.params, dict) else {}
            outcome = _outcome(job.result, int(params.get("year") or academic_year()))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        year = form.cleaned_data["year"]
        stored = store_upload(upload.chunks(), original_name=str(upload.name))
        result = network_import(
            path=stored, year=year, by=request.user, dry_run=True, name=str(upload.name)
        )
        if result.ok and not form.cleaned_data["dry_run"]:
            job = import_jobs.network_import_start(
                stored=stored, original_name=str(upload.name), year=year, by=request.user
            )
            messages.info(
                request,
                _(
                    "The file has no errors; the import runs in the background. You may leave "
                    "this page and come back to it."
                ),
            )
            return HttpResponseRedirect(import_jobs.page_url(job))
        stored.unlink(missing_ok=True)
        outcome = _outcome(result, year)
    return render(
        request,
        "networks/import.html",
        {
            "form": form,
            "result": outcome,
            "job": job,
            "result_url": None,
            "restartable": job_restartable(job) if job else False,
            "files_delete_on": job_files_delete_on(job) if job else None,
            "recent_jobs": import_jobs.network_import_jobs_of(request.user),
        },
    )


@login_required
def network_template(request: AuthedRequest) -> HttpResponse:
    if not manages_any_network(request.user):
        raise Http404
    buffer = io.StringIO()
    csv.writer(buffer).writerows(template_rows())
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="network.csv"'
    return response


@login_required
@require_POST
def network_copy(request: AuthedRequest) -> HttpResponse:
    form = CopyYearForm(request.POST)
    branch = None
    if form.is_valid():
        branch = (
            selectors.branches_visible_to(request.user)
            .filter(pk=form.cleaned_data["branch"])
            .first()
        )
    if branch is None or not manages_branch(request.user, branch.pk):
        raise Http404
    to_year = form.cleaned_data["to_year"]
    with domain_errors_as_messages(request):
        counts = network_copy_year(
            branch=branch,
            from_year=form.cleaned_data["from_year"],
            to_year=to_year,
            by=request.user,
        )
        messages.success(
            request,
            _(
                "Copied into %(year)s: %(leading)s leading schools, %(partners)s partner schools, "
                "%(centres)s centres, %(hub_links)s hub links (what the year already had was kept)."
            )
            % {"year": year_label(to_year), **counts},
        )
    return HttpResponseRedirect(f"{reverse('networks:network')}?branch={branch.pk}&year={to_year}")


@login_required
def school(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = selectors.school_get(user=request.user, pk=pk)
    history = selectors.network_history_of(school=organisation)
    return render(
        request,
        "networks/school.html",
        {
            "organisation": organisation,
            "history": [(year_label(role.year), role) for role in history],
            "current": academic_year(),
        },
    )


# --- Events --------------------------------------------------------------------------------------


@login_required
def event_list(request: AuthedRequest) -> HttpResponse:
    year = _year(request)
    kind = request.GET.get("kind", "")
    topic = request.GET.get("topic", "")
    events = selectors.event_list(user=request.user, year=year, kind=kind, topic=topic)[:200]
    return render(
        request,
        "networks/event_list.html",
        {
            "events": events,
            "year": year,
            "years": [
                (y, year_label(y)) for y in range(academic_year() + 1, academic_year() - 10, -1)
            ],
            "kinds": EventKind.choices,
            "topics": TopicArea.choices,
            "kind": kind,
            "topic": topic,
            "can_create": organises_events(request.user),
        },
    )


def _organiser_choices(request: AuthedRequest) -> tuple[Any, Any]:
    scope = scope_of(request.user)
    year = academic_year()
    centres = MethodCentre.objects.filter(year__gte=year - 1).select_related("school")
    leading = LeadingSchool.objects.filter(year__gte=year - 1).select_related("school")
    if not scope.national_write:
        centres = centres.filter(branch_id__in=scope.branch_ids)
        leading = leading.filter(branch_id__in=scope.branch_ids) | leading.filter(
            school_id__in=scope.organisation_ids
        )
    return centres, leading


@login_required
def event_create(request: AuthedRequest) -> HttpResponse:
    if not organises_events(request.user):
        raise Http404
    centres, leading = _organiser_choices(request)
    branches = list(selectors.branches_visible_to(request.user))
    form = EventForm(request.POST or None, centres=centres, leading=leading)
    branch_id = _int(request.POST.get("branch")) if request.method == "POST" else None
    if request.method == "POST" and form.is_valid():
        leading_obj = form.cleaned_data.get("leading")
        branch = next((b for b in branches if b.pk == branch_id), None)
        if leading_obj is not None:
            branch = leading_obj.branch
        elif form.cleaned_data.get("centre") is not None:
            branch = form.cleaned_data["centre"].branch
        if branch is None:
            form.add_error(None, _("Choose the branch."))
        else:
            with domain_errors_on_form(form):
                event = event_services.event_create(
                    data=event_services.event_data_from(form.cleaned_data, branch=branch),
                    by=request.user,
                )
                return HttpResponseRedirect(reverse("networks:event_detail", args=[event.pk]))
    return render(request, "networks/event_form.html", {"form": form, "branches": branches})


@login_required
def event_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    manages = event_services.may_manage_event(request.user, event)
    scope = scope_of(request.user)
    mine = None
    if scope.person_id:
        mine = event.participants.filter(person_id=scope.person_id).first()
    participants = selectors.event_participants(event=event) if manages else []
    return render(
        request,
        "networks/event_detail.html",
        {
            "event": event,
            "manages": manages,
            "mine": mine,
            "participants": [(p, iin_for(request.user, p.person)) for p in participants],
            "feedback": selectors.event_feedback_summary(event=event) if manages else None,
            "feedback_form": FeedbackForm(),
            "materials": list(event.materials.all()),
        },
    )


@login_required
@require_POST
def event_action(request: AuthedRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    back = HttpResponseRedirect(reverse("networks:event_detail", args=[event.pk]))
    if _refused(request):
        return back
    scope = scope_of(request.user)
    own = Person.objects.filter(pk=scope.person_id).first() if scope.person_id else None
    with domain_errors_as_messages(request):
        if action == "register" and own is not None:
            event_services.event_register(event=event, person=own)
            messages.success(request, _("You are registered."))
        elif action == "unregister" and own is not None:
            event_services.event_unregister(event=event, person=own)
        elif action == "feedback" and own is not None:
            form = FeedbackForm(request.POST)
            if form.is_valid():
                event_services.event_feedback_give(
                    event=event,
                    person=own,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, _("Thank you: your answer was saved without your name."))
        elif not event_services.may_manage_event(request.user, event):
            raise Http404
        elif action == "add":
            query = request.POST.get("q", "").strip()
            person = person_list_visible_to(request.user).filter(iin=query).first()
            if person is None:
                messages.error(request, _("No person with this IIN in your scope."))
            else:
                event_services.participant_add(event=event, person=person, by=request.user)
        elif action == "list" and (listed := request.FILES.get("file")) is not None:
            outcome = event_services.participants_import(
                event=event, data=listed.read(), by=request.user
            )
            for line, value, reason in outcome.problems[:20]:
                messages.error(
                    request,
                    _("Line %(line)s, “%(value)s”: %(reason)s")
                    % {"line": line, "value": value, "reason": reason},
                )
            if not outcome.problems:
                messages.success(request, _("%(n)s participants added.") % {"n": outcome.added})
        elif action == "count":
            event_services.participant_count_set(
                event=event, count=_int(request.POST.get("count")) or 0, by=request.user
            )
        elif action == "attendance":
            present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
            event_services.attendance_set(event=event, present=present, by=request.user)
            messages.success(request, _("Attendance saved."))
        elif action == "material" and request.FILES.getlist("file"):
            upload = request.FILES.getlist("file")[0]
            event_services.event_material_add(event=event, upload=upload, by=request.user)
    return back


@login_required
def event_material(request: AuthedRequest, pk: int, material_pk: int) -> FileResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    material = event.materials.filter(pk=material_pk).first()
    if material is None:
        raise Http404
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=material.name)


# --- Requests ------------------------------------------------------------------------------------


@login_required
def request_list(request: AuthedRequest) -> HttpResponse:
    queue = request.GET.get("queue", "")
    status = request.GET.get("status", "")
    topic = request.GET.get("topic", "")
    rows = selectors.request_list(user=request.user, status=status, topic=topic, queue=queue)[:200]
    return render(
        request,
        "networks/request_list.html",
        {
            "requests": rows,
            "queue": queue,
            "status": status,
            "topic": topic,
            "statuses": RequestStatus.choices,
            "topics": RequestTopic.choices,
            "can_file": scope_of(request.user).person_id is not None
            or scope_of(request.user).organisation_ids,
        },
    )


@login_required
def request_create(request: AuthedRequest) -> HttpResponse:
    form = RequestForm(request.POST or None)
    if request.method == "POST" and not _refused(request) and form.is_valid():
        person = None
        if form.cleaned_data.get("person"):
            person = (
                person_list_visible_to(request.user).filter(pk=form.cleaned_data["person"]).first()
            )
            if person is None:
                raise Http404
        with domain_errors_on_form(form):
            created = request_services.request_file(
                by=request.user,
                topic=form.cleaned_data["topic"],
                text=form.cleaned_data["text"],
                person=person,
                attachments=request.FILES.getlist("attachments"),
            )
            messages.success(request, _("Your request was sent."))
            return HttpResponseRedirect(reverse("networks:request_detail", args=[created.pk]))
    return render(request, "networks/request_form.html", {"form": form})


@login_required
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    item = selectors.request_get(user=request.user, pk=pk)
    scope = scope_of(request.user)
    routes = request_services.routes(request.user, item)
    return render(
        request,
        "networks/request_detail.html",
        {
            "item": item,
            "thread": list(item.messages.select_related("author__person")),
            "attachments": list(item.attachments.all()),
            "routes": routes,
            "answers": request_services.may_answer(request.user, item),
            "own": item.filed_by_id == request.user.pk or item.person_id == scope.person_id,
            "assignees": list(selectors.assignee_choices(request=item)) if routes else [],
            "iin": iin_for(request.user, item.person),
        },
    )


@login_required
@require_POST
def request_action(request: AuthedRequest, pk: int) -> HttpResponse:
    item = selectors.request_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    with domain_errors_as_messages(request):
        if action == "assign":
            assignee = (
                selectors.assignee_choices(request=item)
                .filter(pk=_int(request.POST.get("assignee")) or 0)
                .first()
            )
            if assignee is None:
                messages.error(request, _("Choose who answers."))
            else:
                request_services.request_assign(request=item, assignee=assignee, by=request.user)
        elif action in ("reply", "answer"):
            request_services.request_reply(
                request=item,
                by=request.user,
                text=request.POST.get("text", ""),
                answer=action == "answer",
            )
        elif action == "close":
            request_services.request_close(
                request=item,
                by=request.user,
                rating=_int(request.POST.get("rating")),
                note=request.POST.get("note", ""),
            )
        elif action == "decline":
            request_services.request_decline(
                request=item, by=request.user, reason=request.POST.get("reason", "")
            )
    return HttpResponseRedirect(reverse("networks:request_detail", args=[item.pk]))


@login_required
def request_attachment(request: AuthedRequest, pk: int, file_pk: int) -> FileResponse:
    item = selectors.request_get(user=request.user, pk=pk)
    attachment = item.attachments.filter(pk=file_pk).first()
    if attachment is None:
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


# --- Reports -------------------------------------------------------------------------------------


@login_required
def reports(request: AuthedRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if not (scope.national or scope.branch_ids):
        raise Http404
    year = _year(request)
    kind = request.GET.get("kind", "")
    topic = request.GET.get("topic", "")
    branch = _int(request.GET.get("branch"))
    events = event_report(user=request.user, year=year, kind=kind, topic=topic, branch=branch)
    coverage = partner_coverage(user=request.user, year=year)
    asks = request_report(user=request.user, year=year, branch=branch)
    if request.GET.get("format") == "xlsx":
        data = report_workbook(
            year=year_label(year), events=events, coverage=coverage, requests=asks
        )
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="support-{year}.xlsx"'
        return response
    return render(
        request,
        "networks/reports.html",
        {
            "year": year,
            "year_label": year_label(year),
            "years": [(y, year_label(y)) for y in range(academic_year(), academic_year() - 10, -1)],
            "kinds": EventKind.choices,
            "topics": TopicArea.choices,
            "branches": list(selectors.branches_visible_to(request.user)),
            "kind": kind,
            "topic": topic,
            "branch": branch,
            "events": events,
            "coverage": coverage,
            "asks": asks,
            "planning_share": planning_and_assessment_share(asks),
            "query": request.GET.urlencode(),
        },
    )
