"""`manage.py library_downloads_aggregate`: fold the appended downloads into the daily counts
and the materials' totals (run it from the scheduler, e.g. every few minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kaskad.library.services.use import downloads_aggregate


class Command(BaseCommand):
    help = "Fold appended library downloads into daily counts and totals."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{downloads_aggregate()}")
