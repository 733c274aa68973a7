"""The single-record services: the rules imports, pages and the API all rely on."""

from __future__ import annotations

from datetime import date

import pytest

from kaskad.core.errors import DomainError
from kaskad.core.models import AuditEntry
from kaskad.registry.identifiers import make_bin
from kaskad.registry.models import Area, Employment, Organisation, Person
from kaskad.registry.services import (
    EmploymentData,
    OrganisationData,
    PersonData,
    category_due,
    employment_end,
    employment_set,
    organisation_upsert,
    person_upsert,
)

pytestmark = pytest.mark.django_db


def _organisation(code: str, serial: int, area_code: str = "710000000") -> Organisation:
    org, _ = organisation_upsert(
        data=OrganisationData(
            code=code,
            bin=make_bin(2005, 3, serial) or "",
            name_kk=f"№ {serial} мектеп",
            name_ru=f"Школа № {serial}",
            kind="school",
            area=Area.objects.get(code=area_code),
            locality="urban",
        )
    )
    return org


def _job(org: Organisation, **overrides: object) -> EmploymentData:
    values: dict[str, object] = {
        "organisation": org,
        "position": "teacher",
        "started_on": date(2015, 9, 1),
        "subjects": ["mathematics"],
        "level": "primary",
        "category": "moderator",
        "category_awarded_on": date(2022, 5, 20),
        "experience_years": 12,
    }
    values.update(overrides)
    return EmploymentData(**values)  # type: ignore[arg-type]


def test_person_derives_birth_date_and_sex_from_the_iin() -> None:
    person, created = person_upsert(
        data=PersonData(iin="871008401427", surname="Қасымова", given_name="Әлия")
    )
    assert created
    assert person.birth_date == date(1987, 10, 8)
    assert person.sex == "F"
    assert person.search_key == "kasimova alia"


def test_same_data_twice_changes_nothing_and_writes_no_audit() -> None:
    data = PersonData(iin="760212350620", surname="Ахметов", given_name="Нұрлан")
    person_upsert(data=data)
    before = AuditEntry.objects.count()
    _, changed = person_upsert(data=data)
    assert not changed
    assert AuditEntry.objects.count() == before


def test_changed_name_is_audited_with_old_and_new_values() -> None:
    person, _ = person_upsert(
        data=PersonData(iin="760212350620", surname="Ахметов", given_name="Нурлан")
    )
    person_upsert(data=PersonData(iin="760212350620", surname="Ахметов", given_name="Нұрлан"))
    entry = AuditEntry.objects.filter(object_id=str(person.pk), action="update").get()
    assert entry.changes == {"given_name": ["Нурлан", "Нұрлан"]}
    person.refresh_from_db()
    assert person.search_key == "ahmetov nurlan"


@pytest.mark.parametrize(
    ("iin", "code"),
    [
        ("871008401428", "iin_checksum"),
        ("87100840142", "iin_length"),
        ("871308401427", "iin_date"),
        ("87100A401427", "iin_not_digits"),
    ],
)
def test_invalid_iin_is_refused_with_its_code(iin: str, code: str) -> None:
    with pytest.raises(DomainError) as err:
        person_upsert(data=PersonData(iin=iin, surname="Ахметов", given_name="Нұрлан"))
    assert err.value.code == code
    assert err.value.field == "iin"
    assert Person.objects.count() == 0


def test_ambiguous_mixed_script_name_is_refused() -> None:
    with pytest.raises(DomainError) as err:
        person_upsert(data=PersonData(iin="871008401427", surname="Asель", given_name="Әлия"))
    assert err.value.code == "name_mixed_script"
    assert Person.objects.count() == 0


def test_look_alike_letters_are_repaired() -> None:
    # Latin "A" and "K" typed inside Cyrillic names
    person, _ = person_upsert(
        data=PersonData(iin="871008401427", surname="Kaсымова", given_name="Aсель")
    )
    assert person.surname == "Касымова"
    assert person.given_name == "Асель"


def test_move_between_schools_closes_one_record_and_opens_another() -> None:
    first, second = _organisation("S1", 1), _organisation("S2", 2)
    person, _ = person_upsert(
        data=PersonData(iin="871008401427", surname="Қасымова", given_name="Әлия")
    )
    employment_set(person=person, data=_job(first))
    employment_set(person=person, data=_job(second, started_on=date(2024, 9, 1)))

    history = list(Employment.objects.filter(person=person).order_by("started_on"))
    assert [e.organisation_id for e in history] == [first.pk, second.pk]
    assert history[0].ended_on == date(2024, 8, 31)
    assert history[1].ended_on is None
    person.refresh_from_db()
    assert person.current_organisation_id == second.pk


def test_change_at_the_same_school_updates_and_keeps_old_values_in_the_trail() -> None:
    school = _organisation("S1", 1)
    person, _ = person_upsert(
        data=PersonData(iin="871008401427", surname="Қасымова", given_name="Әлия")
    )
    job, _ = employment_set(person=person, data=_job(school))
    employment_set(
        person=person,
        data=_job(school, category="expert", category_awarded_on=date(2025, 6, 1)),
    )
    assert Employment.objects.filter(person=person).count() == 1
    job.refresh_from_db()
    assert job.category == "expert"
    assert job.category_due_on == date(2030, 6, 1)
    entry = AuditEntry.objects.filter(object_type="registry.employment", action="update").get()
    assert entry.changes["category"] == ["moderator", "expert"]


def test_category_due_date_is_five_years_after_award_even_on_29_february() -> None:
    assert category_due(date(2024, 2, 29)) == date(2029, 2, 28)
    assert category_due(None) is None


def test_ending_a_job_clears_the_current_organisation() -> None:
    school = _organisation("S1", 1)
    person, _ = person_upsert(
        data=PersonData(iin="871008401427", surname="Қасымова", given_name="Әлия")
    )
    employment_set(person=person, data=_job(school))
    with pytest.raises(DomainError):
        employment_end(person=person, ended_on=date(2010, 1, 1))
    employment_end(person=person, ended_on=date(2025, 6, 30))
    person.refresh_from_db()
    assert person.current_organisation is None


def test_organisation_matched_by_bin_then_by_code() -> None:
    org = _organisation("S1", 1)
    same, changed = organisation_upsert(
        data=OrganisationData(
            code="S1-renamed",
            bin=org.bin or "",
            name_kk=getattr(org, "name_kk", ""),
            name_ru=getattr(org, "name_ru", ""),
            kind="school",
            area=org.area,
            locality="rural",
        )
    )
    assert same.pk == org.pk and changed
    assert same.code == "S1-renamed" and same.locality == "rural"


def test_school_needs_a_valid_bin_but_a_kindergarten_may_have_none() -> None:
    area = Area.objects.get(code="710000000")
    with pytest.raises(DomainError) as err:
        organisation_upsert(
            data=OrganisationData(
                code="S9", name_kk="x", name_ru="x", kind="school", area=area, locality="urban"
            )
        )
    assert err.value.code == "bin_required"
    with pytest.raises(DomainError) as err:
        organisation_upsert(
            data=OrganisationData(
                code="S9",
                bin="940140000380",
                name_kk="x",
                name_ru="x",
                kind="school",
                area=area,
                locality="urban",
            )
        )
    assert err.value.code == "bin_checksum"
    kindergarten, _ = organisation_upsert(
        data=OrganisationData(
            code="K1",
            name_kk="Балапан",
            name_ru="Балапан",
            kind="kindergarten",
            area=area,
            locality="urban",
        )
    )
    assert kindergarten.bin is None
