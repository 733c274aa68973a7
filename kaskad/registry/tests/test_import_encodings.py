"""Files as Excel, LibreOffice and old Windows machines save them: encodings by evidence,
Excel's habits (numbers that lost their zeros, day numbers, formulas, titles, other sheets),
headers in Russian and Kazakh, and messages that say what was read and what went wrong.

Every file is written in the test: bytes encoded here, workbooks written with openpyxl or
XlsxWriter.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from django.utils import translation

from kaskad.registry.identifiers import is_valid_bin, make_iin
from kaskad.registry.imports import ImportResult, import_file, write_error_report
from kaskad.registry.imports.columns import (
    COLUMNS,
    ORGANISATIONS,
    SYNONYMS,
    canonical_header,
    names,
)
from kaskad.registry.imports.reader import check_size, size_limit
from kaskad.registry.models import Employment, Organisation, Person
from kaskad.registry.tests.factories import area_of, make_organisation, unique_iin
from kaskad.registry.tests.test_import_support import (
    PEOPLE_HEADER,
    counts,
    csv_bytes,
    organisation_row,
    person_row,
    write_xlsx,
)

pytestmark = pytest.mark.django_db
ORGANISATION_HEADER = names(ORGANISATIONS)
KAZAKH_ORG = "Қарағанды облысы әдістемелік орталығы"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def school() -> Organisation:
    return make_organisation(area=area_of("AST"), code="AST-SCH-1")


def refused(kind: str, path: Path) -> ImportResult:
    before = counts()
    result = import_file(kind, path)  # type: ignore[arg-type]
    assert not result.ok
    assert counts() == before
    return result


def kazakh_people(school: Organisation, count: int = 3) -> list[dict[str, str]]:
    names_ = [("Қасымова", "Әлия", "Нұрланқызы"), ("Өмірбеков", "Ұлан", "Ғалымұлы")]
    return [
        person_row(school, surname=s, given_name=g, patronymic=p)
        for s, g, p in (names_ * count)[:count]
    ]


# --- encodings ------------------------------------------------------------------------------


def test_kz1048_organisations_are_stored_as_written(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    row = organisation_row(kind="method_centre", bin="", code="KRG-MC", name_kk=KAZAKH_ORG)
    path.write_bytes(csv_bytes(ORGANISATION_HEADER, [row]).encode("kz1048"))

    result = import_file("organisations", path)

    assert result.ok, result.errors
    assert Organisation.objects.get(code="KRG-MC").name_kk == KAZAKH_ORG  # type: ignore[attr-defined]
    assert "The file was read as KZ-1048 text." in result.notes


def test_kz1048_people_names_are_read_as_kazakh(tmp_path: Path, school) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, kazakh_people(school)).encode("kz1048"))

    result = import_file("people", path)

    assert result.ok, result.errors
    assert set(Person.objects.values_list("surname", flat=True)) == {"Қасымова", "Өмірбеков"}
    assert result.notes[0] == "The file was read as KZ-1048 text."


def test_windows_1251_with_ukrainian_names_stays_windows_1251(tmp_path: Path) -> None:
    name_ru = "Школа имени Євгенії Андрієнко, Олексіївка"
    row = organisation_row(kind="method_centre", bin="", code="MC-1", name_ru=name_ru)
    path = tmp_path / "orgs.csv"
    path.write_bytes(csv_bytes(ORGANISATION_HEADER, [row]).encode("cp1251"))

    result = import_file("organisations", path)

    assert result.ok, result.errors
    assert Organisation.objects.get(code="MC-1").name_ru == name_ru  # type: ignore[attr-defined]
    assert result.notes[0] == "The file was read as Windows-1251 text."


def test_file_that_could_be_either_single_byte_encoding_is_refused(tmp_path: Path, school) -> None:
    # "Ї" before a consonant at the start of a word: Ukrainian Їжак or Kazakh Үміт alike.
    row = person_row(school, surname="Їмаш", given_name="Мария", patronymic="")
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, [row]).encode("cp1251"))

    [issue] = refused("people", path).errors

    assert issue.code == "encoding_ambiguous"
    assert "Windows-1251 or KZ-1048" in issue.message and "CSV UTF-8" in issue.message


def test_kazakh_letters_lost_as_question_marks_are_refused(tmp_path: Path, school) -> None:
    # What Excel's "CSV (comma delimited)" writes on a Russian Windows for Kazakh names.
    rows = [
        person_row(school, surname="Иванова", given_name="Мария", patronymic=""),
        person_row(school, surname="?асымова", given_name="?лия", patronymic="Н?рлан?ызы"),
    ]
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, rows).encode("cp1251"))

    [issue] = refused("people", path).errors

    assert (issue.code, issue.line, issue.value) == ("letters_lost", 3, "?асымова")
    assert "“?” in place of letters" in issue.message and "CSV UTF-8" in issue.message


def test_windows_1251_with_keyboard_layout_slips_is_read(tmp_path: Path, school) -> None:
    rows = [person_row(school, surname="Иванова", given_name="Мария", patronymic="Ивановна")] * 6
    rows += [
        person_row(school, surname="Ивaнoва", given_name="Мария", patronymic="Сергеевна"),
        person_row(school, surname="Петрова", given_name="Aнна", patronymic="Пeтровна"),
    ]
    rows = [dict(row, iin=unique_iin(birth_date=date(1985, 3, 14))) for row in rows]
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, rows).encode("cp1251"))

    result = import_file("people", path)

    assert result.ok, result.errors
    assert {w.code for w in result.warnings} == {"name_corrected"}
    assert Person.objects.filter(surname="Иванова", patronymic="Сергеевна").exists()


def test_latin1_is_still_not_windows_1251(tmp_path: Path, school) -> None:
    row = person_row(school, surname="Müller", given_name="Zoé", patronymic="")
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, [row] * 3).encode("latin-1"))
    assert refused("people", path).errors[0].code == "encoding"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_excel_unicode_text_is_read(tmp_path: Path, school, encoding: str) -> None:
    text = csv_bytes(PEOPLE_HEADER, kazakh_people(school, 2), delimiter="\t")
    path = tmp_path / "people.txt"
    path.write_bytes(text.encode(encoding))

    result = import_file("people", path)

    assert result.ok, result.errors
    assert Person.objects.filter(surname="Өмірбеков", given_name="Ұлан").exists()
    assert result.notes[0] == "The file was read as UTF-16 text."


def test_binary_data_full_of_zero_bytes_is_not_utf16(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(bytes(b for code in range(1, 32) for b in (code, 0)) * 100)
    [issue] = refused("people", path).errors
    assert issue.code == "not_csv" and "binary data" in issue.message


def test_mixed_encodings_at_the_start_name_the_line(tmp_path: Path, school) -> None:
    good = kazakh_people(school, 1)[0]
    bad = person_row(school, surname="Иванова", given_name="Мария", patronymic="")
    header, row = csv_bytes(PEOPLE_HEADER, [good]).split("\r\n", 1)
    bad_line = csv_bytes(PEOPLE_HEADER, [bad]).split("\r\n", 1)[1]
    path = tmp_path / "people.csv"
    path.write_bytes((header + "\r\n" + row).encode("utf-8") + bad_line.encode("cp1251"))

    [issue] = refused("people", path).errors

    assert (issue.code, issue.line) == ("encoding", 3)
    assert "Line 3 is not valid UTF-8 text: the file mixes encodings" in issue.message


def test_utf8_cut_in_the_middle_of_a_letter_is_cut_short(tmp_path: Path, school) -> None:
    data = csv_bytes(PEOPLE_HEADER, kazakh_people(school, 2)).rstrip("\r\n").encode("utf-8")
    data = data[: data.rindex("Ғ".encode()) + 1]  # half of the last "Ғ"
    path = tmp_path / "people.csv"
    path.write_bytes(data)

    [issue] = refused("people", path).errors

    assert (issue.code, issue.line) == ("cut_short", 3)
    assert "cut short" in issue.message


# --- what the file is -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["orgs.csv", "orgs.txt"])
def test_workbook_named_csv_is_read_as_a_workbook(tmp_path: Path, name: str) -> None:
    row = organisation_row(name_kk=KAZAKH_ORG)
    path = write_xlsx(tmp_path / name, ORGANISATION_HEADER, [list(row.values())])

    result = import_file("organisations", path)

    assert result.ok, result.errors
    assert Organisation.objects.get(bin="940140000385").name_kk == KAZAKH_ORG  # type: ignore[attr-defined]
    assert any("Excel workbook" in note for note in result.notes)


def test_workbook_named_csv_from_the_command_line(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "orgs.csv", ORGANISATION_HEADER, [list(organisation_row().values())]
    )
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_organisations",
        str(path),
        "--language",
        "en",
        "--no-progress",
        stdout=out,
        stderr=err,
    )
    assert "1 row imported" in out.getvalue()
    assert "Excel workbook" in err.getvalue()


# --- Excel's habits -------------------------------------------------------------------------


def test_numeric_codes_and_bins_get_their_leading_zeros_back(tmp_path: Path) -> None:
    bin_2000 = "000840266043"
    assert is_valid_bin(bin_2000)
    row = organisation_row(code=bin_2000, bin=bin_2000, name_kk=KAZAKH_ORG)
    values: list[object] = list(row.values())
    values[0] = values[1] = int(bin_2000)  # number cells: Excel shows 840266043
    path = write_xlsx(tmp_path / "orgs.xlsx", ORGANISATION_HEADER, [values])

    result = import_file("organisations", path)

    assert result.ok, result.errors
    organisation = Organisation.objects.get(bin=bin_2000)
    assert organisation.code == bin_2000
    assert any("leading zeros" in note for note in result.notes)


def test_a_short_numeric_code_that_is_not_the_bin_is_left_alone(tmp_path: Path) -> None:
    # "000840266043" is a valid BIN, but the row's BIN is another: the code is kept as written.
    row = organisation_row(code="840266043", name_kk=KAZAKH_ORG)
    values: list[object] = list(row.values())
    values[0] = 840266043
    path = write_xlsx(tmp_path / "orgs.xlsx", ORGANISATION_HEADER, [values])

    result = import_file("organisations", path)

    assert result.ok, result.errors
    assert Organisation.objects.get(bin="940140000385").code == "840266043"
    assert not any("leading zeros" in note for note in result.notes)


def test_iins_that_lost_zeros_in_a_csv(tmp_path: Path, school) -> None:
    born_2005 = make_iin(date(2005, 3, 14), "F", 11)
    born_2000 = make_iin(date(2000, 1, 5), "M", 12)
    assert born_2005 and born_2000 and born_2000.startswith("000")
    rows = [
        person_row(school, iin=born_2005.lstrip("0")),
        person_row(school, iin=born_2000.lstrip("0")),
    ]
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, rows).encode("utf-8"))

    result = import_file("people", path)

    assert result.ok, result.errors
    assert set(Person.objects.values_list("iin", flat=True)) == {born_2005, born_2000}


def test_iin_whose_zeros_cannot_be_restored_says_so(tmp_path: Path, school) -> None:
    broken = "51231401234"  # 11 digits; "051231401234" has a wrong check digit
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, [person_row(school, iin=broken)]).encode())

    [issue] = refused("people", path).errors

    assert (issue.code, issue.line, issue.column) == ("leading_zeros_lost", 2, "iin")
    assert "Excel probably dropped its leading zeros" in issue.message
    assert "Format the column as text" in issue.message


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
def test_formula_without_a_saved_result_is_refused_with_its_cell(
    tmp_path: Path, school, writer: str
) -> None:
    row = person_row(school)
    column = PEOPLE_HEADER.index("experience_years")
    path = tmp_path / "people.xlsx"
    if writer == "xlsxwriter":
        workbook = xlsxwriter.Workbook(str(path))
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, PEOPLE_HEADER)
        sheet.write_row(1, 0, [row[name] for name in PEOPLE_HEADER])
        sheet.write_formula(1, column, "=2024-2012")  # saved as 0 until Excel calculates
        workbook.close()
    else:
        values: list[object] = [row[name] for name in PEOPLE_HEADER]
        values[column] = "=2024-2012"
        write_xlsx(path, PEOPLE_HEADER, [values])

    [issue] = refused("people", path).errors

    assert (issue.code, issue.line, issue.value) == ("formula_without_value", 2, "O2")
    assert "Cell O2 holds a formula whose result was not saved" in issue.message


@pytest.mark.parametrize("value", ["39062", 39062])
def test_excel_day_numbers_in_date_columns(tmp_path: Path, school, value: object) -> None:
    row = person_row(school)
    values: list[object] = [row[name] for name in PEOPLE_HEADER]
    values[PEOPLE_HEADER.index("started_on")] = value
    if isinstance(value, str):
        path = tmp_path / "people.csv"
        path.write_bytes(csv_bytes(PEOPLE_HEADER, [values]).encode())
    else:
        path = write_xlsx(tmp_path / "people.xlsx", PEOPLE_HEADER, [values])

    result = import_file("people", path)

    assert result.ok, result.errors
    assert Employment.objects.get().started_on == date(2006, 12, 11)


def test_a_year_alone_is_not_a_day_number(tmp_path: Path, school) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, [person_row(school, started_on="2006")]).encode())
    [issue] = refused("people", path).errors
    assert (issue.column, issue.code) == ("started_on", "date_format")


def test_title_rows_above_the_header_are_skipped_and_said(tmp_path: Path, school) -> None:
    text = "Список педагогов;;\r\n;;\r\n" + csv_bytes(
        PEOPLE_HEADER, [person_row(school), person_row(school, iin="123")], delimiter=";"
    )
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode("utf-8-sig"))

    result = refused("people", path)

    assert [(e.line, e.column) for e in result.errors] == [(5, "iin")]
    assert "The column names are on line 3; lines 1–2 above them were skipped." in result.notes


def test_table_on_the_second_sheet_is_found(tmp_path: Path, school) -> None:
    path = tmp_path / "people.xlsx"
    workbook = openpyxl.Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Инструкция"
    notes.append(["Заполните лист «Педагоги»."])
    notes.append(["ИИН", "12 цифр"])  # a column name or two does not make a table
    data = workbook.create_sheet("Педагоги")
    data.append(PEOPLE_HEADER)
    data.append([person_row(school)[name] for name in PEOPLE_HEADER])
    data.row_dimensions[2].hidden = True
    workbook.save(path)

    result = import_file("people", path)

    assert result.ok, result.errors
    assert result.notes[0] == (
        "The sheet “Педагоги” was read: the first sheet, “Инструкция”, holds no table."
    )
    assert "1 row is hidden in Excel (2); it was read like the others." in result.notes


def test_title_rows_above_the_header_of_a_workbook(tmp_path: Path, school) -> None:
    path = tmp_path / "people.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Педагоги школы № 5"])
    sheet.append([])
    sheet.append(["по состоянию на 01.09.2024"])
    sheet.append(PEOPLE_HEADER)
    sheet.append([person_row(school, iin="123")[name] for name in PEOPLE_HEADER])
    workbook.save(path)

    result = refused("people", path)

    assert [(e.line, e.column) for e in result.errors] == [(5, "iin")]
    assert "The column names are on line 4; lines 1–3 above them were skipped." in result.notes


def test_a_title_alone_is_not_called_unknown_columns(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Список педагогов школы № 5 на 1 сентября 2024 года\r\n1,2,3\r\n")

    [issue] = refused("people", path).errors

    assert issue.code == "no_header" and "Unknown columns" not in issue.message
    assert "No column names of this file were found" in issue.message


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_headers_in_russian_or_kazakh(tmp_path: Path, school, language: str) -> None:
    position = 0 if language == "ru" else 1
    header = []
    for name in PEOPLE_HEADER:
        spellings = [s for s in SYNONYMS[name] if not s.isascii()]
        kazakh = [s for s in spellings if any(ch in "әғқңөұүһі" for ch in s.lower())]
        header.append(kazakh[0] if position and kazakh else spellings[0])
    rows = [[row[name] for name in PEOPLE_HEADER] for row in kazakh_people(school, 2)]
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(header, rows, delimiter=";").encode("utf-8-sig"))

    result = import_file("people", path)

    assert result.ok, result.errors
    assert Person.objects.count() == 2


def test_every_template_column_has_russian_and_kazakh_names() -> None:
    for columns in COLUMNS.values():
        for column in columns:
            spellings = SYNONYMS[column.name]
            assert len(spellings) >= 2, column.name
            assert all(canonical_header(s) == column.name for s in spellings)
    assert canonical_header("ИИН") == canonical_header("ЖСН") == "iin"
    assert canonical_header("Әкесінің аты") == "patronymic"
    assert canonical_header("БСН") == "bin"


# --- reports, messages, limits --------------------------------------------------------------


def test_csv_error_report_opens_in_russian_excel(tmp_path: Path, school) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, [person_row(school, iin="123")]).encode())
    result = import_file("people", path)

    report = write_error_report(result, tmp_path / "report.csv", fmt="csv").read_bytes()

    assert report.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(report.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["file", "line", "column", "value", "severity", "reason", "code"]
    assert rows[1][:3] == ["people.csv", "2", "iin"]


def test_command_writes_an_excel_report_by_default(tmp_path: Path, school) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, [person_row(school, iin="123")]).encode())
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_people",
            str(path),
            "--language",
            "en",
            "--no-progress",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert "people.errors.xlsx" in str(raised.value)
    assert (tmp_path / "people.errors.xlsx").is_file()


def test_command_counts_what_the_report_holds(tmp_path: Path, school) -> None:
    rows = [person_row(school, iin="123")] * 10_030
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(PEOPLE_HEADER, rows).encode())
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_people",
            str(path),
            "--language",
            "en",
            "--no-progress",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "…10010 more errors; the report lists the first 10000." in err.getvalue()


@pytest.mark.parametrize(
    ("language", "errors", "expected"),
    [("ru", 1, "1 ошибка"), ("ru", 3, "3 ошибки"), ("ru", 15, "15 ошибок"), ("kk", 15, "15 қате ")],
)
def test_counts_use_plural_forms(language: str, errors: int, expected: str) -> None:
    result = ImportResult(ok=False, total=20, file="f.csv", error_count=errors)
    with translation.override(language):
        assert expected in result.summary()
        assert "қателер" not in result.summary()


@pytest.mark.parametrize(
    ("language", "rows", "expected"),
    [("en", 1, "1 row imported"), ("ru", 1, "1 строка"), ("ru", 5, "5 строк"), ("kk", 5, "5 жол")],
)
def test_imported_counts_use_plural_forms(language: str, rows: int, expected: str) -> None:
    result = ImportResult(ok=True, total=rows, created=rows, file="f.csv", warning_count=1)
    with translation.override(language):
        summary = result.summary()
    assert expected in summary
    if language == "ru":
        assert "1 предупреждение" in summary


def test_size_limits_fit_the_national_file(tmp_path: Path) -> None:
    national = tmp_path / "people.csv"
    with national.open("wb") as handle:
        handle.truncate(74 * 1024 * 1024)  # sparse: the size of the national people file
    assert check_size(national) == 74 * 1024 * 1024
    assert size_limit("csv") > 74 * 1024 * 1024 >= size_limit("xlsx")
    workbook = tmp_path / "people.xlsx"
    with workbook.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(74 * 1024 * 1024)
    with pytest.raises(Exception, match="more than the limit"):
        check_size(workbook)
