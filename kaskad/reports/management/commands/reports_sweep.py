"""`manage.py reports_sweep`: queue the rebuild of the years whose records changed since the
last sweep (`jobs_maintain` runs it every minute under `manage.py serve`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kaskad.reports.readmodels import changes_sweep


class Command(BaseCommand):
    help = "Queue the rebuild of report figures whose records changed since the last sweep."

    def handle(self, *args: Any, **options: Any) -> None:
        years = changes_sweep()
        self.stdout.write(
            f"Report figures queued for rebuild: {', '.join(map(str, sorted(years))) or 'none'}."
        )
