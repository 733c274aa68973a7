"""The public address of the site (`KASKAD_PUBLIC_URL`), which certificates print in their QR
code. Left unset it is http://127.0.0.1:8000: fine on a developer's machine, wrong in every
certificate printed by a server others reach — so it is flagged loudly there."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

DEFAULT = "http://127.0.0.1:8000"


def public_url() -> str:
    return str(getattr(settings, "KASKAD_PUBLIC_URL", "") or DEFAULT).rstrip("/")


def is_loopback_host(host: str) -> bool:
    """127.x, ::1, localhost (with or without a port)."""
    host = host.strip().lower()
    if host.startswith("["):  # "[::1]:8000"
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:  # "name:8000"
        host = host.split(":", 1)[0]
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_url_is_loopback() -> bool:
    return is_loopback_host(urlsplit(public_url()).hostname or "")


def public_url_problem(*, reached_at: str) -> bool:
    """True when others reach the site at `reached_at` (a bind address or the Host of a
    request) while certificates would send them to a loopback address."""
    return public_url_is_loopback() and not is_loopback_host(reached_at)
