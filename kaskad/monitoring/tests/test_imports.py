"""Keys and response files: what is accepted, and every bad input refused with where and why,
writing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaskad.monitoring.imports import Rejected
from kaskad.monitoring.models import Item, Pupil, Response
from kaskad.monitoring.services import key_import, responses_import
from kaskad.monitoring.tests.factories import HEADER, make_form, make_monitor, make_world, write_csv

pytestmark = pytest.mark.django_db


def _import(world, path: Path, **kwargs):
    return responses_import(
        study_test=world.test, path=path, original_name=path.name, by=world.monitor, **kwargs
    )


def _row(world, code: str, answers: list[str], cls: str = "4A") -> list[str]:
    return [world.school_a.code, cls, code, "F", "kk", *answers]


def test_responses_are_scored_against_the_key(tmp_path: Path) -> None:
    world = make_world()
    path = write_csv(
        tmp_path / "r.csv",
        [
            HEADER,
            _row(world, "P1", ["A", "B", "C", "D", "A", "2"]),
            _row(world, "P2", ["b", "В", "", "1", "-", "1"]),  # lower case, Cyrillic В, blanks
        ],
    )
    outcome = _import(world, path)
    assert outcome.responses == 2 and outcome.pupils_created == 2
    p1 = Response.objects.get(pupil__code="P1")
    assert p1.scores == [1, 1, 1, 1, 1, 2] and p1.total == 7
    p2 = Response.objects.get(pupil__code="P2")
    assert p2.answers == ["B", "B", "", "1", "", "1"]
    assert p2.scores == [0, 1, None, 1, None, 1] and p2.total == 3
    assert Pupil.objects.get(code="P1").language == "kk"


def test_a_second_import_replaces_the_pupils_response(tmp_path: Path) -> None:
    world = make_world()
    _import(world, write_csv(tmp_path / "a.csv", [HEADER, _row(world, "P1", ["A"] * 5 + ["0"])]))
    _import(
        world,
        write_csv(tmp_path / "b.csv", [HEADER, _row(world, "P1", ["B"] * 5 + ["0"], cls="4B")]),
    )
    assert Response.objects.count() == 1
    assert Pupil.objects.get(code="P1").class_label == "4B"
    assert Response.objects.get().total == 1


def _rejected(world, path: Path) -> list[dict[str, object]]:
    with pytest.raises(Rejected) as caught:
        _import(world, path)
    assert Response.objects.count() == 0 and Pupil.objects.count() == 0
    return [issue.as_dict() for issue in caught.value.issues]


def test_unknown_pupil_code_column(tmp_path: Path) -> None:
    world = make_world()
    header = ["school", "class", "student", "1", "2", "3", "4", "5", "6"]
    issues = _rejected(
        world,
        write_csv(
            tmp_path / "r.csv",
            [header, [world.school_a.code, "4A", "X1", "A", "B", "C", "D", "A", "1"]],
        ),
    )
    codes = {i["code"] for i in issues}
    assert codes == {"unknown_column", "no_pupil_column"}
    unknown = next(i for i in issues if i["code"] == "unknown_column")
    assert unknown["line"] == 1 and unknown["column"] == "student"
    missing = next(i for i in issues if i["code"] == "no_pupil_column")
    assert "student" in str(missing["message"]) and "pupil" in str(missing["message"])


def test_answer_outside_the_options(tmp_path: Path) -> None:
    world = make_world()
    issues = _rejected(
        world,
        write_csv(
            tmp_path / "r.csv",
            [
                HEADER,
                _row(world, "P1", ["A", "B", "C", "D", "A", "1"]),
                _row(world, "P2", ["A", "E", "C", "D", "A", "3"]),
            ],
        ),
    )
    assert [(i["line"], i["column"], i["value"], i["code"]) for i in issues] == [
        (3, "2", "E", "answer_not_an_option"),
        (3, "6", "3", "score_out_of_range"),
    ]
    assert "A, B, C, D" in str(issues[0]["message"])


def test_more_items_than_the_test(tmp_path: Path) -> None:
    world = make_world()
    # a header with a seventh item, and a row with more values than the header
    issues = _rejected(
        world,
        write_csv(tmp_path / "h.csv", [[*HEADER, "7"], _row(world, "P1", ["A"] * 5 + ["1", "A"])]),
    )
    assert issues[0]["code"] == "more_items_than_test" and issues[0]["column"] == "7"
    issues = _rejected(
        world,
        write_csv(tmp_path / "r.csv", [HEADER, _row(world, "P1", ["A"] * 5 + ["1", "B", "C"])]),
    )
    assert [(i["line"], i["code"]) for i in issues] == [(2, "more_answers_than_items")]


def test_duplicate_pupil_code(tmp_path: Path) -> None:
    world = make_world()
    issues = _rejected(
        world,
        write_csv(
            tmp_path / "r.csv",
            [
                HEADER,
                _row(world, "P1", ["A"] * 5 + ["1"]),
                _row(world, "P2", ["A"] * 5 + ["1"]),
                _row(world, "P1", ["B"] * 5 + ["1"], cls="4B"),
            ],
        ),
    )
    assert [(i["line"], i["column"], i["value"], i["code"]) for i in issues] == [
        (4, "pupil", "P1", "duplicate_pupil")
    ]
    assert "line 2" in str(issues[0]["message"])


def test_the_same_code_in_two_schools_is_two_pupils(tmp_path: Path) -> None:
    world = make_world()
    rows = [
        HEADER,
        _row(world, "P1", ["A"] * 6),
        [world.school_b.code, "4A", "P1", "", "", *["A"] * 5, "0"],
    ]
    rows[1][-1] = "0"
    _import(world, write_csv(tmp_path / "r.csv", rows))
    assert Pupil.objects.filter(code="P1").count() == 2


def test_unknown_school_and_the_school_of_the_form(
    tmp_path: Path,
) -> None:
    world = make_world()
    issues = _rejected(
        world,
        write_csv(tmp_path / "r.csv", [HEADER, ["NOPE", "4A", "P1", "", "", *["A"] * 5, "0"]]),
    )
    assert issues[0]["code"] == "unknown_school"
    header = ["class", "pupil", "1", "2", "3", "4", "5", "6"]
    path = write_csv(tmp_path / "s.csv", [header, ["4A", "P1", *["A"] * 5, "0"]])
    with pytest.raises(Rejected):
        _import(world, path)
    _import(world, path, school=world.school_b)
    assert Pupil.objects.get().school == world.school_b


def test_a_file_that_is_not_a_table(tmp_path: Path) -> None:
    world = make_world()
    path = tmp_path / "r.csv"
    path.write_bytes(b"%PDF-1.4 binary")
    issues = _rejected(world, path)
    assert issues[0]["line"] == 0 and "PDF" in str(issues[0]["message"])


def test_xlsx_responses(tmp_path: Path) -> None:
    import openpyxl

    world = make_world()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Class", "Pupil code", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6"])
    sheet.append(["4A", "P9", "A", "B", "C", "D", "A", 2])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    _import(world, path, school=world.school_a)
    assert Response.objects.get().total == 7


# --- the key ---------------------------------------------------------------------------------


def test_key_import_sets_the_items(tmp_path: Path) -> None:
    monitor = make_monitor()
    form = make_form(by=monitor)
    path = write_csv(
        tmp_path / "key.csv",
        [
            ["item", "key", "max score", "strand", "skill", "difficulty"],
            ["1", "A", "", "Numbers", "Knowing", "easy"],
            ["2", "", "3", "Geometry", "Reasoning", "hard"],
        ],
    )
    assert key_import(form=form, path=path, original_name="key.csv", by=monitor) == 2
    items = list(form.items.all())
    assert [(i.position, i.key, i.max_score, i.difficulty) for i in items] == [
        (1, "A", 1, "easy"),
        (2, "", 3, "hard"),
    ]


def test_key_with_a_missing_item(tmp_path: Path) -> None:
    monitor = make_monitor()
    form = make_form(by=monitor)
    before = list(form.items.values_list("position", "key"))
    path = write_csv(
        tmp_path / "key.csv",
        [
            ["item", "key", "strand", "skill"],
            ["1", "A", "Numbers", "Knowing"],
            ["2", "", "Numbers", "Knowing"],  # no key and no maximum
            ["4", "C", "Numbers", "Knowing"],  # item 3 missing
        ],
    )
    with pytest.raises(Rejected) as caught:
        key_import(form=form, path=path, original_name="key.csv", by=monitor)
    issues = [(i.line, i.column, i.code) for i in caught.value.issues]
    assert issues == [(3, "key", "missing_key"), (0, "item", "missing_item")]
    assert "item 3 is missing" in caught.value.issues[1].message
    assert list(form.items.values_list("position", "key")) == before
    assert Item.objects.filter(form=form).count() == 6


def test_a_corrected_key_scores_the_responses_again(tmp_path: Path) -> None:
    world = make_world()
    _import(
        world,
        write_csv(tmp_path / "r.csv", [HEADER, _row(world, "P1", ["B", "B", "C", "D", "A", "2"])]),
    )
    assert Response.objects.get().total == 6
    path = write_csv(
        tmp_path / "key.csv",
        [
            ["item", "key", "max score", "strand"],
            ["1", "B", "", "N"],
            ["2", "B", "", "N"],
            ["3", "C", "", "N"],
            ["4", "D", "", "N"],
            ["5", "A", "", "N"],
            ["6", "", "2", "N"],
        ],
    )
    key_import(form=world.test.form, path=path, original_name="key.csv", by=world.monitor)
    assert Response.objects.get().total == 7
