"""A participant's certificates page costs the same number of queries for 2 certificates as
for 6."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.tests.query_counts import assert_flat
from kaskad.certificates.services import certificate_issue
from kaskad.certificates.tests.factories import certificate_cohort, certified_portfolio
from kaskad.delivery.tests.factories import make_teacher, national_admin

pytestmark = pytest.mark.django_db


def test_my_certificates() -> None:
    admin = national_admin()
    person = make_teacher(branch_code="ALA")
    user = make_user(person=person, roles=[(Role.TEACHER, None)])

    def grow(n: int) -> list[str]:
        issued = [
            certificate_issue(
                portfolio=certified_portfolio(cohort=certificate_cohort(), person=person), by=admin
            )
            for _ in range(n)
        ]
        return [c.number for c in issued]

    assert_flat(user, reverse("certificates:my_certificates"), grow)
