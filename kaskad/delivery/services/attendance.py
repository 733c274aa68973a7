"""Attendance: marks per session and the hours each participant attended."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import User
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.delivery.models import (
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Session,
)
from kaskad.delivery.permissions import may_mark_attendance
from kaskad.delivery.selectors import MARKABLE_STATUSES
from kaskad.delivery.services._common import _status_label

# --- Attendance and completion ------------------------------------------------------------------


def _total_hours(cohort: Cohort) -> Decimal:
    total = Session.objects.filter(cohort=cohort).aggregate(total=Sum("hours"))["total"]
    return total or Decimal(0)


def _recount_hours(enrolment_ids: Sequence[int]) -> dict[int, Decimal]:
    """hours_attended from the present marks, written back for the given enrolments."""
    if not enrolment_ids:
        return {}
    totals: dict[int, Decimal] = dict(
        Attendance.objects.filter(enrolment_id__in=enrolment_ids, status=AttendanceStatus.PRESENT)
        .values("enrolment_id")
        .annotate(total=Sum("session__hours"))
        .values_list("enrolment_id", "total")
    )
    rows = list(
        Enrolment.objects.filter(pk__in=enrolment_ids).only("id", "hours_attended").order_by("pk")
    )
    changed = []
    for row in rows:
        hours = totals.get(row.pk) or Decimal(0)
        if row.hours_attended != hours:
            row.hours_attended = hours
            changed.append(row)
    if changed:
        Enrolment.objects.bulk_update(changed, ["hours_attended"], batch_size=500)
    return {row.pk: totals.get(row.pk) or Decimal(0) for row in rows}


def attendance_save(*, session: Session, marks: Mapping[int, str], by: User) -> int:
    """Save the marks of a session ({enrolment id: present|absent|excused}) in one go; returns
    how many marks changed. Only the cohort's trainers and coordinators; finished and closed
    cohorts are read-only."""
    cohort = session.cohort
    if not may_mark_attendance(by, cohort):
        raise NotFoundError("not_found", _("Not found."))
    if cohort.status not in MARKABLE_STATUSES:
        raise StateConflict(
            "attendance_read_only",
            _(
                "Cohort %(cohort)s is %(status)s: attendance can be marked only while it is open "
                "or running."
            )
            % {"cohort": cohort.code, "status": _status_label(cohort.status)},
        )
    if session.date > timezone.localdate():
        raise StateConflict(
            "attendance_in_future",
            _(
                "The session of %(day)s has not taken place yet: its attendance can be marked "
                "from that day."
            )
            % {"day": date_format(session.date, "SHORT_DATE_FORMAT")},
        )
    bad = sorted({str(s) for s in marks.values()} - set(AttendanceStatus.values))
    if bad:
        raise DomainError(
            "attendance_status_invalid",
            _("“%(value)s” is not an attendance mark; use one of: %(allowed)s.")
            % {"value": bad[0], "allowed": ", ".join(AttendanceStatus.values)},
            field="marks",
        )
    with transaction.atomic():
        # The cohort's row lock, like every change to its enrolments: two trainers marking at
        # once cannot interleave, and the cohort cannot finish half-way through a save.
        locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if locked.status not in MARKABLE_STATUSES:
            raise StateConflict(
                "attendance_read_only",
                _("Cohort %(cohort)s is %(status)s: attendance can no longer be changed.")
                % {"cohort": locked.code, "status": _status_label(locked.status)},
            )
        on_roster = set(
            Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ENROLLED).values_list(
                "id", flat=True
            )
        )
        unknown = sorted(set(marks) - on_roster)
        if unknown:
            raise DomainError(
                "not_on_roster",
                _("Enrolment %(id)s is not on this cohort's roster.") % {"id": unknown[0]},
                field="marks",
            )
        existing = {
            a.enrolment_id: a
            for a in Attendance.objects.filter(session=session, enrolment_id__in=marks)
        }
        people = dict(Enrolment.objects.filter(pk__in=marks).values_list("id", "person_id"))
        now = timezone.now()
        marker = by if getattr(by, "pk", None) else None
        to_create, to_update, history = [], [], []
        for enrolment_id, status in marks.items():
            mark = existing.get(enrolment_id)
            if mark is not None and mark.status == status:
                continue
            history.append(
                AttendanceChange(
                    session=session,
                    enrolment_id=enrolment_id,
                    person_id=people[enrolment_id],
                    old_status=mark.status if mark is not None else "",
                    new_status=status,
                    changed_by=marker,
                    changed_at=now,
                )
            )
            if mark is None:
                to_create.append(
                    Attendance(
                        enrolment_id=enrolment_id,
                        session=session,
                        status=status,
                        first_marked_by=marker,
                        first_marked_at=now,
                        marked_by=marker,
                    )
                )
            else:
                # The first marker stays; the last change is who and when changed it now.
                mark.status = status
                mark.marked_by = marker
                mark.marked_at = now
                to_update.append(mark)
        Attendance.objects.bulk_create(to_create, batch_size=500)
        Attendance.objects.bulk_update(
            to_update, ["status", "marked_by", "marked_at"], batch_size=500
        )
        AttendanceChange.objects.bulk_create(history, batch_size=500)
        changed = [change.enrolment_id for change in history]
        _recount_hours(changed)
        if changed:
            counts = {s: 0 for s in AttendanceStatus.values}
            for status in marks.values():
                counts[status] += 1
            audit_record(
                actor=by,
                action="update",
                obj=session,
                changes={
                    "attendance": counts,
                    "changed": len(changed),
                    "marks": [
                        {
                            "person": change.person_id,
                            "enrolment": change.enrolment_id,
                            "from": change.old_status or None,
                            "to": change.new_status,
                        }
                        for change in history
                    ],
                },
            )
    return len(changed)
