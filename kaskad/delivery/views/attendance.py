"""The trainers' attendance screen.

Thin on purpose: reads through `selectors` (scope first: out of scope is 404), writes through
`services` (whose refusals are shown as messages or on the form field they name).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_as_messages
from kaskad.delivery import selectors
from kaskad.delivery.models import AttendanceStatus
from kaskad.delivery.services.attendance import attendance_save

# --- Attendance ---------------------------------------------------------------------------------


@login_required
def attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    """One screen per session: everyone present by default, toggle the exceptions, one save."""
    session = selectors.session_get_for_marking(user=request.user, pk=pk)
    cohort = session.cohort
    future = session.date > timezone.localdate()
    editable = cohort.status in selectors.MARKABLE_STATUSES and not future
    if request.method == "POST":
        # A future session reaches the service, whose refusal names the day.
        if cohort.status not in selectors.MARKABLE_STATUSES:
            messages.error(
                request,
                _("Cohort %(code)s is %(status)s: its attendance can no longer be changed.")
                % {"code": cohort.code, "status": cohort.get_status_display()},
            )
            return redirect("delivery:attendance", pk=session.pk)
        rows = selectors.session_attendance(session=session)
        everyone_present = "all_present" in request.POST
        marks: dict[int, str] = {}
        for row in rows:
            value = (
                AttendanceStatus.PRESENT
                if everyone_present
                else request.POST.get(f"mark-{row.enrolment.pk}", "")
            )
            if value:
                marks[row.enrolment.pk] = value
        with domain_errors_as_messages(request):
            attendance_save(session=session, marks=marks, by=request.user)
            present = sum(1 for v in marks.values() if v == AttendanceStatus.PRESENT)
            messages.success(
                request,
                _("Attendance saved: %(present)s of %(total)s present.")
                % {"present": present, "total": len(marks)},
            )
        return redirect("delivery:attendance", pk=session.pk)
    rows = selectors.session_attendance(session=session)
    sessions = list(cohort.sessions.order_by("date", "starts_at", "id"))
    index = next((i for i, s in enumerate(sessions) if s.pk == session.pk), 0)
    saved = any(row.marked for row in rows)
    return render(
        request,
        "delivery/attendance.html",
        {
            "session": session,
            "cohort": cohort,
            "rows": rows,
            "editable": editable,
            "future": future,
            "saved": saved,
            "statuses": AttendanceStatus.choices,
            "labels": {value: str(label) for value, label in AttendanceStatus.choices},
            "keys": _attendance_keys(),
            "key_letters": {k["value"]: k["letter"] for k in _attendance_keys()},
            "previous": sessions[index - 1] if index > 0 else None,
            "next": sessions[index + 1] if index + 1 < len(sessions) else None,
            "number": index + 1,
            "count": len(sessions),
            "present_count": sum(
                1
                for r in rows
                if (r.status or AttendanceStatus.PRESENT) == AttendanceStatus.PRESENT
            ),
        },
    )


def _attendance_keys() -> list[dict[str, str]]:
    """The keys of the three marks: the Latin P/A/E (physical keys, any layout) and a letter
    of the label in the page's language, for the script and its legend."""
    labels = dict(AttendanceStatus.choices)
    letters = {
        AttendanceStatus.PRESENT: ("P", pgettext("key that marks a participant present", "P")),
        AttendanceStatus.ABSENT: ("A", pgettext("key that marks a participant absent", "A")),
        AttendanceStatus.EXCUSED: ("E", pgettext("key that marks a participant excused", "E")),
    }
    return [
        {
            "value": value,
            "latin": latin,
            "letter": letter.lower(),
            "label": str(labels[value]),
        }
        for value, (latin, letter) in letters.items()
    ]
