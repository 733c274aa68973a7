"""Background jobs beyond one run: a killed worker is found and its job can be restarted, a job
is never run twice, old task rows and job files are deleted."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.core.jobs import (
    WORKER_LOST_CLASS,
    job_claim,
    job_enqueue,
    job_restart,
    jobs_prune,
    jobs_reap,
    worker_identity,
)
from kaskad.core.models import Job, WorkerHeartbeat
from kaskad.core.tests.blocking_tasks import wait_for_flag

BASE_DIR = Path(settings.BASE_DIR)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


def _start_worker() -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": _database_url(),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--queue-name", "*", "--no-reload",
         "--no-startup-delay", "--interval", "0.2"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_for(condition: Any, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_is_found_and_its_job_restarted(tmp_path: Path) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip("the worker process needs a database file it can open")
    flag = tmp_path / "hold"
    flag.touch()
    user = make_user(roles=[(Role.NATIONAL_ADMIN, None)], language="en")
    with transaction.atomic():
        job = Job.objects.create(
            kind="import_people",
            created_by=user,
            title="Import of people",
            params={"flag": str(flag), "all_or_nothing": True},
            language="en",
        )
        job_enqueue(job, wait_for_flag)
    worker = _start_worker()
    try:
        _wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.RUNNING)
        job.refresh_from_db()
        assert job.worker == f"{worker_identity().rpartition(':')[0]}:{worker.pid}"
        # Alive: the reaper leaves it alone.
        assert jobs_reap().jobs == 0
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert task.status == "RUNNING"  # what the worker left behind

    reaped = jobs_reap()
    assert (reaped.jobs, reaped.tasks) == (1, 1)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.result["restartable"] is True
    assert "nothing was written" in job.result["message"]
    task.refresh_from_db()
    assert task.status == "FAILED" and task.exception_class_path == WORKER_LOST_CLASS

    # The job page says so and offers a restart.
    client = Client()
    client.force_login(user)
    html = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "nothing was written" in html
    assert reverse("core:job_restart", args=[job.pk]) in html
    # The import's own page too (the job is an import of people).
    html = client.get(reverse("registry_imports:result", args=[job.pk])).content.decode()
    assert "nothing was written" in html
    assert reverse("core:job_restart", args=[job.pk]) in html
    response = client.post(reverse("core:job_restart", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.result == {} and job.worker == ""
    assert job.task_id != str(task.pk)
    assert DBTaskResult.objects.get(pk=job.task_id).status == "READY"

    # Restarted, it runs to the end.
    flag.unlink()
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED


@pytest.mark.django_db
def test_a_job_is_claimed_once() -> None:
    job = Job.objects.create(kind="x")
    assert job_claim(job.pk, stage="one") is not None
    assert job_claim(job.pk, stage="two") is None
    job.refresh_from_db()
    assert (job.status, job.stage, job.worker) == ("running", "one", worker_identity())


@pytest.mark.django_db
def test_a_worker_elsewhere_is_lost_only_when_its_heartbeat_stops() -> None:
    now = timezone.now()
    fresh = Job.objects.create(kind="x", status="running", worker="elsewhere:101")
    stale = Job.objects.create(kind="x", status="running", worker="elsewhere:102")
    silent = Job.objects.create(kind="x", status="running", worker="elsewhere:103")
    mine = Job.objects.create(kind="x", status="running", worker=worker_identity())
    unknown = Job.objects.create(kind="x", status="running", worker="random-id")
    WorkerHeartbeat.objects.create(worker="elsewhere:101", seen_at=now)
    WorkerHeartbeat.objects.create(worker="elsewhere:102", seen_at=now - timedelta(hours=1))
    assert jobs_reap().jobs == 2
    status = dict(Job.objects.values_list("pk", "status"))
    assert status[fresh.pk] == status[mine.pk] == status[unknown.pk] == "running"
    assert status[stale.pk] == status[silent.pk] == "failed"
    # Not an all-or-nothing job: the message does not promise that nothing was written.
    stale.refresh_from_db()
    assert "nothing was written" not in stale.result["message"]
    assert stale.result["restartable"] is False  # no task recorded to queue again


@pytest.mark.django_db
def test_only_a_lost_job_can_be_restarted() -> None:
    from kaskad.core.errors import DomainError

    job = Job.objects.create(kind="x", status="failed", result={"ok": False})
    with pytest.raises(DomainError):
        job_restart(job=job, by=None)


@pytest.mark.django_db
def test_old_task_rows_and_job_files_are_deleted(
    settings, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    settings.KASKAD_TASK_RETENTION_DAYS = 30
    settings.KASKAD_JOB_FILE_RETENTION_DAYS = 30
    (tmp_path / "imports").mkdir()
    upload, report = tmp_path / "imports/a.csv", tmp_path / "imports/a.report.csv"
    upload.write_text("iin\n")
    report.write_text("error\n")
    now = timezone.now()
    old = Job.objects.create(
        kind="import_people",
        status="succeeded",
        input_file="imports/a.csv",
        result={"reports": {"csv": "imports/a.report.csv"}},
        finished_at=now - timedelta(days=31),
    )
    recent = Job.objects.create(
        kind="import_people",
        status="succeeded",
        input_file="imports/b.csv",
        finished_at=now - timedelta(days=1),
    )
    (tmp_path / "imports/b.csv").write_text("iin\n")
    with django_capture_on_commit_callbacks(execute=True):
        job_enqueue(recent, wait_for_flag)
    DBTaskResult.objects.update(status="SUCCESSFUL", finished_at=now - timedelta(days=40))

    user = make_user(roles=[(Role.NATIONAL_ADMIN, None)], language="en")
    Job.objects.update(created_by=user)
    client = Client()
    client.force_login(user)
    html = client.get(reverse("core:job_detail", args=[recent.pk])).content.decode()
    assert "are deleted on" in html

    pruned = jobs_prune()
    assert (pruned.tasks, pruned.job_files) == (1, 2)
    assert not upload.exists() and not report.exists()
    assert (tmp_path / "imports/b.csv").exists()
    old.refresh_from_db()
    assert old.files_deleted_at is not None and old.input_file == ""
    html = client.get(reverse("core:job_detail", args=[old.pk])).content.decode()
    assert "were deleted on" in html
    assert not DBTaskResult.objects.exists()
    assert jobs_prune().job_files == 0  # nothing twice


@pytest.mark.django_db
def test_heartbeats_of_long_silent_workers_are_deleted() -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker="a:1", seen_at=now)
    WorkerHeartbeat.objects.create(worker="a:2", seen_at=now - timedelta(days=2))
    jobs_prune()
    assert list(WorkerHeartbeat.objects.values_list("worker", flat=True)) == ["a:1"]


@pytest.mark.django_db
def test_the_writing_stage_is_announced_before_the_write_transaction(tmp_path: Path) -> None:
    """On SQLite nobody can write the job's progress while the import's transaction is open:
    the writing stage must be reported before it opens."""
    from kaskad.registry.imports.engine import import_file
    from kaskad.registry.tests.factories import make_organisation
    from kaskad.registry.tests.test_import_support import PEOPLE_HEADER, person_row, write_csv

    school = make_organisation(code="S-1")
    source = write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [person_row(school)])
    depth = len(connection.atomic_blocks)
    seen: list[tuple[str, bool]] = []

    def progress(stage: str, done: int, total: int) -> None:
        seen.append((stage, len(connection.atomic_blocks) > depth))

    assert import_file("people", source, progress=progress).ok
    assert ("writing", False) in seen


@pytest.mark.django_db
def test_a_lost_task_without_a_job_is_queued_again_once(
    tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from kaskad.core.tests.blocking_tasks import append_line

    target = str(tmp_path / "out.txt")
    first = append_line.enqueue(target)
    DBTaskResult.objects.filter(pk=first.id).update(status="RUNNING", worker_ids=["gone:1"])
    reaped = jobs_reap()
    assert (reaped.tasks, reaped.requeued) == (1, 1)
    again = DBTaskResult.objects.exclude(pk=first.id).get()
    assert again.status == "READY" and again.args_kwargs == {"args": [target], "kwargs": {}}
    # Lost a second time: failed, and not queued a third time.
    DBTaskResult.objects.filter(pk=again.pk).update(status="RUNNING", worker_ids=["gone:2"])
    reaped = jobs_reap()
    assert (reaped.tasks, reaped.requeued) == (1, 0)
    assert DBTaskResult.objects.count() == 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"FAILED"}
