"""Files for people: the error report of an import and the empty column templates."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Literal

from django.utils.translation import gettext as _

from kaskad.core.cells import text_workbook
from kaskad.registry.imports.columns import COLUMNS, KIND_LABELS
from kaskad.registry.imports.types import ImportResult, Kind, RowIssue
from kaskad.registry.imports.values import vocabularies

Format = Literal["csv", "xlsx"]
REPORT_DELIMITER = ";"


def _report_header() -> list[str]:
    return [_("file"), _("line"), _("column"), _("value"), _("severity"), _("reason"), _("code")]


def _report_rows(result: ImportResult) -> list[list[str | int]]:
    def rows(issues: list[RowIssue], severity: str) -> list[list[str | int]]:
        return [[i.file, i.line, i.column, i.value, severity, i.message, i.code] for i in issues]

    out = rows(result.errors, _("error")) + rows(result.warnings, _("warning"))
    hidden_errors = result.error_count - len(result.errors)
    hidden_warnings = result.warning_count - len(result.warnings)
    if hidden_errors > 0 or hidden_warnings > 0:
        out.append(
            [
                result.file,
                "",
                "",
                "",
                "",
                _(
                    "…and %(errors)s more errors and %(warnings)s more warnings not listed. "
                    "Correct the ones above and import again."
                )
                % {"errors": max(0, hidden_errors), "warnings": max(0, hidden_warnings)},
                "truncated",
            ]
        )
    return out


def write_error_report(result: ImportResult, path: Path | str, *, fmt: Format) -> Path:
    """Write every error and warning (file, line, column, value, reason) to `path`."""
    path = Path(path)
    header = _report_header()
    rows = _report_rows(result)
    if fmt == "csv":
        # UTF-8 with BOM: Excel then opens Cyrillic text correctly by double-click; semicolons:
        # Excel in a Russian or Kazakh locale (decimal comma) splits columns on them only.
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=REPORT_DELIMITER)
            writer.writerow(header)
            writer.writerows(rows)
        return path
    if fmt == "xlsx":
        workbook = text_workbook(str(path), {"constant_memory": True})
        try:
            sheet = workbook.add_worksheet(_("problems")[:31])
            bold = workbook.add_format({"bold": True})
            text = workbook.add_format({"num_format": "@"})
            sheet.write_row(0, 0, header, bold)
            for number, row in enumerate(rows, start=1):
                for column, value in enumerate(row):
                    if isinstance(value, int):
                        sheet.write_number(number, column, value)
                    else:
                        sheet.write_string(number, column, value, text)
            sheet.set_column(0, 0, 24)
            sheet.set_column(2, 3, 20)
            sheet.set_column(5, 5, 80)
        finally:
            workbook.close()
        return path
    raise ValueError(f"unknown report format: {fmt}")


def template_file(kind: Kind, fmt: Format) -> bytes:
    """The columns of `kind` with one example row (and, in XLSX, a sheet of notes)."""
    columns = COLUMNS[kind]
    names = [column.name for column in columns]
    example = [column.example for column in columns]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(names)
        writer.writerow(example)
        return buffer.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValueError(f"unknown template format: {fmt}")

    output = io.BytesIO()
    workbook = text_workbook(output, {"in_memory": True})
    required = workbook.add_format({"bold": True, "bg_color": "#FCE4B6", "border": 1})
    optional = workbook.add_format({"bold": True, "border": 1})
    text = workbook.add_format({"num_format": "@"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet = workbook.add_worksheet(str(KIND_LABELS[kind])[:31])
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.name, required if column.required else optional)
        # Text cells: Excel would otherwise drop the leading zero of IINs and BINs.
        sheet.set_column(index, index, max(14, len(column.name) + 2), text)
        sheet.write_string(1, index, column.example, text)
    sheet.freeze_panes(1, 0)

    notes = workbook.add_worksheet(_("notes")[:31])
    bold = workbook.add_format({"bold": True})
    notes.write_row(
        0, 0, [_("column"), _("required"), _("what to write"), _("allowed values")], bold
    )
    vocab = vocabularies()
    for number, column in enumerate(columns, start=1):
        allowed = ""
        if column.vocabulary:
            allowed = "\n".join(
                f"{code} — {label}" for code, label in vocab[column.vocabulary].described()
            )
        notes.write_string(number, 0, column.name, bold)
        notes.write_string(number, 1, _("yes") if column.required else _("no"))
        notes.write_string(number, 2, str(column.help), wrap)
        notes.write_string(number, 3, allowed, wrap)
    row = len(columns) + 2
    for line in (
        _(
            "Required columns are highlighted. Column names may be in any case and in any "
            "order, in English as here or in Russian or Kazakh (ИИН / ЖСН, Фамилия / Тегі…); "
            "optional columns may be left out."
        ),
        _(
            "Save as CSV UTF-8 (comma or semicolon separated) or as an Excel workbook; the "
            "first sheet that holds these column names is read. Keep identifier columns (IIN, "
            "BIN, codes) formatted as text."
        ),
        _(
            "Dates: YYYY-MM-DD or DD.MM.YYYY. Coded values: the code or its name in Kazakh, "
            "Russian or English."
        ),
        _("Import districts first, then organisations, then people."),
        _(
            "If any row has an error nothing is imported; you get a report listing every "
            "problem. Importing the same file again changes nothing."
        ),
    ):
        notes.write_string(row, 0, line)
        row += 1
    notes.set_column(0, 0, 22)
    notes.set_column(1, 1, 10)
    notes.set_column(2, 2, 60, wrap)
    notes.set_column(3, 3, 45, wrap)
    workbook.close()
    return output.getvalue()
