"""Writes of the reports app: issuing an annual report (its files and figures stored as
issued, never recomputed; a re-issue is a new version) and freezing its year."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from kaskad.core.audit import audit_record
from kaskad.core.errors import StateConflict
from kaskad.reports.documents import annual_report_pdf, tables_workbook
from kaskad.reports.models import IssuedReport, YearState
from kaskad.reports.readmodels import freshness, year_freeze
from kaskad.reports.tables import ReportScope, annual_report

if TYPE_CHECKING:
    from kaskad.accounts.models import User

LANGUAGES = ("kk", "ru", "en")


def annual_report_issue(*, year: int, scope: ReportScope, by: User) -> IssuedReport:
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
    for language in LANGUAGES:
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
