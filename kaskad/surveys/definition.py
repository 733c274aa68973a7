"""A survey's form as stored in `Survey.definition`, and the checks every form passes, whether
it was imported from an XLSForm or built on the screen.

    {"languages": ["kk", "ru"], "default_language": "kk",
     "elements": [
        {"type": "group", "name": "g", "label": {...}, "relevant": "...", "children": [...]},
        {"type": "select_one", "name": "q1", "label": {"kk": "...", "ru": "..."},
         "hint": {...}, "required": true, "relevant": "${x} = 'yes'", "constraint": "",
         "constraint_message": {...}, "list": "agree5",
         "choices": [{"name": "1", "label": {...}}, ...]},
        ...]}

Every `relevant` and `constraint` is parsed here (kaskad.surveys.expressions) and its tree kept
beside the text under `relevant_tree` / `constraint_tree`: the browser and the server evaluate
the same tree.
"""

from __future__ import annotations

import datetime
import math
import re
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kaskad.surveys import expressions

LANGUAGES = ("kk", "ru", "en")
QUESTION_TYPES = (
    "select_one",
    "select_multiple",
    "integer",
    "decimal",
    "text",
    "date",
    "note",
)
NUMERIC_TYPES = ("select_one", "select_multiple", "integer", "decimal", "date")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Problem:
    """What is wrong and where: sheet, row (1-based, header = 1) and column (a header name)."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""


class FormInvalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


# --- Walking ------------------------------------------------------------------------------------


def walk(
    elements: list[dict[str, Any]], parents: tuple[dict[str, Any], ...] = ()
) -> Iterator[tuple[dict[str, Any], tuple[dict[str, Any], ...]]]:
    """Every element with the groups it sits in, in order."""
    for element in elements:
        yield element, parents
        if element.get("type") == "group":
            yield from walk(element.get("children", []), (*parents, element))


def flat_questions(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The questions that take an answer (notes and groups aside), in order."""
    return [
        element
        for element, _parents in walk(list(definition.get("elements", [])))
        if element.get("type") in QUESTION_TYPES and element["type"] != "note"
    ]


def numeric_questions(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [q for q in flat_questions(definition) if q["type"] in NUMERIC_TYPES]


def label_in(labels: Mapping[str, str] | None, language: str, fallback: str = "") -> str:
    labels = labels or {}
    for code in (language, *LANGUAGES):
        if labels.get(code):
            return labels[code]
    return fallback


def scales(definition: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Likert-type scales: the select_one questions sharing a choice list whose names are all
    numbers, by list name (two items or more)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for question in flat_questions(definition):
        if (
            question["type"] == "select_one"
            and question.get("choices")
            and all(_is_number(c["name"]) for c in question["choices"])
        ):
            found.setdefault(question.get("list") or question["name"], []).append(question)
    return {name: items for name, items in found.items() if len(items) >= 2}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- Checking a definition ----------------------------------------------------------------------


def check(
    definition: dict[str, Any], *, where: Mapping[str, tuple[str, int]] | None = None
) -> None:
    """Parse every condition, check every reference, name and language; store the trees.
    `where` maps an element name to its (sheet, row) for the messages. Raises FormInvalid."""
    where = where or {}
    problems: list[Problem] = []
    languages = [code for code in definition.get("languages", []) if code in LANGUAGES]
    if not languages:
        problems.append(Problem(_("The form has no labels in Kazakh, Russian or English.")))
    elements = list(definition.get("elements", []))
    names: dict[str, dict[str, Any]] = {}
    for element, _parents in walk(elements):
        name = element.get("name", "")
        sheet, row = where.get(name, ("survey", None))
        if not NAME.match(name or ""):
            problems.append(
                Problem(
                    _("“%(name)s” is not a valid name: use letters, digits and “_”.")
                    % {"name": name},
                    sheet,
                    row,
                    "name",
                    name,
                )
            )
        elif name in names:
            problems.append(
                Problem(
                    _("The name “%(name)s” is used twice.") % {"name": name},
                    sheet,
                    row,
                    "name",
                    name,
                )
            )
        names[name] = element
    if not flat_questions(definition):
        problems.append(Problem(_("The form has no questions."), "survey"))
    for element, _parents in walk(elements):
        name = element.get("name", "")
        sheet, row = where.get(name, ("survey", None))
        labelled = any((element.get("label") or {}).get(code) for code in languages)
        if not labelled and element.get("type") != "group":
            problems.append(Problem(_("The question has no label."), sheet, row, "label", name))
        for column, allow_dot in (("relevant", False), ("constraint", True)):
            text = (element.get(column) or "").strip()
            element[f"{column}_tree"] = None
            if not text:
                continue
            try:
                tree = expressions.parse(text, allow_dot=allow_dot)
            except expressions.ExpressionError as error:
                problems.append(
                    Problem(
                        _("%(column)s: %(problem)s at character %(position)s.")
                        % {
                            "column": column,
                            "problem": error.message,
                            "position": error.position + 1,
                        },
                        sheet,
                        row,
                        column,
                        text,
                    )
                )
                continue
            unknown = sorted(expressions.references(tree) - set(names))
            if unknown:
                problems.append(
                    Problem(
                        _("%(column)s refers to %(names)s, which is not a question of this form.")
                        % {"column": column, "names": ", ".join(f"${{{n}}}" for n in unknown)},
                        sheet,
                        row,
                        column,
                        text,
                    )
                )
                continue
            element[f"{column}_tree"] = tree
        if element.get("type") in ("select_one", "select_multiple"):
            seen: set[str] = set()
            for choice in element.get("choices", []):
                if choice["name"] in seen:
                    problems.append(
                        Problem(
                            _("The choice “%(choice)s” appears twice in the list “%(list)s”.")
                            % {"choice": choice["name"], "list": element.get("list", "")},
                            "choices",
                            choice.get("row"),
                            "name",
                            choice["name"],
                        )
                    )
                seen.add(choice["name"])
            if not element.get("choices"):
                problems.append(
                    Problem(
                        _("The list “%(list)s” has no choices.") % {"list": element.get("list")},
                        sheet,
                        row,
                        "type",
                        element.get("list", ""),
                    )
                )
    if problems:
        raise FormInvalid(problems)


# --- Answers ------------------------------------------------------------------------------------


@dataclass
class Checked:
    answers: dict[str, Any]  # name → value (str, float, list of str, ISO date)
    errors: dict[str, str]  # name → message


def _visible(element: dict[str, Any], parents: tuple[dict[str, Any], ...], values: Any) -> bool:
    return all(expressions.holds(part.get("relevant_tree"), values) for part in (*parents, element))


def check_answers(definition: Mapping[str, Any], raw: Mapping[str, Any]) -> Checked:
    """Read the posted answers (`raw`: name → str or list of str) against the form on the
    server: types, choices, required, constraints, and skip logic (answers to questions that
    are not relevant are dropped, whatever was posted)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    order = [(e, p) for e, p in walk(list(definition.get("elements", [])))]
    # First pass: typed values of everything posted, so conditions can read later questions.
    for element, _parents in order:
        kind = element.get("type")
        if kind not in QUESTION_TYPES or kind == "note":
            continue
        name = element["name"]
        posted = raw.get(name)
        try:
            value = _typed(element, posted)
        except ValueError as error:
            errors[name] = str(error)
            continue
        if value not in ("", None, []):
            values[name] = value
    xform_values = {k: (" ".join(v) if isinstance(v, list) else v) for k, v in values.items()}
    answers: dict[str, Any] = {}
    for element, parents in order:
        kind = element.get("type")
        if kind not in QUESTION_TYPES or kind == "note":
            continue
        name = element["name"]
        if not _visible(element, parents, xform_values):
            xform_values.pop(name, None)
            errors.pop(name, None)
            continue
        if name in errors:
            continue
        value = values.get(name)
        if value is None:
            if element.get("required"):
                errors[name] = _("An answer is required.")
            continue
        current = xform_values.get(name, "")
        if not expressions.holds(element.get("constraint_tree"), xform_values, current):
            errors[name] = label_in(element.get("constraint_message"), _lang()) or _(
                "This answer is not allowed."
            )
            continue
        answers[name] = value
    return Checked(answers=answers, errors=errors)


def _lang() -> str:
    from django.utils import translation

    return translation.get_language() or "kk"


def _typed(element: Mapping[str, Any], posted: Any) -> Any:
    kind = element["type"]
    if posted is None:
        return None
    if kind == "select_multiple":
        chosen = [str(v) for v in (posted if isinstance(posted, list) else [posted]) if v != ""]
        names = {c["name"] for c in element.get("choices", [])}
        if any(v not in names for v in chosen):
            raise ValueError(_("Choose from the options given."))
        return chosen or None
    text = (posted[-1] if isinstance(posted, list) and posted else posted) or ""
    text = str(text).strip()
    if text == "":
        return None
    if kind == "select_one":
        if text not in {c["name"] for c in element.get("choices", [])}:
            raise ValueError(_("Choose from the options given."))
        return text
    if kind == "integer":
        if not re.fullmatch(r"-?\d{1,9}", text):
            raise ValueError(_("Enter a whole number."))
        return float(int(text))
    if kind == "decimal":
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) > Decimal("1e12"):
            raise ValueError(_("Enter a number."))
        return float(number)
    if kind == "date":
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if len(text) > 4000:
        raise ValueError(_("The answer is too long (4,000 characters at most)."))
    return text


def numeric_value(question: Mapping[str, Any], value: Any) -> float:
    """The number a question's answer stands for in the packed vector (NaN: no answer).
    Choices are coded by their position (1, 2...) unless their names are numbers; a
    select_multiple is a bit mask of its choices; a date is its ordinal."""
    if value is None or value == "":
        return math.nan
    kind = question["type"]
    if kind in ("integer", "decimal"):
        return float(value)
    if kind == "date":
        return float(datetime.date.fromisoformat(value).toordinal())
    codes = choice_codes(question)
    if kind == "select_one":
        return codes.get(str(value), math.nan)
    mask = 0
    for position, choice in enumerate(question.get("choices", [])):
        if choice["name"] in value:
            mask |= 1 << position
    return float(mask)


def choice_codes(question: Mapping[str, Any]) -> dict[str, float]:
    choices = question.get("choices", [])
    if all(_is_number(c["name"]) for c in choices):
        return {c["name"]: float(c["name"]) for c in choices}
    return {c["name"]: float(i) for i, c in enumerate(choices, start=1)}


def pack(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> bytes:
    questions = numeric_questions(definition)
    values = [numeric_value(q, answers.get(q["name"])) for q in questions]
    return struct.pack(f"<{len(values)}f", *values)
