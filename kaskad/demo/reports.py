"""Demo figures of the reports: the read models of the demo year (and the one before) built
at once, so the dashboards and the annual report show numbers on the first visit."""

from __future__ import annotations

from django.utils import timezone

from kaskad.reports.readmodels import year_rebuild


def seed_reports() -> list[int]:
    this_year = timezone.localdate().year
    years = [this_year - 1, this_year]
    for year in years:
        year_rebuild(year)
    return years
