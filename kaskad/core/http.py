"""Small request helpers every app needs: the signed-in request type, the client's address
and safe redirects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from kaskad.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request behind `login_required`: its user is signed in (what the services expect).

    Page views that pass `request.user` on to a service or selector take this type.
    """

    user: User


def staff_user(request: HttpRequest) -> User:
    """The user of an admin-site request: the admin site serves signed-in staff only."""
    return cast("User", request.user)


def client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
    # it, and trusting it would let anyone dodge a per-address limit.
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def is_safe_url(request: HttpRequest, url: str | None) -> bool:
    """Whether `url` points back to this site (so a redirect to it is never an open one)."""
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def redirect_back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to the form's `next` field when it points to this site, else to `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    return HttpResponseRedirect(candidate if is_safe_url(request, candidate) else default)
