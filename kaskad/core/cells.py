"""Text from users in spreadsheets: never a formula.

Excel, LibreOffice and Google Sheets run a CSV field that starts with ``=``, ``+``, ``-`` or
``@`` (or a tab or carriage return before one) as a formula, so an answer such as
``=HYPERLINK("http://…"&A1)`` typed on a public page would run on the reader's machine. A text
field that starts so is written with a leading apostrophe, which spreadsheets show as text.
In XLSX the cells are written as strings (``strings_to_formulas`` off) and need no change.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# xlsxwriter options: a string is a string (no formula, no link guessed from its text).
XLSX_TEXT_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def csv_text(value: Any) -> Any:
    """`value` for a CSV field: a string that a spreadsheet would run gets an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def text_workbook(target: Any, options: dict[str, Any] | None = None) -> Any:
    """An xlsxwriter workbook whose strings stay strings: every export of the platform writes
    text typed by someone (names, titles, answers, file values), so no export may turn it into
    a formula or a link."""
    import xlsxwriter

    return xlsxwriter.Workbook(target, {**(options or {}), **XLSX_TEXT_OPTIONS})
