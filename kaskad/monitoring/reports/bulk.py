"""Every pupil's individual report of a study test, printed into one ZIP in the background."""

from __future__ import annotations

import csv
import io
import logging
import secrets
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kaskad.core.cells import csv_text
from kaskad.core.errors import NotFoundError
from kaskad.core.jobs import job_claim, job_enqueue
from kaskad.core.models import Job
from kaskad.core.progress import JobProgress
from kaskad.monitoring.models import StudyTest
from kaskad.monitoring.permissions import may_run
from kaskad.monitoring.reports.pdf import render_batch
from kaskad.monitoring.reports.results import TestData, group_summaries, individual, load
from kaskad.registry.models import Organisation

if TYPE_CHECKING:
    from kaskad.accounts.models import User

logger = logging.getLogger(__name__)

BULK_JOB_KIND = "monitoring_reports"
BATCH = 60
PUPIL_LANGUAGE = "pupil"  # each pupil's report in their language of instruction
LANGUAGES = ("kk", "ru", "en")


def bulk_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "monitoring" / "bulk"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text) or "_"


def report_context(study_test: StudyTest) -> dict[str, Any]:
    return {"study": study_test.study, "form": study_test.form, "study_test": study_test}


def individual_reports(data: TestData) -> list[dict[str, Any]]:
    classes, schools, _all = group_summaries(data)
    return [
        individual(
            data,
            i,
            class_summary=classes[(p.school_id, p.class_label)],
            school_summary=schools[p.school_id],
        )
        for i, p in enumerate(data.pupils)
    ]


def write_reports_zip(
    data: TestData | Sequence[TestData],
    *,
    language: str,
    target: Path,
    progress: Callable[[str, int, int], None] | None = None,
    batch: int = BATCH,
) -> int:
    """Print every pupil's report of one test, or of every test of a study, into `target`
    (ZIP: [test/]school/class/code.pdf, and a CSV of the scores); returns the number of
    PDFs."""
    report = progress or (lambda stage, done, total: None)
    tests = [data] if isinstance(data, TestData) else list(data)
    several = len(tests) > 1
    total = sum(len(d.pupils) for d in tests)
    done = 0
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(
        ["test", "school", "class", "pupil", "score", "max", "percent", "band", "language", "file"]
    )
    report("printing", 0, total)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for one in tests:
            reports = individual_reports(one)
            school_ids = {p.school_id for p in one.pupils}
            schools = dict(Organisation.objects.filter(pk__in=school_ids).values_list("pk", "code"))
            context = report_context(one.study_test)
            context["school_names"] = dict(
                Organisation.objects.filter(pk__in=school_ids).values_list("pk", "name")
            )
            folder = f"{_safe(one.study_test.form.code)}/" if several else ""
            by_language: dict[str, list[dict[str, Any]]] = {}
            for entry in reports:
                chosen = language
                if language == PUPIL_LANGUAGE:
                    chosen = entry["pupil"].language or settings.LANGUAGE_CODE
                by_language.setdefault(chosen, []).append(entry)
            for chosen, entries in by_language.items():
                for start in range(0, len(entries), batch):
                    chunk = entries[start : start + batch]
                    by_pk = {e["pupil"].pk: e for e in chunk}
                    for pk, pdf in render_batch(chunk, language=chosen, context=context):
                        entry = by_pk[pk]
                        pupil = entry["pupil"]
                        name = (
                            f"{folder}{_safe(schools.get(pupil.school_id, str(pupil.school_id)))}/"
                            f"{_safe(pupil.class_label)}/{_safe(pupil.code)}.pdf"
                        )
                        archive.writestr(name, pdf)
                        writer.writerow(
                            csv_text(v)
                            for v in [
                                one.study_test.form.code,
                                schools.get(pupil.school_id, ""),
                                pupil.class_label,
                                pupil.code,
                                entry["score"],
                                entry["max"],
                                round(entry["percent"], 1),
                                entry["band"],
                                chosen,
                                name,
                            ]
                        )
                        done += 1
                        report("printing", done, total)
        archive.writestr(
            "reports.csv", manifest.getvalue().encode("utf-8-sig"), zipfile.ZIP_DEFLATED
        )
    return done


def bulk_reports_start(
    *,
    study_test: StudyTest,
    by: User | None,
    language: str = PUPIL_LANGUAGE,
    whole_study: bool = False,
) -> Job:
    """Queue the individual reports of one test, or (`whole_study`) of every test of its
    study in one ZIP."""
    from kaskad.monitoring.tasks import generate_reports

    if not may_run(by):
        raise NotFoundError("not_found", _("Not found."))
    if language != PUPIL_LANGUAGE and language not in LANGUAGES:
        language = PUPIL_LANGUAGE
    job_language = getattr(by, "language", "") or translation.get_language() or ""
    with translation.override(job_language or settings.LANGUAGE_CODE):
        title = _("Individual reports: %(test)s, %(study)s") % {
            "test": _("all tests") if whole_study else study_test.form.code,
            "study": study_test.study.name,
        }
    with transaction.atomic():
        job = Job.objects.create(
            kind=BULK_JOB_KIND,
            created_by=by if getattr(by, "pk", None) else None,
            title=title[:200],
            params={
                "study_test_id": study_test.pk,
                "language": language,
                "whole_study": whole_study,
            },
            language=job_language[:8],
        )
        job_enqueue(job, generate_reports)
    return job


def run_bulk_reports_job(job_id: int) -> dict[str, Any]:
    kind = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    job = job_claim(job_id, stage="printing") if kind == BULK_JOB_KIND else None
    if job is None:
        return {"skipped": True}
    params = job.params if isinstance(job.params, dict) else {}
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            study_test = StudyTest.objects.select_related("study", "form").get(
                pk=int(params["study_test_id"])
            )
            tests = (
                list(study_test.study.tests.select_related("study", "form"))
                if params.get("whole_study")
                else [study_test]
            )
            data = [load(test) for test in tests]
            target = bulk_dir() / f"{secrets.token_hex(16)}.zip"
            with JobProgress(job.pk) as progress:
                files = write_reports_zip(
                    data,
                    language=str(params.get("language") or PUPIL_LANGUAGE),
                    target=target,
                    progress=progress,
                )
            outcome = {
                "ok": True,
                "files": files,
                "zip": str(target.relative_to(Path(settings.MEDIA_ROOT))),
                "message": _("%(n)s individual reports in the ZIP file.") % {"n": files},
                "url": reverse("monitoring:bulk_download", kwargs={"pk": job.pk}),
            }
        except Exception:
            logger.exception("monitoring report job %s failed", job.pk)
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED,
                result={
                    "ok": False,
                    "message": _(
                        "The reports could not be generated because of an unexpected error. "
                        "Please tell the administrators."
                    ),
                },
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            raise
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED,
            result=outcome,
            stage="",
            done=files,
            total=files,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return {"ok": True, "files": files}
