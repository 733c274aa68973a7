"""Background tasks of the reports (run by `manage.py worker`). Each is idempotent."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def rebuild_years(years: list[int]) -> dict[str, Any]:
    """Rebuild the figures of `years` (queued by the sweep of changed records)."""
    from kaskad.reports.readmodels import background_pace, year_rebuild

    pace = background_pace()
    done = [year_rebuild(int(y), pace=pace) for y in years]
    return {str(r.year): {"facts": r.facts, "skipped": r.skipped} for r in done}


@task()
def issue_annual_report(job_id: int) -> dict[str, Any]:
    """Issue the annual report recorded in Job `job_id` (queued by annual_report_issue_start)."""
    from kaskad.reports.services import run_issue_job

    return run_issue_job(job_id)


@task()
def nightly_rebuild() -> dict[str, Any]:
    from kaskad.reports import readmodels

    done = readmodels.nightly_rebuild(pace=readmodels.background_pace())
    return {str(r.year): {"facts": r.facts, "seconds": round(r.seconds, 2)} for r in done}
