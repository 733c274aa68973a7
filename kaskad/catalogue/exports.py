"""The plan-versus-actual table as an Excel workbook (XlsxWriter), the same rows and totals as
the page, with real numbers and formulas-free percentages so it opens anywhere."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from kaskad.catalogue.selectors import PlanReport, PlanRow


def _title(row: PlanRow) -> str:
    shown = getattr(row.programme, "shown", None)
    return str(shown.title) if shown is not None else ""


def plan_workbook(report: PlanReport, *, scope_label: str) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_("Plan vs actual")[:31])
    bold = workbook.add_format({"bold": True})
    header = workbook.add_format(
        {"bold": True, "bg_color": "#E6F1F9", "border": 1, "text_wrap": True, "valign": "top"}
    )
    number = workbook.add_format({"num_format": "#,##0", "border": 1})
    percent = workbook.add_format({"num_format": "0.0", "border": 1})
    text = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    total_text = workbook.add_format({"bold": True, "border": 1, "top": 2})
    total_number = workbook.add_format({"bold": True, "num_format": "#,##0", "border": 1, "top": 2})
    total_percent = workbook.add_format({"bold": True, "num_format": "0.0", "border": 1, "top": 2})

    sheet.write(0, 0, _("Annual plan and delivery, %(year)s") % {"year": report.year}, bold)
    sheet.write(1, 0, scope_label)
    columns = [
        (_("Code"), 14),
        (_("Programme"), 60),
        (_("Planned cohorts"), 12),
        (_("Actual cohorts"), 12),
        (_("Cohorts, percentage of plan"), 12),
        (_("Planned participants"), 14),
        (_("Actual participants"), 14),
        (_("Participants, percentage of plan"), 14),
    ]
    first = 3
    for col, (label, width) in enumerate(columns):
        sheet.write(first, col, label, header)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(first + 1, 2)

    def write_row(at: int, row: PlanRow, code: str, title: str, formats: tuple[Any, ...]) -> None:
        label_format, number_format, percent_format = formats
        sheet.write(at, 0, code, label_format)
        sheet.write(at, 1, title, label_format)
        sheet.write_number(at, 2, row.planned_cohorts, number_format)
        sheet.write_number(at, 3, row.actual_cohorts, number_format)
        _write_percent(sheet, at, 4, row.cohorts_percent, percent_format)
        sheet.write_number(at, 5, row.planned_participants, number_format)
        sheet.write_number(at, 6, row.actual_participants, number_format)
        _write_percent(sheet, at, 7, row.participants_percent, percent_format)

    at = first + 1
    for row in report.rows:
        code = row.programme.code if row.programme is not None else ""
        write_row(at, row, code, _title(row), (text, number, percent))
        at += 1
    if report.total is not None:
        write_row(
            at, report.total, _("Total of the plan"), "", (total_text, total_number, total_percent)
        )
        at += 1
    if report.unplanned is not None and (
        report.unplanned.actual_cohorts or report.unplanned.actual_participants
    ):
        write_row(
            at,
            report.unplanned,
            _("Delivered outside the plan"),
            _("not counted in the total"),
            (text, number, percent),
        )
    workbook.close()
    return buffer.getvalue()


def _write_percent(sheet: Any, row: int, col: int, value: float | None, fmt: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, value, fmt)
