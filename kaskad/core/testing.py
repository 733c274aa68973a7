"""Helpers shared by the test suites of every app (imported by tests only)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.db import connection, connections


def real_race_possible() -> bool:
    """Whether two threads get two real database connections (not one in-memory SQLite)."""
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and not cast(Any, connection).is_in_memory_db()


def skip_without_real_connections() -> None:
    if not real_race_possible():
        pytest.skip("the test database is in-memory SQLite: no second connection to race with")


def race(workers: list[Callable[[], Any]]) -> list[Any]:
    """Run every worker in its own thread and connection, released at the same moment.
    Returns each worker's result or the exception it raised."""
    barrier = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)

    def run(index: int, work: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = work()
        except BaseException as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request never finished"
    return results
