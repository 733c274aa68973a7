"""`manage.py library_sync_portfolios`: bring every published portfolio into the library (those
published before the library existed); idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kaskad.library.services.portfolios import portfolio_materials_sync_all


class Command(BaseCommand):
    help = "Bring every published portfolio into the library (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        added = portfolio_materials_sync_all()
        self.stdout.write(f"{added}")
