"""`manage.py plagiarism_recheck --programme P001 [--cohort C] [--from D] [--until D]`:
re-check every submitted portfolio of a session against the whole index, with a progress bar
(the work is in kaskad.plagiarism.services.recheck_bulk)."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kaskad.catalogue.models import Programme
from kaskad.core.progress import TerminalProgress
from kaskad.delivery.models import Cohort
from kaskad.plagiarism.permissions import is_officer
from kaskad.plagiarism.services import (
    STAGE_LABELS,
    RecheckFilters,
    recheck_bulk,
    recheck_job_start,
)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": value}) from exc


class Command(BaseCommand):
    help = (
        "Re-check the plagiarism of every submitted portfolio of a session (a programme, a "
        "cohort and/or a submission period). Officers' decisions already recorded stand."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", default="", help="programme code")
        parser.add_argument("--cohort", default="", help="cohort code")
        parser.add_argument("--from", dest="date_from", default="", help="submitted on or after")
        parser.add_argument("--until", dest="date_until", default="", help="submitted up to")
        parser.add_argument(
            "--all", action="store_true", help="every submitted portfolio (no filter)"
        )
        parser.add_argument(
            "--background", action="store_true", help="queue it as a job for the worker"
        )
        parser.add_argument(
            "--user",
            default="",
            help="act as this plagiarism officer (needed with --background)",
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

    def _filters(self, options: dict[str, Any]) -> RecheckFilters:
        filters = RecheckFilters()
        if options["programme"]:
            programme = Programme.objects.filter(code__iexact=options["programme"]).first()
            if programme is None:
                raise CommandError(_("No programme %(code)s.") % {"code": options["programme"]})
            filters.programme_id = programme.pk
        if options["cohort"]:
            cohort = Cohort.objects.filter(code__iexact=options["cohort"]).first()
            if cohort is None:
                raise CommandError(_("No cohort %(code)s.") % {"code": options["cohort"]})
            filters.cohort_id = cohort.pk
        if options["date_from"]:
            filters.submitted_from = _day(options["date_from"])
        if options["date_until"]:
            filters.submitted_until = _day(options["date_until"])
        chosen = filters.programme_id or filters.cohort_id
        if not (chosen or filters.submitted_from or filters.submitted_until or options["all"]):
            raise CommandError(_("Choose a programme, a cohort or a submission period (or --all)."))
        return filters

    def _user(self, username: str) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user %(name)s.") % {"name": username})
        if not is_officer(user):
            raise CommandError(
                _("The user %(name)s is not a plagiarism officer.") % {"name": username}
            )
        return user

    def _handle(self, options: dict[str, Any]) -> None:
        filters = self._filters(options)
        user = self._user(options["user"])
        if options["background"]:
            if user is None:
                raise CommandError(_("--background needs --user (who started the job)."))
            job = recheck_job_start(filters=filters, by=user, language=translation.get_language())
            url = reverse("core:job_detail", kwargs={"pk": job.pk})
            self.stdout.write(_("Queued as job %(id)s: %(url)s") % {"id": job.pk, "url": url})
            return
        show_progress = not options["no_progress"] and options.get("verbosity", 1) > 0
        stream = getattr(self.stderr, "_out", sys.stderr)
        bar = (
            TerminalProgress(stream, labels=STAGE_LABELS, unit=_("portfolios"))
            if show_progress
            else None
        )
        try:
            result = recheck_bulk(filters=filters, by=user, progress=bar)
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(result.summary())
