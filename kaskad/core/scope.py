"""What a user may see, as a plain value every app can read without knowing about accounts.

The scope is the union of the scopes of a user's roles. It is computed by accounts (which owns
the role assignments, `kaskad.accounts.scopes.user_scope`) and registered here when accounts is
ready (`set_scope_resolver`), so that the registry, below accounts in the layers of
docs/adr/0003-layers.md, reads a user's scope through `scope_of(user)` without importing
accounts. A record outside the scope answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kaskad.core.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kaskad.accounts.models import User

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

_resolver: Callable[[Any], Scope] | None = None


def set_scope_resolver(resolver: Callable[[Any], Scope]) -> None:
    """Called once by accounts when the app registry is ready."""
    global _resolver
    _resolver = resolver


def scope_of(user: User | AnonymousUser | None) -> Scope:
    """The scope of `user` (anonymous or None: the empty scope), computed once per user object."""
    if _resolver is None:
        raise RuntimeError("No scope resolver: is kaskad.accounts in INSTALLED_APPS?")
    return _resolver(user)


def mask_iin(iin: str | None) -> str:
    """Show only the last four digits: enough to tell two people apart, not to identify."""
    if not iin:
        return ""
    return "•" * 8 + iin[-4:] if len(iin) == 12 else "•" * len(iin)


def identifier_of(person: Any) -> str:
    """The identifier a person is known by, in full: the IIN, or for a participant without an
    IIN (docs/adr/0005-participants-without-iin.md) the country, the kind and the number of the
    identity document, e.g. ``TM passport A1234567``. Never mistaken for an IIN: it always
    starts with two letters."""
    if getattr(person, "iin", None):
        return str(person.iin)
    kind = person.get_document_type_display() if person.document_type else ""
    return f"{person.document_country} {kind} {person.document_number}".replace("  ", " ")


def mask_identifier(person: Any) -> str:
    """`identifier_of` with all but the last four characters of the number hidden."""
    if getattr(person, "iin", None):
        return mask_iin(person.iin)
    number = str(person.document_number or "")
    kind = person.get_document_type_display() if person.document_type else ""
    hidden = "•" * max(len(number) - 4, 4) + number[-4:]
    return f"{person.document_country} {kind} {hidden}".replace("  ", " ")


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


def iin_for(user: User | AnonymousUser | None, person: Any) -> str:
    """The IIN of `person` as `user` may see it: in full for their own record and for people in
    their IIN scope (`person_in_iin_scope`), masked otherwise. Holding an IIN role is not
    enough: a coordinator sees the IINs of people outside their areas masked. A participant
    without an IIN is shown by their identity document under the same rule (`identifier_of`)."""
    scope = scope_of(user)
    if person.pk is not None and person.pk == scope.person_id:
        return identifier_of(person)
    if person_in_iin_scope(scope, person):
        return identifier_of(person)
    return mask_identifier(person)


def sees_identifier(user: User | AnonymousUser | None, person: Any) -> bool:
    """Whether `iin_for` shows `user` the identifier of `person` in full."""
    return iin_for(user, person) == identifier_of(person)
