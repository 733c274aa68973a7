from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    """Assertions read English text; the site's default language is Kazakh."""
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    translation.activate("en")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    """Uploaded files go to a fresh folder per test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
