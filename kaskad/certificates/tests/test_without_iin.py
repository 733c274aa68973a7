"""A participant abroad without an IIN (docs/adr/0005) gets a certificate like anyone."""

from __future__ import annotations

from datetime import date

import pytest

from kaskad.certificates.services import certificate_issue
from kaskad.certificates.tests.factories import certificate_cohort, certified_portfolio
from kaskad.delivery.models import Cohort
from kaskad.delivery.tests.factories import national_admin
from kaskad.registry.services import ForeignPersonData, person_register_without_iin

pytestmark = pytest.mark.django_db


def test_certificate_for_a_participant_without_an_iin() -> None:
    cohort = certificate_cohort()
    Cohort.objects.filter(pk=cohort.pk).update(abroad_country="RU")
    cohort.refresh_from_db()
    person = person_register_without_iin(
        data=ForeignPersonData(
            document_type="passport",
            document_number="4506123456",
            document_country="RU",
            surname="Иванова",
            given_name="Мария",
            birth_date=date(1979, 3, 9),
            sex="F",
        )
    )
    portfolio = certified_portfolio(cohort=cohort, person=person)
    certificate = certificate_issue(portfolio=portfolio, by=national_admin())
    assert certificate.full_name == "Иванова Мария"
    assert certificate.pdf.read()[:4] == b"%PDF"
