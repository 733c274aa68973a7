"""Imports as background jobs: store the upload, record a Job, run it in the worker."""

from __future__ import annotations

import logging
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kaskad.core.jobs import job_claim, job_enqueue
from kaskad.core.models import Job
from kaskad.core.progress import JobProgress
from kaskad.registry.imports.columns import KIND_LABELS
from kaskad.registry.imports.engine import import_file
from kaskad.registry.imports.report import write_error_report
from kaskad.registry.imports.types import KINDS, Kind

if TYPE_CHECKING:
    from kaskad.accounts.models import User

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".csv", ".xlsx", ".txt")
JOB_KIND_PREFIX = "import_"


def uploads_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _random_name(original_name: str) -> str:
    suffix = Path(original_name).suffix.lower()
    return secrets.token_hex(16) + (suffix if suffix in ALLOWED_SUFFIXES else ".csv")


def store_upload(chunks: Iterable[bytes], *, original_name: str) -> Path:
    """Save an upload under MEDIA_ROOT/imports with a random name (never the user's)."""
    target = uploads_dir() / _random_name(original_name)
    with target.open("xb") as handle:
        for chunk in chunks:
            handle.write(chunk)
    return target


def store_copy(path: Path) -> Path:
    target = uploads_dir() / _random_name(path.name)
    shutil.copyfile(path, target)
    return target


def kind_of(job: Job) -> Kind | None:
    kind = job.kind.removeprefix(JOB_KIND_PREFIX)
    return kind if kind in KINDS else None


def import_job_start(
    *,
    kind: Kind,
    stored: Path,
    original_name: str,
    by: User | None = None,
    dry_run: bool = False,
    language: str | None = None,
) -> Job:
    """Record the job and queue it once this transaction commits (never a job for a
    rolled-back upload, never a worker that finds no row)."""
    from kaskad.registry.tasks import run_import

    language = language or getattr(by, "language", "") or translation.get_language() or ""
    with translation.override(language or settings.LANGUAGE_CODE):
        title = _("Import of %(what)s: %(file)s") % {
            "what": KIND_LABELS[kind],
            "file": original_name,
        }
    media_root = Path(settings.MEDIA_ROOT)
    with transaction.atomic():
        job = Job.objects.create(
            kind=f"{JOB_KIND_PREFIX}{kind}",
            created_by=by if getattr(by, "pk", None) else None,
            title=title[:200],
            input_file=str(stored.relative_to(media_root))
            if stored.is_relative_to(media_root)
            else str(stored),
            # all_or_nothing: one transaction writes everything (engine.import_file), so a
            # worker lost half-way has written nothing, and the job page says so.
            params={
                "kind": kind,
                "original_name": original_name,
                "dry_run": dry_run,
                "all_or_nothing": True,
            },
            language=language[:8],
        )
        job_enqueue(job, run_import)
    return job


def job_url(job: Job) -> str:
    """The page that follows the job (the shared job page; ours if that is not there)."""
    try:
        return reverse("core:job_detail", kwargs={"pk": job.pk})
    except NoReverseMatch:
        return reverse("registry_imports:result", kwargs={"pk": job.pk})


def run_import_job(job_id: int) -> dict[str, Any]:
    """Run a queued import (in the worker). Safe to run twice: a finished job is left alone,
    a running one is not started a second time, and the import itself is idempotent."""
    job = job_claim(job_id, stage="validating")
    if job is None:
        return {"skipped": True}
    kind = kind_of(job)
    params = job.params if isinstance(job.params, dict) else {}
    original_name = str(params.get("original_name") or Path(job.input_file).name)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            if kind is None:
                raise ValueError(f"job {job.pk} is not an import ({job.kind})")
            with JobProgress(job.pk) as progress:
                result = import_file(
                    kind,
                    Path(settings.MEDIA_ROOT) / job.input_file,
                    by=job.created_by,
                    progress=progress,
                    original_name=original_name,
                    dry_run=bool(params.get("dry_run")),
                    source=f"import:{original_name} (job {job.pk})",
                )
            reports: dict[str, str] = {}
            if result.errors or result.warnings:
                stem = uploads_dir() / f"{secrets.token_hex(16)}.report"
                for fmt in ("csv", "xlsx"):
                    written = write_error_report(result, stem.with_suffix(f".{fmt}"), fmt=fmt)
                    reports[fmt] = str(written.relative_to(Path(settings.MEDIA_ROOT)))
            outcome = {
                **result.as_dict(),
                "message": result.summary(),
                "url": reverse("registry_imports:result", kwargs={"pk": job.pk}),
                "reports": reports,
            }
            status = Job.Status.SUCCEEDED if result.ok else Job.Status.FAILED
            done = result.total
        except Exception:
            logger.exception("import job %s failed", job.pk)
            outcome = {
                "ok": False,
                "message": _(
                    "The import stopped because of an unexpected error; nothing was "
                    "written. Please tell the administrators."
                ),
            }
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED,
                result=outcome,
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            raise
        Job.objects.filter(pk=job.pk).update(
            status=status,
            result=outcome,
            stage="",
            done=done,
            total=done,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return {"ok": outcome["ok"], "total": done}
