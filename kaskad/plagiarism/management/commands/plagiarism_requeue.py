"""`manage.py plagiarism_requeue`: queue the check again for submitted portfolios left at
plagiarism "pending" (the queueing on submission was lost). Run by `jobs_maintain`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kaskad.plagiarism.services import checks_requeue_stuck


class Command(BaseCommand):
    help = 'Queue the plagiarism check again for portfolios stuck at "pending".'

    def handle(self, *args: Any, **options: Any) -> None:
        queued = checks_requeue_stuck()
        self.stdout.write(f"Plagiarism checks queued again: {len(queued)}.")
