"""Participants without an IIN (docs/adr/0005): registered by an identity document, never
mistaken for an IIN holder, with the database holding exactly one of the two."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.core.errors import DomainError
from kaskad.core.scope import identifier_of, iin_for, sees_identifier
from kaskad.registry.identifiers import IdentifierError, parse_document
from kaskad.registry.models import Person
from kaskad.registry.services import ForeignPersonData, person_change, person_register_without_iin
from kaskad.registry.tests.factories import branch, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The kind of document is shown in the reader's language: these tests read English."""
    with translation.override("en"):
        yield


def foreign(**extra: str) -> ForeignPersonData:
    values = {
        "document_type": "passport",
        "document_number": "a 123-4567",
        "document_country": "tm",
        "surname": "Ataýewa",
        "given_name": "Jeren",
        "birth_date": date(1988, 4, 2),
        "sex": "F",
    }
    values.update(extra)
    return ForeignPersonData(**values)  # type: ignore[arg-type]


def test_registered_by_document_normalised_and_marked() -> None:
    person = person_register_without_iin(data=foreign())
    person.refresh_from_db()
    assert person.iin is None
    assert not person.has_iin
    assert (person.document_country, person.document_type, person.document_number) == (
        "TM",
        "passport",
        "A1234567",
    )
    assert identifier_of(person) == "TM passport A1234567"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("", "document_empty"),
        ("AB-CDEFG", "document_digits"),
        ("A12", "document_length"),
        ("A12345678901", "document_length"),
        ("Ф1234567", "document_chars"),
        ("A1234567!", "document_chars"),
    ],
)
def test_malformed_document_number_refused_and_nothing_written(number: str, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        person_register_without_iin(data=foreign(document_number=number))
    assert caught.value.code == code
    assert caught.value.field == "document_number"
    assert number.replace("-", "").upper()[:2] in str(caught.value.message) or not number
    assert not Person.objects.filter(iin__isnull=True).exists()


def test_kazakhstan_and_unknown_countries_refused() -> None:
    with pytest.raises(DomainError) as caught:
        person_register_without_iin(data=foreign(document_country="KZ"))
    assert caught.value.code == "document_country_kz"
    with pytest.raises(DomainError) as caught:
        person_register_without_iin(data=foreign(document_country="XX"))
    assert caught.value.field == "document_country"
    with pytest.raises(IdentifierError):
        parse_document("visa", "A1234567", "TM")


def test_same_document_twice_refused_but_same_number_in_another_country_allowed() -> None:
    first = person_register_without_iin(data=foreign())
    with pytest.raises(DomainError) as caught:
        person_register_without_iin(data=foreign(document_number="A1234567", surname="Other"))
    assert caught.value.code == "document_taken"
    assert first.full_name in str(caught.value.message)
    other = person_register_without_iin(data=foreign(document_country="RU"))
    assert other.pk != first.pk


def test_database_holds_exactly_one_identifier() -> None:
    holder = make_person()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Person.objects.filter(pk=holder.pk).update(document_type="passport")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Person.objects.filter(pk=holder.pk).update(iin=None)
    person = person_register_without_iin(data=foreign())
    with transaction.atomic(), pytest.raises(IntegrityError):
        Person.objects.filter(pk=person.pk).update(document_country="")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Person.objects.create(
            document_type="passport",
            document_number="A1234567",
            document_country="TM",
            surname="X",
            given_name="Y",
            birth_date=date(1990, 1, 1),
            sex="M",
        )


def test_shown_by_document_masked_unless_allowed() -> None:
    person = person_register_without_iin(data=foreign())
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    assert iin_for(admin, person) == "TM passport A1234567"
    assert sees_identifier(admin, person)
    masked = iin_for(coordinator, person)
    assert masked.startswith("TM passport ") and masked.endswith("4567")
    assert "A123" not in masked
    assert not sees_identifier(coordinator, person)


def test_names_change_without_an_iin() -> None:
    person = person_register_without_iin(data=foreign())
    changed = person_change(person=person, surname="Ataýewa-Myradowa", given_name="Jeren")
    assert changed.surname == "Ataýewa-Myradowa"
    with pytest.raises(DomainError):
        person_change(person=person, surname="Ataýewa1", given_name="Jeren")


def test_page_registers_a_participant_abroad_and_refuses_a_malformed_number() -> None:
    from django.test import Client

    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    data = {
        "document_country": "TM",
        "document_type": "passport",
        "document_number": "A12",
        "surname": "Ataýewa",
        "given_name": "Jeren",
        "birth_date": "1988-04-02",
        "sex": "F",
    }
    refused = admin.post("/registry/people/abroad/new/", data)
    assert refused.status_code == 200
    assert "must be 6 to 10 characters" in refused.content.decode()
    assert not Person.objects.filter(iin__isnull=True).exists()
    done = admin.post("/registry/people/abroad/new/", {**data, "document_number": "A1234567"})
    person = Person.objects.get(iin__isnull=True)
    assert done["Location"] == f"/registry/people/{person.pk}/"
    card = admin.get(done["Location"]).content.decode()
    assert "TM passport A1234567" in card and "no IIN: participant abroad" in card
    coordinator = Client()
    coordinator.force_login(make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))]))
    assert coordinator.get("/registry/people/abroad/new/").status_code == 404
