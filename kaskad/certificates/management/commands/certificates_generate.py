"""`manage.py certificates_generate --cohort CODE | --programme CODE --from DATE --to DATE`

Issues the missing certificates of the certified participants of a cohort, or of a
programme's cohorts that ended in a period (an assessment session), and writes all their
PDFs into one ZIP file, with a progress bar on the terminal.
"""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from kaskad.catalogue.models import Programme
from kaskad.certificates.services import STAGE_LABELS, certificates_generate_bulk
from kaskad.core.errors import DomainError
from kaskad.core.progress import TerminalProgress
from kaskad.delivery.models import Cohort


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": value}) from None


class Command(BaseCommand):
    help = "Issue the missing certificates of a cohort or a session and pack them into a ZIP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cohort", default="", help="the cohort's code")
        parser.add_argument("--programme", default="", help="the programme's code (a session)")
        parser.add_argument("--from", dest="date_from", default="", help="cohorts ending from")
        parser.add_argument("--to", dest="date_to", default="", help="cohorts ending up to")
        parser.add_argument("--output", type=Path, default=None, help="where to copy the ZIP")
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
        cohort = programme = period = None
        if options["cohort"]:
            cohort = Cohort.objects.filter(code=options["cohort"]).first()
            if cohort is None:
                raise CommandError(_("No cohort %(code)s.") % {"code": options["cohort"]})
        elif options["programme"]:
            programme = Programme.objects.filter(code=options["programme"]).first()
            if programme is None:
                raise CommandError(_("No programme %(code)s.") % {"code": options["programme"]})
            if options["date_from"] or options["date_to"]:
                period = (
                    _date(options["date_from"] or "2000-01-01"),
                    _date(options["date_to"] or "2100-12-31"),
                )
        else:
            raise CommandError(_("Name a cohort (--cohort) or a programme (--programme)."))
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user %(name)s.") % {"name": options["user"]})
        bar = (
            None
            if options["no_progress"]
            else TerminalProgress(sys.stderr, labels=STAGE_LABELS, unit=_("certificates"))
        )
        try:
            result = certificates_generate_bulk(
                by=user, cohort=cohort, programme=programme, period=period, progress=bar
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        finally:
            if bar is not None:
                bar.close()
        zip_path = Path(settings.MEDIA_ROOT) / result.zip_name
        if options["output"] is not None:
            shutil.copyfile(zip_path, options["output"])
            zip_path = options["output"]
        for failure in result.failed[:20]:
            self.stderr.write(
                _("portfolio %(id)s: %(message)s")
                % {"id": failure["portfolio"], "message": failure["message"]}
            )
        self.stdout.write(result.summary())
        self.stdout.write(str(zip_path))
        if result.failed:
            raise CommandError(_("Some certificates could not be issued."))
