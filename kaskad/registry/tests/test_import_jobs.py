"""Imports as background jobs, run by the real worker (`manage.py db_worker --batch`)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import AuditEntry, Job
from kaskad.registry.imports.jobs import import_job_start, store_copy
from kaskad.registry.models import Employment, Person
from kaskad.registry.tests.factories import make_organisation
from kaskad.registry.tests.test_import_support import PEOPLE_HEADER, person_row, write_csv

# The worker commits and closes connections like the real one: a transactional test, with
# the reference areas and branches restored afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run_worker() -> str:
    out = io.StringIO()
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out, stderr=out
    )
    return out.getvalue()


def test_enqueued_import_is_run_by_the_worker(tmp_path: Path) -> None:
    school = make_organisation(code="S-1")
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)], language="en")
    source = write_csv(
        tmp_path / "people.csv",
        PEOPLE_HEADER,
        [person_row(school), person_row(school), person_row(school)],
    )

    job = import_job_start(
        kind="people", stored=store_copy(source), original_name="people.csv", by=admin
    )

    assert job.status == Job.Status.QUEUED
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [job.pk]
    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert (job.result["created"], job.result["updated"], job.result["unchanged"]) == (3, 0, 0)
    assert (job.done, job.total) == (3, 3) and job.finished_at is not None
    assert job.result["message"].startswith("people.csv: 3 rows imported")
    assert Person.objects.count() == 3 and Employment.objects.count() == 3
    sources = set(AuditEntry.objects.filter(action="import").values_list("source", flat=True))
    assert sources == {f"import:people.csv (job {job.pk})"}
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    # The same file again, as a new job: nothing changes.
    again = import_job_start(
        kind="people", stored=store_copy(source), original_name="people.csv", by=admin
    )
    run_worker()
    again.refresh_from_db()
    assert (again.result["created"], again.result["unchanged"]) == (0, 3)


def test_job_speaks_the_language_of_the_user_who_started_it(tmp_path: Path, settings) -> None:
    settings.IMPORT_MAX_BYTES = 100
    coordinator_ru = make_user(roles=[(Role.NATIONAL_ADMIN, None)], language="ru")
    source = tmp_path / "people.csv"
    source.write_text(",".join(PEOPLE_HEADER) + "\n" + "x," * 300, encoding="utf-8")

    job = import_job_start(
        kind="people", stored=store_copy(source), original_name="people.csv", by=coordinator_ru
    )
    run_worker()

    job.refresh_from_db()
    assert job.language == "ru" and job.status == Job.Status.FAILED
    # Sizes are written by Django's own (translated) size formatting: Russian units.
    assert "байт" in job.result["errors"][0]["message"]
    assert job.result["reports"]["csv"].startswith("imports/")
    assert (Path(settings.MEDIA_ROOT) / job.result["reports"]["csv"]).is_file()


def test_a_finished_job_is_not_run_twice(tmp_path: Path) -> None:
    school = make_organisation(code="S-1")
    source = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [person_row(school)])
    job = import_job_start(kind="people", stored=store_copy(source), original_name="p.csv")
    run_worker()
    job.refresh_from_db()
    finished_at = job.finished_at

    from kaskad.registry.tasks import run_import

    assert run_import.call(job.pk) == {"skipped": True}
    job.refresh_from_db()
    assert job.finished_at == finished_at
