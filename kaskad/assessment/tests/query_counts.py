"""Proof that a list page costs no query per row: the same count at two data sizes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

SMALL, LARGE = 2, 6


def counted(user: Any, url: str) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    assert client.get(url).status_code == 200  # warm-up: session, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def assert_flat(user: Any, url: str, grow: Callable[[int], list[str]]) -> None:
    """`grow(n)` adds n more rows and returns a text each of them shows on the page."""
    shown = grow(SMALL)
    small, page = counted(user, url)
    assert all(text in page for text in shown)
    shown += grow(LARGE - SMALL)
    large, page = counted(user, url)
    assert all(text in page for text in shown), "the rows are on the page"
    assert large == small, f"{small} queries for {SMALL} rows, {large} for {LARGE}"
