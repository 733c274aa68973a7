"""The waitlist: a freed seat goes to the first in line, who is told so."""

from __future__ import annotations

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from kaskad.accounts.models import User
from kaskad.catalogue.models import ProgrammeVersion
from kaskad.core.audit import audit_record
from kaskad.core.notifications import notification_send
from kaskad.delivery.messages import PROMOTED_NOTIFICATION
from kaskad.delivery.models import Cohort, Enrolment, EnrolmentStatus


def _promote(cohort: Cohort, *, by: User) -> list[Enrolment]:
    """Fill free seats from the waitlist, first come first served. The caller holds the cohort
    row lock; `cohort` is the locked row and its counters are kept in step."""
    promoted: list[Enrolment] = []
    while (
        cohort.capacity is not None
        and cohort.waitlist_count > 0
        and cohort.enrolled_count < cohort.capacity
    ):
        first = (
            Enrolment.objects.select_for_update()
            .select_related("person")
            .filter(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
            .order_by("requested_at", "id")
            .first()
        )
        if first is None:
            break
        now = timezone.now()
        first.status = EnrolmentStatus.ENROLLED
        first.enrolled_at = now
        first.save(update_fields=["status", "enrolled_at", "updated_at"])
        cohort.enrolled_count += 1
        cohort.waitlist_count -= 1
        Cohort.objects.filter(pk=cohort.pk).update(
            enrolled_count=F("enrolled_count") + 1, waitlist_count=F("waitlist_count") - 1
        )
        audit_record(
            actor=by,
            action="update",
            obj=first,
            changes={"status": [EnrolmentStatus.WAITLISTED, EnrolmentStatus.ENROLLED]},
            source="waitlist promotion",
        )
        _notify_promoted(first, cohort)
        promoted.append(first)
    return promoted


def _notify_promoted(enrolment: Enrolment, cohort: Cohort) -> None:
    recipient = User.objects.filter(person_id=enrolment.person_id, is_active=True).first()
    if recipient is None:
        return
    version = ProgrammeVersion.objects.only("title").get(pk=cohort.version_id)
    notification_send(
        to=recipient,
        message=PROMOTED_NOTIFICATION,
        params={"cohort": cohort.code, "programme": str(version.title)},
        url=reverse("delivery:my_courses"),
    )
