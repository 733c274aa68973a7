"""What a user may see: the union of the scopes of all their roles.

Scoping is a selector concern: every list starts from a `…_visible_to(user)` selector that
uses the Scope computed here. A record outside the scope answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kaskad.accounts.models import Role

# Roles that work with identities and so see IINs unmasked (others see them masked).
IIN_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR, Role.SCHOOL_LEADER})
# Roles that may change registry records (within their scope).
REGISTRY_EDIT_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR})
IMPORT_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR})


@dataclass(frozen=True)
class Scope:
    roles: frozenset[str] = frozenset()
    national: bool = False  # sees the whole country
    national_write: bool = False
    branch_ids: frozenset[int] = frozenset()
    area_ids: frozenset[int] = frozenset()  # areas of the branches coordinated
    organisation_ids: frozenset[int] = frozenset()  # organisations led
    person_id: int | None = None  # the user's own registry record
    extra: dict[str, Any] = field(default_factory=dict)

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def sees_iin(self) -> bool:
        return bool(self.roles & IIN_ROLES)

    @property
    def can_import(self) -> bool:
        return bool(self.roles & IMPORT_ROLES)

    @property
    def can_edit_registry(self) -> bool:
        return bool(self.roles & REGISTRY_EDIT_ROLES)

    def covers_area(self, area_id: int | None) -> bool:
        return self.national or (area_id is not None and area_id in self.area_ids)


EMPTY_SCOPE = Scope()


def user_scope(user: Any) -> Scope:
    """Compute (once per request object) the scope of a user from their role assignments."""
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    cached = getattr(user, "_kaskad_scope", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from kaskad.registry.models import Area

    roles: set[str] = set()
    branch_ids: set[int] = set()
    organisation_ids: set[int] = set()
    for assignment in user.roles.all():
        roles.add(assignment.role)
        if assignment.role == Role.BRANCH_COORDINATOR and assignment.branch_id:
            branch_ids.add(assignment.branch_id)
        if assignment.role == Role.SCHOOL_LEADER and assignment.organisation_id:
            organisation_ids.add(assignment.organisation_id)
    if user.is_superuser:
        roles.add(Role.NATIONAL_ADMIN)
    area_ids = (
        frozenset(Area.objects.filter(branch_id__in=branch_ids).values_list("id", flat=True))
        if branch_ids
        else frozenset()
    )
    scope = Scope(
        roles=frozenset(roles),
        national=bool(roles & {Role.NATIONAL_ADMIN, Role.ANALYST}),
        national_write=Role.NATIONAL_ADMIN in roles,
        branch_ids=frozenset(branch_ids),
        area_ids=area_ids,
        organisation_ids=frozenset(organisation_ids),
        person_id=user.person_id,
    )
    user._kaskad_scope = scope
    return scope


def mask_iin(iin: str) -> str:
    """Show only the last four digits: enough to tell two people apart, not to identify."""
    return "•" * 8 + iin[-4:] if len(iin) == 12 else "•" * len(iin)


def person_in_iin_scope(scope: Scope, person: Any) -> bool:
    """Whether `person` (a registry Person) lies in the part of the registry where the viewer
    works with identities: the whole country for national administrators, the areas of a
    coordinator's branches, the organisation a school leader leads. Read from the denormalised
    `current_organisation` the person selectors scope by, so a list built from them costs no
    extra query."""
    if not scope.sees_iin:
        return False
    if scope.national_write:
        return True
    organisation_id = getattr(person, "current_organisation_id", None)
    if organisation_id is None:
        return False
    if organisation_id in scope.organisation_ids:
        return True
    return bool(scope.area_ids) and person.current_organisation.area_id in scope.area_ids


def iin_for(user: Any, person: Any) -> str:
    """The IIN of `person` as `user` may see it: in full for their own record and for people in
    their IIN scope (`person_in_iin_scope`), masked otherwise. Holding an IIN role is not
    enough: a coordinator sees the IINs of people outside their areas masked."""
    scope = user_scope(user)
    if person.pk is not None and person.pk == scope.person_id:
        return str(person.iin)
    if person_in_iin_scope(scope, person):
        return str(person.iin)
    return mask_iin(person.iin)
