"""Pages of monitoring studies. Reads go through `selectors` (scope first: out of scope is a
404), writes through `services`; the numbers come from `reports.results` and `analysis`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaskad.core.errors import DomainError
from kaskad.core.http import AuthedRequest
from kaskad.core.jobs import job_for
from kaskad.core.models import Job
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form
from kaskad.monitoring import selectors
from kaskad.monitoring.analysis import item_analysis
from kaskad.monitoring.forms import (
    AddTestForm,
    BandsForm,
    BulkForm,
    EntryForm,
    FileForm,
    ResolveForm,
    ResponseUploadForm,
    StudyForm,
    TestFormForm,
    split_answers,
)
from kaskad.monitoring.imports import Rejected, issues_as_dicts
from kaskad.monitoring.models import DEFAULT_BANDS, Response, StudyTest
from kaskad.monitoring.permissions import (
    led_school_ids,
    may_read_aggregates,
    may_run,
    may_see_pupils,
)
from kaskad.monitoring.reports import results
from kaskad.monitoring.reports.bulk import BULK_JOB_KIND, bulk_reports_start, report_context
from kaskad.monitoring.reports.pdf import html_to_pdf, render_one
from kaskad.monitoring.reports.workbooks import XLSX, item_analysis_xlsx, results_xlsx
from kaskad.monitoring.services import (
    IMPORT_JOB_KIND,
    form_create,
    key_import,
    paper_entry_save,
    response_import_job_start,
    response_save,
    study_bands_set,
    study_create,
    study_test_add,
)
from kaskad.registry.imports.jobs import store_upload


def _not_found() -> Http404:
    return Http404()


def _require_runner(request: AuthedRequest) -> None:
    if not may_run(request.user):
        raise _not_found()


def _study(request: AuthedRequest, pk: int) -> Any:
    with domain_errors_as_messages(request):
        return selectors.study_get(user=request.user, pk=pk)
    raise _not_found()


def _test(request: AuthedRequest, pk: int, *, runner: bool = False) -> StudyTest:
    try:
        if runner:
            return selectors.runner_test_get(user=request.user, pk=pk)
        return selectors.study_test_get(user=request.user, pk=pk)
    except DomainError:
        raise _not_found() from None


# --- studies -----------------------------------------------------------------------------------


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    if not (may_read_aggregates(request.user) or led_school_ids(request.user)):
        raise _not_found()
    studies = selectors.study_list(user=request.user)
    return render(
        request,
        "monitoring/index.html",
        {
            "studies": studies,
            "may_run": may_run(request.user),
            "may_read_aggregates": may_read_aggregates(request.user),
        },
    )


@login_required
def study_new(request: AuthedRequest) -> HttpResponse:
    _require_runner(request)
    form = StudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors_on_form(form):
            study = study_create(
                by=request.user,
                name=form.cleaned_data["name"],
                year=form.cleaned_data["year"],
                grades=form.cleaned_data["grades"],
                schools=form.cleaned_data["schools"],
                forms=form.cleaned_data["forms"],
            )
            messages.success(request, _("The study has been created."))
            return redirect("monitoring:study_detail", pk=study.pk)
    return render(request, "monitoring/study_form.html", {"form": form})


@login_required
def study_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    study = _study(request, pk)
    tests = list(study.tests.select_related("form"))
    counts = dict(
        Response.objects.filter(study_test__study=study)
        .values_list("study_test_id")
        .order_by()
        .annotate(n=Count("pk"))
    )
    for test in tests:
        test.n_responses = counts.get(test.pk, 0)
    add_form = AddTestForm()
    if request.method == "POST":
        _require_runner(request)
        add_form = AddTestForm(request.POST)
        if add_form.is_valid():
            with domain_errors_on_form(add_form):
                study_test_add(study=study, form=add_form.cleaned_data["form"], by=request.user)
                return redirect("monitoring:study_detail", pk=study.pk)
    return render(
        request,
        "monitoring/study_detail.html",
        {
            "study": study,
            "tests": tests,
            "schools": selectors.study_schools(user=request.user, study=study),
            "add_form": add_form,
            "may_run": may_run(request.user),
            "may_read_aggregates": may_read_aggregates(request.user),
        },
    )


@login_required
def study_bands(request: AuthedRequest, pk: int) -> HttpResponse:
    study = _study(request, pk)
    _require_runner(request)
    current = {str(b["code"]): b["from"] for b in (study.bands or DEFAULT_BANDS)}
    form = BandsForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        with domain_errors_on_form(form):
            study_bands_set(study=study, by=request.user, thresholds=dict(form.cleaned_data))
            messages.success(request, _("The performance bands were saved."))
            return redirect("monitoring:study_detail", pk=study.pk)
    return render(request, "monitoring/study_bands.html", {"study": study, "form": form})


# --- test forms --------------------------------------------------------------------------------


@login_required
def form_list(request: AuthedRequest) -> HttpResponse:
    forms_qs = selectors.forms_visible_to(request.user)
    if not may_read_aggregates(request.user):
        raise _not_found()
    return render(
        request,
        "monitoring/form_list.html",
        {"forms": forms_qs, "may_run": may_run(request.user)},
    )


@login_required
def form_new(request: AuthedRequest) -> HttpResponse:
    _require_runner(request)
    form = TestFormForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors_on_form(form):
            created = form_create(by=request.user, **form.cleaned_data)
            return redirect("monitoring:form_detail", pk=created.pk)
    return render(request, "monitoring/testform_form.html", {"form": form})


def _blueprint(items: list[Any]) -> dict[str, Any]:
    strands: list[str] = []
    skills: list[str] = []
    cells: dict[tuple[str, str], list[int]] = {}
    for item in items:
        if item.strand not in strands:
            strands.append(item.strand)
        if item.skill not in skills:
            skills.append(item.skill)
        cells.setdefault((item.strand, item.skill), []).append(item.position)
    rows = [
        {
            "strand": strand,
            "cells": [cells.get((strand, skill), []) for skill in skills],
            "total": sum(len(cells.get((strand, skill), [])) for skill in skills),
        }
        for strand in strands
    ]
    totals = [sum(len(cells.get((s, skill), [])) for s in strands) for skill in skills]
    return {"skills": skills, "rows": rows, "totals": totals, "n": len(items)}


@login_required
def form_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        test_form = selectors.form_get(user=request.user, pk=pk)
    except DomainError:
        raise _not_found() from None
    upload = FileForm()
    key_errors: list[dict[str, Any]] = []
    if request.method == "POST":
        _require_runner(request)
        upload = FileForm(request.POST, request.FILES)
        if upload.is_valid():
            uploaded = upload.cleaned_data["file"]
            stored = store_upload(uploaded.chunks(), original_name=uploaded.name)
            try:
                with domain_errors_on_form(upload):
                    n = key_import(
                        form=test_form, path=stored, original_name=uploaded.name, by=request.user
                    )
                    messages.success(
                        request, _("The key of %(n)s items has been saved.") % {"n": n}
                    )
                    return redirect("monitoring:form_detail", pk=test_form.pk)
            except Rejected as rejected:
                key_errors = issues_as_dicts(rejected.issues)
            finally:
                stored.unlink(missing_ok=True)
    items = list(test_form.items.all())
    return render(
        request,
        "monitoring/form_detail.html",
        {
            "test_form": test_form,
            "items": items,
            "blueprint": _blueprint(items),
            "upload": upload,
            "key_errors": key_errors,
            "may_run": may_run(request.user),
        },
    )


# --- a test of a study: responses ---------------------------------------------------------------


@login_required
def test_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    test = _test(request, pk)
    schools = selectors.study_schools(user=request.user, study=test.study)
    runner = may_run(request.user)
    responses = Response.objects.filter(study_test=test)
    if not may_read_aggregates(request.user):
        responses = responses.filter(pupil__school__in=schools)
    recent = (
        Job.objects.filter(
            kind__in=(IMPORT_JOB_KIND, BULK_JOB_KIND),
            params__study_test_id=test.pk,
            created_by=request.user,
        )[:5]
        if runner
        else []
    )
    return render(
        request,
        "monitoring/test_detail.html",
        {
            "test": test,
            "study": test.study,
            "schools": schools,
            "n_responses": responses.count(),
            "upload": ResponseUploadForm(schools=schools) if runner else None,
            "bulk_form": BulkForm() if runner else None,
            "mismatches": selectors.paper_mismatches(study_test=test) if runner else [],
            "may_run": runner,
            "may_read_aggregates": may_read_aggregates(request.user),
            "recent": recent,
        },
    )


@login_required
@require_POST
def import_responses(request: AuthedRequest, pk: int) -> HttpResponse:
    test = _test(request, pk, runner=True)
    schools = selectors.study_schools(user=request.user, study=test.study)
    form = ResponseUploadForm(request.POST, request.FILES, schools=schools)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("monitoring:test_detail", pk=test.pk)
    uploaded = form.cleaned_data["file"]
    stored = store_upload(uploaded.chunks(), original_name=uploaded.name)
    job = response_import_job_start(
        study_test=test,
        stored=stored,
        original_name=uploaded.name,
        by=request.user,
        school=form.cleaned_data["school"],
    )
    return redirect("core:job_detail", pk=job.pk)


@login_required
def import_result(request: AuthedRequest, pk: int) -> HttpResponse:
    job = job_for(request, pk)
    if job.kind != IMPORT_JOB_KIND:
        raise _not_found()
    params = job.params if isinstance(job.params, dict) else {}
    test = _test(request, int(params.get("study_test_id") or 0), runner=True)
    result = job.result if isinstance(job.result, dict) else {}
    return render(
        request,
        "monitoring/import_result.html",
        {"job": job, "test": test, "result": result, "errors": result.get("errors") or []},
    )


@login_required
def entry(request: AuthedRequest, pk: int) -> HttpResponse:
    test = _test(request, pk, runner=True)
    schools = selectors.study_schools(user=request.user, study=test.study)
    form = EntryForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        with domain_errors_on_form(form):
            data = form.cleaned_data
            outcome = paper_entry_save(
                study_test=test,
                school=data["school"],
                class_label=data["class_label"],
                code=data["code"],
                answers=split_answers(data["answers"]),
                by=request.user,
            )
            if outcome.entry_pass == 1:
                messages.success(
                    request,
                    _("First entry saved for %(code)s; a second operator enters it again.")
                    % {"code": data["code"]},
                )
            elif outcome.matched:
                messages.success(
                    request,
                    _("Both entries of %(code)s agree: the answers are scored and saved.")
                    % {"code": data["code"]},
                )
            else:
                messages.warning(
                    request,
                    _("The entries of %(code)s differ at items %(items)s: resolve below.")
                    % {
                        "code": data["code"],
                        "items": ", ".join(str(i) for i in outcome.differing),
                    },
                )
            return redirect("monitoring:entry", pk=test.pk)
    items = list(test.form.items.all())
    return render(
        request,
        "monitoring/entry.html",
        {
            "test": test,
            "study": test.study,
            "form": form,
            "items": items,
            "mismatches": selectors.paper_mismatches(study_test=test),
        },
    )


@login_required
@require_POST
def resolve(request: AuthedRequest, pk: int, pupil_pk: int) -> HttpResponse:
    test = _test(request, pk, runner=True)
    try:
        pupil = selectors.pupil_get(user=request.user, study=test.study, pk=pupil_pk)
    except DomainError:
        raise _not_found() from None
    form = ResolveForm(request.POST)
    if form.is_valid():
        with domain_errors_as_messages(request):
            response_save(
                study_test=test,
                pupil=pupil,
                answers=split_answers(form.cleaned_data["answers"]),
                by=request.user,
            )
            messages.success(
                request, _("The answers of %(code)s are saved.") % {"code": pupil.code}
            )
    return redirect("monitoring:entry", pk=test.pk)


# --- item analysis -----------------------------------------------------------------------------


def _aggregate_test(request: AuthedRequest, pk: int) -> StudyTest:
    test = _test(request, pk)
    if not may_read_aggregates(request.user):
        raise _not_found()
    return test


@login_required
def analysis(request: AuthedRequest, pk: int) -> HttpResponse:
    test = _aggregate_test(request, pk)
    data = results.load(test)
    return render(
        request,
        "monitoring/analysis.html",
        {"test": test, "study": test.study, "analysis": item_analysis(data)},
    )


@login_required
def analysis_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    test = _aggregate_test(request, pk)
    content = item_analysis_xlsx(item_analysis(results.load(test)), title=str(test.form))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="items-{test.form.code}.xlsx"'
    return response


# --- reports -----------------------------------------------------------------------------------


def _school_report(request: AuthedRequest, pk: int, school_pk: int) -> dict[str, Any]:
    test = _test(request, pk)
    try:
        school = selectors.school_get(user=request.user, study=test.study, pk=school_pk)
    except DomainError:
        raise _not_found() from None
    data = results.load(test)
    labels = selectors.class_labels(study_test=test, school_id=school.pk)
    chosen = request.GET.get("class") or None
    if chosen is not None and chosen not in labels:
        raise _not_found()
    report = results.class_report(data, school_id=school.pk, class_label=chosen)
    pupils: list[dict[str, Any]] = []
    if may_see_pupils(request.user, school.pk):
        rows = data.rows(school_id=school.pk, class_label=chosen)
        pupils = [
            {
                "pupil": data.pupils[i],
                "score": float(data.totals[i]),
                "percent": float(data.percents[i]),
                "band": results.band_label(data.bands[i]),
            }
            for i in rows
        ]
    return {
        "test": test,
        "study": test.study,
        "school": school,
        "labels": labels,
        "chosen": chosen,
        "report": report,
        "pupils": pupils,
    }


@login_required
def school_report(request: AuthedRequest, pk: int, school_pk: int) -> HttpResponse:
    context = _school_report(request, pk, school_pk)
    report = context["report"]
    context["chart"] = {
        "labels": list(range(len(report["distribution"]))),
        "counts": report["distribution"],
    }
    return render(request, "monitoring/school_report.html", context)


@login_required
def school_report_pdf(request: AuthedRequest, pk: int, school_pk: int) -> HttpResponse:
    """The class or grade report as PDF: the distribution drawn as bars (no script in print)."""
    context = _school_report(request, pk, school_pk)
    counts = context["report"]["distribution"]
    top = max(counts) if counts and max(counts) else 1
    context["bars"] = [{"score": n, "height": round(c / top * 100)} for n, c in enumerate(counts)]
    context["language"] = translation.get_language() or settings.LANGUAGE_CODE
    html = render_to_string("monitoring/class_pdf.html", context, request=request)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{context["test"].form.code}.pdf"'
    return response


@login_required
def comparison(request: AuthedRequest, pk: int) -> HttpResponse:
    test = _aggregate_test(request, pk)
    data = results.load(test)
    names = dict(test.study.schools.values_list("pk", "name"))
    return render(
        request,
        "monitoring/comparison.html",
        {
            "test": test,
            "study": test.study,
            "comparison": results.school_comparison(data, names),
            "note": results.suppressed_note(),
        },
    )


@login_required
def comparison_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The comparison of schools as PDF, in the reader's language: the same suppression
    (fewer than the minimum of pupils: not shown) and the same 95% confidence intervals."""
    test = _aggregate_test(request, pk)
    data = results.load(test)
    names = dict(test.study.schools.values_list("pk", "name"))
    comparison = results.school_comparison(data, names)
    for row in comparison["schools"]:
        if not row.get("suppressed"):
            row["width"] = row["high"] - row["low"]  # the interval's bar, drawn without script
    html = render_to_string(
        "monitoring/comparison_pdf.html",
        {
            "test": test,
            "study": test.study,
            "comparison": comparison,
            "note": results.suppressed_note(),
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
        request=request,
    )
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{test.form.code}-schools.pdf"'
    return response


@login_required
def results_workbook(request: AuthedRequest, pk: int) -> HttpResponse:
    test = _test(request, pk)
    schools = selectors.study_schools(user=request.user, study=test.study)
    visible = [s.pk for s in schools if may_see_pupils(request.user, s.pk)]
    data = results.load(test)
    codes = dict(test.study.schools.values_list("pk", "code"))
    pupils = [
        [
            codes.get(p.school_id, ""),
            p.class_label,
            p.code,
            float(data.totals[i]),
            round(float(data.percents[i]), 1),
            str(results.band_label(data.bands[i])),
            *[round(float(v), 1) for v in data.strand_percents[i]],
        ]
        for i, p in enumerate(data.pupils)
        if p.school_id in visible
    ]
    comparison_data = None
    if may_read_aggregates(request.user):
        names = dict(test.study.schools.values_list("pk", "name"))
        comparison_data = results.school_comparison(data, names)
    content = results_xlsx(pupils=pupils, strands=data.strands, comparison=comparison_data)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="results-{test.form.code}.xlsx"'
    return response


def _pupil_report(
    request: AuthedRequest, pk: int, pupil_pk: int
) -> tuple[StudyTest, dict[str, Any]]:
    test = _test(request, pk)
    try:
        pupil = selectors.pupil_get(user=request.user, study=test.study, pk=pupil_pk)
    except DomainError:
        raise _not_found() from None
    data = results.load(test, school_ids=[pupil.school_id])
    index = data.index_of.get(pupil.pk)
    if index is None:
        raise _not_found()
    class_rows = data.rows(school_id=pupil.school_id, class_label=pupil.class_label)
    school_rows = data.rows(school_id=pupil.school_id)
    report = results.individual(
        data,
        index,
        class_summary=results.summary(data, class_rows),
        school_summary=results.summary(data, school_rows),
    )
    return test, report


@login_required
def pupil_report(request: AuthedRequest, pk: int, pupil_pk: int) -> HttpResponse:
    test, report = _pupil_report(request, pk, pupil_pk)
    return render(
        request,
        "monitoring/pupil_report.html",
        {"test": test, "study": test.study, "r": report, "school": report["pupil"].school_id},
    )


@login_required
def pupil_pdf(request: AuthedRequest, pk: int, pupil_pk: int) -> HttpResponse:
    test, report = _pupil_report(request, pk, pupil_pk)
    language = translation.get_language() or settings.LANGUAGE_CODE
    context = report_context(test)
    context["school_names"] = dict(test.study.schools.values_list("pk", "name"))
    pdf = render_one(report, language=language, context=context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report["pupil"].code}.pdf"'
    return response


@login_required
@require_POST
def bulk_start(request: AuthedRequest, pk: int) -> HttpResponse:
    test = _test(request, pk, runner=True)
    form = BulkForm(request.POST)
    valid = form.is_valid()
    job = bulk_reports_start(
        study_test=test,
        by=request.user,
        language=form.cleaned_data["language"] if valid else "pupil",
        whole_study=bool(valid and form.cleaned_data["whole_study"]),
    )
    return redirect("core:job_detail", pk=job.pk)


@login_required
def bulk_download(request: AuthedRequest, pk: int) -> FileResponse:
    job = job_for(request, pk)
    result: dict[str, Any] = job.result if isinstance(job.result, dict) else {}
    name = str(result.get("zip") or "")
    if job.kind != BULK_JOB_KIND or job.status != Job.Status.SUCCEEDED or not name:
        raise _not_found()
    if not may_run(request.user):
        raise _not_found()
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise _not_found()
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"reports-{job.pk}.zip",
        content_type="application/zip",
    )
