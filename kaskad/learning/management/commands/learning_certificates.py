"""Issue the missing certificates of an online course's completed learners in batches (the
background path next to the task queued at each completion; PDFs still wait for their first
download)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kaskad.learning.models import Course
from kaskad.learning.services import certificates_issue_batch


class Command(BaseCommand):
    help = "Issue the missing certificates of an online course's completed learners."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the course's code")
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        course = Course.objects.filter(code=options["code"]).first()
        if course is None:
            raise CommandError(_("No online course has the code %(code)s.") % options)
        total = 0
        while True:
            done = certificates_issue_batch(course=course, limit=options["batch"])
            total += done
            if done < options["batch"]:
                break
        self.stdout.write(_("%(count)s certificates issued.") % {"count": total})
