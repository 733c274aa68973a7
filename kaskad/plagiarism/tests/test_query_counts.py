"""The officer's queue costs the same number of queries for 2 suspected portfolios as for 6."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import PlagiarismStatus, PortfolioStatus
from kaskad.assessment.tests.factories import make_portfolio
from kaskad.assessment.tests.query_counts import assert_flat
from kaskad.delivery.tests.factories import make_cohort
from kaskad.plagiarism.models import CheckStatus, PlagiarismCheck

pytestmark = pytest.mark.django_db


def test_plagiarism_queue() -> None:
    cohort = make_cohort(status="open", capacity=100)
    officer = make_user(roles=[(Role.PLAGIARISM_OFFICER, None)])

    def grow(n: int) -> list[str]:
        shown = []
        for index in range(n):
            portfolio = make_portfolio(
                cohort=cohort,
                status=PortfolioStatus.AWAITING_PLAGIARISM,
                plagiarism_status=PlagiarismStatus.SUSPECTED,
            )
            PlagiarismCheck.objects.create(
                portfolio=portfolio,
                attempt=portfolio.attempt,
                status=CheckStatus.DONE,
                similarity_percent=Decimal(40 + index),
                threshold_percent=Decimal(30),
                finished_at=timezone.now(),
            )
            shown.append(f"P-{portfolio.pk}")
        return shown

    assert_flat(officer, reverse("plagiarism:queue"), grow)
