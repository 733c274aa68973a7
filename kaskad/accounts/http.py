"""The request a signed-in page sees: `request.user` is a `User`, never anonymous (the view is
behind `login_required`), so the services' typed actor takes it as it is."""

from __future__ import annotations

from django.http import HttpRequest

from kaskad.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User
