"""Writes of the reports app: issuing an annual report (its files and figures stored as
issued, never recomputed; a re-issue is a new version) and freezing its year."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kaskad.core.audit import audit_record
from kaskad.core.errors import StateConflict
from kaskad.core.jobs import job_claim, job_enqueue
from kaskad.core.models import Job
from kaskad.core.progress import JobProgress
from kaskad.registry.models import Area, Branch
from kaskad.reports.documents import annual_report_pdf, tables_workbook
from kaskad.reports.models import IssuedReport, YearState
from kaskad.reports.readmodels import freshness, year_freeze
from kaskad.reports.tables import ReportScope, annual_report

if TYPE_CHECKING:
    from kaskad.accounts.models import User

LANGUAGES = ("kk", "ru", "en")


ISSUE_JOB_KIND = "reports.issue"


def annual_report_issue_start(*, year: int, scope: ReportScope, by: User) -> Job:
    """Record the issue of an annual report as a background job (three PDFs and a workbook
    take a while at national scale) and queue it once this commits."""
    from kaskad.reports.tasks import issue_annual_report

    state = freshness(year)
    if state is None or state.built_at is None:
        raise StateConflict(
            "report_not_built",
            _("The figures of %(year)s have not been built yet; try again in a minute.")
            % {"year": year},
        )
    with transaction.atomic():
        job = Job.objects.create(
            kind=ISSUE_JOB_KIND,
            created_by=by,
            title=(_("Annual report %(year)s") % {"year": year} + f", {scope.label}")[:200],
            params={
                "year": year,
                "branch_id": scope.branch.pk if scope.branch else None,
                "area_id": scope.area.pk if scope.area else None,
            },
            language=(getattr(by, "language", "") or translation.get_language() or "")[:8],
        )
        job_enqueue(job, issue_annual_report)
    return job


def run_issue_job(job_id: int) -> dict[str, object]:
    """Run a queued issue (in the worker). A job already claimed or finished is left alone."""
    job = job_claim(job_id, stage="pdf")
    if job is None:
        return {"skipped": True}
    params = job.params if isinstance(job.params, dict) else {}
    try:
        area_id, branch_id = params.get("area_id"), params.get("branch_id")
        area = Area.objects.filter(pk=int(area_id)).first() if area_id else None
        branch = Branch.objects.filter(pk=int(branch_id)).first() if branch_id else None
        scope = ReportScope(branch=None if area else branch, area=area)
        assert job.created_by is not None
        with JobProgress(job.pk) as progress:
            report = annual_report_issue(
                year=int(params["year"]), scope=scope, by=job.created_by, progress=progress
            )
        with translation.override(job.language or None):
            message = _("The annual report was issued as version %(version)s.") % {
                "version": report.version
            }
        query = urlencode({"year": report.year, **scope.query()})
        outcome = {"ok": True, "message": message, "url": f"{reverse('reports:annual')}?{query}"}
        status = Job.Status.SUCCEEDED
    except Exception:
        with translation.override(job.language or None):
            failure = _(
                "The annual report could not be issued because of an unexpected error. "
                "Please tell the administrators."
            )
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            result={"ok": False, "message": failure},
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        raise
    Job.objects.filter(pk=job.pk).update(
        status=status, result=outcome, stage="", done=4, total=4,
        finished_at=timezone.now(), updated_at=timezone.now(),
    )  # fmt: skip
    return {"ok": True, "version": report.version}


def annual_report_issue(
    *, year: int, scope: ReportScope, by: User, progress: Any = None
) -> IssuedReport:
    """Store the annual report of `year` for `scope` as issued: the three PDFs, the workbook
    and every table's figures. Issuing the whole country's report freezes the year: its
    figures are not rebuilt any more."""
    state = freshness(year)
    if state is None or state.built_at is None:
        raise StateConflict(
            "report_not_built",
            _("The figures of %(year)s have not been built yet; try again in a minute.")
            % {"year": year},
        )
    files: dict[str, bytes] = {}
    for done, language in enumerate(LANGUAGES):
        if progress is not None:
            progress("pdf", done, len(LANGUAGES) + 1)
        files[f"pdf_{language}"] = annual_report_pdf(
            year=year, scope=scope, language=language, built_at=state.built_at
        )
    with translation.override("en"):
        tables = annual_report(year=year, scope=scope)
        figures = {
            "built_at": state.built_at.isoformat(),
            "tables": [t.as_json() for t in tables],
        }
        xlsx = tables_workbook(tables, title=f"Annual report {year}", scope_label=scope.label)
    with transaction.atomic():
        # Versions are numbered per year and scope; the row lock keeps two issues apart.
        YearState.objects.select_for_update().get_or_create(year=year)
        last = IssuedReport.objects.filter(
            year=year, scope_kind=scope.kind, scope_code=scope.code
        ).aggregate(v=Max("version"))["v"]
        report = IssuedReport(
            year=year,
            scope_kind=scope.kind,
            scope_code=scope.code,
            scope_label=scope.label[:200],
            version=(last or 0) + 1,
            issued_by=by,
            figures=figures,
        )
        stem = f"annual-{year}-{scope.code or 'KZ'}-v{report.version}"
        for language in LANGUAGES:
            getattr(report, f"pdf_{language}").save(
                f"{stem}-{language}.pdf", ContentFile(files[f"pdf_{language}"]), save=False
            )
        report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        report.save()
        if scope.kind == "country":
            year_freeze(year)
        audit_record(
            actor=by,
            action="create",
            obj=report,
            changes={"version": [last, report.version], "frozen": scope.kind == "country"},
        )
    return report
