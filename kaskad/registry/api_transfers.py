"""Transfer requests in the API: the same services and selectors as the pages.

A request the caller may not see answers 404 with the same body as a missing id. The side
that asks for a person sees the IIN, the receiving organisation and the decision, never
where the person works now.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StringConstraints

from kaskad.core.api import (
    ERRORS,
    MAX_ID,
    ApiError,
    ErrorOut,
    PageOut,
    PageQuery,
    RecordId,
    api_user,
    paginate,
)
from kaskad.registry import permissions, selectors, transfers
from kaskad.registry.choices import Position
from kaskad.registry.models import TransferRequest

if TYPE_CHECKING:
    from kaskad.accounts.models import User

router = Router(tags=["transfers"])


class OrganisationRef(Schema):
    id: int
    code: str
    name: str


class TransferOut(Schema):
    id: int
    iin: str
    status: str
    to_organisation: OrganisationRef
    position: str
    transfer_date: date
    note: str
    reason: str
    created_at: datetime
    decided_at: datetime | None
    person_id: int | None = Field(
        None, description="Only for the deciding side, or once the transfer is approved."
    )
    from_organisation: OrganisationRef | None = Field(
        None, description="Only for the deciding side."
    )


class TransferPage(PageOut):
    items: list[TransferOut]


class TransferIn(Schema):
    model_config = ConfigDict(extra="forbid")

    iin: str = Field(max_length=20)
    to_organisation_id: int = Field(ge=1, le=MAX_ID)
    position: Position
    transfer_date: date
    note: Annotated[str, StringConstraints(max_length=1000)] = ""


class DeclineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class TransferFilter(PageQuery):
    direction: Literal["incoming", "outgoing"] = "incoming"


def _org(organisation: Any) -> dict[str, Any]:
    return {"id": organisation.pk, "code": organisation.code, "name": str(organisation)}


def _out(transfer: TransferRequest, user: User, *, deciding: bool) -> dict[str, Any]:
    approved = transfer.status == "approved"
    return {
        "id": transfer.pk,
        # Only editors get here: the asking side typed it, the deciding side has the person.
        "iin": transfer.person.iin,
        "status": transfer.status,
        "to_organisation": _org(transfer.to_organisation),
        "position": transfer.position,
        "transfer_date": transfer.transfer_date,
        "note": transfer.note,
        "reason": transfer.reason,
        "created_at": transfer.created_at,
        "decided_at": transfer.decided_at,
        "person_id": transfer.person_id if deciding or approved else None,
        "from_organisation": (
            _org(transfer.from_organisation) if deciding and transfer.from_organisation else None
        ),
    }


def _editor(request: HttpRequest) -> Any:
    user = api_user(request)
    if not permissions.can_edit_registry(user):
        raise ApiError(
            "forbidden", _("You do not have permission to change the registry."), status=403
        )
    return user


def _deciding(user: User, transfer_id: int) -> None:
    """Unseen: 404, like a missing id. Seen by the asking side, which may not decide: 403."""
    _transfer, deciding = selectors.transfer_get(user=user, pk=transfer_id)
    if not deciding:
        raise ApiError(
            "forbidden", _("Only the person's branch decides on a transfer."), status=403
        )


@router.get("/transfers", response={200: TransferPage, **ERRORS}, summary="Transfer requests")
def transfer_list(request: HttpRequest, filters: Query[TransferFilter]) -> dict[str, Any]:
    """Incoming: people asked for from the caller's branch. Outgoing: the caller's requests."""
    user = _editor(request)
    deciding = filters.direction == "incoming"
    qs = (
        selectors.transfer_incoming_visible_to(user)
        if deciding
        else selectors.transfer_outgoing_visible_to(user).select_related("person")
    )
    return paginate(
        qs.order_by("-created_at", "-id"),
        filters,
        lambda t: _out(t, user, deciding=deciding),
    )


@router.post(
    "/transfers",
    response={201: TransferOut, 400: ErrorOut, 409: ErrorOut, **ERRORS},
    summary="Request a transfer",
)
def transfer_create(request: HttpRequest, payload: TransferIn) -> Status[dict[str, Any]]:
    user = _editor(request)
    transfer = transfers.transfer_request_create(
        by=user,
        iin=payload.iin,
        to_organisation_id=payload.to_organisation_id,
        position=payload.position.value,
        transfer_date=payload.transfer_date,
        note=payload.note,
    )
    found, deciding = selectors.transfer_get(user=user, pk=transfer.pk)
    return Status(201, _out(found, user, deciding=deciding))


@router.get("/transfers/{transfer_id}", response={200: TransferOut, **ERRORS}, summary="One")
def transfer_detail(request: HttpRequest, transfer_id: RecordId) -> dict[str, Any]:
    user = _editor(request)
    transfer, deciding = selectors.transfer_get(user=user, pk=transfer_id)
    return _out(transfer, user, deciding=deciding)


@router.post(
    "/transfers/{transfer_id}/approve",
    response={200: TransferOut, 400: ErrorOut, 409: ErrorOut, **ERRORS},
    summary="Approve: the person moves",
)
def transfer_approve(request: HttpRequest, transfer_id: RecordId) -> dict[str, Any]:
    user = _editor(request)
    _deciding(user, transfer_id)
    transfers.transfer_request_approve(by=user, transfer_id=transfer_id)
    transfer, deciding = selectors.transfer_get(user=user, pk=transfer_id)
    return _out(transfer, user, deciding=deciding)


@router.post(
    "/transfers/{transfer_id}/decline",
    response={200: TransferOut, 400: ErrorOut, 409: ErrorOut, **ERRORS},
    summary="Decline, with a reason",
)
def transfer_decline(
    request: HttpRequest, transfer_id: RecordId, payload: DeclineIn
) -> dict[str, Any]:
    user = _editor(request)
    _deciding(user, transfer_id)
    transfers.transfer_request_decline(by=user, transfer_id=transfer_id, reason=payload.reason)
    transfer, deciding = selectors.transfer_get(user=user, pk=transfer_id)
    return _out(transfer, user, deciding=deciding)
