"""Forms of the account pages."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kaskad.accounts.services import (
    login_failure_limits,
    login_failure_record,
    login_is_locked,
)


def client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
    # it, and trusting it would let anyone dodge the per-address lock.
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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


class LoginForm(AuthenticationForm):
    """Django's login form with throttling: a locked login is refused before the password is
    even checked, and the message is the same whether the user exists or not."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is wrong. Both are case-sensitive."),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").strip()
        ip = client_ip(self.request)
        if username and login_is_locked(username=username, ip=ip):
            minutes = minutes_until_unlock(username=username, ip=ip)
            raise ValidationError(
                ngettext(
                    "Too many failed attempts; try again in %(minutes)d minute.",
                    "Too many failed attempts; try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="locked",
            )
        try:
            return super().clean()
        except ValidationError as exc:
            if username and getattr(exc, "code", None) == "invalid_login":
                login_failure_record(username=username, ip=ip)
            raise


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin's login: the same throttling and failure record as the main sign-in, plus the
    admin's own rule that only staff may enter (a non-staff login counts as a failure)."""


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
