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
