"""The annual report as files: an XLSX workbook (one sheet per table, the same rows, columns
and totals as the page) and one PDF document in kk, ru or en (WeasyPrint), with each table
and its chart in the order of the printed report. Charts in the PDF are inline SVG drawn
here: WeasyPrint runs no JavaScript."""

from __future__ import annotations

import io
from html import escape
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kaskad.certificates.pdf import html_to_pdf
from kaskad.core.cells import text_workbook
from kaskad.reports.figures import DrillRow
from kaskad.reports.tables import ReportScope, Table, annual_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PALETTE = ("#1f6fb2", "#e08a1e", "#3a9a5b", "#b03a48", "#6b5ca5")


def tables_workbook(tables: list[Table], *, title: str, scope_label: str) -> bytes:
    buffer = io.BytesIO()
    workbook = text_workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    header = workbook.add_format(
        {"bold": True, "bg_color": "#E6F1F9", "border": 1, "text_wrap": True, "valign": "top"}
    )
    text = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    number = workbook.add_format({"num_format": "#,##0", "border": 1})
    pct = workbook.add_format({"num_format": "0.0", "border": 1})
    total_text = workbook.add_format({"bold": True, "border": 1, "top": 2})
    total_number = workbook.add_format({"bold": True, "num_format": "#,##0", "border": 1, "top": 2})
    total_pct = workbook.add_format({"bold": True, "num_format": "0.0", "border": 1, "top": 2})
    used: set[str] = set()
    for index, table in enumerate(tables, start=1):
        name = f"{index} {table.title}"[:31]
        for ch in "[]:*?/\\":
            name = name.replace(ch, " ")
        while name in used:
            name = name[:29] + f"{index:02d}"
        used.add(name)
        sheet = workbook.add_worksheet(name)
        sheet.write(0, 0, f"{table.title} — {title}", bold)
        sheet.write(1, 0, scope_label)
        first = 3
        for col, label in enumerate(table.columns):
            sheet.write(first, col, label, header)
            sheet.set_column(col, col, 60 if col == 0 else 14)
        sheet.freeze_panes(first + 1, 1)
        for at, row in enumerate(table.rows, start=first + 1):
            fmts = (total_text, total_number, total_pct) if row.total else (text, number, pct)
            label = f"{row.label} ({row.code})" if row.code else row.label
            sheet.write(at, 0, label, fmts[0])
            for col, cell in enumerate(row.cells, start=1):
                if cell.text:
                    sheet.write(at, col, cell.text, fmts[0])
                elif cell.value is None:
                    sheet.write_blank(at, col, None, fmts[2] if cell.is_percent else fmts[1])
                else:
                    sheet.write_number(at, col, cell.value, fmts[2] if cell.is_percent else fmts[1])
        if table.note:
            sheet.write(first + len(table.rows) + 2, 0, table.note)
    workbook.close()
    return buffer.getvalue()


def drill_workbook(rows: list[DrillRow], *, title: str, scope_label: str) -> bytes:
    buffer = io.BytesIO()
    workbook = text_workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_("Records")[:31])
    bold = workbook.add_format({"bold": True})
    header = workbook.add_format({"bold": True, "bg_color": "#E6F1F9", "border": 1})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write(0, 0, title, bold)
    sheet.write(1, 0, scope_label)
    columns = [(_("Name"), 36), (_("Organisation"), 40), (_("Programme"), 16),
               (_("Date"), 12), (_("Details"), 40)]  # fmt: skip
    for col, (label, width) in enumerate(columns):
        sheet.write(3, col, label, header)
        sheet.set_column(col, col, width)
    for at, row in enumerate(rows, start=4):
        sheet.write(at, 0, row.name)
        sheet.write(at, 1, row.organisation)
        sheet.write(at, 2, row.programme)
        if row.on is not None:
            sheet.write_datetime(at, 3, row.on, day)
        sheet.write(at, 4, row.detail)
    workbook.close()
    return buffer.getvalue()


def bar_chart_svg(table: Table, *, width: int = 640) -> str:
    """A horizontal grouped bar chart of the table's chart columns (no total row), as SVG."""
    columns = [c for c in table.chart_columns if c < len(table.columns)]
    rows = [r for r in table.rows if not r.total][:14]
    if not columns or not rows:
        return ""
    values = [
        [float(r.cells[c - 1].value or 0) if c - 1 < len(r.cells) else 0.0 for c in columns]
        for r in rows
    ]
    top = max((v for vs in values for v in vs), default=0.0)
    if top <= 0:
        return ""
    bar, gap, label_w = 9, 8, 220
    group = bar * len(columns) + gap
    height = group * len(rows) + 30
    plot = width - label_w - 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Noto Sans, DejaVu Sans" font-size="9">'
    ]
    for i, (row, vs) in enumerate(zip(rows, values, strict=True)):
        y = i * group + 4
        label = row.label if len(row.label) <= 38 else row.label[:36] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar * len(columns) / 2 + 3}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        for j, v in enumerate(vs):
            w = plot * v / top
            parts.append(
                f'<rect x="{label_w}" y="{y + j * bar}" width="{w:.1f}" height="{bar - 1}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"/>'
                f'<text x="{label_w + w + 3:.1f}" y="{y + j * bar + bar - 2}">{v:g}</text>'
            )
    legend_y = height - 10
    x = label_w
    for j, c in enumerate(columns):
        name = escape(table.columns[c][:30])
        parts.append(
            f'<rect x="{x}" y="{legend_y - 8}" width="9" height="9" '
            f'fill="{PALETTE[j % len(PALETTE)]}"/><text x="{x + 12}" y="{legend_y}">{name}</text>'
        )
        x += 16 + 6 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def annual_report_html(*, year: int, scope: ReportScope, language: str, built_at: Any) -> str:
    with translation.override(language):
        tables = annual_report(year=year, scope=scope)
        return render_to_string(
            "reports/annual_pdf.html",
            {
                "year": year,
                "scope_label": scope.label,
                "tables": [(t, bar_chart_svg(t)) for t in tables],
                "built_at": built_at,
                "language": language,
                "printed": timezone.localtime(),
            },
        )


def annual_report_pdf(*, year: int, scope: ReportScope, language: str, built_at: Any) -> bytes:
    return html_to_pdf(
        annual_report_html(year=year, scope=scope, language=language, built_at=built_at)
    )
