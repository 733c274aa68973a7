"""Allocate every submitted portfolio (or those of one programme) to assessors, with a
progress bar on the terminal: `manage.py allocate_portfolios [--programme CODE]`."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy as _

from kaskad.assessment.allocation.services import STAGE_LABELS, allocate_submitted, reason_text
from kaskad.catalogue.models import Programme
from kaskad.core.errors import DomainError
from kaskad.core.progress import TerminalProgress


class Command(BaseCommand):
    help = "Allocate submitted portfolios to accredited assessors, balancing load by capacity."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", default="", help="only this programme (its code)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        programme = None
        if options["programme"]:
            programme = Programme.objects.filter(code__iexact=options["programme"]).first()
            if programme is None:
                raise CommandError(f"There is no programme with the code {options['programme']}.")
        bar = (
            None
            if options["quiet"]
            else TerminalProgress(sys.stderr, labels=STAGE_LABELS, unit=_("portfolios"))
        )
        try:
            result = allocate_submitted(by=None, programme=programme, progress=bar)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(result.summary())
        low, high = result.load_spread
        self.stdout.write(
            f"{result.seconds:.2f} s; load/capacity from {low:.2f} to {high:.2f} "
            f"over {len(result.loads)} assessors"
        )
        for code, n in sorted(result.unallocated_by_reason.items()):
            self.stdout.write(f"  {n}: {reason_text(code)}")
