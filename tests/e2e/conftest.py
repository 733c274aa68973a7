"""Headless Chromium for the end-to-end tests (Playwright's sync API, Debian's browser).

The browser is Debian's `chromium` package (Playwright's own download is not used): its path
comes from KASKAD_CHROMIUM, by default /usr/bin/chromium. Without it the tests are skipped,
unless KASKAD_REQUIRE_E2E=1 (as in CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KASKAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _unavailable(reason: str) -> None:
    if os.environ.get("KASKAD_REQUIRE_E2E") == "1":
        pytest.fail(f"{reason} (KASKAD_REQUIRE_E2E=1 makes this an error)")
    pytest.skip(reason)


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        _unavailable(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
            "(scripts/ensure-system-packages.sh) or set KASKAD_CHROMIUM"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
    # from a thread with a running loop unless told it is safe (it is: the loop is idle).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
