from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """Assertions read English text; the site's default language is Kazakh."""
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    translation.activate("en")
