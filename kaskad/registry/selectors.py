"""Reads of the registry. Every list starts from `…_visible_to(user)`: scope first."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from kaskad.core.collation import name_order
from kaskad.core.roles import Role
from kaskad.core.scope import scope_of
from kaskad.registry import permissions
from kaskad.registry.models import (
    Area,
    Branch,
    Employment,
    Organisation,
    Person,
    TransferRequest,
)
from kaskad.registry.names import fold

if TYPE_CHECKING:
    from kaskad.accounts.models import User

IIN_PATTERN = re.compile(r"^\d{12}$")


def area_list() -> QuerySet[Area]:
    """Areas are public reference data: everyone signed in sees them."""
    return Area.objects.select_related("branch").order_by("sort_order", "code")


def branch_list() -> QuerySet[Branch]:
    return Branch.objects.prefetch_related("areas").order_by("code")


def organisation_list_visible_to(user: User) -> QuerySet[Organisation]:
    scope = scope_of(user)
    qs = Organisation.objects.select_related("area", "district")
    if scope.national:
        return qs
    condition = Q(pk__in=[])
    if scope.area_ids:
        condition |= Q(area_id__in=scope.area_ids)
    if scope.organisation_ids:
        condition |= Q(pk__in=scope.organisation_ids)
    return qs.filter(condition)


def organisation_list(
    *, user: User, area: int | None = None, kind: str = "", locality: str = "", q: str = ""
) -> QuerySet[Organisation]:
    qs = organisation_list_visible_to(user)
    if area:
        qs = qs.filter(area_id=area)
    if kind:
        qs = qs.filter(kind=kind)
    if locality:
        qs = qs.filter(locality=locality)
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(name_kk__icontains=q)
            | Q(name_ru__icontains=q)
            | Q(name_en__icontains=q)
            | Q(code=q)
            | Q(bin=q)
        )
    return qs.order_by("area__sort_order", "name")


def organisation_get(*, user: User, pk: int) -> Organisation:
    try:
        return organisation_list_visible_to(user).get(pk=pk)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def person_list_visible_to(user: User) -> QuerySet[Person]:
    scope = scope_of(user)
    qs = Person.objects.select_related("current_organisation", "current_organisation__area")
    if scope.national:
        return qs
    condition = Q(pk__in=[])
    if scope.area_ids:
        condition |= Q(current_organisation__area_id__in=scope.area_ids)
    if scope.organisation_ids:
        condition |= Q(current_organisation_id__in=scope.organisation_ids)
    if scope.person_id:
        condition |= Q(pk=scope.person_id)
    return qs.filter(condition)


def person_search(*, user: User, q: str) -> QuerySet[Person]:
    """Find people by IIN (exact, see `permissions.iin_search_allowed`) or by name, however
    the name was typed.

    Each word of the query must start a word of the folded name, so "kasym ali" finds
    "Қасымова Әлия".
    """
    qs = person_list_visible_to(user)
    q = q.strip()
    if not q:
        return qs.none()
    if IIN_PATTERN.match(q):
        return qs.filter(iin=q) if permissions.iin_search_allowed(user, q) else qs.none()
    tokens = fold(q).split()
    if not tokens:
        return qs.none()
    for token in tokens:
        qs = qs.filter(Q(search_key__startswith=token) | Q(search_key__contains=" " + token))
    return qs.order_by(*name_order(), "id")


def person_get(*, user: User, pk: int) -> Person:
    try:
        return person_list_visible_to(user).get(pk=pk)
    except Person.DoesNotExist as exc:
        raise Http404 from exc


def person_get_by_iin(*, user: User, iin: str) -> Person:
    if not permissions.iin_search_allowed(user, iin):
        raise Http404
    try:
        return person_list_visible_to(user).get(iin=iin)
    except Person.DoesNotExist as exc:
        raise Http404 from exc


def employment_history(*, person: Person) -> QuerySet[Employment]:
    return (
        Employment.objects.filter(person=person)
        .select_related("organisation", "organisation__area")
        .order_by("-started_on", "-id")
    )


def organisation_staff(*, organisation: Organisation) -> QuerySet[Employment]:
    return (
        Employment.objects.filter(organisation=organisation, ended_on__isnull=True)
        .select_related("person", "person__current_organisation")
        .order_by(*name_order("person__"))
    )


def person_with_history(*, user: User, pk: int) -> Person:
    qs = person_list_visible_to(user).prefetch_related(
        Prefetch(
            "employments",
            queryset=Employment.objects.select_related("organisation", "organisation__area"),
        )
    )
    try:
        return qs.get(pk=pk)
    except Person.DoesNotExist as exc:
        raise Http404 from exc


# --- Transfers ----------------------------------------------------------------------------------


def transfer_incoming_visible_to(user: User) -> QuerySet[TransferRequest]:
    """Requests to move people away from the user's branch (national administrators: all)."""
    scope = scope_of(user)
    qs = TransferRequest.objects.select_related(
        "person", "to_organisation__area", "from_organisation__area", "requested_by"
    )
    if scope.national_write:
        return qs
    if scope.has(Role.BRANCH_COORDINATOR) and scope.branch_ids:
        return qs.filter(from_branch_id__in=scope.branch_ids)
    return qs.none()


def transfer_outgoing_visible_to(user: User) -> QuerySet[TransferRequest]:
    """Requests to move people into the user's branch. They carry nothing about where the
    person works: the pages and the API show the IIN, the receiving side and the decision."""
    scope = scope_of(user)
    qs = TransferRequest.objects.select_related("to_organisation__area", "requested_by")
    if scope.national_write:
        return qs
    if scope.has(Role.BRANCH_COORDINATOR) and scope.area_ids:
        return qs.filter(to_organisation__area_id__in=scope.area_ids)
    return qs.none()


def transfer_get(*, user: User, pk: int) -> tuple[TransferRequest, bool]:
    """A request the user may see, and whether they see it as the deciding side."""
    incoming = transfer_incoming_visible_to(user).filter(pk=pk).first()
    if incoming is not None:
        return incoming, True
    outgoing = transfer_outgoing_visible_to(user).filter(pk=pk).first()
    if outgoing is not None:
        return outgoing, False
    raise Http404
