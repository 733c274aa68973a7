"""Navigation by role, available to every template."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kaskad.accounts.scopes import user_scope


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"scope": user_scope(getattr(request, "user", None))}
