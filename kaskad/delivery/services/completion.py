"""Completion: the assessment result and who completes when a cohort finishes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import User
from kaskad.catalogue.models import ProgrammeVersion
from kaskad.core.audit import audit_record
from kaskad.core.errors import StateConflict
from kaskad.delivery.messages import outcome_text_en
from kaskad.delivery.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus
from kaskad.delivery.services._common import _require_editable, _require_manager
from kaskad.delivery.services.attendance import _recount_hours, _total_hours


def enrolment_set_assessment(*, enrolment: Enrolment, passed: bool | None, by: User) -> Enrolment:
    """The coordinator records an assessment result by hand (True, False or None: unknown), for
    programmes assessed outside the platform. On a finished cohort the participant's completion
    is decided again at once."""
    cohort = enrolment.cohort
    _require_manager(by, cohort)
    if cohort.status == CohortStatus.CLOSED:
        _require_editable(cohort)
    return enrolment_record_assessment(enrolment=enrolment, passed=passed, by=by)


def enrolment_record_assessment(
    *, enrolment: Enrolment, passed: bool | None, by: User | None, source: str = ""
) -> Enrolment:
    """Record the result of the assessment. Called by the assessment services, which decide
    who may settle a result; a result is a fact, so it is recorded on a closed cohort too. On a
    finished or closed cohort the participant's completion is decided again at once."""
    if enrolment.status not in (
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.COMPLETED,
        EnrolmentStatus.NOT_COMPLETED,
    ):
        raise StateConflict(
            "enrolment_not_on_roster",
            _("Only participants holding a seat have an assessment result."),
        )
    with transaction.atomic():
        locked = (
            Cohort.objects.select_for_update().select_related("version").get(pk=enrolment.cohort_id)
        )
        row = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        before = row.assessment_passed
        row.assessment_passed = passed
        fields = ["assessment_passed", "updated_at"]
        if (
            locked.status in (CohortStatus.FINISHED, CohortStatus.CLOSED)
            and row.status != EnrolmentStatus.ENROLLED
        ):
            total = _total_hours(locked)
            row.status, row.outcome = _evaluate(row, locked.version, total)
            row.outcome_reason = outcome_text_en(row.outcome)
            fields += ["status", "outcome", "outcome_reason"]
        row.save(update_fields=fields)
        audit_record(
            actor=by,
            action="update",
            obj=row,
            changes={"assessment_passed": [before, passed]},
            source=source,
        )
    row.cohort = locked
    return row


def _evaluate(
    enrolment: Enrolment, version: ProgrammeVersion, total_hours: Decimal
) -> tuple[str, list[dict[str, Any]]]:
    """The completion rule of the version: a share of the hours attended, plus the assessment
    when the version has one. Returns (status, outcome items)."""
    outcome: list[dict[str, Any]] = []
    complete = True
    if total_hours > 0:
        share = enrolment.hours_attended * 100 / total_hours
        # Rounded down, so "80%" is never shown for 79.9% that fails an 80% rule.
        percent = int(share)
        required = version.min_attendance_percent
        if share < required:
            complete = False
            outcome.append({"code": "attendance_short", "percent": percent, "required": required})
        else:
            outcome.append({"code": "attendance_ok", "percent": percent})
    if version.requires_assessment:
        if enrolment.assessment_passed is None:
            complete = False
            outcome.append({"code": "assessment_missing"})
        elif not enrolment.assessment_passed:
            complete = False
            outcome.append({"code": "assessment_failed"})
        else:
            outcome.append({"code": "assessment_passed"})
    status = EnrolmentStatus.COMPLETED if complete else EnrolmentStatus.NOT_COMPLETED
    return status, outcome


def _complete(cohort: Cohort, *, by: User) -> None:
    """The cohort finishes (its row is locked by the caller): each participant holding a seat
    completes or not, with the reason; the waitlist is closed as withdrawn."""
    now = timezone.now()
    version = cohort.version
    total = _total_hours(cohort)
    enrolled = list(Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ENROLLED))
    hours = _recount_hours([e.pk for e in enrolled])
    for enrolment in enrolled:
        enrolment.hours_attended = hours.get(enrolment.pk, Decimal(0))
        enrolment.status, enrolment.outcome = _evaluate(enrolment, version, total)
        enrolment.outcome_reason = outcome_text_en(enrolment.outcome)
        enrolment.ended_at = now
        enrolment.updated_at = now
    Enrolment.objects.bulk_update(
        enrolled,
        ["status", "outcome", "outcome_reason", "ended_at", "hours_attended", "updated_at"],
        batch_size=500,
    )
    waiting = [{"code": "cohort_finished"}]
    closed = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.WAITLISTED).update(
        status=EnrolmentStatus.WITHDRAWN,
        ended_at=now,
        updated_at=now,
        outcome=waiting,
        outcome_reason=outcome_text_en(waiting),
    )
    if closed:
        cohort.waitlist_count = 0
        Cohort.objects.filter(pk=cohort.pk).update(waitlist_count=0)
    completed = sum(1 for e in enrolled if e.status == EnrolmentStatus.COMPLETED)
    audit_record(
        actor=by,
        action="update",
        obj=cohort,
        changes={
            "completed": completed,
            "not_completed": len(enrolled) - completed,
            "waitlist_closed": closed,
        },
        source="completion",
    )


def enrolment_complete_online(*, enrolment_id: int, hours: int, percent: int) -> bool:
    """The participant completed the cohort's online course (kaskad.learning decided it): the
    enrolment is completed with the programme's hours at once, without waiting for the cohort
    to finish. Idempotent: an enrolment not holding a seat is left as it is (False)."""
    now = timezone.now()
    outcome = [{"code": "online_course_completed", "percent": percent}]
    with transaction.atomic():
        row = (
            Enrolment.objects.select_for_update()
            .filter(pk=enrolment_id, status=EnrolmentStatus.ENROLLED)
            .first()
        )
        if row is None:
            return False
        row.status = EnrolmentStatus.COMPLETED
        row.hours_attended = Decimal(hours)
        row.outcome = outcome
        row.outcome_reason = outcome_text_en(outcome)
        row.ended_at = now
        row.save(
            update_fields=[
                "status",
                "hours_attended",
                "outcome",
                "outcome_reason",
                "ended_at",
                "updated_at",
            ]
        )
        audit_record(
            actor=None,
            action="update",
            obj=row,
            changes={"status": [EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED]},
            source="online course",
        )
    return True
