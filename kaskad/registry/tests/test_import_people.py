"""Importing people: every accepted layout, idempotent re-import, and history on change."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kaskad.core.models import AuditEntry
from kaskad.registry.imports import import_file, import_rows
from kaskad.registry.imports.people import SearchKeys
from kaskad.registry.models import Employment, Person
from kaskad.registry.names import check_name
from kaskad.registry.services import category_due, person_search_key
from kaskad.registry.tests.factories import area_of, make_organisation, make_person
from kaskad.registry.tests.test_import_support import (
    PEOPLE_HEADER,
    counts,
    person_row,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return make_organisation(area=area_of("AST"), code="AST-SCH-1")


@pytest.fixture
def other_school():
    return make_organisation(area=area_of("AST"), code="AST-SCH-2")


def test_utf8_csv_creates_people_with_employment(tmp_path: Path, school) -> None:
    rows = [person_row(school), person_row(school, surname="Ахметова", given_name="Гүлнар")]
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, rows)

    result = import_file("people", path)

    assert result.ok, result.errors
    assert (result.total, result.created, result.updated, result.unchanged) == (2, 2, 0, 0)
    person = Person.objects.get(iin=rows[0]["iin"])
    assert person.full_name == "Қасымова Әлия Нұрланқызы"
    assert person.birth_date == date(1985, 3, 14) and person.sex == "F"
    assert person.search_key == person_search_key("Қасымова", "Әлия", "Нұрланқызы")
    assert person.current_organisation == school
    job = Employment.objects.get(person=person)
    assert job.ended_on is None and job.started_on == date(2015, 9, 1)
    assert job.subjects == ["mathematics", "physics"]
    assert job.category == "moderator"
    assert job.category_due_on == category_due(date(2021, 5, 20))
    assert job.experience_years == 12
    created = AuditEntry.objects.filter(action="import", object_type="registry.person")
    assert created.count() == 2
    assert created.get(object_id=str(person.pk)).changes["surname"] == "Қасымова"


def test_utf8_with_bom_and_labels_instead_of_codes(tmp_path: Path, school) -> None:
    row = person_row(
        school,
        position="Teacher",
        level="Lower secondary",
        category="Педагог-сарапшы",
        sex="F",
        birth_date="14.03.1985",
    )
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [row], encoding="utf-8-sig")

    result = import_file("people", path)

    assert result.ok, result.errors
    job = Employment.objects.get(person__iin=row["iin"])
    assert (job.position, job.level, job.category) == ("teacher", "lower_secondary", "expert")


def test_windows_1251_with_semicolons(tmp_path: Path, school) -> None:
    # Windows-1251 has no Kazakh letters: a Russian-only spreadsheet, as Excel saves it.
    row = person_row(
        school,
        surname="Иванова",
        given_name="Мария",
        patronymic="Петровна",
        position="учитель",
        category="вторая категория",
    )
    path = write_csv(
        tmp_path / "people.csv", PEOPLE_HEADER, [row], encoding="cp1251", delimiter=";"
    )

    result = import_file("people", path)

    assert result.ok, result.errors
    person = Person.objects.get(iin=row["iin"])
    assert person.full_name == "Иванова Мария Петровна"
    assert person.employments.get().category == "second"


def test_xlsx_keeps_identifiers_and_reads_dates(tmp_path: Path, school) -> None:
    row = person_row(school)
    # A spreadsheet stores the IIN as a number and the start as a date cell.
    values: list[object] = [row[name] for name in PEOPLE_HEADER]
    values[PEOPLE_HEADER.index("iin")] = int(row["iin"])
    values[PEOPLE_HEADER.index("started_on")] = date(2016, 9, 1)
    values[PEOPLE_HEADER.index("experience_years")] = 7
    path = write_xlsx(tmp_path / "people.xlsx", [n.upper() for n in PEOPLE_HEADER], [values])

    result = import_file("people", path)

    assert result.ok, result.errors
    job = Employment.objects.get(person__iin=row["iin"])
    assert job.started_on == date(2016, 9, 1) and job.experience_years == 7


def test_xlsx_number_cell_gets_back_the_leading_zero(tmp_path: Path, school) -> None:
    iin = "061211600012"  # born 2006: a number cell drops the leading zero
    values: list[object] = [person_row(school, iin=iin)[name] for name in PEOPLE_HEADER]
    values[0] = int(iin)
    path = write_xlsx(tmp_path / "people.xlsx", PEOPLE_HEADER, [values])

    result = import_file("people", path)

    assert result.ok, result.errors
    assert Person.objects.filter(iin=iin).exists()


def test_optional_columns_may_be_left_out(tmp_path: Path, school) -> None:
    header = ["IIN", "Surname", "Given name", "organisation_code", "position", "started_on"]
    row = person_row(school)
    path = write_csv(
        tmp_path / "people.csv",
        header,
        [[row["iin"], "Омаров", "Асқар", school.code, "director", "2020-01-15"]],
    )

    result = import_file("people", path)

    assert result.ok, result.errors
    job = Employment.objects.get(person__iin=row["iin"])
    assert (job.position, job.category, job.subjects, job.level) == ("director", "none", [], "")


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path, school) -> None:
    rows = [person_row(school) for _ in range(3)]
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, rows)
    assert import_file("people", path).ok
    before = counts()

    result = import_file("people", path)

    assert result.ok
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert counts() == before  # not even an audit entry


def test_changed_row_moves_the_person_and_keeps_history(
    tmp_path: Path, school, other_school
) -> None:
    person = make_person(
        organisation=school, started_on=date(2010, 9, 1), position="teacher", subjects=["history"]
    )
    row = person_row(
        other_school,
        iin=person.iin,
        surname=person.surname,
        given_name=person.given_name,
        patronymic=person.patronymic,
        email="new@example.kz",
        started_on="2024-09-02",
    )
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [row])
    audit_before = AuditEntry.objects.count()

    result = import_file("people", path)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    person.refresh_from_db()
    assert person.email == "new@example.kz"
    assert person.current_organisation == other_school
    old, new = Employment.objects.filter(person=person).order_by("started_on")
    assert (old.organisation, old.ended_on) == (school, date(2024, 9, 1))
    assert (new.organisation, new.started_on, new.ended_on) == (
        other_school,
        date(2024, 9, 2),
        None,
    )
    entries = AuditEntry.objects.order_by("id")[audit_before:]
    changes = {(e.object_type, e.object_id, e.action): e.changes for e in entries}
    assert changes[("registry.employment", str(old.pk), "update")] == {
        "ended_on": [None, "2024-09-01"]
    }
    assert changes[("registry.employment", str(new.pk), "import")]["organisation"] == (
        other_school.pk
    )
    assert changes[("registry.person", str(person.pk), "update")] == {
        "email": ["", "new@example.kz"],
        "phone": ["", "+7 701 123 45 67"],
    }


def test_change_at_the_same_organisation_updates_the_open_record(tmp_path: Path, school) -> None:
    row = person_row(school, experience_years="5")
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [row])
    assert import_file("people", path).ok
    row["experience_years"] = "6"
    write_csv(path, PEOPLE_HEADER, [row])

    result = import_file("people", path)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    job = Employment.objects.get(person__iin=row["iin"])
    assert job.experience_years == 6 and job.ended_on is None
    entry = AuditEntry.objects.filter(object_type="registry.employment").latest("id")
    assert (entry.action, entry.changes) == ("update", {"experience_years": [5, 6]})


def test_name_with_lookalike_letters_is_corrected_with_a_warning(tmp_path: Path, school) -> None:
    row = person_row(school, surname="Aхметова")  # Latin A, Cyrillic rest: unambiguous
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [row])

    result = import_file("people", path)

    assert result.ok
    [warning] = result.warnings
    assert (warning.line, warning.column, warning.value) == (2, "surname", "Aхметова")
    assert "Aхметова" in warning.message and "Ахметова" in warning.message
    assert Person.objects.get(iin=row["iin"]).surname == "Ахметова"


def test_dry_run_counts_but_writes_nothing(tmp_path: Path, school) -> None:
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [person_row(school)])
    before = counts()

    result = import_file("people", path, dry_run=True)

    assert result.ok and result.dry_run and result.created == 1
    assert counts() == before


def test_import_rows_for_already_parsed_data(school) -> None:
    rows = [person_row(school), person_row(school)]
    result = import_rows("people", iter(rows), source="seed")
    assert result.ok, result.errors
    assert result.created == 2
    assert set(AuditEntry.objects.filter(action="import").values_list("source", flat=True)) >= {
        "seed"
    }


def test_messages_follow_the_active_language(tmp_path: Path, school) -> None:
    row = person_row(school, started_on="")
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [row])
    with translation.override("en"):
        english = import_file("people", path).errors[0].message
    assert english == "A value is required in this column."


_name = st.text(
    alphabet=st.sampled_from("АаӘәБбҒғҚқҢңӨөҰұҮүІіЕеОоКкСсТтAaBbEeKkOoPpCcYy'- "),
    min_size=1,
    max_size=20,
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(_name, _name, _name)
def test_search_key_by_parts_equals_person_search_key(a: str, b: str, c: str) -> None:
    parts = []
    for raw in (a, b, c):
        checked = check_name(raw)
        if not checked.ok:
            return
        parts.append(checked.value)
    assert SearchKeys()(*parts) == person_search_key(*parts)


def test_many_changes_at_once(tmp_path: Path, school, other_school) -> None:
    """Enough changed rows for the batched update path (a temporary table on PostgreSQL)."""
    rows = [person_row(school, experience_years="3") for _ in range(140)]
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, rows)
    assert import_file("people", path).created == 140
    for index, row in enumerate(rows):
        row["experience_years"] = "4"
        if index % 2:
            row["organisation_code"] = other_school.code
            row["started_on"] = "2024-09-02"
            row["phone"] = f"+7 700 000 {index:04d}"
    write_csv(path, PEOPLE_HEADER, rows)

    result = import_file("people", path)

    assert (result.created, result.updated, result.unchanged) == (0, 140, 0)
    assert Employment.objects.filter(ended_on__isnull=True, experience_years=4).count() == 140
    assert Employment.objects.filter(organisation=school, ended_on=date(2024, 9, 1)).count() == 70
    moved = Person.objects.filter(current_organisation=other_school)
    assert moved.count() == 70
    assert set(moved.values_list("phone", flat=True)) == {
        f"+7 700 000 {i:04d}" for i in range(1, 140, 2)
    }
    assert import_file("people", path).unchanged == 140


def test_person_without_a_current_job_gets_one(tmp_path: Path, school) -> None:
    person = make_person(surname="Омарова", given_name="Айгерім")
    row = person_row(
        school,
        iin=person.iin,
        surname="Омарова",
        given_name="Айгерім",
        patronymic="",
        email="",
        phone="",
    )
    result = import_file("people", write_csv(tmp_path / "p.csv", PEOPLE_HEADER, [row]))
    assert (result.created, result.updated) == (0, 1)
    person.refresh_from_db()
    assert person.current_organisation == school
    assert person.employments.get().started_on == date(2015, 9, 1)
