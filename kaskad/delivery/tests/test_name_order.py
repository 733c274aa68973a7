"""Names sort in the Kazakh alphabet (which contains the Russian one in the same order) on
SQLite and PostgreSQL alike, not by code point."""

from __future__ import annotations

import pytest

from kaskad.core.collation import KAZAKH_ALPHABET, name_key
from kaskad.delivery.selectors import cohort_roster
from kaskad.delivery.services.enrolment import enrolment_request
from kaskad.delivery.tests.factories import make_cohort, make_teacher, national_admin
from kaskad.registry.models import Person
from kaskad.registry.tests.factories import make_person

# In alphabetical order, one name per special Kazakh letter next to its neighbours.
EXPECTED = [
    "Абаев",
    "Әмірова",
    "Бекова",
    "Гусев",
    "Ғалымжанова",
    "Дәулетов",
    "Ешенов",
    "Ёлкин",
    "Иванов",
    "Кенжебаев",
    "Қасымова",
    "Нұров",
    "Ңғалиев",
    "Оспанов",
    "Өтебаев",
    "Уәлиев",
    "Ұзақов",
    "Үмбетов",
    "Хасенов",
    "Һасанов",
    "Цой",
    "Ыбыраев",
    "Ізбасар",
    "Эргешов",
    "Яковлева",
]


def test_the_alphabet_has_its_42_letters_in_order() -> None:
    assert len(KAZAKH_ALPHABET) == 42
    assert KAZAKH_ALPHABET.startswith("аәбвгғд") and KAZAKH_ALPHABET.endswith("ыіьэюя")


def test_the_python_key_orders_like_the_alphabet() -> None:
    shuffled = sorted(EXPECTED, key=lambda s: s[::-1])
    assert sorted(shuffled, key=name_key) == EXPECTED
    assert sorted(["әмір", "Әмір", "Абай"], key=name_key) == ["Абай", "әмір", "Әмір"]


@pytest.mark.django_db
def test_the_database_orders_people_alphabetically() -> None:
    for surname in reversed(EXPECTED):
        make_person(surname=surname, given_name="Тест")
    from kaskad.core.collation import name_order

    ordered = list(
        Person.objects.filter(given_name="Тест")
        .order_by(*name_order(), "id")
        .values_list("surname", flat=True)
    )
    assert ordered == EXPECTED


@pytest.mark.django_db
def test_a_cohort_roster_is_in_alphabetical_order() -> None:
    admin = national_admin()
    cohort = make_cohort(status="open", capacity=50, by=admin)
    surnames = ["Яковлева", "Қасымова", "Әмірова", "Ғалымжанова", "Ізбасар", "Абаев", "Өтебаев"]
    for surname in surnames:
        enrolment_request(cohort=cohort, person=make_teacher(surname=surname), by=admin)
    roster = [e.person.surname for e in cohort_roster(cohort=cohort)]
    assert roster == [
        "Абаев",
        "Әмірова",
        "Ғалымжанова",
        "Қасымова",
        "Өтебаев",
        "Ізбасар",
        "Яковлева",
    ]
