"""`manage.py seed_catalogue`: the real programmes of the source documents, in three languages,
approved, with their ACQUIN certifications. Idempotent: run it as often as you like."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kaskad.catalogue.seeding import seed_catalogue


class Command(BaseCommand):
    help = (
        "Load the programme catalogue of the source documents (kaskad/catalogue/data/"
        "programmes.json) through the catalogue services; existing programmes are kept."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed_catalogue()
        self.stdout.write(
            f"Programmes created: {len(result.created)}; already there: {len(result.skipped)}; "
            f"certifications added: {result.certifications}."
        )
