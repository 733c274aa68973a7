"""`manage.py jobs_maintain`: mark jobs of lost workers failed, delete old task rows and the
files of old jobs. `manage.py serve` runs it every minute; elsewhere run it from a timer."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from kaskad.core.jobs import jobs_prune, jobs_reap, maintenance_hooks_run


class Command(BaseCommand):
    help = (
        "Mark failed the background jobs whose worker is gone; delete finished task rows and "
        "job files past their retention."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reaped = jobs_reap()
        pruned = jobs_prune()
        self.stdout.write(
            f"Lost workers: {reaped.jobs} job(s) and {reaped.tasks} task(s) marked failed, "
            f"{reaped.requeued} task(s) queued again. "
            f"Deleted {pruned.tasks} old task row(s) and {pruned.job_files} job file(s)."
        )
        call_command("plagiarism_requeue", stdout=self.stdout)  # by name: core knows no app
        maintenance_hooks_run()
