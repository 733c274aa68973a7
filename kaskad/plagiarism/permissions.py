"""Who may do what in the plagiarism checks: the officers (and national administrators)
see and decide; anyone else is told the check does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kaskad.accounts.models import User

OFFICER_ROLES = (Role.PLAGIARISM_OFFICER, Role.NATIONAL_ADMIN)


def is_officer(user: User | AnonymousUser) -> bool:
    return user_scope(user).has(*OFFICER_ROLES)
