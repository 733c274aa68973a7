from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from kaskad.observations.models import Element, Instrument, InstrumentVersion
from kaskad.observations.selectors import version_data
from kaskad.observations.tests.factories import coordinator, seeded_version
from kaskad.observations.workbook import COLUMNS, export_version, import_file

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> list[list[object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _save(rows: list[list[object]], path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _renamed(rows: list[list[object]], code: str) -> list[list[object]]:
    return [rows[0]] + [[code, *row[1:]] for row in rows[1:]]


def test_export_then_import_gives_the_same_instrument(tmp_path: Path) -> None:
    rows = _rows(export_version(seeded_version()))
    assert rows[0] == COLUMNS
    assert len(rows) == 1 + 36
    path = _save(_renamed(rows, "COPY"), tmp_path / "copy.xlsx")
    outcome = import_file(path=path, filename="copy.xlsx", by=coordinator())
    assert outcome.ok, [str(e) for e in outcome.errors]
    assert outcome.version is not None and outcome.version.status == "draft"
    imported = version_data(outcome.version)
    original = version_data(seeded_version())
    original.code = "COPY"
    assert imported == original
    # Importing the same file again changes nothing (the draft is rewritten the same).
    again = import_file(path=path, filename="copy.xlsx", by=coordinator())
    assert again.ok and version_data(again.version) == imported  # type: ignore[arg-type]


def test_a_bad_file_names_line_column_and_value_and_writes_nothing(tmp_path: Path) -> None:
    rows = _renamed(_rows(export_version(seeded_version())), "BAD")
    col = {name: i for i, name in enumerate(COLUMNS)}
    rows[2][col["score"]] = 9  # line 3: outside 1-5
    rows[4][col["scale"]] = "1-6"  # line 5: no such scale
    rows[6][col["behaviour_ru"]] = ""  # line 7: a language missing
    rows[8][col["not_applicable"]] = "maybe"  # line 9
    rows[10][col["version"]] = "two"  # line 11
    path = _save(rows, tmp_path / "bad.xlsx")
    before = (
        Instrument.objects.count(),
        InstrumentVersion.objects.count(),
        Element.objects.count(),
    )
    outcome = import_file(path=path, filename="bad.xlsx", by=coordinator())
    assert not outcome.ok
    found = {(e.line, e.column, e.value, e.code) for e in outcome.errors}
    assert (3, "score", "9", "score_out_of_scale") in found
    assert (5, "scale", "1-6", "scale_unknown") in found
    assert (7, "behaviour_ru", "", "required") in found
    assert (9, "not_applicable", "maybe", "yes_no") in found
    assert (11, "version", "two", "version_number") in found
    assert "bad.xlsx, line 3, column “score”, value “9”" in str(
        next(e for e in outcome.errors if e.line == 3)
    )
    after = (Instrument.objects.count(), InstrumentVersion.objects.count(), Element.objects.count())
    assert after == before


def test_missing_columns_a_non_workbook_and_a_version_in_use(tmp_path: Path) -> None:
    rows = _rows(export_version(seeded_version()))
    path = _save([row[:-1] for row in rows], tmp_path / "short.xlsx")
    outcome = import_file(path=path, filename="short.xlsx", by=coordinator())
    assert [(e.column, e.code) for e in outcome.errors] == [("behaviour_en", "column_missing")]
    text = tmp_path / "notes.xlsx"
    text.write_text("just text", encoding="utf-8")
    outcome = import_file(path=text, filename="notes.xlsx", by=coordinator())
    assert not outcome.ok and outcome.errors[0].code == "not_xlsx"
    # Re-importing the seeded version once it has observations is refused.
    from kaskad.observations.tests.factories import observe, school_in, teacher_in

    observe(coordinator("ALA"), teacher_in(school_in("ALA")))
    path = _save(rows, tmp_path / "seeded.xlsx")
    outcome = import_file(path=path, filename="seeded.xlsx", by=coordinator())
    assert not outcome.ok
    assert outcome.errors[0].code == "version_in_use"
    assert "create a new version" in outcome.errors[0].message


def test_an_element_without_its_highest_behaviour_is_refused(tmp_path: Path) -> None:
    rows = _renamed(_rows(export_version(seeded_version())), "GAP")
    col = {name: i for i, name in enumerate(COLUMNS)}
    rows = [r for r in rows if not (r[col["element_code"]] == "ENG2" and r[col["score"]] == 5)]
    outcome = import_file(
        path=_save(rows, tmp_path / "gap.xlsx"), filename="gap.xlsx", by=coordinator()
    )
    assert [e.code for e in outcome.errors] == ["scale_ends"]
    assert "ENG2" in outcome.errors[0].message
