"""Who may do what in the library.

* browse, download, favour, rate: every signed-in user holding a role;
* submit a material for review: a user linked to a registry person (a teacher);
* upload directly, review submissions, withdraw, edit publications: library editors and
  national administrators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaskad.accounts.scopes import user_scope
from kaskad.core.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kaskad.accounts.models import User


def can_browse(user: User | AnonymousUser) -> bool:
    return bool(user_scope(user).roles)


def is_editor(user: User | AnonymousUser) -> bool:
    return user_scope(user).has(Role.LIBRARY_EDITOR, Role.NATIONAL_ADMIN)


def can_submit(user: User | AnonymousUser) -> bool:
    scope = user_scope(user)
    return bool(scope.roles) and scope.person_id is not None
