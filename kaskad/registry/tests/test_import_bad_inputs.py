"""Every kind of bad input gets a clear error naming where it is, and changes nothing."""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.registry.imports import ImportResult, RowIssue, import_file
from kaskad.registry.imports.columns import ORGANISATIONS, names
from kaskad.registry.tests.factories import area_of, branch, make_organisation
from kaskad.registry.tests.test_import_support import (
    PEOPLE_HEADER,
    counts,
    csv_bytes,
    organisation_row,
    person_row,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db
ORGANISATION_HEADER = names(ORGANISATIONS)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def school():
    return make_organisation(area=area_of("AST"), code="AST-SCH-1")


def refused(kind: str, path: Path, **kwargs) -> tuple[ImportResult, dict[str, int]]:
    """Import a file that must be refused; return the result and check nothing changed."""
    before = counts()
    result = import_file(kind, path, **kwargs)  # type: ignore[arg-type]
    assert not result.ok
    assert result.created == result.updated == result.unchanged == 0
    assert counts() == before
    return result, before


def issue_at(result: ImportResult, line: int, column: str, code: str = "") -> RowIssue:
    """The error at (line, column); its text names the line, the column and the value."""
    matches = [e for e in result.errors if e.line == line and e.column == column]
    assert matches, f"no error at line {line}, column {column}: {result.errors}"
    issue = matches[0]
    if code:
        assert issue.code == code, issue
    text = str(issue)
    assert f"line {line}" in text and f"column “{column}”" in text
    assert f"value “{issue.value}”" in text
    return issue


def people_file(tmp_path: Path, school, bad: dict[str, str], *, name: str = "people.csv"):
    """Three rows, the middle one (line 3) spoiled by `bad`."""
    rows = [person_row(school), person_row(school, **bad), person_row(school)]
    return write_csv(tmp_path / name, PEOPLE_HEADER, rows), rows


# --- identifiers, dates and names ---------------------------------------------------------


def test_wrong_iin_check_digit(tmp_path: Path, school) -> None:
    path, _rows = people_file(tmp_path, school, {"iin": "871008401428"})
    result, _ = refused("people", path)
    issue = issue_at(result, 3, "iin", "iin_checksum")
    assert issue.value == "871008401428"
    assert "check digit" in issue.message


def test_impossible_date_inside_the_iin(tmp_path: Path, school) -> None:
    path, _rows = people_file(tmp_path, school, {"iin": "870230412345"})
    result, _ = refused("people", path)
    assert issue_at(result, 3, "iin", "iin_date").value == "870230412345"


def test_impossible_date_in_a_date_column(tmp_path: Path, school) -> None:
    path, _rows = people_file(tmp_path, school, {"started_on": "2023-02-30"})
    result, _ = refused("people", path)
    issue = issue_at(result, 3, "started_on", "date_impossible")
    assert issue.value == "2023-02-30"


def test_unreadable_date(tmp_path: Path, school) -> None:
    path, _rows = people_file(tmp_path, school, {"started_on": "first of May"})
    result, _ = refused("people", path)
    assert "YYYY-MM-DD" in issue_at(result, 3, "started_on", "date_format").message


def test_iin_disagrees_with_birth_date(tmp_path: Path, school) -> None:
    path, _rows = people_file(tmp_path, school, {"birth_date": "1985-03-15"})
    result, _ = refused("people", path)
    issue = issue_at(result, 3, "birth_date", "iin_birth_date_mismatch")
    assert "1985-03-14" in issue.message


def test_iin_disagrees_with_sex(tmp_path: Path, school) -> None:
    path, _rows = people_file(tmp_path, school, {"sex": "M"})
    result, _ = refused("people", path)
    assert issue_at(result, 3, "sex", "iin_sex_mismatch").value == "M"


def test_duplicate_iin_names_both_lines(tmp_path: Path, school) -> None:
    first = person_row(school)
    rows = [first, person_row(school), person_row(school, iin=first["iin"])]
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, rows)
    result, _ = refused("people", path)
    later = issue_at(result, 4, "iin", "duplicate_iin")
    earlier = issue_at(result, 2, "iin", "duplicate_iin")
    assert "line 2" in later.message and "line 4" in earlier.message


def test_unknown_organisation_code(tmp_path: Path, school) -> None:
    path, _rows = people_file(tmp_path, school, {"organisation_code": "NO-SUCH-SCHOOL"})
    result, _ = refused("people", path)
    assert issue_at(result, 3, "organisation_code", "unknown_organisation").value == (
        "NO-SUCH-SCHOOL"
    )


def test_missing_required_value(tmp_path: Path, school) -> None:
    path, _rows = people_file(tmp_path, school, {"surname": "  "})
    result, _ = refused("people", path)
    assert "required" in issue_at(result, 3, "surname", "required").message


def test_name_mixing_scripts_ambiguously_is_an_error(tmp_path: Path, school) -> None:
    path, _rows = people_file(tmp_path, school, {"given_name": "Asель"})
    result, _ = refused("people", path)
    assert issue_at(result, 3, "given_name", "name_mixed_script").value == "Asель"


def test_name_with_a_digit(tmp_path: Path, school) -> None:
    path, _rows = people_file(tmp_path, school, {"surname": "Ив4нова"})
    result, _ = refused("people", path)
    assert "“4”" in issue_at(result, 3, "surname", "name_bad_char").message


@pytest.mark.parametrize(
    ("column", "value"),
    [("position", "astronaut"), ("level", "kindergarten+"), ("category", "grandmaster")],
)
def test_bad_coded_values(tmp_path: Path, school, column: str, value: str) -> None:
    path, _rows = people_file(tmp_path, school, {column: value})
    result, _ = refused("people", path)
    issue = issue_at(result, 3, column, "bad_choice")
    assert issue.value == value and "Use one of" in issue.message


@pytest.mark.parametrize(
    ("value", "code"),
    [("twelve", "not_a_number"), ("-3", "not_a_number"), ("61", "number_too_large")],
)
def test_bad_experience_years(tmp_path: Path, school, value: str, code: str) -> None:
    path, _rows = people_file(tmp_path, school, {"experience_years": value})
    result, _ = refused("people", path)
    assert issue_at(result, 3, "experience_years", code).value == value


def test_category_awarded_in_the_future(tmp_path: Path, school) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    path, _rows = people_file(tmp_path, school, {"category_awarded_on": tomorrow})
    result, _ = refused("people", path)
    assert "future" in issue_at(result, 3, "category_awarded_on", "date_in_future").message


def test_bad_email(tmp_path: Path, school) -> None:
    path, _rows = people_file(tmp_path, school, {"email": "aliya at school"})
    result, _ = refused("people", path)
    issue_at(result, 3, "email", "bad_email")


def test_every_row_is_reported_not_only_the_first(tmp_path: Path, school) -> None:
    rows = [person_row(school, iin="1"), person_row(school), person_row(school, position="x")]
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, rows)
    result, _ = refused("people", path)
    assert {(e.line, e.column) for e in result.errors} == {(2, "iin"), (4, "position")}


def test_row_outside_a_coordinators_scope(tmp_path: Path, school) -> None:
    almaty_school = make_organisation(area=area_of("ALA"), code="ALA-SCH-1")
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    rows = [person_row(almaty_school), person_row(school)]
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, rows)
    result, _ = refused("people", path, by=coordinator)
    issue = issue_at(result, 3, "organisation_code", "out_of_scope")
    assert "Out of your scope" in issue.message
    assert [e.line for e in result.errors] == [3]


# --- organisations and districts -----------------------------------------------------------


def organisations_file(tmp_path: Path, bad: dict[str, str]) -> Path:
    rows = [
        organisation_row(code="A-1", bin="950341000052"),
        organisation_row(**{"code": "A-2", "bin": "", "kind": "kindergarten", **bad}),
    ]
    return write_csv(tmp_path / "organisations.csv", ORGANISATION_HEADER, rows)


def test_invalid_bin(tmp_path: Path) -> None:
    result, _ = refused("organisations", organisations_file(tmp_path, {"bin": "940140000380"}))
    assert issue_at(result, 3, "bin", "bin_checksum").value == "940140000380"


def test_bin_required_for_a_school(tmp_path: Path) -> None:
    result, _ = refused("organisations", organisations_file(tmp_path, {"kind": "school"}))
    issue_at(result, 3, "bin", "bin_required")


def test_unknown_area_code(tmp_path: Path) -> None:
    result, _ = refused("organisations", organisations_file(tmp_path, {"area_code": "990000000"}))
    assert "KATO" in issue_at(result, 3, "area_code", "unknown_area").message


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("kind", "spaceport", "bad_choice"),
        ("locality", "suburban", "bad_choice"),
        ("ungraded", "maybe", "bad_boolean"),
        ("status", "sleeping", "bad_status"),
        ("district_code", "711999999", "unknown_district"),
    ],
)
def test_bad_organisation_values(tmp_path: Path, column: str, value: str, code: str) -> None:
    result, _ = refused("organisations", organisations_file(tmp_path, {column: value}))
    assert issue_at(result, 3, column, code).value == value


def test_bad_language_names_the_item(tmp_path: Path) -> None:
    result, _ = refused("organisations", organisations_file(tmp_path, {"languages": "kk; klingon"}))
    assert issue_at(result, 3, "languages", "bad_choice").value == "klingon"


def test_district_code_outside_its_area(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "districts.csv",
        ["code", "area_code", "name_kk", "name_ru"],
        [["751110000", "710000000", "Аудан", "Район"]],
    )
    result, _ = refused("districts", path)
    assert "71" in issue_at(result, 2, "code", "district_prefix").message


# --- headers -------------------------------------------------------------------------------


def test_unknown_and_missing_columns_are_named(tmp_path: Path, school) -> None:
    header = [n for n in PEOPLE_HEADER if n != "started_on"] + ["shoe_size"]
    row = person_row(school)
    path = write_csv(tmp_path / "people.csv", header, [{**row, "shoe_size": "38"}])
    result, _ = refused("people", path)
    messages = " ".join(e.message for e in result.errors)
    assert "shoe_size" in messages and "started_on" in messages
    assert {e.code for e in result.errors} == {"unknown_columns", "missing_columns"}
    assert all(e.line == 1 for e in result.errors)


def test_header_only_file_has_no_data_rows(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(",".join(PEOPLE_HEADER) + "\n", encoding="utf-8")
    result, _ = refused("people", path)
    assert result.errors[0].code == "no_rows"
    assert "no data rows" in result.errors[0].message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"")
    result, _ = refused("people", path)
    assert (result.errors[0].code, result.errors[0].message) == ("empty", "The file is empty.")


# --- the shape of the CSV ----------------------------------------------------------------


def test_row_with_fewer_values_than_the_header(tmp_path: Path, school) -> None:
    text = csv_bytes(PEOPLE_HEADER, [person_row(school)])
    text += "123456789012,Иванова\r\n"
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    result, _ = refused("people", path)
    [issue] = result.errors
    assert (issue.line, issue.code) == (3, "too_few_values")
    assert "line 3" in str(issue) and "2 values" in issue.message


def test_row_with_more_values_than_the_header(tmp_path: Path, school) -> None:
    values = [person_row(school)[name] for name in PEOPLE_HEADER] + ["surplus"]
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [values])
    result, _ = refused("people", path)
    assert (result.errors[0].line, result.errors[0].code) == (2, "too_many_values")


def test_unterminated_quote_names_its_line(tmp_path: Path, school) -> None:
    text = csv_bytes(PEOPLE_HEADER, [person_row(school), person_row(school)])
    lines = text.split("\r\n")
    lines[2] = lines[2].replace("Қасымова", '"Қасымова', 1)  # opened, never closed
    path = tmp_path / "people.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8")
    result, _ = refused("people", path)
    issue = result.errors[-1]
    assert (issue.line, issue.code) == (3, "csv_quote")
    assert "line 3" in str(issue).lower() and "quote" in issue.message


def test_truncated_csv_in_the_middle_of_a_quoted_value(tmp_path: Path, school) -> None:
    text = csv_bytes(PEOPLE_HEADER, [person_row(school), person_row(school, subjects="a, b")])
    path = tmp_path / "people.csv"
    path.write_text(text[: text.index('"a, b"') + 3], encoding="utf-8")
    result, _ = refused("people", path)
    assert (result.errors[-1].line, result.errors[-1].code) == (3, "csv_quote")


# --- encodings and things that are not CSV at all -----------------------------------------


def test_latin1_text_is_not_mistaken_for_windows_1251(tmp_path: Path, school) -> None:
    row = person_row(school, surname="Müller", given_name="Zoé", patronymic="")
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, [row] * 3).encode("latin-1"))
    result, _ = refused("people", path)
    assert result.errors[0].code == "encoding"
    assert "UTF-8" in result.errors[0].message


def test_encoding_that_changes_half_way_names_the_line(tmp_path: Path, school) -> None:
    text = csv_bytes(PEOPLE_HEADER, [person_row(school)])
    header, row = text.split("\r\n", 1)
    blank_lines = 600_000  # more than the encoding sample: that part is plain UTF-8
    russian = person_row(school, surname="Иванова", given_name="Мария", patronymic="")
    bad_row = csv_bytes(PEOPLE_HEADER, [russian]).split("\r\n", 1)[1]
    path = tmp_path / "people.csv"
    path.write_bytes(
        (header + "\r\n" + row).encode("utf-8") + b"\r\n" * blank_lines + bad_row.encode("cp1251")
    )
    result, _ = refused("people", path)
    issue = result.errors[-1]
    line = 3 + blank_lines
    assert (issue.code, issue.line) == ("encoding", line)
    assert f"Line {line} is not valid UTF-8" in issue.message


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
        (b"iin,surname\n\x00\x01\x02\x03binary\x00\x00", "binary data"),
    ],
)
def test_binary_file_renamed_to_csv(tmp_path: Path, content: bytes, what: str) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    result, _ = refused("people", path)
    assert result.errors[0].code == "not_csv"
    assert "This is not a CSV file" in result.errors[0].message and what in result.errors[0].message


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.txt", "hello")
    result, _ = refused("people", path)
    assert result.errors[0].code == "not_csv" and "ZIP" in result.errors[0].message


def test_truncated_xlsx(tmp_path: Path, school) -> None:
    whole = write_xlsx(
        tmp_path / "whole.xlsx", PEOPLE_HEADER, [[person_row(school)[n] for n in PEOPLE_HEADER]]
    )
    path = tmp_path / "people.xlsx"
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    result, _ = refused("people", path)
    assert result.errors[0].code == "xlsx_damaged"
    assert "damaged or incomplete" in result.errors[0].message


def test_old_xls_format(tmp_path: Path) -> None:
    path = tmp_path / "people.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    result, _ = refused("people", path)
    assert result.errors[0].code == "old_excel" and ".xlsx" in result.errors[0].message


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path, settings) -> None:
    settings.IMPORT_MAX_BYTES = 50 * 1024 * 1024
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper, nothing on disk
    result, _ = refused("people", path)
    [issue] = result.errors
    assert issue.code == "too_large"
    message = issue.message.replace("\xa0", " ")
    assert "100.0 MB" in message and "50.0 MB" in message


def test_bom_only_counts_as_no_header(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"\r\n")
    result, _ = refused("people", path)
    assert result.errors[0].code == "no_header"
