"""Participants without an IIN (docs/adr/0005) enrol where a programme is delivered abroad,
and only there; certificates are issued to them like to anyone."""

from __future__ import annotations

from datetime import date

import pytest

from kaskad.delivery.models import Cohort, EnrolmentStatus
from kaskad.delivery.services._common import EnrolmentRefused
from kaskad.delivery.services.enrolment import enrolment_request
from kaskad.delivery.tests.factories import coordinator_of, make_cohort
from kaskad.registry.models import Person
from kaskad.registry.services import ForeignPersonData, person_register_without_iin

pytestmark = pytest.mark.django_db


def abroad_participant() -> Person:
    return person_register_without_iin(
        data=ForeignPersonData(
            document_type="passport",
            document_number="A7654321",
            document_country="TM",
            surname="Myradow",
            given_name="Döwlet",
            birth_date=date(1985, 6, 1),
            sex="M",
        )
    )


def test_enrolled_in_a_cohort_delivered_abroad() -> None:
    cohort = make_cohort(status="open")
    Cohort.objects.filter(pk=cohort.pk).update(abroad_country="TM")
    cohort.refresh_from_db()
    enrolment = enrolment_request(
        cohort=cohort, person=abroad_participant(), by=coordinator_of("ALA")
    )
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert enrolment.organisation is None


def test_refused_in_a_cohort_delivered_in_kazakhstan() -> None:
    cohort = make_cohort(status="open")
    with pytest.raises(EnrolmentRefused) as caught:
        enrolment_request(cohort=cohort, person=abroad_participant(), by=coordinator_of("ALA"))
    assert caught.value.code == "not_delivered_abroad"
    assert cohort.code in str(caught.value.message)
    assert not cohort.enrolments.exists()


# --- From the page: the cohort form and the pasted list --------------------------------------


def _abroad_cohort() -> Cohort:
    from kaskad.delivery.services.cohorts import cohort_set_status

    cohort = make_cohort()
    Cohort.objects.filter(pk=cohort.pk).update(abroad_country="TM")
    cohort.refresh_from_db()
    return cohort_set_status(cohort=cohort, status="open", by=coordinator_of("ALA"))


def test_cohort_created_abroad_from_the_form_and_refused_for_kazakhstan() -> None:
    from django.test import Client

    from kaskad.catalogue.tests.factories import make_version
    from kaskad.core.errors import DomainError
    from kaskad.delivery.services.cohorts import CohortData, cohort_create
    from kaskad.registry.tests.factories import branch

    version = make_version()
    user = coordinator_of("ALA")
    data = {
        "version": version.pk,
        "branch": branch("ALA").pk,
        "format": (version.formats or ["classroom"])[0],
        "language": (version.languages or ["kk"])[0],
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-13",
        "capacity": "20",
        "code": "ABROAD-TM-1",
        "abroad_country": "TM",
    }
    client = Client()
    client.force_login(user)
    bad = client.post("/delivery/cohorts/new/", {**data, "abroad_country": "KZ"})
    assert bad.status_code == 200
    assert not Cohort.objects.filter(code="ABROAD-TM-1").exists()
    response = client.post("/delivery/cohorts/new/", data)
    assert response.status_code == 302
    assert Cohort.objects.get(code="ABROAD-TM-1").abroad_country == "TM"
    with pytest.raises(DomainError) as caught:
        cohort_create(
            data=CohortData(
                version=version,
                branch=branch("ALA"),
                format=data["format"],
                language=data["language"],
                starts_on=date(2026, 3, 2),
                ends_on=date(2026, 3, 13),
                capacity=20,
                abroad_country="XX",
            ),
            by=user,
        )
    assert caught.value.field == "abroad_country"


def test_list_takes_document_numbers_in_a_cohort_abroad_unknown_and_other_country_alike() -> None:
    from kaskad.delivery.lists import ListLine
    from kaskad.delivery.services.enrolment import enrolment_request_list

    person = abroad_participant()
    elsewhere = person_register_without_iin(
        data=ForeignPersonData(
            document_type="passport",
            document_number="B1234567",
            document_country="RU",
            surname="Petrov",
            given_name="Ivan",
            birth_date=date(1980, 1, 1),
            sex="M",
        )
    )
    cohort = _abroad_cohort()
    results = enrolment_request_list(
        cohort=cohort,
        lines=[
            ListLine(1, "a765 4321"),
            ListLine(2, "B1234567"),
            ListLine(3, "Z9999999"),
            ListLine(4, "A7654321"),
            ListLine(5, "AB"),
        ],
        by=coordinator_of("ALA"),
    )
    by_line = {r.line: r for r in results}
    assert by_line[1].outcome == "enrolled" and by_line[1].person == person
    # Registered with another country's document: exactly like an unknown number.
    assert (by_line[2].code, by_line[2].message, by_line[2].person) == (
        by_line[3].code,
        by_line[3].message,
        None,
    )
    assert by_line[2].code == "unknown_document"
    assert by_line[4].code == "duplicate_line"
    assert by_line[5].outcome == "refused" and by_line[5].code.startswith("document_")
    assert not cohort.enrolments.filter(person=elsewhere).exists()


def test_document_numbers_are_not_read_in_a_cohort_in_kazakhstan() -> None:
    from kaskad.delivery.lists import ListLine
    from kaskad.delivery.services.enrolment import enrolment_request_list

    abroad_participant()
    cohort = make_cohort(status="open")
    (result,) = enrolment_request_list(
        cohort=cohort, lines=[ListLine(1, "A7654321")], by=coordinator_of("ALA")
    )
    assert result.outcome == "refused"
    assert result.person is None
    assert not cohort.enrolments.exists()


def test_enrol_page_takes_a_document_number() -> None:
    from django.test import Client

    person = abroad_participant()
    cohort = _abroad_cohort()
    client = Client()
    client.force_login(coordinator_of("ALA"))
    url = f"/delivery/cohorts/{cohort.pk}/enrol/"
    assert "delivered abroad (TM)" in client.get(url).content.decode()
    response = client.post(url, {"iins": "A7654321\n"})
    assert response.status_code == 200
    assert cohort.enrolments.filter(person=person).exists()
    # Another branch's coordinator: the cohort itself is not there.
    other = Client()
    other.force_login(coordinator_of("AST"))
    assert other.post(url, {"iins": "A7654321\n"}).status_code == 404
