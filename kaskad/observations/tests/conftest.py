from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english(settings) -> None:  # type: ignore[no-untyped-def]
    """Assertions read English text; the site's default language is Kazakh."""
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    translation.activate("en")
