"""Importing XLSForms: what is read, and every bad input named by sheet, row and column with
nothing created."""

from __future__ import annotations

from datetime import date

import pytest

from kaskad.core.errors import DomainError
from kaskad.surveys.models import Survey
from kaskad.surveys.services import FormRefused, SurveyFields, survey_import_xlsform
from kaskad.surveys.tests.factories import (
    CHOICES_SHEET,
    SURVEY_SHEET,
    officer,
    public_survey,
    workbook,
)

pytestmark = pytest.mark.django_db


def _fields(**changes: object) -> SurveyFields:
    values: dict = {
        "title": {"kk": "Сауалнама"},
        "audience": "public",
        "opens_on": date(2026, 9, 1),
        "closes_on": date(2026, 9, 30),
    }
    values.update(changes)
    return SurveyFields(**values)


def _refused(data: bytes, **changes: object) -> list:
    with pytest.raises(FormRefused) as caught:
        survey_import_xlsform(by=officer(), fields=_fields(**changes), data=data, filename="f.xlsx")
    assert Survey.objects.count() == 0
    return caught.value.problems


def _survey_with(row: int, column: str, value: str) -> list[list[str]]:
    rows = [list(r) for r in SURVEY_SHEET]
    rows[row - 1][rows[0].index(column)] = value
    return rows


def test_imports_questions_groups_labels_and_conditions() -> None:
    survey = public_survey(publish=False)
    form = survey.definition
    assert form["languages"] == ["kk", "ru"]
    names = [q["name"] for q in survey.questions()]
    assert names == [
        "has_child",
        "age",
        "safe",
        "teachers",
        "food",
        "topics",
        "hours",
        "visited",
        "comment",
    ]
    group = form["elements"][1]
    assert group["type"] == "group" and group["relevant_tree"] == [
        "=",
        ["ref", "has_child"],
        ["str", "yes"],
    ]
    age = group["children"][0]
    assert age["required"] and age["constraint_message"]["ru"] == "От 6 до 18"
    assert age["label"]["kk"] == "Балаңыздың жасы"
    assert [c["name"] for c in group["children"][1]["choices"]] == ["1", "2", "3", "4", "5"]
    assert survey.title == "Ата-аналар сауалнамасы"


def test_relevant_referring_to_an_unknown_field() -> None:
    problems = _refused(workbook(_survey_with(3, "relevant", "${no_such} = 'yes'")))
    assert [(p.sheet, p.row, p.column) for p in problems] == [("survey", 3, "relevant")]
    assert "${no_such}" in problems[0].message


def test_duplicate_choice_names() -> None:
    choices = [*CHOICES_SHEET, ["agree", "3", "Тағы", "Ещё"]]
    problems = _refused(workbook(choices=choices))
    assert [(p.sheet, p.row, p.column, p.value) for p in problems] == [("choices", 12, "name", "3")]
    assert "6" in problems[0].message  # the row of the first one


def test_language_column_without_a_matching_label() -> None:
    rows = [[*r, ""] for r in SURVEY_SHEET]
    rows[0][-1] = "hint::English (en)"
    problems = _refused(workbook(rows))
    assert [(p.sheet, p.row, p.column) for p in problems] == [("survey", 1, "hint::English (en)")]


def test_unsupported_types_and_columns_are_listed_with_their_place() -> None:
    rows = [[*r, ""] for r in SURVEY_SHEET]
    rows[0][-1] = "calculation"
    rows.insert(5, ["geopoint", "where", "Қайда", "Где", "", "", "", "", "", ""])
    problems = _refused(workbook(rows))
    assert {(p.sheet, p.row, p.column) for p in problems} == {
        ("survey", 1, "calculation"),
        ("survey", 6, "type"),
    }


def test_expressions_outside_the_subset_are_refused() -> None:
    problems = _refused(workbook(_survey_with(3, "relevant", "today() > date('2020-01-01')")))
    assert (problems[0].sheet, problems[0].row, problems[0].column) == ("survey", 3, "relevant")
    assert "today" in problems[0].message


def test_a_language_other_than_kk_ru_en() -> None:
    rows = [list(r) for r in SURVEY_SHEET]
    rows[0][3] = "label::French (fr)"
    problems = _refused(workbook(rows))
    assert any(p.column == "label::French (fr)" for p in problems)


def test_a_file_that_is_not_a_workbook() -> None:
    problems = _refused(b"not a spreadsheet")
    assert "xlsx" in problems[0].message


def test_a_survey_closed_before_it_opened() -> None:
    with pytest.raises(DomainError) as caught:
        survey_import_xlsform(
            by=officer(),
            fields=_fields(opens_on=date(2026, 9, 30), closes_on=date(2026, 9, 1)),
            data=workbook(),
            filename="f.xlsx",
        )
    assert caught.value.code == "closes_before_opening"
    assert caught.value.field == "closes_on"
    assert Survey.objects.count() == 0


def test_pyxform_refusals_are_passed_on() -> None:
    # An unclosed group: both readers refuse; nothing is created.
    rows = [r for r in SURVEY_SHEET if r[0] != "end_group"]
    problems = _refused(workbook(rows))
    assert problems[0].sheet == "survey" and problems[0].row == 3


def test_a_sheet_with_a_huge_number_of_rows_is_refused_early() -> None:
    # A small compressed workbook can hold hundreds of thousands of rows (each read, checked
    # and then loaded again by pyxform while the request waits): refused past the limit.
    from kaskad.surveys import xlsform

    rows = [list(SURVEY_SHEET[0])]
    rows += [["text", f"q{i}", "Сұрақ", "Вопрос", "", "", "", "", ""] for i in range(60)]
    original = xlsform.MAX_ROWS
    xlsform.MAX_ROWS = 50
    try:
        problems = _refused(workbook(rows, CHOICES_SHEET))
    finally:
        xlsform.MAX_ROWS = original
    assert problems[0].sheet == "survey" and "50" in problems[0].message
