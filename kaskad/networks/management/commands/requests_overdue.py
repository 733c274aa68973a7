"""Notify about teachers' requests past their due date (each once), now.

The worker does this on its own (the maintenance pass queues the check when a request is
overdue, see `requests_overdue_sweep`); the command is for running it by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kaskad.networks.support_requests import requests_notify_overdue


class Command(BaseCommand):
    help = "Notify the assignees (or the branch's coordinators) of overdue teachers' requests."

    def handle(self, *args: Any, **options: Any) -> None:
        count = requests_notify_overdue()
        self.stdout.write(_("%(n)s overdue requests notified.") % {"n": count})
