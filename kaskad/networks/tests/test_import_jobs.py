"""The network import as a background job: checked in the request, run by the worker, its
progress followed on the import page by the one who started it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import AuditEntry, Job
from kaskad.networks.import_jobs import JOB_KIND, network_import_start
from kaskad.networks.models import LeadingSchool, MethodCentre, Partnership
from kaskad.networks.tasks import run_network_import
from kaskad.networks.tests.factories import YEAR
from kaskad.networks.tests.test_imports import HEADER, _lines, _network
from kaskad.registry.imports.jobs import store_copy
from kaskad.registry.tests.factories import branch, make_person


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(lines: list[str], name: str = "network.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode())


def _coordinator(code: str = "AST", language: str = "en") -> User:
    return make_user(roles=[(Role.BRANCH_COORDINATOR, branch(code))], language=language)


def _stored_files(media: Path) -> list[Path]:
    folder = media / "imports"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def run_worker() -> str:
    out = io.StringIO()
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out, stderr=out
    )
    return out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_upload_is_checked_then_run_by_the_worker_with_progress(media: Path) -> None:
    nis, lead, schools = _network()
    user = _coordinator()
    client = _client(user)

    response = client.post(
        reverse("networks:import"), {"year": YEAR, "file": _upload(_lines(nis, lead, schools))}
    )

    job = Job.objects.get(kind=JOB_KIND)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('networks:import')}?job={job.pk}"
    assert job.status == Job.Status.QUEUED and job.created_by == user
    assert not LeadingSchool.objects.exists()  # the trial run wrote nothing
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'id="job-progress"' in page.content.decode()  # the shared progress bar

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert (job.done, job.total, job.percent) == (10, 10, 100)
    assert job.result["created"] == 10
    assert LeadingSchool.objects.get(year=YEAR).centre == MethodCentre.objects.get(school=nis)
    assert Partnership.objects.count() == 8
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    # Coming back to the page later: the result, and the import among the user's own.
    body = client.get(reverse("networks:import")).content.decode()
    assert f"?job={job.pk}" in body
    progress = client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
    assert 'data-status="succeeded"' in progress and "10 rows imported" in progress


@pytest.mark.django_db
def test_a_bad_file_shows_where_and_writes_nothing(media: Path) -> None:
    nis, lead, schools = _network(partners=1)
    client = _client(_coordinator())
    lines = [*_lines(nis, lead, schools), "leading,940140000385,,,,,,", "boss,123,,,,,,"]

    page = client.post(reverse("networks:import"), {"year": YEAR, "file": _upload(lines)})

    assert page.status_code == 200
    body = page.content.decode()
    assert "No organisation in the registry has this BIN" in body
    assert "940140000385" in body and ">5<" in body  # value and line
    assert "Unknown role" in body and ">6<" in body
    assert "nothing was written" in body
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()
    assert not LeadingSchool.objects.exists() and not MethodCentre.objects.exists()
    assert not AuditEntry.objects.filter(action="create").exclude(source="").exists()
    assert _stored_files(media) == []  # the upload is not kept


@pytest.mark.django_db
def test_errors_are_in_the_users_language(media: Path) -> None:
    client = _client(_coordinator(language="ru"))
    page = client.post(
        reverse("networks:import"),
        {"year": YEAR, "file": _upload(["leading,940140000385,,,,,,"])},
    )
    assert "В реестре нет организации с таким БИН" in page.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_check_only_queues_nothing(media: Path) -> None:
    nis, lead, schools = _network(partners=1)
    client = _client(_coordinator())
    page = client.post(
        reverse("networks:import"),
        {"year": YEAR, "file": _upload(_lines(nis, lead, schools)), "dry_run": "on"},
    )
    assert page.status_code == 200 and "a trial run" in page.content.decode()
    assert not Job.objects.exists() and not LeadingSchool.objects.exists()


@pytest.mark.django_db
def test_the_job_is_seen_only_by_the_one_who_started_it(media: Path) -> None:
    nis, lead, schools = _network(partners=1)
    owner = _client(_coordinator())
    owner.post(
        reverse("networks:import"), {"year": YEAR, "file": _upload(_lines(nis, lead, schools))}
    )
    job = Job.objects.get(kind=JOB_KIND)
    missing = job.pk + 1000
    page = reverse("networks:import")
    assert owner.get(page, {"job": job.pk}).status_code == 200

    colleague = _client(_coordinator())  # same branch, did not start it
    other_branch = _client(_coordinator("ALA"))
    teacher = _client(make_user(roles=[(Role.TEACHER, None)], person=make_person()))
    for client in (colleague, other_branch, teacher):
        for url, params in (
            (page, {"job": job.pk}),
            (reverse("core:job_detail", args=[job.pk]), {}),
            (reverse("core:job_progress", args=[job.pk]), {}),
        ):
            response = client.get(url, params)
            assert response.status_code == 404
        # Indistinguishable from a job that does not exist.
        assert client.get(page, {"job": missing}).status_code == 404
        assert str(job.title) not in client.get(page).content.decode()

    admin = _client(make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    assert admin.get(page, {"job": job.pk}).status_code == 200  # follows every job


@pytest.mark.django_db
def test_another_kind_of_job_is_not_shown_here(media: Path) -> None:
    user = _coordinator()
    other = Job.objects.create(kind="import_people", created_by=user, title="People")
    assert _client(user).get(reverse("networks:import"), {"job": other.pk}).status_code == 404


@pytest.mark.django_db
def test_running_the_same_job_again_does_nothing_twice(tmp_path: Path) -> None:
    nis, lead, schools = _network(partners=2)
    user = _coordinator()
    source = tmp_path / "network.csv"
    source.write_text("\n".join([HEADER, *_lines(nis, lead, schools)]) + "\n", encoding="utf-8")

    job = network_import_start(
        stored=store_copy(source), original_name="network.csv", year=YEAR, by=user
    )
    assert run_network_import.call(job.pk) == {"ok": True, "total": 4}
    job.refresh_from_db()
    finished_at, audits = job.finished_at, AuditEntry.objects.count()

    assert run_network_import.call(job.pk) == {"skipped": True}  # a second run of the task
    job.refresh_from_db()
    assert job.finished_at == finished_at and AuditEntry.objects.count() == audits

    # The same file as a new job (or a restarted one) changes nothing.
    again = network_import_start(
        stored=store_copy(source), original_name="network.csv", year=YEAR, by=user
    )
    run_network_import.call(again.pk)
    again.refresh_from_db()
    assert again.status == Job.Status.SUCCEEDED
    assert (again.result["created"], again.result["updated"], again.result["unchanged"]) == (
        0,
        0,
        4,
    )
    assert AuditEntry.objects.count() == audits
    assert LeadingSchool.objects.count() == 1 and Partnership.objects.count() == 2


@pytest.mark.django_db
def test_the_command_shows_a_progress_bar_and_imports(tmp_path: Path) -> None:
    nis, lead, schools = _network(partners=1)
    source = tmp_path / "network.csv"
    source.write_text("\n".join([HEADER, *_lines(nis, lead, schools)]) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_network", str(source), "--year", str(YEAR), stdout=out, stderr=err)
    assert "3 rows imported" in out.getvalue()
    assert "Checking" in err.getvalue() and "Writing" in err.getvalue()
    assert LeadingSchool.objects.count() == 1
