"""Pages of registry imports: upload a file, follow the job, download templates and reports.

Imports from the page always run as background jobs: a national file takes minutes, longer
than a web request should live (and than proxies wait), and the job page can show progress
while the worker runs. Small files finish within a second or two of the worker picking them
up, so nothing is lost by treating them the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from kaskad.core.http import AuthedRequest
from kaskad.core.jobs import job_files_delete_on, job_for, job_restartable
from kaskad.core.models import Job
from kaskad.registry import permissions
from kaskad.registry.imports import KINDS, template_file
from kaskad.registry.imports.columns import COLUMNS, KIND_LABELS
from kaskad.registry.imports.engine import STAGE_LABELS
from kaskad.registry.imports.jobs import (
    ALLOWED_SUFFIXES,
    JOB_KIND_PREFIX,
    import_job_start,
    kind_of,
    store_upload,
    uploads_dir,
)
from kaskad.registry.imports.reader import size_limit, too_large_message

# Room for the multipart envelope and the other form fields around the file itself.
MULTIPART_SLACK = 64 * 1024
SHOWN_ISSUES = 50
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=[(kind, KIND_LABELS[kind]) for kind in ("people", "organisations", "districts")],
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Trial run: check and count, but write nothing"), required=False
    )
    # Last in the form: if the file is too large the upload stops there, and the fields
    # before it (the CSRF token above all) have already arrived.
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8, UTF-16, Windows-1251 or KZ-1048; comma, semicolon or tab) or Excel "
            "(.xlsx: the first sheet that holds the table)."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                _("Upload a .csv or .xlsx file (this one is “%(name)s”).") % {"name": upload.name}
            )
        limit = size_limit("xlsx" if suffix == ".xlsx" else "csv")
        if upload.size > limit:
            raise forms.ValidationError(too_large_message(upload.size, limit))
        return upload


class SizeLimitHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit (nothing more is stored)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _require_importer(request: AuthedRequest) -> None:
    if not permissions.can_import(request.user):
        raise Http404


def _recent_jobs(request: AuthedRequest) -> list[Job]:
    return list(
        Job.objects.filter(
            created_by_id=request.user.pk, kind__startswith=JOB_KIND_PREFIX
        ).order_by("-created_at")[:10]
    )


def _render_upload(
    request: AuthedRequest, form: ImportUploadForm, *, status: int = 200, error: str = ""
) -> HttpResponse:
    kinds = [
        {"kind": kind, "label": KIND_LABELS[kind], "columns": COLUMNS[kind]}
        for kind in ("districts", "organisations", "people")
    ]
    return render(
        request,
        "registry/import_upload.html",
        {
            "form": form,
            "error": error,
            "kinds": kinds,
            "jobs": _recent_jobs(request),
            "limit": filesizeformat(size_limit("csv")),
            "xlsx_limit": filesizeformat(size_limit("xlsx")),
        },
        status=status,
    )


@csrf_exempt  # checked below, once the size guard is in place (Django's documented pattern)
@login_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthedRequest) -> HttpResponse:
    _require_importer(request)
    limiter = None
    if request.method == "POST":
        limit = settings.IMPORT_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + MULTIPART_SLACK:
            # Refused before a byte of the body is read, let alone saved.
            return _render_upload(
                request, ImportUploadForm(), status=413, error=too_large_message(None, limit)
            )
        limiter = SizeLimitHandler(request, limit)
        request.upload_handlers.insert(0, limiter)
    return _upload(request, limiter)


@csrf_protect
def _upload(request: AuthedRequest, limiter: SizeLimitHandler | None) -> HttpResponse:
    if request.method != "POST":
        return _render_upload(request, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if limiter is not None and limiter.exceeded:
        return _render_upload(
            request,
            form,
            status=413,
            error=too_large_message(None, settings.IMPORT_MAX_BYTES),
        )
    if not form.is_valid():
        return _render_upload(request, form, status=400)
    upload_file = form.cleaned_data["file"]
    stored = store_upload(upload_file.chunks(), original_name=upload_file.name)
    job = import_job_start(
        kind=form.cleaned_data["kind"],
        stored=stored,
        original_name=Path(upload_file.name).name,
        by=request.user,
        dry_run=form.cleaned_data["dry_run"],
    )
    return redirect("registry_imports:result", pk=job.pk)


def _import_job(request: AuthedRequest, pk: int) -> Job:
    job = job_for(request, pk)  # 404 unless the user started it or supervises all jobs
    if kind_of(job) is None:
        raise Http404
    return job


def _result_context(request: AuthedRequest, job: Job) -> dict[str, Any]:
    result = job.result if isinstance(job.result, dict) else {}
    try:
        job_page = reverse("core:job_detail", kwargs={"pk": job.pk})
    except NoReverseMatch:
        job_page = ""
    kind = kind_of(job)
    return {
        "job": job,
        "result": result,
        "kind_label": KIND_LABELS[kind] if kind else "",
        "stage_label": STAGE_LABELS.get(job.stage, job.stage),
        "errors": (result.get("errors") or [])[:SHOWN_ISSUES],
        "warnings": (result.get("warnings") or [])[:SHOWN_ISSUES],
        "reports": result.get("reports") or {},
        "job_page": job_page,
        "restartable": job_restartable(job),
        "files_delete_on": job_files_delete_on(job),
    }


@login_required
def result(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _import_job(request, pk)
    return render(request, "registry/import_result.html", _result_context(request, job))


@login_required
def result_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    """The status part alone; the result page polls it until the job has finished."""
    job = _import_job(request, pk)
    return render(request, "registry/import_status_panel.html", _result_context(request, job))


@login_required
def report(request: AuthedRequest, pk: int, fmt: str) -> FileResponse:
    job = _import_job(request, pk)
    reports = job.result.get("reports") if isinstance(job.result, dict) else None
    relative = (reports or {}).get(fmt)
    if fmt not in CONTENT_TYPES or not relative:
        raise Http404
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    if not path.is_relative_to(uploads_dir().resolve()) or not path.is_file():
        raise Http404
    original = str((job.params or {}).get("original_name") or "import")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{Path(original).stem}.errors.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )


@login_required
def template(request: AuthedRequest, kind: str, fmt: str) -> HttpResponse:
    _require_importer(request)
    if kind not in KINDS or fmt not in CONTENT_TYPES:
        raise Http404
    response = HttpResponse(template_file(kind, fmt), content_type=CONTENT_TYPES[fmt])  # type: ignore[arg-type]
    response["Content-Disposition"] = f'attachment; filename="kaskad-{kind}-template.{fmt}"'
    return response
