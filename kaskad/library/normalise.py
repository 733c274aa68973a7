"""Text -> index tokens and query terms for the library search.

Pipeline for one text (:func:`fold`, then :func:`normalise`):

1. Unicode NFC, lower case, stray combining marks and control characters
   (NUL included) removed, «ё» -> «е».
2. Words are runs of letters and digits (an apostrophe may sit inside or at
   the end of a word, for the 2017 Kazakh Latin alphabet). Everything else is
   a separator, so the full-text operator characters ``" * - : ^ ( )`` can
   never reach the search engine, and ``AND OR NOT NEAR`` become ordinary
   lower-case words (FTS5 only treats the upper-case forms as operators).
   Words longer than :data:`MAX_WORD` characters are dropped as noise.
3. A word mixing Cyrillic and Latin look-alike letters (``мeктeп`` with Latin
   e) is written in the script of most of its letters.
4. Kazakh text written in Latin is transliterated to Cyrillic Kazakh: the
   official 2021 alphabet (ä ğ ı ñ ö ş ç ū ü, q = қ, i = і), the 2018 acute
   variant (á ǵ ń ó ú ý), the 2017 apostrophe variant (a' g' n' o' u' i' s'
   c' y'), and common digraphs (sh ch zh kh). ``y`` is taken as ы (2017/2018
   and everyday typing), ``h`` as х, ``ú`` as ұ.
5. The word is stemmed (:func:`kaskad.library.stemming.stem`).

Kazakh typed with Russian letters (а for ә, і written и, қ written к...) cannot
be undone by a mapping: «и» is a real Kazakh letter as well as the stand-in
for «і». Search therefore works on **two levels**:

* the *exact* stem of the correctly folded word (``мектеп``), and
* the *loose* key: the word with every Kazakh-only letter merged into its
  Russian look-alike (ә->а, ғ->г, қ->к, ң->н, ө->о, ұ/ү->у, һ->х, і->и, see
  :func:`kaskad.library.kazakh_stemmer.loose_fold`), stemmed by the same
  rules without the harmony check, and prefixed with :data:`LOOSE_PREFIX`
  so that it never collides with an exact token.

Kazakh text is indexed under both; a query asks for either, so «мугалимдердин»
finds «мұғалімдердің» through the loose key while an exact match can still
be ranked higher. The prefix is a Latin letter (not punctuation) so the keys
survive any full-text tokenizer; no real word can produce it, because a Latin
letter in front of Cyrillic ones is repaired in step 3.

``kaskad.registry.names.fold`` is not reused: it folds to ASCII for matching
person names, which would merge exactly the letters the exact level keeps
apart, and its look-alike repair is private to name validation.

Pure Python, no Django. Nothing here raises on any input text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from kaskad.library.kazakh_stemmer import loose_fold, stem_kazakh
from kaskad.library.stemming import stem

__all__ = [
    "LOOSE_PREFIX",
    "MAX_QUERY_TERMS",
    "MAX_WORD",
    "fold",
    "normalise",
    "tokens_for_index",
    "tokens_for_query",
]

LOOSE_PREFIX: Final = "x"
MAX_WORD: Final = 64
MAX_QUERY_TERMS: Final = 32

_APOSTROPHES: Final = "'’ʼ‘`"
_WORD: Final = re.compile(rf"[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)*[{_APOSTROPHES}]?")
_APOSTROPHE_RUN: Final = re.compile(rf"[{_APOSTROPHES}]")
_LATIN: Final = re.compile(r"[a-zäáçğǵıñńöóşūúüý]")
_CYRILLIC: Final = re.compile(r"[\u0400-\u04ff]")

# Lower-case look-alikes, both ways (a bijection).
_LAT_TO_CYR: Final[dict[str, str]] = {
    "a": "а",
    "c": "с",
    "e": "е",
    "h": "һ",
    "i": "і",
    "k": "к",
    "m": "м",
    "o": "о",
    "p": "р",
    "t": "т",
    "x": "х",
    "y": "у",
}
_CYR_TO_LAT: Final[dict[str, str]] = {cyr: lat for lat, cyr in _LAT_TO_CYR.items()}

# Kazakh Latin -> Cyrillic. Multi-letter spellings first.
_KK_LATIN_MULTI: Final[list[tuple[str, str]]] = [
    ("a'", "ә"),
    ("g'", "ғ"),
    ("n'", "ң"),
    ("o'", "ө"),
    ("u'", "ү"),
    ("i'", "и"),
    ("s'", "ш"),
    ("c'", "ч"),
    ("y'", "у"),
    ("shch", "щ"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("zh", "ж"),
    ("kh", "х"),
]
_KK_LATIN_SINGLE: Final = str.maketrans(
    {
        "a": "а",
        "ä": "ә",
        "á": "ә",
        "b": "б",
        "c": "ц",
        "ç": "ч",
        "d": "д",
        "e": "е",
        "f": "ф",
        "g": "г",
        "ğ": "ғ",
        "ǵ": "ғ",
        "h": "х",
        "ı": "ы",
        "i": "і",
        "j": "ж",
        "k": "к",
        "l": "л",
        "m": "м",
        "n": "н",
        "ñ": "ң",
        "ń": "ң",
        "o": "о",
        "ö": "ө",
        "ó": "ө",
        "p": "п",
        "q": "қ",
        "r": "р",
        "s": "с",
        "ş": "ш",
        "t": "т",
        "u": "у",
        "ū": "ұ",
        "ú": "ұ",
        "ü": "ү",
        "v": "в",
        "w": "у",
        "x": "х",
        "y": "ы",
        "ý": "у",
        "z": "з",
    }
)
_KK_LATIN_MULTI_RE: Final = re.compile(
    "|".join(
        re.escape(src).replace("'", f"[{_APOSTROPHES}]")
        for src, _ in sorted(_KK_LATIN_MULTI, key=lambda p: -len(p[0]))
    )
)
_KK_LATIN_MULTI_MAP: Final = dict(_KK_LATIN_MULTI)


def _clean(text: str) -> str:
    s = unicodedata.normalize("NFC", text).lower()
    s = unicodedata.normalize("NFC", s)
    out = []
    for ch in s:
        category = unicodedata.category(ch)
        if category == "Mn":
            continue  # a stray accent (e.g. the dot of "i̇" from "İ")
        if category[0] in "CZ":
            out.append(" ")  # NUL, controls, odd spaces
        else:
            out.append(ch)
    return "".join(out).replace("ё", "е")


def _repair(word: str) -> str:
    latin = len(_LATIN.findall(word))
    cyrillic = len(_CYRILLIC.findall(word))
    if not latin or not cyrillic:
        return word
    mapping = _LAT_TO_CYR if cyrillic >= latin else _CYR_TO_LAT
    return "".join(mapping.get(ch, ch) for ch in word)


def _kk_from_latin(word: str) -> str:
    if not _LATIN.search(word):
        return word
    s = _KK_LATIN_MULTI_RE.sub(lambda m: _KK_LATIN_MULTI_MAP[_unify(m.group(0))], word)
    return s.translate(_KK_LATIN_SINGLE)


def _unify(spelling: str) -> str:
    return _APOSTROPHE_RUN.sub("'", spelling)


def _raw_words(text: str) -> list[str]:
    """Words after steps 1-3, apostrophes still in place (they carry 2017 letters)."""
    return [_repair(match.group(0)) for match in _WORD.finditer(_clean(text))]


def _finish(word: str) -> str | None:
    word = _APOSTROPHE_RUN.sub("", word)
    return word if word and len(word) <= MAX_WORD else None


def _words(text: str, language: str | None) -> list[str]:
    words = []
    for raw in _raw_words(text):
        word = _finish(_kk_from_latin(raw) if language == "kk" else raw)
        if word is not None:
            words.append(word)
    return words


def fold(text: str, language: str | None = None) -> str:
    """Return ``text`` folded (steps 1-4 of the module docstring), words joined by spaces.

    Idempotent: ``fold(fold(t, lang), lang) == fold(t, lang)``.
    """
    return " ".join(_words(text, language))


def _stem_word(word: str, language: str) -> str:
    if not any(ch.isalpha() for ch in word):
        return word
    if _CYRILLIC.search(word):
        return stem(word, "kk" if language == "kk" else "ru")
    return stem(word, "en")


def _loose(word: str) -> str | None:
    if not _CYRILLIC.search(word):
        return None
    return LOOSE_PREFIX + stem_kazakh(loose_fold(word), loose=True)


def normalise(text: str, language: str) -> list[str]:
    """Return the exact stems of the words of ``text`` in ``language``, in order.

    Cyrillic words are stemmed as Kazakh in Kazakh text and as Russian
    otherwise; Latin words as English (Kazakh text in Latin is transliterated
    first). ``language`` must be "kk", "ru" or "en".
    """
    if language not in ("kk", "ru", "en"):
        raise ValueError(f"unsupported language {language!r}")
    return [_stem_word(word, language) for word in _words(text, language)]


def tokens_for_index(text: str, language: str) -> list[str]:
    """Return every token to index for ``text`` (repetitions kept, for ranking).

    Per word: the exact stem; in Kazakh text also the loose key
    (``LOOSE_PREFIX`` + loose stem) and, for a word written in Latin, the
    English stem of the original spelling (an English term inside Kazakh text).
    """
    if language not in ("kk", "ru", "en"):
        raise ValueError(f"unsupported language {language!r}")
    tokens: list[str] = []
    if language != "kk":
        return normalise(text, language)
    for raw in _raw_words(text):
        word = _finish(_kk_from_latin(raw))
        if word is None:
            continue
        tokens.append(_stem_word(word, "kk"))
        loose = _loose(word)
        if loose is not None:
            tokens.append(loose)
        plain = _finish(raw)
        if plain is not None and _LATIN.search(plain):
            tokens.append(stem(plain, "en"))
    return tokens


def tokens_for_query(text: str) -> list[tuple[str, ...]]:
    """Return, per query word, the index tokens any of which may match it.

    The language of a query is unknown, so a Cyrillic word yields its Kazakh
    exact stem, its Kazakh loose key and its Russian stem; a Latin word its
    English stem and the Kazakh candidates of its transliteration; a number
    itself. Duplicate words are dropped and at most :data:`MAX_QUERY_TERMS`
    words are kept. Combine alternatives with OR and words with AND.
    """
    terms: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    for raw in _raw_words(text):
        plain, kazakh = _finish(raw), _finish(_kk_from_latin(raw))
        if plain is None or kazakh is None:
            continue
        candidates: list[str] = []
        if not any(ch.isalpha() for ch in plain):
            candidates.append(plain)
        else:
            if _LATIN.search(plain) and not _CYRILLIC.search(plain):
                candidates.append(stem(plain, "en"))
            candidates.append(stem(kazakh, "kk"))
            loose = _loose(kazakh)
            if loose is not None:
                candidates.append(loose)
            if _CYRILLIC.search(plain):
                candidates.append(stem(plain, "ru"))
        term = tuple(dict.fromkeys(candidates))
        if term not in seen:
            seen.add(term)
            terms.append(term)
        if len(terms) >= MAX_QUERY_TERMS:
            break
    return terms
