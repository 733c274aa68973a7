"""Test users, made through the real account services.

    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    leader = make_user(roles=[(Role.SCHOOL_LEADER, organisation)])
    teacher = make_user(roles=[(Role.TEACHER, None)], person=person)

Every user gets the password `PASSWORD`, so tests can also sign in through the login page.
"""

from __future__ import annotations

import itertools
from typing import Any

from kaskad.accounts.models import User
from kaskad.accounts.services import user_create

PASSWORD = "Correct-Horse-Battery-42"

_numbers = itertools.count(1)


def make_user(
    *,
    username: str = "",
    roles: list[tuple[str, Any]] | None = None,
    person: Any = None,
    password: str = PASSWORD,
    language: str = "",
    **extra: Any,
) -> User:
    """A user with the given roles: each is (role, branch-or-organisation-or-None)."""
    user = user_create(
        username=username or f"user{next(_numbers)}",
        password=password,
        roles=roles or [],
        person=person,
        language=language,
        first_name=extra.pop("first_name", ""),
        last_name=extra.pop("last_name", ""),
        validate=False,
    )
    if extra:  # is_staff, is_superuser, email...
        for key, value in extra.items():
            setattr(user, key, value)
        user.save()
    return user
