"""Who may do what in the catalogue: the predicates pages, the API and services ask.

Out of scope answers like not found where it matters (services raise `NotFoundError` for another
branch's plan); these predicates only say yes or no.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.registry.models import Branch

if TYPE_CHECKING:
    from kaskad.accounts.models import User

CERTIFICATION_ROLES = (Role.NATIONAL_ADMIN, Role.ANALYST, Role.BRANCH_COORDINATOR)


PLAN_ROLES = (Role.NATIONAL_ADMIN, Role.ANALYST, Role.BRANCH_COORDINATOR)


def can_see_drafts(user: User | None) -> bool:
    return user_scope(user).national_write


def can_see_certification_watch(user: User) -> bool:
    return user_scope(user).has(*CERTIFICATION_ROLES)


def can_see_plan(user: User) -> bool:
    return user_scope(user).has(*PLAN_ROLES)


def can_see_country_plan(user: User) -> bool:
    return user_scope(user).national


def can_manage_catalogue(user: User | None) -> bool:
    """Only national administrators manage the catalogue (`None` is the system itself)."""
    return user is None or user_scope(user).national_write


def plan_branch_ids_editable_by(user: User | None) -> frozenset[int] | None:
    """The branches whose plan a user may edit; None means every branch."""
    if user is None:
        return None
    scope = user_scope(user)
    if scope.national_write:
        return None
    return scope.branch_ids


def can_edit_plan(user: User | None, branch: Branch) -> bool:
    allowed = plan_branch_ids_editable_by(user)
    return allowed is None or branch.pk in allowed
