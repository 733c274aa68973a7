"""The course team's spreadsheet: every learner's progress (XLSX, real numbers)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from kaskad.core.cells import text_workbook
from kaskad.learning.models import Course, Enrolment


def _name(e: Enrolment) -> str:
    if e.person is not None:
        return str(e.person.full_name)
    return f"{e.user.last_name} {e.user.first_name}".strip() or e.user.username


def progress_workbook(*, course: Course) -> bytes:
    """One row per learner, streamed from the enrolments (their totals), no join to progress."""
    out = io.BytesIO()
    book = text_workbook(out, {"in_memory": True, "remove_timezone": True})
    sheet = book.add_worksheet(_("Learners")[:31])
    bold = book.add_format({"bold": True})
    dates = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    headers = [
        _("Learner"),
        _("Status"),
        _("Steps done"),
        _("Points"),
        _("Points, %"),
        _("Last activity"),
        _("Completed"),
        _("Result"),
    ]
    sheet.write_row(0, 0, headers, bold)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 7, 14)
    rows = (
        Enrolment.objects.filter(course=course)
        .select_related("user", "person", "version")
        .order_by("id")
        .iterator(chunk_size=2000)
    )
    for r, e in enumerate(rows, start=1):
        total = e.version.total_points
        sheet.write(r, 0, _name(e))
        sheet.write(r, 1, str(e.get_status_display()))
        sheet.write_number(r, 2, e.steps_done)
        sheet.write_number(r, 3, round(e.points, 2))
        sheet.write_number(r, 4, int(e.points * 100 / total) if total else 0)
        sheet.write_datetime(r, 5, timezone.localtime(e.last_activity_at), dates)
        if e.completed_at:
            sheet.write_datetime(r, 6, timezone.localtime(e.completed_at), dates)
        sheet.write(r, 7, str(e.get_result_display()) if e.result else "")
    book.close()
    return out.getvalue()
