"""`manage.py import_network FILE --year 2025`: import a year's network from a terminal, with a
progress bar on stderr, or queue it for the background worker (`--background`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from kaskad.core.progress import TerminalProgress
from kaskad.networks.import_jobs import network_import_start, page_url
from kaskad.networks.imports import STAGE_LABELS, network_import
from kaskad.networks.permissions import manages_any_network
from kaskad.networks.years import academic_year
from kaskad.registry.imports.jobs import store_copy

SHOWN_ISSUES = 20


class Command(BaseCommand):
    help = "Import a year's network (centres, leading and partner schools, hubs) from CSV or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV or XLSX file, one row per school")
        parser.add_argument(
            "--year", type=int, default=None, help="academic year (first calendar year)"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument(
            "--background",
            action="store_true",
            help="check the file, then queue the import for the background worker and return",
        )
        parser.add_argument(
            "--user",
            default="",
            help="act as this user (their scope applies and the audit trail names them); "
            "default: the system, whole country",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=None,
            help="language of the messages",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args: Any, **options: Any) -> None:
        language = options["language"] or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        year = options["year"] or academic_year()
        user = self._user(options["user"])
        show_progress = not options["no_progress"] and options.get("verbosity", 1) > 0
        stream = getattr(self.stderr, "_out", sys.stderr)
        bar = TerminalProgress(stream, labels=STAGE_LABELS) if show_progress else None
        try:
            result = network_import(
                path=path,
                year=year,
                by=user,
                dry_run=options["dry_run"] or options["background"],
                name=path.name,
                progress=bar,
            )
        finally:
            if bar is not None:
                bar.close()
        for note in result.notes:
            self.stderr.write(note)
        for issue in result.warnings[:SHOWN_ISSUES]:
            self.stderr.write(_("warning: %(issue)s") % {"issue": issue})
        for issue in result.errors[:SHOWN_ISSUES]:
            self.stderr.write(_("error: %(issue)s") % {"issue": issue})
        if not result.ok:
            raise CommandError(result.summary())
        if options["background"] and not options["dry_run"]:
            job = network_import_start(
                stored=store_copy(path),
                original_name=path.name,
                year=year,
                by=user,
                language=translation.get_language(),
            )
            self.stdout.write(
                _("Queued as job %(id)s: %(url)s") % {"id": job.pk, "url": page_url(job)}
            )
            self.stdout.write(_("The background worker (manage.py db_worker) will run it."))
            return
        self.stdout.write(result.summary())

    def _user(self, username: str) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user %(name)s.") % {"name": username})
        if not manages_any_network(user):
            raise CommandError(_("The user %(name)s may not import networks.") % {"name": username})
        return user
