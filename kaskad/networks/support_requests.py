"""Writes of teachers' requests for support: filing, routing, assignment, the reply thread,
answering, closing with a rating, declining with a reason, and the overdue notifications.

Statuses: new → assigned → answered → closed, or declined (from new or assigned) with a reason.
A request goes to the leading school of the teacher's school in the year (the school itself
when it leads), else to the methodological centre serving its area. The due date comes from
the SLA of its topic (``settings.KASKAD_REQUEST_SLA_DAYS``, days by topic code).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.core.notifications import notification_send_many
from kaskad.core.roles import Role
from kaskad.core.scope import scope_of
from kaskad.networks.events import material_check
from kaskad.networks.models import (
    MethodCentre,
    RequestAttachment,
    RequestMessage,
    RequestStatus,
    RequestTopic,
    SupportRequest,
)
from kaskad.networks.permissions import manages_branch
from kaskad.networks.selectors import network_role_of
from kaskad.networks.years import academic_year
from kaskad.registry.models import Person
from kaskad.registry.selectors import person_list_visible_to

if TYPE_CHECKING:
    from kaskad.accounts.models import User

DEFAULT_SLA_DAYS = {
    RequestTopic.PLANNING: 5,
    RequestTopic.ASSESSMENT: 5,
    RequestTopic.DISTANCE: 7,
    RequestTopic.RESEARCH: 10,
    RequestTopic.PASTORAL: 7,
    RequestTopic.MANAGEMENT: 10,
    RequestTopic.OTHER: 10,
}

MSG_ASSIGNED = gettext_noop("A teacher's request was assigned to you: %(topic)s, due %(due)s.")
MSG_ANSWERED = gettext_noop("Your request for support was answered.")
MSG_DECLINED = gettext_noop("Your request for support was declined: %(reason)s")
MSG_OVERDUE = gettext_noop("A teacher's request is overdue (due %(due)s).")


def sla_days(topic: str) -> int:
    configured: dict[str, int] = dict(getattr(settings, "KASKAD_REQUEST_SLA_DAYS", {}) or {})
    default = DEFAULT_SLA_DAYS.get(RequestTopic(topic), 10) if topic in RequestTopic.values else 10
    return int(configured.get(topic, default))


def routes(user: User, request: SupportRequest) -> bool:
    """Who routes and answers: the branch's coordinators, national administrators, and the
    leader of the leading school the request went to."""
    if manages_branch(user, request.branch_id):
        return True
    scope = scope_of(user)
    return bool(
        request.leading_id
        and scope.has(Role.SCHOOL_LEADER)
        and request.leading.school_id in scope.organisation_ids  # type: ignore[union-attr]
    )


def may_answer(user: User, request: SupportRequest) -> bool:
    return routes(user, request) or (
        request.assignee_id is not None and request.assignee_id == user.pk
    )


def _attach(request: SupportRequest, uploads: list[UploadedFile[Any]]) -> None:
    for upload in uploads:
        name = material_check(upload, field="attachments")
        RequestAttachment.objects.create(request=request, name=name[:200], file=upload)


@transaction.atomic
def request_file(
    *,
    by: User,
    topic: str,
    text: str,
    person: Person | None = None,
    attachments: list[UploadedFile[Any]] | None = None,
    today: date | None = None,
) -> SupportRequest:
    """File a request for `person` (default: the filer themself). A school leader may file
    for a teacher of their school; a person outside the filer's scope is not found."""
    scope = scope_of(by)
    if person is None:
        if scope.person_id is None:
            raise DomainError("no_person", _("Your login is not linked to a person."))
        person = Person.objects.select_related("current_organisation__area").get(pk=scope.person_id)
    elif person.pk != scope.person_id and not (
        scope.has(Role.SCHOOL_LEADER, Role.BRANCH_COORDINATOR, Role.NATIONAL_ADMIN)
        and person_list_visible_to(by).filter(pk=person.pk).exists()
    ):
        raise NotFoundError("not_found", _("No such person."))
    if topic not in RequestTopic.values:
        raise DomainError("topic", _("Choose a topic."), field="topic")
    text = text.strip()
    if not text:
        raise DomainError("text", _("Say what you need help with."), field="text")
    school = person.current_organisation
    if school is None:
        raise DomainError(
            "no_school", _("The teacher works at no school in the registry."), field="person"
        )
    today = today or timezone.localdate()
    year = academic_year(today)
    role = network_role_of(school=school, year=year)
    leading = role.network_leading
    centre = None
    branch_id = school.area.branch_id
    if leading is None:
        centre = (
            MethodCentre.objects.filter(year=year, areas=school.area_id).first()
            or MethodCentre.objects.filter(year=year, branch_id=branch_id).first()
        )
    request = SupportRequest.objects.create(
        year=year,
        person=person,
        school=school,
        filed_by=by,
        topic=topic,
        text=text,
        branch_id=branch_id,
        leading=leading,
        centre=centre,
        due_on=today + timedelta(days=sla_days(topic)),
    )
    _attach(request, attachments or [])
    audit_record(
        actor=by,
        action="create",
        source="networks.request_file",
        obj=request,
        changes={"topic": topic, "leading": leading.pk if leading else None},
    )
    return request


def _locked(request: SupportRequest) -> SupportRequest:
    return (
        SupportRequest.objects.select_for_update(of=("self",))
        .select_related("leading")
        .get(pk=request.pk)
    )


def _url(request: SupportRequest) -> str:
    return reverse("networks:request_detail", args=[request.pk])


@transaction.atomic
def request_assign(*, request: SupportRequest, assignee: User, by: User) -> SupportRequest:
    locked = _locked(request)
    if not routes(by, locked):
        raise NotFoundError("not_found", _("No such request."))
    if locked.status not in (RequestStatus.NEW, RequestStatus.ASSIGNED):
        raise StateConflict("closed", _("This request is no longer open."))
    if not (assignee.person_id or manages_branch(assignee, locked.branch_id)):
        raise DomainError("assignee", _("Assign the request to a person."), field="assignee")
    old = locked.assignee_id
    locked.assignee = assignee
    locked.status = RequestStatus.ASSIGNED
    locked.assigned_at = timezone.now()
    locked.save(update_fields=["assignee", "status", "assigned_at", "updated_at"])
    audit_record(
        actor=by,
        action="update",
        source="networks.request_assign",
        obj=locked,
        changes={"assignee": [old, assignee.pk]},
    )
    notification_send_many(
        to=[assignee],
        message=MSG_ASSIGNED,
        params={"topic": locked.topic, "due": locked.due_on.isoformat()},
        url=_url(locked),
    )
    return locked


@transaction.atomic
def request_reply(
    *, request: SupportRequest, by: User, text: str, answer: bool = False
) -> RequestMessage:
    """A message in the thread. With `answer`, the one who answers marks the request
    answered (the teacher is told)."""
    locked = _locked(request)
    text = text.strip()
    if not text:
        raise DomainError("text", _("Write a message."), field="text")
    own = locked.filed_by_id == by.pk or locked.person_id == scope_of(by).person_id
    answering = may_answer(by, locked)
    if not (own or answering):
        raise NotFoundError("not_found", _("No such request."))
    if locked.status in (RequestStatus.CLOSED, RequestStatus.DECLINED):
        raise StateConflict("closed", _("This request is closed."))
    if answer and not answering:
        raise StateConflict("not_assignee", _("Only the person assigned answers the request."))
    message = RequestMessage.objects.create(request=locked, author=by, text=text, is_answer=answer)
    if answer and locked.status != RequestStatus.ANSWERED:
        old = locked.status
        locked.status = RequestStatus.ANSWERED
        locked.answered_at = timezone.now()
        if locked.assignee_id is None:
            locked.assignee = by
        locked.save(update_fields=["status", "answered_at", "assignee", "updated_at"])
        audit_record(
            actor=by,
            action="update",
            source="networks.request_answer",
            obj=locked,
            changes={"status": [old, "answered"]},
        )
        if locked.filed_by is not None:
            notification_send_many(to=[locked.filed_by], message=MSG_ANSWERED, url=_url(locked))
    return message


@transaction.atomic
def request_close(
    *, request: SupportRequest, by: User, rating: int | None, note: str = ""
) -> SupportRequest:
    """The teacher closes an answered request and rates the answer."""
    locked = _locked(request)
    if locked.filed_by_id != by.pk and locked.person_id != scope_of(by).person_id:
        if not may_answer(by, locked):
            raise NotFoundError("not_found", _("No such request."))
        raise StateConflict("not_filer", _("The teacher who asked closes the request."))
    if locked.status != RequestStatus.ANSWERED:
        raise StateConflict("not_answered", _("A request is closed once it has been answered."))
    if rating is not None and not 1 <= rating <= 5:
        raise DomainError("rating", _("Choose a rating from 1 to 5."), field="rating")
    locked.status = RequestStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.rating = rating
    locked.closing_note = note.strip()
    locked.save(update_fields=["status", "closed_at", "rating", "closing_note", "updated_at"])
    audit_record(
        actor=by,
        action="update",
        source="networks.request_close",
        obj=locked,
        changes={"status": ["answered", "closed"], "rating": rating},
    )
    return locked


@transaction.atomic
def request_decline(*, request: SupportRequest, by: User, reason: str) -> SupportRequest:
    locked = _locked(request)
    if not may_answer(by, locked):
        raise NotFoundError("not_found", _("No such request."))
    if locked.status not in (RequestStatus.NEW, RequestStatus.ASSIGNED):
        raise StateConflict("closed", _("This request is no longer open."))
    reason = reason.strip()
    if not reason:
        raise DomainError("reason", _("Say why the request is declined."), field="reason")
    old = locked.status
    locked.status = RequestStatus.DECLINED
    locked.declined_reason = reason
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "declined_reason", "closed_at", "updated_at"])
    audit_record(
        actor=by,
        action="update",
        source="networks.request_decline",
        obj=locked,
        changes={"status": [old, "declined"]},
    )
    if locked.filed_by is not None:
        notification_send_many(
            to=[locked.filed_by], message=MSG_DECLINED, params={"reason": reason}, url=_url(locked)
        )
    return locked


def _overdue(today: date) -> Any:
    # Served by the (status, due_on) index; notified requests are left out.
    return SupportRequest.objects.filter(
        status__in=[RequestStatus.NEW, RequestStatus.ASSIGNED],
        due_on__lt=today,
        overdue_notified_at__isnull=True,
    )


def requests_overdue_sweep(*, today: date | None = None) -> bool:
    """The scheduled check (a maintenance hook, `KASKAD_MAINTENANCE_HOOKS`, run every minute
    by `manage.py serve` and by `manage.py jobs_maintain` from a timer): one indexed query
    when nothing is overdue; otherwise the worker is asked to notify, unless it has been asked
    already and not got to it yet. Returns whether a task was queued."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from kaskad.networks.tasks import notify_overdue_requests

    today = today or timezone.localdate()
    if not _overdue(today).exists():
        return False
    waiting = DBTaskResult.objects.filter(
        task_path=notify_overdue_requests.module_path, status=TaskResultStatus.READY
    ).exists()
    if waiting:
        return False
    transaction.on_commit(notify_overdue_requests.enqueue)
    return True


def requests_notify_overdue(*, today: date | None = None) -> int:
    """Tell the assignee (or, unassigned, the branch's coordinators) of each open request past
    its due date, once. Returns how many requests were notified."""
    from kaskad.accounts.models import RoleAssignment, User

    today = today or timezone.localdate()
    count = 0
    overdue = _overdue(today).select_related("assignee")
    for request in overdue:
        with transaction.atomic():
            claimed = SupportRequest.objects.filter(
                pk=request.pk, overdue_notified_at__isnull=True
            ).update(overdue_notified_at=timezone.now())
            if not claimed:
                continue
            if request.assignee is not None:
                recipients = [request.assignee]
            else:
                user_ids = RoleAssignment.objects.filter(
                    role=Role.BRANCH_COORDINATOR, branch_id=request.branch_id
                ).values_list("user_id", flat=True)
                recipients = list(User.objects.filter(pk__in=user_ids, is_active=True))
            notification_send_many(
                to=recipients,
                message=MSG_OVERDUE,
                params={"due": request.due_on.isoformat()},
                url=_url(request),
            )
            count += 1
    return count
