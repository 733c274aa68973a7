"""The public look-up's rate limit holds under parallel requests, and the revocation date is
the local calendar date, like the issue date."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from kaskad.certificates.models import Certificate
from kaskad.certificates.selectors import certificate_verify
from kaskad.certificates.services import certificate_issue, certificate_revoke
from kaskad.certificates.tests.factories import certificate_cohort, certified_portfolio
from kaskad.core.testing import race, skip_without_real_connections
from kaskad.delivery.tests.factories import national_admin

VERIFY = "/certificates/verify/"
LIMIT = 10
REQUESTS = 16


@pytest.mark.django_db(transaction=True)
def test_parallel_look_ups_from_one_address_get_exactly_the_limit(settings) -> None:
    skip_without_real_connections()
    settings.KASKAD_CERTIFICATE_VERIFY_LIMIT = LIMIT

    def look_up() -> int:
        return Client(REMOTE_ADDR="10.1.2.3").get(VERIFY, {"number": "ALA-2026-000001"}).status_code

    results = race([look_up] * REQUESTS)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    assert sorted(results) == [200] * LIMIT + [429] * (REQUESTS - LIMIT)


@pytest.mark.django_db
def test_a_revocation_early_in_the_local_morning_is_dated_that_local_day() -> None:
    admin = national_admin()
    certificate = certificate_issue(
        portfolio=certified_portfolio(cohort=certificate_cohort(language="en")), by=admin
    )
    certificate_revoke(certificate=certificate, reason="Issued by mistake.", by=admin)
    # 00:30 in Almaty is still the day before in UTC.
    local = dt.datetime.combine(certificate.issued_on, dt.time(0, 30), ZoneInfo("Asia/Almaty"))
    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=local)
    result = certificate_verify(number=certificate.number)
    assert result.revoked_on == certificate.issued_on
    body = Client().get(VERIFY, {"number": certificate.number}).content.decode()
    assert 'data-status="revoked"' in body
