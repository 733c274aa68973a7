"""Analysts read cohorts for their aggregates, not for individual results (ADR 0002): the
cohort page, the completion export and the roster API show them no participant's assessment
outcome, while the cohort's coordinator still sees it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.accounts.tokens import api_token_create
from kaskad.delivery.messages import outcome_text
from kaskad.delivery.models import Enrolment
from kaskad.delivery.services import (
    attendance_save,
    cohort_set_status,
    enrolment_request,
    enrolment_set_assessment,
)
from kaskad.delivery.tests.factories import (
    add_session,
    coordinator_of,
    make_cohort,
    make_teacher,
    national_admin,
)

pytestmark = pytest.mark.django_db


def _assessed_cohort() -> tuple[Any, Enrolment]:
    admin = national_admin()
    cohort = make_cohort(status="open", by=admin)
    assert cohort.version.requires_assessment
    session = add_session(cohort, day=0, by=admin)
    enrolment_request(cohort=cohort, person=make_teacher(surname="Нәтижелі"), by=admin)
    enrolment = Enrolment.objects.get(cohort=cohort)
    attendance_save(session=session, marks={enrolment.pk: "present"}, by=admin)
    cohort = cohort_set_status(cohort=cohort, status="running", by=admin)
    cohort = cohort_set_status(cohort=cohort, status="finished", by=admin)
    enrolment = enrolment_set_assessment(enrolment=enrolment, passed=False, by=admin)
    enrolment.refresh_from_db()
    assert enrolment.outcome
    return cohort, enrolment


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_cohort_page_shows_the_analyst_no_assessment_outcome_nor_portfolios_link() -> None:
    cohort, enrolment = _assessed_cohort()
    reason = outcome_text(enrolment.outcome)
    portfolios = reverse("assessment:cohort_portfolios", args=[cohort.pk])
    url = reverse("delivery:cohort_detail", args=[cohort.pk])

    coordinator = _client(coordinator_of("ALA")).get(url).content.decode()
    assert ">Assessment</th>" in coordinator
    assert "not passed" in coordinator
    assert reason in coordinator
    assert portfolios in coordinator

    response = _client(make_user(roles=[(Role.ANALYST, None)])).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Нәтижелі" in page  # the participant list stays
    assert ">Assessment</th>" not in page
    assert "not passed" not in page
    assert reason not in page
    assert portfolios not in page


def test_the_completion_export_gives_the_analyst_no_reasons() -> None:
    cohort, enrolment = _assessed_cohort()
    reason = outcome_text(enrolment.outcome)
    url = reverse("delivery:cohort_export", args=[cohort.pk, "completion", "csv"])

    rows = _csv(_client(coordinator_of("ALA")).get(url).content)
    assert rows[0][-1] == "Reason"
    assert rows[1][-1] == reason

    rows = _csv(_client(make_user(roles=[(Role.ANALYST, None)])).get(url).content)
    assert "Reason" not in rows[0]
    assert rows[0][4] == "Result"  # the course result (completed or not) stays
    assert all(reason not in cell for row in rows for cell in row)


def test_the_roster_api_gives_the_analyst_no_assessment_outcome() -> None:
    cohort, _enrolment = _assessed_cohort()
    url = f"/api/cohorts/{cohort.pk}/roster"

    def entry(user: Any) -> dict[str, Any]:
        token = api_token_create(user=user)[1]
        response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(url)
        assert response.status_code == 200
        return response.json()["enrolled"][0]

    coordinator = entry(coordinator_of("ALA"))
    assert coordinator["assessment_passed"] is False
    assert coordinator["outcome"]
    analyst = entry(make_user(roles=[(Role.ANALYST, None)]))
    assert analyst["assessment_passed"] is None
    assert analyst["outcome"] == ""
