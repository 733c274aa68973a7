"""Writes for accounts: users, roles, language, login throttling."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from kaskad.accounts.models import LoginFailure, Role, RoleAssignment, User
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError
from kaskad.registry.models import Branch, Organisation


def user_create(
    *,
    username: str,
    password: str,
    roles: list[tuple[str, Any]] | None = None,
    person: Any = None,
    language: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_active: bool = True,
    validate: bool = True,
) -> User:
    """Create a login with its roles. Each role is (role, branch-or-organisation-or-None)."""
    with transaction.atomic():
        user = User(
            username=username,
            person=person,
            language=language,
            first_name=first_name,
            last_name=last_name,
            email=email,
            is_active=is_active,
        )
        if validate:
            validate_password(password, user)
        user.set_password(password)
        user.save()
        for role, target in roles or []:
            role_assign(user=user, role=role, target=target)
    return user


def role_assign(*, user: User, role: str, target: Any = None) -> RoleAssignment:
    branch = target if isinstance(target, Branch) else None
    organisation = target if isinstance(target, Organisation) else None
    if role == Role.BRANCH_COORDINATOR and branch is None:
        raise DomainError("role_needs_branch", "A branch coordinator needs a branch.")
    if role == Role.SCHOOL_LEADER and organisation is None:
        raise DomainError("role_needs_organisation", "A school leader needs an organisation.")
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, branch=branch, organisation=organisation
    )
    return assignment


def user_set_language(*, user: User, language: str) -> None:
    if language not in {code for code, _ in settings.LANGUAGES}:
        raise DomainError("language_unknown", "Unknown language.")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


# An address may try a few names (a shared school network), but not endlessly.
ADDRESS_FACTOR = 4
# A username is locked from every address only by many more failures than one address may
# make (its own pair lock stops it at the limit): a distributed guessing attack is slowed,
# but one attacker cannot lock someone (the administrator) out.
USERNAME_FACTOR = 10


def login_failure_limits(
    *, username: str, ip: str | None
) -> list[tuple[QuerySet[LoginFailure], int]]:
    """The recent failures that count towards each lock, with the number that locks: this
    username from this address, this address for any username, this username from anywhere."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    limit = settings.LOGIN_FAILURE_LIMIT
    name = recent.filter(username=username.lower())
    pair = name.filter(ip=ip) if ip else name.filter(ip__isnull=True)
    checks = [(pair, limit), (name, limit * USERNAME_FACTOR)]
    if ip:
        checks.append((recent.filter(ip=ip), limit * ADDRESS_FACTOR))
    return checks


def login_is_locked(*, username: str, ip: str | None) -> bool:
    """Too many recent failures for this username from this address, from this address, or
    (many more) for this username from anywhere, lock the login."""
    return any(
        failures.count() >= nth for failures, nth in login_failure_limits(username=username, ip=ip)
    )


def minutes_until_unlock(*, username: str, ip: str | None) -> int:
    """How long a locked login stays locked: until enough failures leave the window."""
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    now = timezone.now()
    # The lock lifts when the nth most recent failure of each lock grows older than the window
    # (the same limits as login_is_locked).
    unlock_at = now
    for failures, nth in login_failure_limits(username=username, ip=ip):
        for at in failures.order_by("-at").values_list("at", flat=True)[nth - 1 : nth]:
            unlock_at = max(unlock_at, at + window)
    return max(1, math.ceil((unlock_at - now).total_seconds() / 60))


def login_failure_record(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.lower(), ip=ip)
    pair, name = login_failure_limits(username=username, ip=ip)[:2]
    if pair[0].count() == pair[1] or name[0].count() == name[1]:
        user = User.objects.filter(username__iexact=username).first()
        if user is not None:
            audit_record(actor=None, action="login_locked", obj=user, source=f"ip={ip or '?'}")


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()
