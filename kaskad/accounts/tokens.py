"""Personal API tokens: create (shown once), check on each request, revoke.

A token is 256 random bits; only its SHA-256 is stored, so a copy of the database does not
give access. A salted slow hash is unnecessary here: the secret is random, not a password.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import ApiToken, User
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError

TOKEN_PREFIX = "ksk_"
DEFAULT_LIFETIME_DAYS = 90
# Writing `last_used_at` on every call would turn each read into a write; once in a while is
# enough to see which tokens are still in use.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenRejectedError(DomainError):
    status = 401


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str = "", days: int | None = DEFAULT_LIFETIME_DAYS, by: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the record and the token itself (not stored)."""
    if not user.is_active:
        raise DomainError("user_inactive", _("This user is deactivated."), field="username")
    if days is not None and days < 1:
        raise DomainError("token_lifetime", _("A token must live at least one day."), field="days")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        key_hash=token_hash(raw),
        expires_at=timezone.now() + timedelta(days=days) if days is not None else None,
    )
    audit_record(
        actor=by,
        action="create",
        obj=token,
        changes={"user": user.pk, "name": token.name, "expires_at": token.expires_at},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None = None) -> bool:
    """Revoke a token; False when it already was."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        token.refresh_from_db(fields=["revoked_at"])
        audit_record(
            actor=by, action="update", obj=token, changes={"revoked_at": [None, token.revoked_at]}
        )
    return bool(updated)


def api_token_user(raw: str) -> User:
    """The active user a token belongs to, or TokenRejectedError saying why not."""
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(raw.strip())).first()
    if token is None or not token.user.is_active:
        raise TokenRejectedError("token_invalid", _("The API token is not valid."))
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRejectedError("token_revoked", _("The API token has been revoked."))
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRejectedError("token_expired", _("The API token has expired: create a new one."))
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
