"""The assessment report as an Excel workbook (XlsxWriter): one sheet per table of the annual
report, the same rows, columns and total row as the page. Numbers are numbers; percentages
are exact fractions with a percent number format, so Excel can compute with them."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kaskad.core.cells import text_workbook
from kaskad.reports.selectors import AssessmentReport, AssessmentRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[AssessmentRow], Any]
    percent: bool = False
    width: int = 12


def _sheets(report: AssessmentReport) -> list[tuple[str, str, list[Column], list[AssessmentRow]]]:
    """(sheet name, heading, columns, rows) for each table, as on the page."""
    return [
        (
            _("Evaluation"),
            _("Number of teachers by course programme: evaluated and certified"),
            [
                Column(_("Evaluated"), lambda r: r.evaluated),
                Column(_("Certified"), lambda r: r.certified),
                Column(_("Certified, percent"), lambda r: (r.certified, r.evaluated), True),
            ],
            report.evaluation_rows,
        ),
        (
            _("Repeated evaluation"),
            _("Teachers who took part in the repeated evaluation, by programme"),
            [
                Column(_("Evaluated"), lambda r: r.re_evaluated),
                Column(_("Certified"), lambda r: r.re_certified),
                Column(_("Certified, percent"), lambda r: (r.re_certified, r.re_evaluated), True),
            ],
            report.repeated_rows,
        ),
        (
            _("Ratings"),
            _("Results of the evaluation of teachers' materials (first attempt)"),
            [
                Column(_("Total"), lambda r: r.rated),
                Column(_("Unsatisfactory"), lambda r: r.unsatisfactory),
                Column(_("Unsatisfactory, percent"), lambda r: (r.unsatisfactory, r.rated), True),
                Column(_("Satisfactory"), lambda r: r.satisfactory),
                Column(_("Satisfactory, percent"), lambda r: (r.satisfactory, r.rated), True),
                Column(_("Good"), lambda r: r.good),
                Column(_("Good, percent"), lambda r: (r.good, r.rated), True),
            ],
            report.rating_rows,
        ),
        (
            _("Plagiarism"),
            _("Materials checked for plagiarism"),
            [
                Column(_("Checked"), lambda r: r.checked),
                Column(_("Plagiarism suspected or confirmed"), lambda r: r.flagged, width=16),
                Column(_("Flagged, percent"), lambda r: (r.flagged, r.checked), True),
                Column(_("Plagiarism confirmed"), lambda r: r.confirmed, width=14),
            ],
            report.plagiarism_rows,
        ),
    ]


def assessment_workbook(report: AssessmentReport, *, scope_label: str) -> bytes:
    buffer = io.BytesIO()
    workbook = text_workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    header = workbook.add_format(
        {"bold": True, "bg_color": "#E6F1F9", "border": 1, "text_wrap": True, "valign": "top"}
    )
    text = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    number = workbook.add_format({"num_format": "#,##0", "border": 1})
    percent = workbook.add_format({"num_format": "0.0%", "border": 1})
    total_text = workbook.add_format({"bold": True, "border": 1, "top": 2})
    total_number = workbook.add_format({"bold": True, "num_format": "#,##0", "border": 1, "top": 2})
    total_percent = workbook.add_format({"bold": True, "num_format": "0.0%", "border": 1, "top": 2})

    for name, heading, columns, rows in _sheets(report):
        sheet = workbook.add_worksheet(name[:31])
        sheet.write(0, 0, f"{heading}, {report.year}", bold)
        sheet.write(1, 0, scope_label)
        first = 3
        labels = [(_("Code"), 14), (_("Programme"), 60)] + [(c.label, c.width) for c in columns]
        for col, (label, width) in enumerate(labels):
            sheet.write(first, col, label, header)
            sheet.set_column(col, col, width)
        sheet.freeze_panes(first + 1, 2)

        at = first + 1
        for row in rows:
            _write_row(sheet, at, columns, row, row.code, row.title, (text, number, percent))
            at += 1
        _write_row(
            sheet,
            at,
            columns,
            report.total,
            _("Total"),
            "",
            (total_text, total_number, total_percent),
        )
    workbook.close()
    return buffer.getvalue()


def _write_row(
    sheet: Any,
    at: int,
    columns: list[Column],
    row: AssessmentRow,
    code: str,
    title: str,
    formats: tuple[Any, Any, Any],
) -> None:
    label_format, number_format, percent_format = formats
    sheet.write(at, 0, code, label_format)
    sheet.write(at, 1, title, label_format)
    for col, column in enumerate(columns, start=2):
        value = column.value(row)
        if not column.percent:
            sheet.write_number(at, col, value, number_format)
        elif value[1]:
            # The exact share; the cell's format shows it with one decimal.
            sheet.write_number(at, col, value[0] / value[1], percent_format)
        else:
            sheet.write_blank(at, col, None, percent_format)
