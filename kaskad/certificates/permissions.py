"""Who may do what with certificates: national administrators and the coordinators of the
certificate's branch manage it; anyone else is told it does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaskad.accounts.scopes import user_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kaskad.accounts.models import User


def manages_branch(user: User | AnonymousUser, branch_id: int) -> bool:
    scope = user_scope(user)
    return scope.national_write or branch_id in scope.branch_ids
