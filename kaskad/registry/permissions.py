"""Who may do what in the registry: the predicates the selectors, services, pages and API ask.

Each answers for the acting user only; what a refusal looks like is the caller's business, and
where a record the user may not touch is outside their scope the caller answers exactly as for
a missing one (ADR 0002).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaskad.core.roles import Role
from kaskad.core.scope import scope_of, sees_identifier
from kaskad.registry.models import Person, TransferRequest

if TYPE_CHECKING:
    from kaskad.accounts.models import User


def can_edit_registry(user: User) -> bool:
    """National administrators and branch coordinators change registry records (in scope)."""
    return scope_of(user).can_edit_registry


def can_import(user: User) -> bool:
    """Whether the user may load registry files (pages, command and job alike)."""
    return scope_of(user).can_import


def editable_area_ids(user: User) -> frozenset[int] | None:
    """The areas whose organisations the user may add people to or move people into:
    `None` means every area (national administrators), else their branches' areas."""
    scope = scope_of(user)
    return None if scope.national_write else scope.area_ids


def can_edit_person(user: User, person: Person) -> bool:
    """Whether the user may change `person`'s name or contacts: a registry editor whose
    areas hold the person's current organisation (every area, nationally)."""
    if not can_edit_registry(user):
        return False
    areas = editable_area_ids(user)
    if areas is None:
        return True
    organisation = person.current_organisation
    return organisation is not None and organisation.area_id in areas


def can_decide_transfer(user: User, transfer: TransferRequest) -> bool:
    """Only the person's current branch (or a national administrator) approves or declines."""
    scope = scope_of(user)
    return scope.national_write or (
        scope.has(Role.BRANCH_COORDINATOR)
        and transfer.from_branch_id is not None
        and transfer.from_branch_id in scope.branch_ids
    )


def iin_search_allowed(user: User, iin: str) -> bool:
    """Searching by a full IIN links a number to a name: only roles that see IINs in full
    (`IIN_ROLES`) may, within their scope, and everyone may look up their own number. For the
    others a full IIN matches nobody, on the pages and in the API alike (ADR 0002)."""
    scope = scope_of(user)
    if scope.sees_iin:
        return True
    return (
        scope.person_id is not None and Person.objects.filter(pk=scope.person_id, iin=iin).exists()
    )


def sees_identity(user: User, person: Person) -> bool:
    """Birth date, sex and contacts reveal as much as the IIN: same rule as `iin_for`."""
    return sees_identifier(user, person)
