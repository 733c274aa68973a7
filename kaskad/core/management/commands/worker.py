"""`manage.py worker`: django-tasks' `db_worker`, named after its machine and process.

The worker id is "host:pid" (instead of a random string) and a heartbeat is written every
few seconds, so `manage.py jobs_maintain` can tell a worker that died mid-task (its process is
gone, or on another machine, its heartbeat stopped) and mark its job failed and restartable.
All `db_worker` options apply.
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from kaskad.core.jobs import Heartbeat, heartbeat_beat, worker_identity


class Command(DbWorkerCommand):
    help = "Run background jobs (db_worker with a machine-and-process id and a heartbeat)."

    def handle(self, *args: Any, **options: Any) -> None:
        worker = worker_identity()
        options["worker_id"] = worker
        heartbeat_beat(worker)  # before the first task: a worker is never seen without one
        heartbeat = Heartbeat(worker)
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stopped.set()
