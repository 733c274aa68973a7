"""Transfers of people between branches: requested by the receiving side, decided by the
person's current branch (or a national administrator).

A coordinator may change only the people of their own branch (ADR 0002). To take on a teacher
registered elsewhere they ask for a transfer by IIN; the request tells them nothing about where
the person is. On approval the person's main job moves through ``employment_set``, the one
service that keeps the employment history and ``Person.current_organisation`` together.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError
from kaskad.core.notifications import notification_send_many
from kaskad.core.roles import Role
from kaskad.core.scope import scope_of
from kaskad.registry import permissions
from kaskad.registry.models import (
    Employment,
    Organisation,
    Person,
    TransferRequest,
    TransferStatus,
)
from kaskad.registry.services import EmploymentData, clean_iin, employment_set

if TYPE_CHECKING:
    from kaskad.accounts.models import User

REQUESTED_NOTIFICATION = gettext_noop(
    "Transfer request %(number)s: a person working in your branch is asked for at "
    "%(organisation)s from %(date)s. Please approve or decline it."
)
APPROVED_NOTIFICATION = gettext_noop(
    "Transfer request %(number)s to %(organisation)s was approved: the person now works there."
)
DECLINED_NOTIFICATION = gettext_noop(
    "Transfer request %(number)s to %(organisation)s was declined: %(reason)s"
)
NOTIFICATION_MSGIDS = frozenset(
    {REQUESTED_NOTIFICATION, APPROVED_NOTIFICATION, DECLINED_NOTIFICATION}
)
MAX_TEXT = 1000


class TransferConflict(DomainError):
    """The request is valid but its state does not allow the action (HTTP 409)."""

    status = 409


def _not_in_future(transfer_date: date, *, approving: bool) -> None:
    """A transfer takes effect on its date: until then the person works where they are (and
    their branch keeps seeing them), so neither the request nor the approval may be early."""
    if transfer_date <= timezone.localdate():
        return
    message = (
        _("A transfer takes effect on its date: approve it on or after %(date)s.")
        if approving
        else _(
            "A transfer takes effect on its date: request it on or after %(date)s; "
            "the date cannot be in the future."
        )
    )
    raise DomainError(
        "transfer_date_in_future",
        message % {"date": date_format(transfer_date, "SHORT_DATE_FORMAT")},
        field="transfer_date",
    )


def _not_found() -> NotFoundError:
    return NotFoundError("not_found", _("The transfer request was not found."))


def _receiving_organisation(*, by: User, organisation_id: int) -> Organisation:
    """An organisation the user may move people into: in their branch (or any, nationally)."""
    qs = Organisation.objects.select_related("area")
    areas = permissions.editable_area_ids(by)
    if areas is not None:
        qs = qs.filter(area_id__in=areas)
    organisation = qs.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFoundError(
            "not_found", _("The organisation was not found."), field="to_organisation"
        )
    return organisation


def _last_organisation(person: Person) -> Organisation | None:
    if person.current_organisation_id is not None:
        return person.current_organisation
    job = (
        Employment.objects.filter(person=person, is_primary=True)
        .select_related("organisation__area")
        .order_by("-started_on", "-id")
        .first()
    )
    return job.organisation if job else None


@transaction.atomic
def transfer_request_create(
    *,
    by: User,
    iin: str,
    to_organisation_id: int,
    position: str,
    transfer_date: date,
    note: str = "",
) -> TransferRequest:
    """Ask to move the person with ``iin`` into one of the requester's organisations."""
    if not permissions.can_edit_registry(by):
        raise PermissionDeniedError(
            "forbidden", _("You do not have permission to change the registry.")
        )
    organisation = _receiving_organisation(by=by, organisation_id=to_organisation_id)
    _not_in_future(transfer_date, approving=False)
    iin, _info = clean_iin(iin)
    note = note.strip()
    if len(note) > MAX_TEXT:
        raise DomainError(
            "too_long",
            _("The text is longer than %(max)s characters.") % {"max": MAX_TEXT},
            field="note",
        )
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("current_organisation__area")
        .filter(iin=iin)
        .first()
    )
    if person is None:
        raise DomainError(
            "person_not_registered",
            _(
                "No person with this IIN is in the registry: there is no one to transfer. "
                "Register them with an import or on the person's page instead."
            ),
            field="iin",
        )
    source = _last_organisation(person)
    areas = permissions.editable_area_ids(by)
    if areas is None or (source is not None and source.area_id in areas):
        raise DomainError(
            "person_in_scope",
            _(
                "This person is already in your scope: change their job directly (an import "
                "or the person's page), no transfer is needed."
            ),
            field="iin",
        )
    try:
        with transaction.atomic():
            transfer = TransferRequest.objects.create(
                person=person,
                to_organisation=organisation,
                position=position,
                transfer_date=transfer_date,
                note=note,
                from_organisation=source,
                from_branch_id=source.area.branch_id if source is not None else None,
                requested_by=by if getattr(by, "pk", None) else None,
            )
    except IntegrityError as exc:
        raise TransferConflict(
            "transfer_pending",
            _("A transfer of this person is already awaiting a decision."),
            field="iin",
        ) from exc
    audit_record(
        actor=by,
        action="create",
        obj=transfer,
        changes={
            "person": person.pk,
            "to_organisation": organisation.pk,
            "from_organisation": source.pk if source else None,
            "position": position,
            "transfer_date": transfer_date,
        },
        source="transfer",
    )
    _notify(
        _deciders(transfer),
        REQUESTED_NOTIFICATION,
        transfer,
        {"date": transfer_date.isoformat()},
    )
    return transfer


def _deciders(transfer: TransferRequest) -> list[User]:
    """The coordinators of the person's branch; national administrators when none is known."""
    # The user model through Django's setting: the registry sits below accounts (ADR 0003).
    users_model = get_user_model()
    if transfer.from_branch_id is not None:
        users = list(
            users_model.objects.filter(
                is_active=True,
                roles__role=Role.BRANCH_COORDINATOR,
                roles__branch_id=transfer.from_branch_id,
            ).distinct()
        )
        if users:
            return users
    return list(
        users_model.objects.filter(is_active=True, roles__role=Role.NATIONAL_ADMIN).distinct()
    )


def _notify(
    recipients: list[User], message: str, transfer: TransferRequest, params: dict[str, Any]
) -> None:
    url = reverse("registry:transfer_detail", args=[transfer.pk])
    notification_send_many(
        to=recipients,
        message=message,
        params={
            "number": transfer.pk,
            "organisation": str(transfer.to_organisation),
            **params,
        },
        url=url,
    )


def _locked(by: User, transfer_id: int, *, decide: bool) -> TransferRequest:
    transfer = (
        TransferRequest.objects.select_for_update(of=("self",))
        .select_related("person", "to_organisation")
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None or (decide and not permissions.can_decide_transfer(by, transfer)):
        raise _not_found()
    if transfer.status != TransferStatus.PENDING:
        raise TransferConflict(
            "transfer_decided",
            _("This request has already been decided (%(status)s).")
            % {"status": transfer.get_status_display()},
        )
    return transfer


@transaction.atomic
def transfer_request_approve(*, by: User, transfer_id: int) -> TransferRequest:
    """Move the person: the main job ends the day before the transfer date and the new one
    starts on it (history kept, ``current_organisation`` set by ``employment_set``)."""
    transfer = _locked(by, transfer_id, decide=True)
    _not_in_future(transfer.transfer_date, approving=True)
    person = Person.objects.select_for_update().get(pk=transfer.person_id)
    current = (
        Employment.objects.filter(person=person, ended_on__isnull=True, is_primary=True)
        .order_by("-started_on")
        .first()
    )
    # The qualification travels with the person; the position is the requested one.
    employment, _changed = employment_set(
        person=person,
        data=EmploymentData(
            organisation=transfer.to_organisation,
            position=transfer.position,
            started_on=transfer.transfer_date,
            subjects=list(current.subjects) if current else [],
            level=current.level if current else "",
            category=current.category if current else "none",
            category_awarded_on=current.category_awarded_on if current else None,
            experience_years=current.experience_years if current else 0,
        ),
        by=by,
        source=f"transfer:{transfer.pk}",
    )
    _decide(by, transfer, TransferStatus.APPROVED, employment=employment)
    _notify(_requesters(transfer), APPROVED_NOTIFICATION, transfer, {})
    return transfer


@transaction.atomic
def transfer_request_decline(*, by: User, transfer_id: int, reason: str) -> TransferRequest:
    reason = reason.strip()
    if not reason:
        raise DomainError(
            "required",
            _("Say why the transfer is declined: the requester sees it."),
            field="reason",
        )
    if len(reason) > MAX_TEXT:
        raise DomainError(
            "too_long",
            _("The text is longer than %(max)s characters.") % {"max": MAX_TEXT},
            field="reason",
        )
    transfer = _locked(by, transfer_id, decide=True)
    _decide(by, transfer, TransferStatus.DECLINED, reason=reason)
    _notify(_requesters(transfer), DECLINED_NOTIFICATION, transfer, {"reason": reason})
    return transfer


@transaction.atomic
def transfer_request_cancel(*, by: User, transfer_id: int) -> TransferRequest:
    """The receiving side withdraws its request while it awaits a decision."""
    transfer = _locked(by, transfer_id, decide=False)
    scope = scope_of(by)
    if not (scope.national_write or transfer.to_organisation.area_id in scope.area_ids):
        raise _not_found()
    _decide(by, transfer, TransferStatus.CANCELLED)
    return transfer


def _decide(
    by: User,
    transfer: TransferRequest,
    status: str,
    *,
    reason: str = "",
    employment: Employment | None = None,
) -> None:
    transfer.status = status
    transfer.decided_by = by if getattr(by, "pk", None) else None
    transfer.decided_at = timezone.now()
    transfer.reason = reason
    transfer.employment = employment
    transfer.save(
        update_fields=["status", "decided_by", "decided_at", "reason", "employment", "updated_at"]
    )
    changes: dict[str, Any] = {"status": [TransferStatus.PENDING.value, status]}
    if reason:
        changes["reason"] = reason
    audit_record(actor=by, action="update", obj=transfer, changes=changes, source="transfer")


def _requesters(transfer: TransferRequest) -> list[User]:
    """The requester, and the other coordinators of the receiving branch."""
    coordinators = (
        get_user_model()
        .objects.filter(
            is_active=True,
            roles__role=Role.BRANCH_COORDINATOR,
            roles__branch__areas=transfer.to_organisation.area_id,
        )
        .distinct()
    )
    users = {u.pk: u for u in coordinators}
    if transfer.requested_by_id is not None and transfer.requested_by is not None:
        users.setdefault(transfer.requested_by_id, transfer.requested_by)
    return list(users.values())
