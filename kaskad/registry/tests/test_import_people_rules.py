"""People files against the registry: whose records an import may change, second jobs,
names that belong to someone else, and employment dates that follow the file exactly.

Every file here is written by the test (CSV or XLSX) and imported through the real reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.utils import translation

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import AuditEntry
from kaskad.registry.imports import ImportResult, RowIssue, import_file
from kaskad.registry.models import Employment, Person
from kaskad.registry.tests.factories import area_of, branch, employ, make_organisation, make_person
from kaskad.registry.tests.test_import_support import (
    PEOPLE_HEADER,
    counts,
    person_row,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def school():
    return make_organisation(area=area_of("AST"), code="AST-SCH-1")


@pytest.fixture
def other_school():
    return make_organisation(area=area_of("AST"), code="AST-SCH-2")


@pytest.fixture
def almaty_school():
    return make_organisation(area=area_of("ALA"), code="ALA-SCH-1")


def astana_coordinator():
    return make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])


def same_person(person: Person, organisation, **values) -> dict[str, str]:
    """A file row for an existing person, named as the registry names them."""
    names = {
        "iin": person.iin,
        "surname": person.surname,
        "given_name": person.given_name,
        "patronymic": person.patronymic,
    }
    return person_row(organisation, **{**names, **values})


def refused(path: Path, **kwargs) -> ImportResult:
    before = counts()
    result = import_file("people", path, **kwargs)
    assert not result.ok
    assert result.created == result.updated == result.unchanged == 0
    assert counts() == before
    return result


def error_at(result: ImportResult, line: int, column: str, code: str) -> RowIssue:
    matches = [e for e in result.errors if (e.line, e.column) == (line, column)]
    assert matches, result.errors
    assert matches[0].code == code, matches[0]
    return matches[0]


# --- A. whose records an import may change ---------------------------------------------------


def test_coordinator_cannot_rewrite_or_move_a_person_of_another_branch(
    tmp_path: Path, school, almaty_school
) -> None:
    teacher = make_person(
        organisation=almaty_school, surname="Серікова", given_name="Дана", email="d@example.kz"
    )
    row = same_person(teacher, school, email="stolen@example.kz", phone="+7 700 000 0000")
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [person_row(school), row])

    result = refused(path, by=astana_coordinator())

    issue = error_at(result, 3, "iin", "registered_elsewhere")
    assert "request a transfer" in issue.message
    # Nothing about where she is: no name, no organisation, no branch or area.
    for secret in ("Серікова", "Дана", almaty_school.name, "Almaty", "Алматы", "ALA"):
        assert secret not in issue.message
    assert [e.line for e in result.errors] == [3]
    teacher.refresh_from_db()
    assert (teacher.email, teacher.current_organisation) == ("d@example.kz", almaty_school)


def test_dry_run_is_not_an_oracle_of_where_an_iin_is(tmp_path: Path, school, almaty_school) -> None:
    teacher = make_person(organisation=almaty_school)
    path = write_xlsx(
        tmp_path / "people.xlsx",
        PEOPLE_HEADER,
        [list(same_person(teacher, school).values())],
    )

    result = refused(path, by=astana_coordinator(), dry_run=True)

    assert (result.created, result.updated) == (0, 0)
    assert [e.code for e in result.errors] == ["registered_elsewhere"]


def test_coordinator_updates_people_in_their_branch(tmp_path: Path, school, other_school) -> None:
    teacher = make_person(organisation=school, started_on=date(2015, 9, 1))
    row = same_person(teacher, other_school, email="new@example.kz", started_on="2024-09-02")
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [row])

    result = import_file("people", path, by=astana_coordinator())

    assert result.ok, result.errors
    teacher.refresh_from_db()
    assert (teacher.email, teacher.current_organisation) == ("new@example.kz", other_school)


def test_person_without_a_job_whose_last_job_was_elsewhere_is_out_of_scope(
    tmp_path: Path, school, almaty_school
) -> None:
    from kaskad.registry.services import employment_end

    teacher = make_person(organisation=almaty_school, started_on=date(2015, 9, 1))
    employment_end(person=teacher, ended_on=date(2023, 5, 31))
    row = same_person(teacher, school, started_on="2024-09-02")
    result = refused(write_csv(tmp_path / "p.csv", PEOPLE_HEADER, [row]), by=astana_coordinator())
    error_at(result, 2, "iin", "registered_elsewhere")


def test_national_administrator_imports_nationwide(tmp_path: Path, school, almaty_school) -> None:
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    teacher = make_person(organisation=almaty_school, started_on=date(2015, 9, 1))
    row = same_person(teacher, school, started_on="2024-09-02")

    result = import_file("people", write_csv(tmp_path / "p.csv", PEOPLE_HEADER, [row]), by=admin)

    assert result.ok, result.errors
    teacher.refresh_from_db()
    assert teacher.current_organisation == school


# --- B. second jobs ----------------------------------------------------------------------------


def test_second_row_at_another_organisation_is_a_second_job(
    tmp_path: Path, school, other_school
) -> None:
    main = person_row(school)
    second = {**main, "organisation_code": other_school.code, "position": "teacher"}
    second["started_on"] = "2020-09-01"
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [main, second])

    result = import_file("people", path)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    person = Person.objects.get(iin=main["iin"])
    assert person.current_organisation == school
    jobs = {j.organisation: j for j in person.employments.all()}
    assert jobs[school].is_primary and jobs[school].ended_on is None
    assert not jobs[other_school].is_primary and jobs[other_school].ended_on is None
    assert jobs[other_school].started_on == date(2020, 9, 1)
    second_job = jobs[other_school]
    entry = AuditEntry.objects.get(object_type="registry.employment", object_id=second_job.pk)
    assert entry.changes["is_primary"] is False

    before = counts()
    again = import_file("people", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert counts() == before


def test_second_job_added_to_an_existing_person_keeps_the_main_job(
    tmp_path: Path, school, other_school
) -> None:
    teacher = make_person(organisation=school, started_on=date(2015, 9, 1))
    rows = [
        same_person(teacher, school, started_on="2015-09-01"),
        same_person(teacher, other_school, started_on="2022-01-10"),
    ]
    result = import_file("people", write_csv(tmp_path / "p.csv", PEOPLE_HEADER, rows))

    assert result.ok, result.errors
    teacher.refresh_from_db()
    assert teacher.current_organisation == school
    assert set(
        teacher.employments.filter(ended_on__isnull=True).values_list("organisation", "is_primary")
    ) == {(school.pk, True), (other_school.pk, False)}

    # The second school's own file lists her alone: her job there is updated, not a move.
    alone = [same_person(teacher, other_school, started_on="2022-01-10", experience_years="13")]
    result = import_file("people", write_csv(tmp_path / "q.csv", PEOPLE_HEADER, alone))
    assert result.ok and result.updated == 1
    teacher.refresh_from_db()
    assert teacher.current_organisation == school
    assert teacher.employments.get(organisation=other_school).experience_years == 13


def test_same_iin_at_the_same_organisation_twice_is_a_duplicate(tmp_path: Path, school) -> None:
    row = person_row(school)
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [row, person_row(school), row])
    result = refused(path)
    assert error_at(result, 2, "iin", "duplicate_iin")
    assert "line 4" in error_at(result, 2, "iin", "duplicate_iin").message
    assert "line 2" in error_at(result, 4, "iin", "duplicate_iin").message


# --- B. a known IIN with someone else's name ------------------------------------------------


def test_known_iin_with_another_persons_name_is_refused(tmp_path: Path, school) -> None:
    teacher = make_person(organisation=school, surname="Қасымова", given_name="Әлия")
    row = person_row(school, iin=teacher.iin, surname="Серікова", given_name="Дана")
    result = refused(write_csv(tmp_path / "p.csv", PEOPLE_HEADER, [row]))

    issue = error_at(result, 2, "surname", "iin_other_person")
    assert issue.value == "Серікова"
    assert "Қасымова Әлия" in issue.message and "Серікова Дана" in issue.message
    teacher.refresh_from_db()
    assert teacher.surname == "Қасымова"


def test_another_persons_name_out_of_scope_reveals_nothing(
    tmp_path: Path, school, almaty_school
) -> None:
    teacher = make_person(organisation=almaty_school, surname="Қасымова", given_name="Әлия")
    row = person_row(school, iin=teacher.iin, surname="Серікова", given_name="Дана")
    path = write_csv(tmp_path / "p.csv", PEOPLE_HEADER, [row])
    result = refused(path, by=astana_coordinator())
    [issue] = result.errors
    assert issue.code == "registered_elsewhere" and "Қасымова" not in issue.message


@pytest.mark.parametrize(
    ("registry", "file"),
    [
        ("Касымова", "Қасымова"),  # Russian and Kazakh letter
        ("Қасымова", "ҚАСЫМОВА"),  # case
        ("Қасымова", "Қасымава"),  # one letter
        ("Ахметова", "Ахмедова"),  # one letter in a longer name
    ],
)
def test_small_spelling_correction_updates_with_a_warning(
    tmp_path: Path, school, registry: str, file: str
) -> None:
    teacher = make_person(organisation=school, surname=registry, given_name="Әлия")
    row = same_person(teacher, school, surname=file)
    result = import_file("people", write_csv(tmp_path / "p.csv", PEOPLE_HEADER, [row]))

    assert result.ok, result.errors
    warning = next(w for w in result.warnings if w.code == "name_spelling_changed")
    assert (warning.line, warning.column) == (2, "surname")
    teacher.refresh_from_db()
    assert teacher.surname == file


# --- B. employment dates follow the file ------------------------------------------------------


def test_corrected_start_date_at_the_same_school_is_updated(tmp_path: Path, school) -> None:
    teacher = make_person(organisation=school, started_on=date(2015, 9, 1))
    row = same_person(teacher, school, started_on="2014-09-01")
    result = import_file("people", write_csv(tmp_path / "p.csv", PEOPLE_HEADER, [row]))

    assert result.ok and result.updated == 1
    job = teacher.employments.get()
    assert job.started_on == date(2014, 9, 1)
    entry = AuditEntry.objects.filter(
        object_type="registry.employment", object_id=str(job.pk), action="update"
    ).latest("id")
    assert entry.changes["started_on"] == ["2015-09-01", "2014-09-01"]


def test_move_dated_before_the_current_job_is_refused_not_invented(
    tmp_path: Path, school, other_school
) -> None:
    teacher = make_person(organisation=school, started_on=date(2020, 9, 1))
    row = same_person(teacher, other_school, started_on="2018-09-01")
    result = refused(write_csv(tmp_path / "p.csv", PEOPLE_HEADER, [row]))

    issue = error_at(result, 2, "started_on", "older_than_registry")
    assert issue.value == "2018-09-01"
    assert "2020-09-01" in issue.message and school.name in issue.message
    assert teacher.employments.get().ended_on is None


def test_older_file_after_a_newer_one_never_moves_a_person_back(
    tmp_path: Path, school, other_school
) -> None:
    old_row = person_row(school, started_on="2015-09-01")
    new_row = {**old_row, "organisation_code": other_school.code, "started_on": "2023-09-01"}
    older = write_csv(tmp_path / "2022.csv", PEOPLE_HEADER, [old_row])
    newer = write_csv(tmp_path / "2023.csv", PEOPLE_HEADER, [new_row])
    assert import_file("people", older).ok
    assert import_file("people", newer).ok
    history = list(
        Employment.objects.filter(person__iin=old_row["iin"])
        .order_by("started_on")
        .values_list("organisation", "started_on", "ended_on")
    )
    assert history == [
        (school.pk, date(2015, 9, 1), date(2023, 8, 31)),
        (other_school.pk, date(2023, 9, 1), None),
    ]

    result = refused(older)

    error_at(result, 2, "started_on", "older_than_registry")
    assert (
        list(
            Employment.objects.filter(person__iin=old_row["iin"])
            .order_by("started_on")
            .values_list("organisation", "started_on", "ended_on")
        )
        == history
    )


def test_return_to_a_former_school_dated_inside_the_old_job_is_refused(
    tmp_path: Path, school, other_school
) -> None:
    from kaskad.registry.services import employment_end

    teacher = make_person(organisation=school, started_on=date(2015, 9, 1))
    employment_end(person=teacher, ended_on=date(2022, 5, 31))
    row = same_person(teacher, other_school, started_on="2021-09-01")
    result = refused(write_csv(tmp_path / "p.csv", PEOPLE_HEADER, [row]))
    issue = error_at(result, 2, "started_on", "overlaps_history")
    assert "2022-05-31" in issue.message


def test_move_after_the_current_start_closes_the_day_before(
    tmp_path: Path, school, other_school
) -> None:
    teacher = make_person(organisation=school, started_on=date(2020, 9, 1))
    employ(person=teacher, organisation=school, started_on=date(2020, 9, 1))
    row = same_person(teacher, other_school, started_on="2020-09-02")
    assert import_file("people", write_csv(tmp_path / "p.csv", PEOPLE_HEADER, [row])).ok
    old, new = teacher.employments.order_by("started_on")
    assert (old.started_on, old.ended_on, new.started_on) == (
        date(2020, 9, 1),
        date(2020, 9, 1),
        date(2020, 9, 2),
    )


def test_import_report_links_a_refused_row_to_a_transfer_request(
    client, tmp_path: Path, settings, school, almaty_school
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from kaskad.core.models import Job
    from kaskad.registry.imports.jobs import run_import_job

    settings.MEDIA_ROOT = tmp_path / "media"
    teacher = make_person(organisation=almaty_school)
    path = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [same_person(teacher, school)])
    client.force_login(astana_coordinator())
    upload = SimpleUploadedFile("people.csv", path.read_bytes(), content_type="text/csv")
    client.post(reverse("registry_imports:upload"), {"kind": "people", "file": upload})
    job = Job.objects.get()
    run_import_job(job.pk)

    page = client.get(reverse("registry_imports:result", args=[job.pk])).content.decode()

    link = f"{reverse('registry:transfer_new')}?iin={teacher.iin}"
    assert link in page
    form = client.get(link).content.decode()
    assert f'value="{teacher.iin}"' in form


def test_checks_against_the_registry_are_batched(tmp_path: Path, school, other_school) -> None:
    """The same number of queries for 140 and for 300 known people: no lookup per row.
    (Both sizes are above the writer's small-update threshold, so they take the same path.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(size: int) -> int:
        rows = [person_row(school) for _ in range(size)]
        path = write_csv(tmp_path / f"{size}.csv", PEOPLE_HEADER, rows)
        assert import_file("people", path).created == size
        for index, row in enumerate(rows):
            row["experience_years"] = "13"
            if index % 2:  # half move, half get a second job
                row["organisation_code"] = other_school.code
                row["started_on"] = "2024-09-02"
        second_jobs = [{**row, "organisation_code": other_school.code} for row in rows[::2]]
        write_csv(path, PEOPLE_HEADER, rows + second_jobs)
        with CaptureQueriesContext(connection) as captured:
            result = import_file("people", path)
        assert result.ok, result.errors
        assert result.updated == size + len(second_jobs)
        return len(captured)

    assert queries(140) == queries(300)


def test_rows_of_one_iin_must_name_the_same_person(tmp_path: Path, school, other_school) -> None:
    main = person_row(school)
    second = {**main, "organisation_code": other_school.code, "given_name": "Дана"}
    result = refused(write_csv(tmp_path / "p.csv", PEOPLE_HEADER, [main, second]))
    issue = error_at(result, 3, "given_name", "iin_name_differs_in_file")
    assert issue.value == "Дана"
    assert "line 2" in issue.message


def test_person_page_shows_the_main_job_as_current_and_marks_the_second(
    client, tmp_path: Path, school, other_school
) -> None:
    main = person_row(school, started_on="2015-09-01")
    second = {**main, "organisation_code": other_school.code, "started_on": "2023-01-09"}
    assert import_file("people", write_csv(tmp_path / "p.csv", PEOPLE_HEADER, [main, second])).ok
    person = Person.objects.get(iin=main["iin"])
    client.force_login(make_user(roles=[(Role.NATIONAL_ADMIN, None)]))

    response = client.get(f"/registry/people/{person.pk}/")

    assert response.context["current"].organisation == school  # not the newer second job
    assert "қосымша жұмыс" in response.content.decode()  # "second job", in Kazakh (default)
    api = client.get(f"/api/people/{person.pk}/employments").json()
    assert {(e["organisation"]["id"], e["is_primary"]) for e in api} == {
        (school.pk, True),
        (other_school.pk, False),
    }
