"""Test data for the registry, made through the real services (so the rules and the audit
trail apply exactly as in production).

Every helper takes keyword arguments and fills in the rest with valid, unique values:

    org = make_organisation(area=area_of("ALA"))            # a school in Almaty city
    person = make_person(organisation=org, surname="Қасымова")  # employed there as a teacher
    other = make_person()                                   # not employed anywhere

Areas and branches come from the data migration; `area_of(branch_code)` picks the first area
a branch serves ("ALA" → Almaty city, "AST" → Astana).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from kaskad.registry.identifiers import make_bin, make_iin
from kaskad.registry.models import Area, Branch, Organisation, Person
from kaskad.registry.services import (
    EmploymentData,
    OrganisationData,
    PersonData,
    employment_set,
    organisation_upsert,
    person_upsert,
)

_iin_serials = itertools.count(1)
_bin_serials = itertools.count(1)
_org_numbers = itertools.count(1)
_person_numbers = itertools.count(1)

SURNAMES = ("Қасымова", "Ахметов", "Сейітқали", "Иванова", "Нұрланов", "Омарова", "Жұмабаев")
GIVEN_NAMES_F = ("Әлия", "Айгерім", "Гүлнар", "Мария", "Інкәр")
GIVEN_NAMES_M = ("Нұрлан", "Ерлан", "Дәулет", "Сергей", "Асқар")


def unique_iin(*, birth_date: date | None = None, sex: str = "F") -> str:
    """A valid IIN never returned before in this test run."""
    born = birth_date or date(1980, 1, 1) + timedelta(days=next(_person_numbers) * 37 % 7000)
    while True:
        iin = make_iin(born, sex, next(_iin_serials) % 10000)  # type: ignore[arg-type]
        if iin is not None and not Person.objects.filter(iin=iin).exists():
            return iin


def unique_bin() -> str:
    """A valid BIN never returned before in this test run."""
    while True:
        value = make_bin(2005, 3, next(_bin_serials) % 100000)
        if value is not None and not Organisation.objects.filter(bin=value).exists():
            return value


def branch(code: str) -> Branch:
    """One of the 16 branches loaded by the data migration, by code ("ALA", "AST", ...)."""
    return Branch.objects.get(code=code)


def area_of(branch_code: str) -> Area:
    """The first area (in the official order) that the branch serves."""
    area = Area.objects.filter(branch__code=branch_code).order_by("sort_order").first()
    assert area is not None, f"no area for branch {branch_code}"
    return area


def make_organisation(
    *,
    area: Area | None = None,
    name: str = "",
    kind: str = "school",
    locality: str = "urban",
    by: Any = None,
    **extra: Any,
) -> Organisation:
    """An open organisation with a valid BIN (default: a general school in Astana)."""
    number = next(_org_numbers)
    bin_value = extra.pop("bin", None) or unique_bin()
    organisation, _ = organisation_upsert(
        data=OrganisationData(
            code=extra.pop("code", bin_value),
            bin=bin_value,
            name_kk=name or f"№ {number} жалпы білім беретін мектеп",
            name_ru=extra.pop("name_ru", "") or name or f"Общеобразовательная школа № {number}",
            name_en=extra.pop("name_en", "") or name or f"General school No. {number}",
            kind=kind,
            area=area or area_of("AST"),
            locality=locality,
            **extra,
        ),
        by=by,
    )
    return organisation


def make_person(
    *,
    organisation: Organisation | None = None,
    surname: str = "",
    given_name: str = "",
    patronymic: str = "",
    sex: str = "F",
    birth_date: date | None = None,
    iin: str = "",
    position: str = "teacher",
    by: Any = None,
    **job: Any,
) -> Person:
    """A person (with a valid, unique IIN); employed at `organisation` when one is given.

    Extra keyword arguments go to the employment (subjects, level, category,
    category_awarded_on, experience_years, started_on).
    """
    number = next(_person_numbers)
    names_given = GIVEN_NAMES_F if sex == "F" else GIVEN_NAMES_M
    person, _ = person_upsert(
        data=PersonData(
            iin=iin or unique_iin(birth_date=birth_date, sex=sex),
            surname=surname or SURNAMES[number % len(SURNAMES)],
            given_name=given_name or names_given[number % len(names_given)],
            patronymic=patronymic,
            email=job.pop("email", ""),
            phone=job.pop("phone", ""),
        ),
        by=by,
    )
    if organisation is not None:
        employ(person=person, organisation=organisation, position=position, by=by, **job)
        person.refresh_from_db()
    return person


def employ(
    *,
    person: Person,
    organisation: Organisation,
    position: str = "teacher",
    started_on: date | None = None,
    by: Any = None,
    **values: Any,
) -> None:
    """Make `organisation` the person's current job (closing the previous one, if any)."""
    employment_set(
        person=person,
        data=EmploymentData(
            organisation=organisation,
            position=position,
            started_on=started_on or date(2015, 9, 1),
            subjects=values.pop("subjects", ["mathematics"]),
            **values,
        ),
        by=by,
    )
