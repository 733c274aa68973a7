"""The shared body of `manage.py import_people / import_organisations / import_districts`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kaskad.core.progress import TerminalProgress
from kaskad.registry import permissions
from kaskad.registry.imports.engine import STAGE_LABELS, import_file
from kaskad.registry.imports.jobs import import_job_start, job_url, store_copy
from kaskad.registry.imports.reader import FileProblem, check_size
from kaskad.registry.imports.report import write_error_report
from kaskad.registry.imports.types import ImportResult, Kind

SHOWN_ISSUES = 20


class ImportCommand(BaseCommand):
    kind: ClassVar[Kind]
    help = "Import a CSV or XLSX file into the registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            type=Path,
            help="CSV (UTF-8, UTF-16, Windows-1251 or KZ-1048) or XLSX file",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument(
            "--report",
            type=Path,
            default=None,
            help="where to write the error report (default: next to the file, <name>.errors.xlsx)",
        )
        parser.add_argument(
            "--format",
            choices=("csv", "xlsx"),
            default="xlsx",
            help="format of the error report (csv: semicolon-separated UTF-8 with BOM)",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the import for the background worker and return",
        )
        parser.add_argument(
            "--user",
            default="",
            help="act as this user (their scope applies and the audit trail "
            "names them); default: the system, whole country",
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
        try:
            check_size(path)  # refuse an oversized file before reading it
        except FileProblem as problem:
            raise CommandError(f"{path.name}: {problem.message}") from None
        user = self._user(options["user"])

        if options["background"]:
            job = import_job_start(
                kind=self.kind,
                stored=store_copy(path),
                original_name=path.name,
                by=user,
                dry_run=options["dry_run"],
                language=translation.get_language(),
            )
            self.stdout.write(
                _("Queued as job %(id)s: %(url)s") % {"id": job.pk, "url": job_url(job)}
            )
            self.stdout.write(_("The background worker (manage.py db_worker) will run it."))
            return

        show_progress = not options["no_progress"] and options.get("verbosity", 1) > 0
        stream = getattr(self.stderr, "_out", sys.stderr)
        bar = TerminalProgress(stream, labels=STAGE_LABELS) if show_progress else None
        try:
            result = import_file(
                self.kind,
                path,
                by=user,
                progress=bar,
                original_name=path.name,
                dry_run=options["dry_run"],
            )
        finally:
            if bar is not None:
                bar.close()
        self._report(result, path, options)

    def _user(self, username: str) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user %(name)s.") % {"name": username})
        if not permissions.can_import(user):
            raise CommandError(
                _("The user %(name)s may not import registry data.") % {"name": username}
            )
        return user

    def _more(self, count: int, listed: int, *, warnings: bool) -> None:
        """How many were not shown here, and how many of those the report holds."""
        hidden = count - SHOWN_ISSUES
        if hidden <= 0:
            return
        if listed >= count:
            message = (
                ngettext(
                    "…%(count)s more warning in the report.",
                    "…%(count)s more warnings in the report.",
                    hidden,
                )
                if warnings
                else ngettext(
                    "…%(count)s more error in the report.",
                    "…%(count)s more errors in the report.",
                    hidden,
                )
            )
            self.stderr.write(message % {"count": hidden})
            return
        message = (
            ngettext(
                "…%(count)s more warning; the report lists the first %(listed)s.",
                "…%(count)s more warnings; the report lists the first %(listed)s.",
                hidden,
            )
            if warnings
            else ngettext(
                "…%(count)s more error; the report lists the first %(listed)s.",
                "…%(count)s more errors; the report lists the first %(listed)s.",
                hidden,
            )
        )
        self.stderr.write(message % {"count": hidden, "listed": listed})

    def _report(self, result: ImportResult, path: Path, options: dict[str, Any]) -> None:
        for note in result.notes:
            self.stderr.write(note)
        for issue in result.warnings[:SHOWN_ISSUES]:
            self.stderr.write(_("warning: %(issue)s") % {"issue": issue})
        self._more(result.warning_count, len(result.warnings), warnings=True)
        for issue in result.errors[:SHOWN_ISSUES]:
            self.stderr.write(_("error: %(issue)s") % {"issue": issue})
        self._more(result.error_count, len(result.errors), warnings=False)
        fmt = options["format"]
        report: Path | None = options["report"]
        if result.error_count or (report is not None and result.warning_count):
            report = report or path.with_name(f"{path.stem}.errors.{fmt}")
            write_error_report(result, report, fmt=fmt)
        else:
            report = None
        if result.ok:
            self.stdout.write(result.summary())
            self.stdout.write(
                _("%(rows)s rows in %(seconds).1f s (%(rate)s rows/s).")
                % {"rows": result.total, "seconds": result.seconds, "rate": int(result.rate)}
            )
            return
        message = result.summary()
        if report is not None:
            message += " " + _("Error report: %(path)s") % {"path": report}
        raise CommandError(message)
