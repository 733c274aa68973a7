"""`manage.py reports_rebuild [YEAR ...]`: rebuild the report figures now (default: the
current and previous year, the nightly run; run it from a nightly timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kaskad.reports import readmodels


class Command(BaseCommand):
    help = "Rebuild the report figures of the given years (default: current and previous)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("years", nargs="*", type=int)
        parser.add_argument("--force", action="store_true", help="rebuild frozen years too")

    def handle(self, *args: Any, **options: Any) -> None:
        years: list[int] = options["years"]
        results = (
            [readmodels.year_rebuild(y, force=options["force"]) for y in years]
            if years
            else readmodels.nightly_rebuild()
        )
        for r in results:
            state = "frozen, skipped" if r.skipped else f"{r.facts} figures, {r.links} links"
            self.stdout.write(f"{r.year}: {state} in {r.seconds:.2f} s")
