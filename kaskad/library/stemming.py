"""One entry point for stemming a word in any of the platform's languages.

* ``kk``: the rule-based stripper in :mod:`kaskad.library.kazakh_stemmer`
  (no maintained Kazakh stemmer exists).
* ``ru`` and ``en``: Snowball through the pure-Python ``snowballstemmer``
  package when it is installed. Without it the word comes back unchanged
  (search then matches whole words only) and :data:`SNOWBALL_AVAILABLE` is
  False, so callers and tests can tell.

Pure Python, no Django.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Final, Literal

from kaskad.library.kazakh_stemmer import stem_kazakh

__all__ = ["LANGUAGES", "SNOWBALL_AVAILABLE", "Language", "stem"]

Language = Literal["kk", "ru", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("kk", "ru", "en")

try:  # pragma: no cover - depends on the environment
    import snowballstemmer as _snowball
except ImportError:  # pragma: no cover - depends on the environment
    _snowball = None

SNOWBALL_AVAILABLE: Final = _snowball is not None
_SNOWBALL_NAMES: Final = {"ru": "russian", "en": "english"}


@lru_cache(maxsize=4)
def _snowball_stemmer(language: str) -> Any:
    assert _snowball is not None
    return _snowball.stemmer(_SNOWBALL_NAMES[language])


def stem(word: str, language: str) -> str:
    """Return the stem of one lower-case word in ``language`` ("kk", "ru" or "en").

    Raises ValueError for any other language code.
    """
    if language == "kk":
        return stem_kazakh(word)
    if language in _SNOWBALL_NAMES:
        if _snowball is None:
            return word
        result: str = _snowball_stemmer(language).stemWord(word)
        return result
    raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
