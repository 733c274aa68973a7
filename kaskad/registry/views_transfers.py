"""Transfer request pages: the incoming and outgoing lists, the request form, and the
decision. A request the user may not see is a 404, exactly like a missing one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaskad.core.errors import DomainError, NotFoundError
from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_on_form
from kaskad.core.scope import scope_of
from kaskad.registry import permissions, transfers
from kaskad.registry.forms import TransferDeclineForm, TransferRequestForm
from kaskad.registry.models import Organisation, TransferStatus
from kaskad.registry.selectors import (
    organisation_list_visible_to,
    transfer_get,
    transfer_incoming_visible_to,
    transfer_outgoing_visible_to,
)

if TYPE_CHECKING:
    from kaskad.accounts.models import User

LIST_LIMIT = 200


def _receiving_organisations(user: User) -> QuerySet[Organisation]:
    qs = organisation_list_visible_to(user).filter(is_open=True)
    areas = permissions.editable_area_ids(user)
    if areas is not None:
        qs = qs.filter(area_id__in=areas)
    return qs.order_by("area__sort_order", "name")


def _require_editor(request: AuthedRequest) -> None:
    if not permissions.can_edit_registry(request.user):
        raise PermissionDenied


def _ordered(qs: QuerySet[Any]) -> list[Any]:
    # Awaiting a decision first, then the latest.
    pending = list(qs.filter(status=TransferStatus.PENDING).order_by("-created_at", "-id"))
    rest = list(
        qs.exclude(status=TransferStatus.PENDING).order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    return pending + rest


@login_required
def transfer_list(request: AuthedRequest) -> HttpResponse:
    _require_editor(request)
    user = request.user
    incoming = _ordered(transfer_incoming_visible_to(user))
    outgoing = _ordered(transfer_outgoing_visible_to(user))
    return render(
        request,
        "registry/transfer_list.html",
        {
            # Both sides of a request work with identities (coordinators, administrators):
            # the asking side typed the IIN, the deciding side has the person in its scope.
            "incoming": [(t, t.person.iin) for t in incoming],
            "outgoing": [(t, t.person.iin) for t in outgoing],
        },
    )


@login_required
def transfer_new(request: AuthedRequest) -> HttpResponse:
    _require_editor(request)
    organisations = _receiving_organisations(request.user)
    if request.method == "POST":
        form = TransferRequestForm(request.POST, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            with domain_errors_on_form(form):
                transfer = transfers.transfer_request_create(
                    by=request.user,
                    iin=data["iin"],
                    to_organisation_id=data["to_organisation"].pk,
                    position=data["position"],
                    transfer_date=data["transfer_date"],
                    note=data["note"],
                )
                messages.success(
                    request, _("The transfer request was sent to the person's branch.")
                )
                return redirect("registry:transfer_detail", transfer.pk)
    else:
        form = TransferRequestForm(
            initial={"iin": request.GET.get("iin", "")[:20]}, organisations=organisations
        )
    return render(request, "registry/transfer_form.html", {"form": form})


@login_required
def transfer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    transfer, deciding = transfer_get(user=request.user, pk=pk)
    return _detail(request, transfer, deciding, TransferDeclineForm())


def _detail(
    request: AuthedRequest, transfer: Any, deciding: bool, decline_form: TransferDeclineForm
) -> HttpResponse:
    user = request.user
    scope = scope_of(user)
    receiving = scope.national_write or transfer.to_organisation.area_id in scope.area_ids
    return render(
        request,
        "registry/transfer_detail.html",
        {
            "transfer": transfer,
            "deciding": deciding,
            "receiving": receiving,
            "iin": transfer.person.iin,  # see transfer_list
            "decline_form": decline_form,
            "pending": transfer.status == TransferStatus.PENDING,
        },
    )


@login_required
@require_POST
def transfer_decide(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    _require_editor(request)
    transfer, deciding = transfer_get(user=request.user, pk=pk)  # unseen: 404
    if action not in ("approve", "decline", "cancel"):
        raise Http404
    scope = scope_of(request.user)
    receiving = scope.national_write or transfer.to_organisation.area_id in scope.area_ids
    if not (deciding if action != "cancel" else receiving):
        raise PermissionDenied  # seen, but this side may not take this step
    decline_form = TransferDeclineForm(request.POST if action == "decline" else None)
    try:
        if action == "approve":
            transfers.transfer_request_approve(by=request.user, transfer_id=pk)
            messages.success(request, _("The transfer is approved: the person has moved."))
        elif action == "decline":
            if not decline_form.is_valid():
                return _detail(request, transfer, deciding, decline_form)
            transfers.transfer_request_decline(
                by=request.user, transfer_id=pk, reason=decline_form.cleaned_data["reason"]
            )
            messages.success(request, _("The transfer is declined."))
        else:
            transfers.transfer_request_cancel(by=request.user, transfer_id=pk)
            messages.success(request, _("The transfer request is withdrawn."))
    except NotFoundError as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("registry:transfer_detail", pk)
