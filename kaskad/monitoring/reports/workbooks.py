"""Workbooks (XLSX) of a study test, in the reader's language, built from the same numbers as
the pages."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from kaskad.core.cells import text_workbook
from kaskad.monitoring.analysis import ItemAnalysis

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(
    workbook: Any, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#eef2f7", "text_wrap": True})
    number = workbook.add_format({"num_format": "0.000"})
    sheet.write_row(0, 0, headers, bold)
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, float):
                sheet.write_number(r, c, value, number)
            elif value is None:
                sheet.write_blank(r, c, None)
            else:
                sheet.write(r, c, value)
    sheet.set_column(0, len(headers) - 1, 14)


def item_analysis_xlsx(analysis: ItemAnalysis, *, title: str) -> bytes:
    buffer = io.BytesIO()
    workbook = text_workbook(buffer, {"in_memory": True})
    headers = [
        _("Item"),
        _("Key"),
        _("Maximum score"),
        _("Content strand"),
        _("Skill"),
        _("Intended difficulty"),
        _("Answered"),
        _("Facility (p)"),
        _("Item–total r"),
        _("Item–rest r"),
        _("Alpha if deleted"),
        _("Rasch difficulty"),
        _("SE"),
        _("Infit"),
        _("Outfit"),
        _("Flags"),
    ]
    rows = [
        [
            row["item"].position,
            row["item"].key,
            row["item"].max_score,
            row["item"].strand,
            row["item"].skill,
            row["item"].get_difficulty_display(),
            row["n"],
            row["facility"],
            row["item_total"],
            row["item_rest"],
            row["alpha_if_deleted"],
            row["difficulty"],
            row["difficulty_se"],
            row["infit"],
            row["outfit"],
            "; ".join(row["flags"]),
        ]
        for row in analysis.rows
    ]
    _sheet(workbook, _("Items"), headers, rows)
    _sheet(
        workbook,
        _("Test"),
        [
            _("Test"),
            _("Pupils"),
            _("Mean"),
            _("SD"),
            _("Cronbach's alpha"),
            _("SEM"),
            _("Maximum score"),
        ],
        [
            [
                title,
                analysis.n_pupils,
                analysis.mean,
                analysis.sd,
                analysis.alpha,
                analysis.sem,
                analysis.max_total,
            ]
        ],
    )
    workbook.close()
    return buffer.getvalue()


def results_xlsx(
    *,
    pupils: Sequence[Sequence[Any]],
    strands: Sequence[str],
    comparison: dict[str, Any] | None,
) -> bytes:
    """Pupils' results (codes only) and, for readers of every school, the comparison."""
    buffer = io.BytesIO()
    workbook = text_workbook(buffer, {"in_memory": True})
    headers = [_("School"), _("Class"), _("Pupil code"), _("Score"), _("Percent"), _("Band")]
    headers += [f"{name} (%)" for name in strands]
    _sheet(workbook, _("Pupils"), headers, pupils)
    if comparison is not None:
        rows = []
        for row in comparison["schools"]:
            if row["suppressed"]:
                rows.append(
                    [
                        row["name"],
                        _("fewer than %(n)s pupils") % {"n": comparison["min_group"]},
                        None,
                        None,
                        None,
                    ]
                )
            else:
                rows.append([row["name"], row["n"], row["mean"], row["low"], row["high"]])
        _sheet(
            workbook,
            _("Schools"),
            [_("School"), _("Pupils"), _("Mean percent"), _("95% CI from"), _("95% CI to")],
            rows,
        )
    workbook.close()
    return buffer.getvalue()
