"""The life of a background job beyond one run: queueing, claiming, lost workers, clean-up.

django-tasks' database backend runs each task once and has no recovery: a worker killed
mid-task (out of memory, `kill -9`, a machine restarted) leaves the task "running" for ever,
and the Job page with it. Here:

- `job_enqueue` queues a job's task once the transaction commits and remembers which task it
  is, so the job can be queued again;
- `job_claim` moves a job from queued to running in one conditional UPDATE and records the
  worker process ("host:pid"); a second run of the same task finds nothing to claim, so no
  job is ever done twice at once;
- `jobs_reap` finds running jobs and task results whose worker is gone (on this machine: its
  process no longer exists; on another machine: no heartbeat for `KASKAD_WORKER_LOST_MINUTES`)
  and marks them failed, with a message in the job's language and a restart button; a task
  without a job (one plagiarism check) is queued again once, as every task is idempotent;
- `job_restart` queues a failed job again;
- `jobs_prune` deletes finished task rows after `KASKAD_TASK_RETENTION_DAYS` and the files of
  finished jobs (uploads and error reports hold IINs) after `KASKAD_JOB_FILE_RETENTION_DAYS`.

`manage.py jobs_maintain` runs the last two; `manage.py serve` runs it every
`KASKAD_JOB_MAINTENANCE_SECONDS`, production runs it from a timer (docs/operations.md).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kaskad.core.errors import DomainError, NotFoundError
from kaskad.core.models import Job, WorkerHeartbeat

if TYPE_CHECKING:
    from kaskad.accounts.models import User

logger = logging.getLogger(__name__)

WORKER_LOST_CLASS = "kaskad.core.jobs.WorkerLost"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def worker_identity() -> str:
    """This process as a worker: "host:pid" (db_worker's --worker-id allows 64 characters)."""
    host = socket.gethostname()[:50]
    return f"{host}:{os.getpid()}"


# --- queueing and claiming ---------------------------------------------------------------------


def job_enqueue(job: Job, task: Any) -> None:
    """Queue `task(job.pk)` once the current transaction commits, and remember the task and
    its result id on the job (the worker's identity comes later, with the claim)."""

    def enqueue() -> None:
        result = task.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(
            task_path=task.module_path[:200], task_id=str(result.id)[:64]
        )

    transaction.on_commit(enqueue)


def job_crashed(job_id: int) -> None:
    """Mark an import job failed after an unexpected error (its writes were rolled back): the
    page then says so in the user's language instead of waiting forever."""
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED,
        result={
            "ok": False,
            "message": _(
                "The import stopped because of an unexpected error; nothing was "
                "written. Please tell the administrators."
            ),
        },
        finished_at=now,
        updated_at=now,
    )


def job_claim(job_id: int, *, stage: str = "") -> Job | None:
    """Mark a queued job as running in this worker; None if it is not queued any more
    (finished, or already running elsewhere): running a job's task twice does nothing twice."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        stage=stage[:40],
        worker=worker_identity(),
        updated_at=timezone.now(),
    )
    if not claimed:
        return None
    return Job.objects.select_related("created_by").get(pk=job_id)


# --- heartbeats --------------------------------------------------------------------------------


def heartbeat_beat(worker: str | None = None) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker=worker or worker_identity(), defaults={"seen_at": timezone.now()}
    )


class Heartbeat(threading.Thread):
    """Writes this worker's heartbeat every `KASKAD_WORKER_HEARTBEAT_SECONDS` on a connection
    of its own (a row no task touches, so it never waits for a task's transaction)."""

    def __init__(self, worker: str) -> None:
        super().__init__(name="kaskad-heartbeat", daemon=True)
        self.worker = worker
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = _setting("KASKAD_WORKER_HEARTBEAT_SECONDS", 30)
        while not self.stopped.is_set():
            try:
                heartbeat_beat(self.worker)
            except DatabaseError:
                logger.warning("worker %s: heartbeat not written", self.worker, exc_info=True)
            finally:
                connection.close()
            self.stopped.wait(interval)


# --- lost workers ------------------------------------------------------------------------------


def process_is_alive(pid: int) -> bool:
    """Whether process `pid` exists on this machine (a zombie counts as gone)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


class WorkerCheck:
    """Decides whether the worker named "host:pid" is gone, with one heartbeat query."""

    def __init__(self, now: datetime) -> None:
        self.host = socket.gethostname()[:50]
        self.lost_before = now - timedelta(minutes=_setting("KASKAD_WORKER_LOST_MINUTES", 10))
        self.beats = dict(WorkerHeartbeat.objects.values_list("worker", "seen_at"))

    def is_gone(self, worker: str) -> bool:
        host, _sep, pid = worker.rpartition(":")
        if not host or not pid.isdigit():
            return False  # not started by `manage.py worker`: cannot tell, left alone
        if host == self.host:
            return not process_is_alive(int(pid))
        seen = self.beats.get(worker)
        return seen is None or seen < self.lost_before


def _lost_message(job: Job) -> str:
    params = job.params if isinstance(job.params, dict) else {}
    with translation.override(job.language or settings.LANGUAGE_CODE):
        if params.get("all_or_nothing"):
            return _(
                "The background worker stopped before this job finished; nothing was "
                "written. Restart it to run it again."
            )
        return _(
            "The background worker stopped before this job finished. Restart it to finish "
            "the work: what is already done is not done twice."
        )


@dataclass
class ReapResult:
    jobs: int = 0
    tasks: int = 0
    requeued: int = 0


# A task without a job (a plagiarism check of one portfolio) is queued again this many times
# after a lost worker: tasks are idempotent, and a task that kills its worker every time (out
# of memory) must not loop for ever.
LOST_TASK_RETRIES = 1


def _requeue_lost_task(task: DBTaskResult[Any, Any]) -> bool:
    """Queue a lost task again unless a job follows it (the job page offers the restart) or
    it was lost too often already."""
    if Job.objects.filter(task_id=str(task.pk)).exists():
        return False
    earlier = DBTaskResult.objects.filter(
        task_path=task.task_path,
        exception_class_path=WORKER_LOST_CLASS,
        args_kwargs=task.args_kwargs,
    ).count()
    if earlier > LOST_TASK_RETRIES:
        return False
    try:
        again = task.task
    except (ImportError, ValueError) as exc:
        logger.warning("task %s cannot be queued again: %s", task.pk, exc)
        return False
    again.enqueue(*task.args_kwargs.get("args", []), **task.args_kwargs.get("kwargs", {}))
    return True


def jobs_reap() -> ReapResult:
    """Mark failed every running job and task result whose worker is gone."""
    now = timezone.now()
    check = WorkerCheck(now)
    outcome = ReapResult()
    for job in Job.objects.filter(status=Job.Status.RUNNING).exclude(worker=""):
        if not check.is_gone(job.worker):
            continue
        result = {
            "ok": False,
            "worker_lost": True,
            "restartable": bool(job.task_path),
            "message": _lost_message(job),
        }
        # Conditional: a job that finished meanwhile is left as it is.
        outcome.jobs += Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, worker=job.worker
        ).update(status=Job.Status.FAILED, result=result, finished_at=now, updated_at=now)
        logger.warning("job %s: worker %s is gone; marked failed", job.pk, job.worker)
    for task in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        worker = task.worker_ids[-1] if task.worker_ids else ""
        if not worker or not check.is_gone(str(worker)):
            continue
        failed = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=WORKER_LOST_CLASS,
            traceback=f"The worker {worker} stopped while running this task.",
        )
        outcome.tasks += failed
        if failed and _requeue_lost_task(task):
            outcome.requeued += 1
    return outcome


def job_restartable(job: Job) -> bool:
    result = job.result if isinstance(job.result, dict) else {}
    return (
        job.status == Job.Status.FAILED and bool(result.get("restartable")) and bool(job.task_path)
    )


def job_restart(*, job: Job, by: User) -> Job:
    """Queue a job whose worker was lost again, from the start."""
    if not job_restartable(job):
        raise DomainError(
            "job_not_restartable", _("Only a job whose worker stopped can be restarted.")
        )
    if job.files_deleted_at is not None:
        raise DomainError(
            "job_files_deleted",
            _("The files of this job have been deleted; start it again from the beginning."),
        )
    try:
        task = import_string(job.task_path)
    except ImportError as exc:
        raise NotFoundError("not_found", _("Not found.")) from exc
    with transaction.atomic():
        reset = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
            status=Job.Status.QUEUED,
            stage="",
            done=0,
            total=0,
            result={},
            finished_at=None,
            worker="",
            updated_at=timezone.now(),
        )
        if not reset:
            raise DomainError("job_not_restartable", _("The job has changed; reload the page."))
        logger.info("job %s restarted by %s", job.pk, getattr(by, "pk", None))
        job_enqueue(job, task)
    job.refresh_from_db()
    return job


# --- retention ---------------------------------------------------------------------------------


def job_files(job: Job) -> list[Path]:
    """The files a job keeps under MEDIA_ROOT: its upload and any error reports."""
    media = Path(settings.MEDIA_ROOT).resolve()
    names = [job.input_file] if job.input_file else []
    result = job.result if isinstance(job.result, dict) else {}
    reports = result.get("reports")
    if isinstance(reports, dict):
        names += [str(v) for v in reports.values() if v]
    files = []
    for name in names:
        path = (media / name).resolve()
        if path.is_relative_to(media):
            files.append(path)
    return files


def job_files_delete_on(job: Job) -> datetime | None:
    """When the files of a finished job are deleted (None while it runs or once done)."""
    if job.finished_at is None or job.files_deleted_at is not None or not job_files(job):
        return None
    return job.finished_at + timedelta(days=_setting("KASKAD_JOB_FILE_RETENTION_DAYS", 30))


@dataclass
class PruneResult:
    tasks: int = 0
    job_files: int = 0


def jobs_prune(*, now: datetime | None = None) -> PruneResult:
    now = now or timezone.now()
    outcome = PruneResult()
    task_days = _setting("KASKAD_TASK_RETENTION_DAYS", 30)
    outcome.tasks, _detail = (
        DBTaskResult.objects.finished()
        .filter(finished_at__lt=now - timedelta(days=task_days))
        .delete()
    )
    file_days = _setting("KASKAD_JOB_FILE_RETENTION_DAYS", 30)
    expired = Job.objects.filter(
        finished_at__lt=now - timedelta(days=file_days), files_deleted_at__isnull=True
    )
    for job in expired.iterator():
        for path in job_files(job):
            path.unlink(missing_ok=True)
            outcome.job_files += 1
        Job.objects.filter(pk=job.pk).update(files_deleted_at=now, input_file="")
    # Heartbeats of workers silent for a day (stopped, or restarted under another pid).
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    return outcome


def jobs_maintain() -> tuple[ReapResult, PruneResult]:
    result = jobs_reap(), jobs_prune()
    maintenance_hooks_run()
    return result


def maintenance_hooks_run() -> None:
    """Run the callables named in `KASKAD_MAINTENANCE_HOOKS` (by path: core knows no app),
    such as the reports' sweep of changed records. One failing does not stop the others."""
    for path in getattr(settings, "KASKAD_MAINTENANCE_HOOKS", ()):
        try:
            import_string(path)()
        except Exception:
            logger.warning("maintenance hook %s failed", path, exc_info=True)


class Maintenance(threading.Thread):
    """Runs `jobs_maintain` every `KASKAD_JOB_MAINTENANCE_SECONDS` (for `manage.py serve`)."""

    def __init__(self) -> None:
        super().__init__(name="kaskad-jobs-maintenance", daemon=True)
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = _setting("KASKAD_JOB_MAINTENANCE_SECONDS", 60)
        while not self.stopped.wait(interval):
            started = time.monotonic()
            try:
                reaped, pruned = jobs_maintain()
                if reaped.jobs or reaped.tasks or pruned.tasks or pruned.job_files:
                    logger.warning(
                        "jobs: %s lost, %s task rows lost, %s old task rows and %s files "
                        "deleted (%.1f s)",
                        reaped.jobs,
                        reaped.tasks,
                        pruned.tasks,
                        pruned.job_files,
                        time.monotonic() - started,
                    )
            except DatabaseError:
                logger.warning("jobs maintenance failed; trying again later", exc_info=True)
            finally:
                connection.close()


@cache
def _supervisor_check() -> Callable[[Any], bool]:
    # The core app knows no bounded context (an import-linter contract), so who may follow
    # every job, not only their own, is named in settings and supplied by the accounts app.
    path = getattr(settings, "KASKAD_JOB_SUPERVISOR_CHECK", "")
    if not path:
        return lambda user: bool(getattr(user, "is_superuser", False))
    check: Callable[[Any], bool] = import_string(path)
    return check


def job_for(request: HttpRequest, pk: int) -> Job:
    """The job if the user started it or supervises all jobs; otherwise 404 (no leak)."""
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=pk)
    user = request.user
    if job.created_by_id == user.pk or _supervisor_check()(user):
        return job
    raise Http404
