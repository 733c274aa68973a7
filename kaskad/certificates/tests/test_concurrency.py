"""Numbers never repeat or skip when many certificates of one branch are issued at once, and a
portfolio never gets two valid certificates when two people click "issue" together."""

from __future__ import annotations

from typing import Any

import pytest

from kaskad.certificates.models import Certificate
from kaskad.certificates.services import certificate_issue
from kaskad.certificates.tests.factories import certificate_cohort, certified_portfolio
from kaskad.core.errors import DomainError
from kaskad.core.testing import race, skip_without_real_connections
from kaskad.delivery.tests.factories import national_admin
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data

WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_take_consecutive_numbers() -> None:
    skip_without_real_connections()
    sync_reference_data(Branch, Area)
    admin = national_admin()
    cohort = certificate_cohort()
    portfolios = [certified_portfolio(cohort=cohort) for _ in range(WORKERS)]

    def issue(portfolio: Any) -> Any:
        return lambda: certificate_issue(portfolio=portfolio, by=admin)

    results = race([issue(p) for p in portfolios])
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    sequences = sorted(Certificate.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, WORKERS + 1))
    assert len(set(Certificate.objects.values_list("number", flat=True))) == WORKERS


@pytest.mark.django_db(transaction=True)
def test_two_clicks_on_one_portfolio_give_one_certificate() -> None:
    skip_without_real_connections()
    sync_reference_data(Branch, Area)
    admin = national_admin()
    portfolio = certified_portfolio()

    results = race([lambda: certificate_issue(portfolio=portfolio, by=admin)] * 4)
    issued = [r for r in results if isinstance(r, Certificate)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(issued) == 1, results
    assert len(refused) == 3, results
    assert Certificate.objects.filter(portfolio=portfolio, status="valid").count() == 1
