"""Reading a modeltranslation field from `.values()` rows, which modeltranslation does not
rewrite when the query starts from an untranslated model: the reader's language first, then
the fallback languages, so nobody gets the default language's text while another exists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation

LANGUAGES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)


def localised_columns(path: str) -> tuple[str, ...]:
    """`path` ("portfolio__rubric__version__title") in every language, for `.values()`."""
    return tuple(f"{path}_{code}" for code in LANGUAGES)


def localised_text(
    row: Mapping[str, Any], path: str, language: str | None = None
) -> tuple[str, str]:
    """(text, its language): `path` in `language` (the active one by default), else the
    first non-empty one in the fallback order, so a page can mark a fallback as such."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    fallbacks = getattr(settings, "MODELTRANSLATION_FALLBACK_LANGUAGES", LANGUAGES)
    for code in (language, *fallbacks, *LANGUAGES):
        value = row.get(f"{path}_{code}")
        if value:
            return str(value), code
    return str(row.get(path) or ""), language


def localised_value(row: Mapping[str, Any], path: str, language: str | None = None) -> str:
    """The text of `localised_text`, without its language."""
    return localised_text(row, path, language)[0]


def quoted(text: Any) -> str:
    """`text` in the quotation marks of the active language: «…» in Kazakh and Russian,
    “…” in English. For quotes built in code around a value (lists of names, statuses)."""
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    if language in ("kk", "ru"):
        return f"«{text}»"
    return f"“{text}”"
