"""Writes for accounts: users, roles, language, login throttling."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
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


def login_is_locked(*, username: str, ip: str | None) -> bool:
    """Too many recent failures for this username, or from this address, lock the login."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    limit = settings.LOGIN_FAILURE_LIMIT
    by_name = recent.filter(username=username.lower()).count() >= limit
    # An address may try a few names (a shared school network), but not endlessly.
    by_ip = ip is not None and recent.filter(ip=ip).count() >= limit * 4
    return by_name or by_ip


def minutes_until_unlock(*, username: str, ip: str | None) -> int:
    """How long a locked login stays locked: until enough failures leave the window."""
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    now = timezone.now()
    recent = LoginFailure.objects.filter(at__gte=now - window).order_by("-at")
    limit = settings.LOGIN_FAILURE_LIMIT
    # The lock lifts when the limit-th most recent failure grows older than the window
    # (the same limits as login_is_locked: per username, and four times that per address).
    checks = [(recent.filter(username=username.lower()), limit)]
    if ip:
        checks.append((recent.filter(ip=ip), limit * 4))
    unlock_at = now
    for failures, nth in checks:
        for at in failures.values_list("at", flat=True)[nth - 1 : nth]:
            unlock_at = max(unlock_at, at + window)
    return max(1, math.ceil((unlock_at - now).total_seconds() / 60))


def login_failure_record(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.lower(), ip=ip)
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    count = LoginFailure.objects.filter(username=username.lower(), at__gte=since).count()
    if count == settings.LOGIN_FAILURE_LIMIT:
        user = User.objects.filter(username__iexact=username).first()
        if user is not None:
            audit_record(actor=None, action="login_locked", obj=user, source=f"ip={ip or '?'}")


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()
