"""Reading an XLSForm (the `survey`, `choices` and `settings` sheets of ODK and KoboToolbox)
into a survey definition.

Two readers look at every file. pyxform, the reference implementation of the format, converts
it to an XForm: whatever it refuses, we refuse, with its message. Our own reader walks the
sheets cell by cell, so each problem is named by sheet, row and column, and refuses what the
platform does not support (other question types, other columns, conditions outside the subset
of kaskad.surveys.expressions, languages other than kk/ru/en). Nothing is created unless both
accept the file.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kaskad.surveys.definition import LANGUAGES, FormInvalid, Problem, check

# Columns of the survey sheet we read; any other is refused (it would be silently ignored).
SURVEY_COLUMNS = {
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "appearance",
}
TRANSLATED = {"label", "hint", "constraint_message", "required_message"}
CHOICES_COLUMNS = {"list_name", "list name", "name", "label"}
SETTINGS_COLUMNS = {"form_title", "form_id", "version", "default_language", "style"}
TYPE_ALIASES = {
    "begin group": "begin_group",
    "end group": "end_group",
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "select multiple": "select_multiple",
    "int": "integer",
}
SIMPLE_TYPES = {"integer", "decimal", "text", "date", "note"}
LANGUAGE_HEADER = re.compile(r"^(?P<base>[a-z_ ]+)::(?P<lang>.+)$")
LANGUAGE_CODE = re.compile(r"\(([a-zA-Z-]+)\)\s*$")


@dataclass
class Parsed:
    definition: dict[str, Any]
    title: dict[str, str]


def _language(text: str) -> str:
    text = text.strip()
    match = LANGUAGE_CODE.search(text)
    code = (match.group(1) if match else text).lower()
    return code


# A form has tens or hundreds of rows; a small compressed file can hold a million, each read,
# checked and loaded again by pyxform while the request waits.
MAX_ROWS = 5000
MAX_COLUMNS = 200


def _rows(sheet: Any) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    try:
        header = [("" if h is None else str(h).strip()) for h in next(rows)]
    except StopIteration:
        return [], []
    out: list[tuple[int, dict[str, Any]]] = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise FormInvalid(
                [
                    Problem(
                        _("The sheet has more than %(count)s rows: a form is much shorter.")
                        % {"count": MAX_ROWS},
                        str(sheet.title).strip().lower(),
                        number,
                    )
                ]
            )
        cells = {
            header[i]: ("" if v is None else str(v).strip())
            for i, v in enumerate(values)
            if i < len(header) and header[i]
        }
        if any(cells.values()):
            out.append((number, cells))
    return header, out


def _split(column: str) -> tuple[str, str | None]:
    """("label", "kk") for `label::Kazakh (kk)`; ("label", None) for `label`."""
    match = LANGUAGE_HEADER.match(column)
    if match:
        return match.group("base").strip(), _language(match.group("lang"))
    return column, None


def read(data: bytes, *, filename: str = "") -> Parsed:
    """The definition in `data` (an .xlsx file), or FormInvalid with every problem found."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise FormInvalid(
            [Problem(_("The file is not an Excel workbook (.xlsx) that can be read."), filename)]
        ) from None
    sheets = {name.strip().lower(): book[name] for name in book.sheetnames}
    if "survey" not in sheets:
        raise FormInvalid([Problem(_("The workbook has no “survey” sheet."), "survey")])
    problems: list[Problem] = []
    settings = _settings(sheets.get("settings"), problems)
    default = _language(settings.get("default_language", "")) or "kk"
    if default not in LANGUAGES:
        problems.append(
            Problem(
                _("The default language “%(value)s” is not Kazakh, Russian or English.")
                % {"value": settings.get("default_language")},
                "settings",
                2,
                "default_language",
                settings.get("default_language", ""),
            )
        )
        default = "kk"
    choices = _choices(sheets.get("choices"), default, problems)
    elements, languages, where = _survey(sheets["survey"], default, choices, problems)
    title = {default: settings.get("form_title", "")} if settings.get("form_title") else {}
    definition = {"languages": languages, "default_language": default, "elements": elements}
    if not problems:
        try:
            check(definition, where=where)
        except FormInvalid as invalid:
            problems.extend(invalid.problems)
    if not problems:
        problems.extend(_pyxform(data))
    if problems:
        raise FormInvalid(problems)
    return Parsed(definition=definition, title=title)


def _settings(sheet: Any, problems: list[Problem]) -> dict[str, str]:
    if sheet is None:
        return {}
    header, rows = _rows(sheet)
    for column in header:
        base, _lang = _split(column)
        if column and base not in SETTINGS_COLUMNS:
            problems.append(
                Problem(
                    _("The column “%(column)s” is not supported.") % {"column": column},
                    "settings",
                    1,
                    column,
                    column,
                )
            )
    return dict(rows[0][1]) if rows else {}


def _labels(cells: dict[str, str], base: str, default: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for column, value in cells.items():
        name, lang = _split(column)
        if name == base and value:
            out[lang or default] = value
    return out


def _check_header(
    sheet: str, header: list[str], allowed: set[str], problems: list[Problem]
) -> set[str]:
    """The languages of the header's translated columns; unsupported columns are problems."""
    languages: set[str] = set()
    label_languages: set[str] = set()
    for column in header:
        if not column:
            continue
        base, lang = _split(column)
        if base not in allowed or (lang is not None and base not in TRANSLATED | {"label"}):
            problems.append(
                Problem(
                    _("The column “%(column)s” is not supported.") % {"column": column},
                    sheet,
                    1,
                    column,
                    column,
                )
            )
            continue
        if lang is None:
            continue
        if lang not in LANGUAGES:
            problems.append(
                Problem(
                    _(
                        "The language of the column “%(column)s” is not Kazakh (kk), "
                        "Russian (ru) or English (en)."
                    )
                    % {"column": column},
                    sheet,
                    1,
                    column,
                    column,
                )
            )
            continue
        languages.add(lang)
        if base == "label":
            label_languages.add(lang)
    for column in header:
        base, lang = _split(column) if column else ("", None)
        if lang in languages and base != "label" and lang not in label_languages:
            problems.append(
                Problem(
                    _(
                        "The column “%(column)s” is in a language that has no label column "
                        "(add “label::…(%(lang)s)”)."
                    )
                    % {"column": column, "lang": lang},
                    sheet,
                    1,
                    column,
                    column,
                )
            )
    return label_languages


def _choices(sheet: Any, default: str, problems: list[Problem]) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    if sheet is None:
        return lists
    header, rows = _rows(sheet)
    _check_header("choices", header, CHOICES_COLUMNS, problems)
    seen: dict[tuple[str, str], int] = {}
    for number, cells in rows:
        list_name = cells.get("list_name") or cells.get("list name") or ""
        name = cells.get("name", "")
        if not list_name or not name:
            problems.append(
                Problem(
                    _("A choice needs a list name and a name."),
                    "choices",
                    number,
                    "name" if list_name else "list_name",
                )
            )
            continue
        if (list_name, name) in seen:
            problems.append(
                Problem(
                    _(
                        "The choice “%(choice)s” appears twice in the list “%(list)s” "
                        "(first on row %(first)s)."
                    )
                    % {"choice": name, "list": list_name, "first": seen[(list_name, name)]},
                    "choices",
                    number,
                    "name",
                    name,
                )
            )
            continue
        seen[(list_name, name)] = number
        lists.setdefault(list_name, []).append(
            {"name": name, "label": _labels(cells, "label", default)}
        )
    return lists


def _survey(
    sheet: Any,
    default: str,
    choices: dict[str, list[dict[str, Any]]],
    problems: list[Problem],
) -> tuple[list[dict[str, Any]], list[str], dict[str, tuple[str, int]]]:
    header, rows = _rows(sheet)
    label_languages = _check_header("survey", header, SURVEY_COLUMNS, problems)
    if "label" in header:
        label_languages.add(default)
    languages = [code for code in LANGUAGES if code in label_languages]
    root: list[dict[str, Any]] = []
    stack: list[list[dict[str, Any]]] = [root]
    opened: list[int] = []
    where: dict[str, tuple[str, int]] = {}
    for number, cells in rows:
        raw_type = re.sub(r"\s+", " ", cells.get("type", "")).strip()
        words = raw_type.split(" ")
        kind = TYPE_ALIASES.get(raw_type, raw_type)
        list_name = ""
        if words[0] in ("select_one", "select_multiple") or raw_type.startswith(
            ("select one ", "select all that apply ", "select multiple ")
        ):
            head, _sep, list_name = raw_type.rpartition(" ")
            kind = TYPE_ALIASES.get(head, head)
        name = cells.get("name", "")
        if kind == "end_group":
            if len(stack) == 1:
                problems.append(
                    Problem(_("“end_group” without a “begin_group”."), "survey", number, "type")
                )
            else:
                stack.pop()
                opened.pop()
            continue
        if kind not in SIMPLE_TYPES | {"select_one", "select_multiple", "begin_group"}:
            problems.append(
                Problem(
                    _("The question type “%(type)s” is not supported.") % {"type": raw_type},
                    "survey",
                    number,
                    "type",
                    raw_type,
                )
            )
            continue
        where[name] = ("survey", number)
        element: dict[str, Any] = {
            "type": "group" if kind == "begin_group" else kind,
            "name": name,
            "label": _labels(cells, "label", default),
            "hint": _labels(cells, "hint", default),
            "relevant": cells.get("relevant", ""),
        }
        if kind != "begin_group" and kind != "note":
            required = cells.get("required", "").lower()
            if required not in ("", "yes", "no", "true", "false", "true()", "false()", "1", "0"):
                problems.append(
                    Problem(
                        _("“required” must be yes or no."),
                        "survey",
                        number,
                        "required",
                        cells.get("required", ""),
                    )
                )
            element["required"] = required in ("yes", "true", "true()", "1")
            element["constraint"] = cells.get("constraint", "")
            element["constraint_message"] = _labels(cells, "constraint_message", default)
            element["appearance"] = cells.get("appearance", "")
        if kind in ("select_one", "select_multiple"):
            if list_name not in choices:
                problems.append(
                    Problem(
                        _("The list “%(list)s” is not on the choices sheet.") % {"list": list_name},
                        "survey",
                        number,
                        "type",
                        raw_type,
                    )
                )
            element["list"] = list_name
            element["choices"] = [dict(c) for c in choices.get(list_name, [])]
        stack[-1].append(element)
        if kind == "begin_group":
            element["children"] = []
            stack.append(element["children"])
            opened.append(number)
    for number in opened:
        problems.append(
            Problem(_("This group is never closed with “end_group”."), "survey", number, "type")
        )
    return root, languages, where


def _pyxform(data: bytes) -> list[Problem]:
    """The reference implementation's verdict on the file."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        convert(xlsform=data, file_type=".xlsx", warnings=[])
    except PyXFormError as error:
        message = str(error)
        match = re.search(r"\[row\s*:\s*(\d+)\]", message)
        sheet = "choices" if "choices" in message.lower() else "survey"
        return [
            Problem(
                _("The form is not a valid XLSForm: %(message)s") % {"message": message},
                sheet,
                int(match.group(1)) if match else None,
            )
        ]
    except Exception as error:
        return [
            Problem(_("The form is not a valid XLSForm: %(message)s") % {"message": str(error)})
        ]
    return []
