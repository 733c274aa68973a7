"""The progress page of a background job: its starter and national administrators may follow
it (the rule comes from accounts, so the test lives here)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import Job
from kaskad.registry.tests.factories import branch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def starter() -> User:
    return make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])


@pytest.fixture
def job(starter: User) -> Job:
    return Job.objects.create(
        kind="registry_import",
        title="Import: teachers.xlsx",
        status=Job.Status.RUNNING,
        stage="validating",
        total=200,
        done=50,
        created_by=starter,
    )


def page(job: Job) -> str:
    return reverse("core:job_detail", args=[job.pk])


def partial(job: Job) -> str:
    return reverse("core:job_progress", args=[job.pk])


def test_the_starter_sees_the_progress(client: Client, starter: User, job: Job) -> None:
    client.force_login(starter)
    response = client.get(page(job))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Import: teachers.xlsx" in html
    assert 'aria-valuenow="25"' in html
    assert "50 of 200" in html
    assert "validating" in html


def test_a_running_job_polls_its_partial_every_second(
    client: Client, starter: User, job: Job
) -> None:
    client.force_login(starter)
    html = client.get(page(job)).content.decode()
    assert f'hx-get="{partial(job)}"' in html
    assert 'hx-trigger="every 1s"' in html
    fragment = client.get(partial(job)).content.decode()
    assert "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment


def test_a_finished_job_stops_polling_and_shows_its_result(
    client: Client, starter: User, job: Job
) -> None:
    job.status = Job.Status.SUCCEEDED
    job.done = 200
    job.result = {"message": "200 rows imported.", "url": "/registry/people/"}
    job.save()
    client.force_login(starter)
    fragment = client.get(partial(job)).content.decode()
    assert "hx-trigger" not in fragment
    assert 'aria-valuenow="100"' in fragment
    assert "200 rows imported." in fragment
    assert 'href="/registry/people/"' in fragment


def test_a_result_link_to_another_site_is_dropped(client: Client, starter: User, job: Job) -> None:
    job.status = Job.Status.FAILED
    job.result = {"message": "Broken file.", "url": "https://evil.example/"}
    job.save()
    client.force_login(starter)
    fragment = client.get(partial(job)).content.decode()
    assert "evil.example" not in fragment
    assert "Broken file." in fragment


def test_a_page_without_javascript_refreshes_itself_until_done(
    client: Client, starter: User, job: Job
) -> None:
    client.force_login(starter)
    assert 'http-equiv="refresh"' in client.get(page(job)).content.decode()
    job.status = Job.Status.SUCCEEDED
    job.save()
    assert 'http-equiv="refresh"' not in client.get(page(job)).content.decode()


def test_other_users_get_404(client: Client, job: Job) -> None:
    other = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    client.force_login(other)
    assert client.get(page(job)).status_code == 404
    assert client.get(partial(job)).status_code == 404


def test_a_national_admin_sees_every_job(client: Client, job: Job) -> None:
    client.force_login(make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    assert client.get(page(job)).status_code == 200
    assert client.get(partial(job)).status_code == 200


def test_an_analyst_does_not(client: Client, job: Job) -> None:
    client.force_login(make_user(roles=[(Role.ANALYST, None)]))
    assert client.get(page(job)).status_code == 404


def test_unknown_job_is_404(client: Client, starter: User) -> None:
    client.force_login(starter)
    assert client.get(reverse("core:job_detail", args=[424242])).status_code == 404


def test_sign_in_is_required(client: Client, job: Job) -> None:
    response = client.get(page(job))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
