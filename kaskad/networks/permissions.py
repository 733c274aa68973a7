"""Who may do what with networks, events and requests. A "no" is answered like a missing
record by the caller (404), so out of scope cannot be told from not existing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaskad.core.roles import Role
from kaskad.core.scope import scope_of

if TYPE_CHECKING:
    from kaskad.accounts.models import User


def manages_branch(user: User, branch_id: int) -> bool:
    """National administrators manage every branch's network, coordinators their own."""
    scope = scope_of(user)
    return scope.national_write or (
        scope.has(Role.BRANCH_COORDINATOR) and branch_id in scope.branch_ids
    )


def manages_any_network(user: User) -> bool:
    scope = scope_of(user)
    return scope.national_write or (scope.has(Role.BRANCH_COORDINATOR) and bool(scope.branch_ids))


def sees_networks(user: User) -> bool:
    scope = scope_of(user)
    return scope.national or bool(scope.branch_ids) or bool(scope.organisation_ids)


def organises_events(user: User) -> bool:
    """Coordinators (their branch), national administrators and school leaders (for their
    leading school) organise support events."""
    scope = scope_of(user)
    return manages_any_network(user) or scope.has(Role.SCHOOL_LEADER)
