"""The responses of a survey as CSV, XLSX and SPSS `.sav` (numeric codes with value labels).
No name, account or time finer than the day is in any of them; a school or area with fewer
than five responses is left blank (selectors.export_rows)."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from typing import Any

from kaskad.core.cells import csv_text, text_workbook
from kaskad.surveys import definition as forms
from kaskad.surveys.models import RespondentGroup, Survey
from kaskad.surveys.selectors import export_rows


def as_csv(survey: Survey, language: str) -> bytes:
    names, labels, rows = export_rows(survey, language)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_text(v) for v in names])
    writer.writerow([csv_text(v) for v in labels])
    writer.writerows([csv_text(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(survey: Survey, language: str) -> bytes:

    names, labels, rows = export_rows(survey, language)
    out = io.BytesIO()
    book = text_workbook(out, {"in_memory": True, "constant_memory": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("responses")
    sheet.write_row(0, 0, names, bold)
    sheet.write_row(1, 0, labels)
    for index, row in enumerate(rows, start=2):
        sheet.write_row(index, 0, ["" if v is None else v for v in row])
    book.close()
    return out.getvalue()


def _variable(name: str) -> str:
    # SPSS: letters, digits, _ . @ #; starting with a letter; 64 bytes at most.
    clean = re.sub(r"[^A-Za-z0-9_.@#]", "_", name)
    if not clean[:1].isalpha():
        clean = "v" + clean
    return clean[:64]


def as_sav(survey: Survey, language: str) -> bytes:
    """SPSS: choices as their numeric codes with value labels; a select_multiple as one 0/1
    variable per choice; numbers as numbers; text and dates as strings."""
    import pandas as pd
    import pyreadstat

    _names, _labels, rows = export_rows(survey, language)
    questions = forms.flat_questions(survey.definition)
    columns: dict[str, list[Any]] = {"school": [], "area": [], "group": [], "day": []}
    column_labels: dict[str, str | None] = {
        "school": "school",
        "area": "area",
        "group": "respondent group",
        "day": "day",
    }
    value_labels: dict[str, dict[int | float, str]] = {}
    group_codes = {g.value: i for i, g in enumerate(RespondentGroup, start=1)}
    value_labels["group"] = {
        i: str(g.label) for g, i in ((g, group_codes[g.value]) for g in RespondentGroup)
    }
    layout: list[tuple[str, dict[str, Any], str | None]] = []
    for question in questions:
        label = forms.label_in(question.get("label"), language, question["name"])
        if question["type"] == "select_multiple":
            for choice in question.get("choices", []):
                var = _variable(f"{question['name']}_{choice['name']}")
                columns[var] = []
                choice_label = forms.label_in(choice.get("label"), language, choice["name"])
                column_labels[var] = f"{label}: {choice_label}"[:250]
                value_labels[var] = {0: "—", 1: "✓"}
                layout.append((var, question, choice["name"]))
            continue
        var = _variable(question["name"])
        columns[var] = []
        column_labels[var] = label[:250]
        if question["type"] == "select_one":
            codes = forms.choice_codes(question)
            value_labels[var] = {
                codes[c["name"]]: forms.label_in(c.get("label"), language, c["name"])
                for c in question.get("choices", [])
            }
        layout.append((var, question, None))
    for row in rows:
        columns["school"].append(row[0])
        columns["area"].append(row[1])
        columns["group"].append(float(group_codes.get(row[2], 0)) or None)
        columns["day"].append(row[3])
        answers = dict(zip([q["name"] for q in questions], row[4:], strict=True))
        for var, question, choice in layout:
            value = answers.get(question["name"])
            if choice is not None:
                columns[var].append(
                    None if value in (None, "") else float(choice in str(value).split())
                )
            elif question["type"] in ("select_one", "integer", "decimal"):
                columns[var].append(
                    None
                    if value in (None, "")
                    else forms.numeric_value(
                        question, value if question["type"] != "select_one" else str(value)
                    )
                )
            else:
                columns[var].append("" if value is None else str(value))
    frame = pd.DataFrame(columns)
    handle, path = tempfile.mkstemp(suffix=".sav")
    os.close(handle)
    try:
        pyreadstat.write_sav(
            frame,
            path,
            file_label=survey.title[:60],
            column_labels=column_labels,
            variable_value_labels=value_labels,
        )
        with open(path, "rb") as file:
            return file.read()
    finally:
        os.unlink(path)
