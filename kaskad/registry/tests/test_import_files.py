"""Files around an import: templates that import as they are, error reports, odd layouts."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from kaskad.registry.imports import import_file, template_file, write_error_report
from kaskad.registry.imports.columns import COLUMNS
from kaskad.registry.imports.reader import plausible_cyrillic
from kaskad.registry.models import District, Employment, Organisation, Person
from kaskad.registry.tests.factories import make_organisation
from kaskad.registry.tests.test_import_support import (
    PEOPLE_HEADER,
    csv_bytes,
    person_row,
    write_csv,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_import_as_they_are(tmp_path: Path, fmt: str) -> None:
    """The example rows are real: districts, then organisations, then people."""
    for kind in ("districts", "organisations", "people"):
        path = tmp_path / f"{kind}.{fmt}"
        path.write_bytes(template_file(kind, fmt))  # type: ignore[arg-type]
        result = import_file(kind, path)
        assert result.ok, (kind, result.errors)
        assert result.created == 1
    assert District.objects.count() == 1 and Organisation.objects.count() == 1
    person = Person.objects.get(iin="871008401427")
    assert Employment.objects.get(person=person).organisation.bin == "940140000385"


def test_xlsx_template_explains_every_column() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_file("people", "xlsx")))
    data, notes = workbook.worksheets
    assert [c.value for c in data[1]] == [c.name for c in COLUMNS["people"]]
    documented = {row[0].value: row for row in notes.iter_rows(min_row=2) if row[0].value}
    for column in COLUMNS["people"]:
        _name, required, help_text, _allowed = documented[column.name]
        assert required.value == ("yes" if column.required else "no")
        assert help_text.value
    assert "moderator — pedagogue-moderator" in documented["category"][3].value


def test_csv_template_has_a_bom_for_excel() -> None:
    content = template_file("organisations", "csv")
    assert content.startswith(b"\xef\xbb\xbf")
    header, example = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header[0] == "code" and len(example) == len(header)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_error_report_lists_file_line_column_value_and_reason(tmp_path: Path, fmt: str) -> None:
    school = make_organisation(code="S-1")
    path = write_csv(
        tmp_path / "people.csv",
        PEOPLE_HEADER,
        [person_row(school, iin="871008401428"), person_row(school, surname="Aхмет")],
    )
    result = import_file("people", path)
    assert not result.ok

    report = write_error_report(result, tmp_path / f"report.{fmt}", fmt=fmt)  # type: ignore[arg-type]

    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig")), delimiter=";"))
    else:
        sheet = openpyxl.load_workbook(report).worksheets[0]
        rows = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    assert rows[0] == ["file", "line", "column", "value", "severity", "reason", "code"]
    assert rows[1][:5] == ["people.csv", "2", "iin", "871008401428", "error"]
    assert "check digit" in rows[1][5]
    assert rows[2][:5] == ["people.csv", "3", "surname", "Aхмет", "warning"]


def test_tab_separated_file(tmp_path: Path) -> None:
    school = make_organisation(code="S-1")
    path = write_csv(tmp_path / "people.txt", PEOPLE_HEADER, [person_row(school)], delimiter="\t")
    assert import_file("people", path).ok


def test_semicolons_inside_quotes_do_not_fool_the_sniffer(tmp_path: Path) -> None:
    school = make_organisation(code="S-1")
    row = person_row(school, subjects="math;physics;art")
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [row])
    result = import_file("people", path)
    assert result.ok
    assert Employment.objects.get().subjects == ["math", "physics", "art"]


@pytest.mark.parametrize(
    ("text", "plausible"),
    [
        ("Иванова,Мария,учитель\nПетров,Сергей,директор", True),
        ("Школа № 5 «Болашак» — средняя", True),
        ("Mьller,Zoй,Cafй,Seсor", False),  # Latin-1 read as Windows-1251
        ("ЙCOLE,Gїrtner", False),
    ],
)
def test_windows_1251_plausibility(text: str, plausible: bool) -> None:
    assert plausible_cyrillic(text) is plausible


def test_excel_separator_hint_line(tmp_path: Path) -> None:
    school = make_organisation(code="S-1")
    text = "sep=;\r\n" + csv_bytes(PEOPLE_HEADER, [person_row(school, iin="123")], delimiter=";")
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    result = import_file("people", path)
    assert [(e.line, e.column) for e in result.errors] == [(3, "iin")]  # physical line 3
