from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """Assertions read English text; the site's default language is Kazakh."""
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    translation.activate("en")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings: Any) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
