"""Certificates of a whole assessment session: a programme's cohorts that ended in a period,
generated as one background job and one ZIP from the certificates page."""

from __future__ import annotations

import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.certificates.models import Certificate
from kaskad.certificates.services import BULK_JOB_KIND
from kaskad.certificates.tests.factories import certificate_cohort, certified_portfolio
from kaskad.core.models import Job
from kaskad.delivery.tests.factories import coordinator_of, make_cohort, make_teacher
from kaskad.registry.tests.factories import branch

pytestmark = pytest.mark.django_db

EARLY = date(2026, 3, 2)
LATE = date(2026, 9, 7)


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings: Any) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


@pytest.fixture
def session() -> dict[str, Any]:
    """One programme: a spring cohort in Almaty (two certified), an autumn cohort in Almaty
    (one certified) and a spring cohort in Astana (one certified)."""
    spring = certificate_cohort(branch_code="ALA", starts_on=EARLY)
    version = spring.version
    autumn = make_cohort(version=version, branch_obj=branch("ALA"), starts_on=LATE, status="open")
    astana = make_cohort(version=version, branch_obj=branch("AST"), starts_on=EARLY, status="open")
    for cohort, count in ((spring, 2), (autumn, 1), (astana, 1)):
        for _ in range(count):
            certified_portfolio(cohort=cohort, person=make_teacher(branch_code=cohort.branch.code))
    return {"programme": version.programme, "spring": spring, "astana": astana}


def _post(client: Client, programme: Any, start: date, end: date) -> Any:
    return client.post(
        "/certificates/sessions/generate/",
        {"programme": programme.pk, "date_from": start.isoformat(), "date_to": end.isoformat()},
    )


def _zip_numbers(job: Job) -> set[str]:
    with zipfile.ZipFile(Path(settings.MEDIA_ROOT) / job.result["zip"]) as archive:
        return {
            n.removesuffix(".pdf").rsplit("_", 1)[-1]
            for n in archive.namelist()
            if n.endswith(".pdf")
        }


def test_the_admin_generates_a_spring_session_across_branches(
    session: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, session["programme"], EARLY, EARLY + timedelta(days=60))
    job = Job.objects.get(kind=BULK_JOB_KIND)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "succeeded"
    issued = Certificate.objects.filter(portfolio__enrolment__cohort__starts_on=EARLY)
    assert issued.count() == 3  # two in Almaty, one in Astana; the autumn cohort left alone
    assert _zip_numbers(job) == set(issued.values_list("number", flat=True))
    assert not Certificate.objects.filter(portfolio__enrolment__cohort__starts_on=LATE).exists()


def test_a_coordinator_gets_only_their_branch(
    session: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(coordinator_of("AST"))
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, session["programme"], EARLY, EARLY + timedelta(days=60))
    job = Job.objects.get(kind=BULK_JOB_KIND)
    issued = Certificate.objects.all()
    assert list(issued.values_list("branch__code", flat=True)) == ["AST"]
    assert _zip_numbers(job) == set(issued.values_list("number", flat=True))


def test_a_reversed_period_is_refused_with_a_message_and_no_job(session: dict[str, Any]) -> None:
    client = Client()
    client.force_login(make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    response = _post(client, session["programme"], LATE, EARLY)
    assert response.status_code == 302 and response["Location"] == "/certificates/"
    page = client.get("/certificates/")
    assert "The period ends before it starts." in page.content.decode()
    assert not Job.objects.exists() and not Certificate.objects.exists()


def test_teachers_and_trainers_cannot_start_a_session(session: dict[str, Any]) -> None:
    for role in (Role.TEACHER, Role.TRAINER, Role.ASSESSOR):
        client = Client()
        client.force_login(make_user(roles=[(role, None)]))
        assert _post(client, session["programme"], EARLY, LATE).status_code == 404
    assert not Job.objects.exists()
