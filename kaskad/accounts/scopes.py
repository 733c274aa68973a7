"""What a user may see: the union of the scopes of all their roles.

Scoping is a selector concern: every list starts from a `…_visible_to(user)` selector that
uses the Scope computed here. A record outside the scope answers 404.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from kaskad.accounts.models import Role, User
from kaskad.core.scope import (
    EMPTY_SCOPE,
    IIN_ROLES,
    IMPORT_ROLES,
    REGISTRY_EDIT_ROLES,
    Scope,
    iin_for,
    mask_iin,
    person_in_iin_scope,
)
from kaskad.registry.models import Area

# The scope value and the IIN rules live in kaskad.core.scope (so the registry, below accounts,
# reads them); they are re-exported here for the apps above accounts.
__all__ = [
    "EMPTY_SCOPE",
    "IIN_ROLES",
    "IMPORT_ROLES",
    "REGISTRY_EDIT_ROLES",
    "Scope",
    "iin_for",
    "mask_iin",
    "person_in_iin_scope",
    "user_scope",
]


def user_scope(user: User | AnonymousUser | None) -> Scope:
    """Compute (once per request object) the scope of a user from their role assignments."""
    if user is None or not user.is_authenticated:
        return EMPTY_SCOPE
    cached = getattr(user, "_kaskad_scope", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
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
    user._kaskad_scope = scope  # type: ignore[attr-defined]  # cached on the request's user
    return scope
