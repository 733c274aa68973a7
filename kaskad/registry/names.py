"""Name helpers for Kazakh, Russian and Latin spellings.

* :func:`fold` builds a search key so that a query typed in Russian letters,
  Kazakh Cyrillic, Kazakh Latin or ad-hoc transliteration finds the same name.
* :func:`check_name` validates imported names and repairs words where a few
  Latin/Cyrillic look-alike letters slipped into an otherwise one-script word
  (a classic artefact of copy-paste and mixed keyboard layouts).

Pure Python on purpose: errors are machine codes plus plain ``params``; the
Django layer translates them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Final, Literal

__all__ = ["NameCheck", "check_name", "fold"]

# --------------------------------------------------------------------------
# fold()
# --------------------------------------------------------------------------

# Kazakh Latin letters whose base letter alone would lose the sound: ş/ç must
# become digraphs before NFKD strips the cedilla; ı has no decomposition.
_LATIN_KAZAKH: Final = str.maketrans(
    {
        "ä": "a",
        "ğ": "g",
        "ı": "i",
        "ñ": "n",
        "ö": "o",
        "ş": "sh",
        "ç": "ch",
        "ū": "u",
        "ü": "u",
    }
)

# Cyrillic -> Latin. Kazakh-specific letters merge into their Russian
# neighbours because people routinely type Russian letters for them
# (Нурлан for Нұрлан, Инкар for Іңкәр).
_CYRILLIC: Final = str.maketrans(
    {
        "а": "a",
        "ә": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "ғ": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "э": "e",
        "ж": "j",
        "з": "z",
        "и": "i",
        "й": "i",
        "і": "i",
        "ы": "i",
        "к": "k",
        "қ": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "ң": "n",
        "о": "o",
        "ө": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ұ": "u",
        "ү": "u",
        "ф": "f",
        "х": "h",
        "һ": "h",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "sh",
        "ъ": "",
        "ь": "",
        "ю": "iu",
        "я": "ia",
    }
)

# Single Latin letters with a canonical replacement:
#   q -> k   Kazakh Latin q is қ, which folds to k anyway.
#   w -> u   informal and 2017-draft Kazakh Latin write у as w (Dawlet = Даулет);
#            v would match the rare в instead of the very common у.
#   y -> i   Kasymova/Касымова (ы), Aliya/Алия; й and і fold to i too.
#   x -> h   in names x is almost always a Latin look-alike of Cyrillic х.
_LATIN_SINGLE: Final = str.maketrans({"q": "k", "w": "u", "y": "i", "x": "h"})

# Apostrophes vanish (O'Connor), except in the three digraphs of the 2017
# apostrophe-based Kazakh Latin alphabet whose base letter would fold wrongly:
# s'=ш, c'=ч, y'=ұ. Its other digraphs (a'=ә, g'=ғ, n'=ң, ...) just lose the mark.
_APOSTROPHE: Final = re.compile(r"([scy])?['’ʼ‘`]")
_APOSTROPHE_DIGRAPHS: Final[dict[str, str]] = {"s": "sh", "c": "ch", "y": "u"}


def _apostrophe(match: re.Match[str]) -> str:
    letter = match.group(1)
    return _APOSTROPHE_DIGRAPHS[letter] if letter else ""


_LONE_C: Final = re.compile(r"c(?!h)")  # ч is "ch"; any other c is ц
_NOT_ALNUM: Final = re.compile(r"[^a-z0-9]+")
_LETTER_RUN: Final = re.compile(r"([a-z])\1+")


_K_H: Final = re.compile(r"k+h")  # "kkh" too, so fold() stays idempotent
_Z_H: Final = re.compile(r"z+h")
_HAS_LATIN: Final = re.compile(r"[A-Za-z]")
_HAS_CYRILLIC: Final = re.compile(r"[\u0400-\u04ff]")


def fold(text: str) -> str:
    """Return a script-insensitive search key for a name.

    The key is lowercase ASCII ``[a-z0-9]`` words separated by single spaces.
    Kazakh letters merge with their Russian neighbours, common Latin spellings
    are normalised (zh/j, kh/h, q/k, y/i) and doubled letters collapse, so
    ``fold("Әлия Қасымова") == fold("Aliya Kasymova")`` and
    ``fold("Ахметтов") == fold("Akhmetov")``. Words mixing Latin and Cyrillic
    look-alikes are first repaired like :func:`check_name` does, so a query
    typed with a stray layout letter ("Pахим", Latin P) still matches.
    Irreversible: for matching only. ``fold(fold(x)) == fold(x)``.
    """
    # NFKC composes decomposed letters (so ş is seen as ş, not s + cedilla)
    # and folds compatibility forms (full-width letters, ligatures).
    s = unicodedata.normalize("NFKC", text)
    if _HAS_LATIN.search(s) and _HAS_CYRILLIC.search(s):
        s = " ".join(_repair_word(word) or word for word in s.split())
    s = s.casefold().translate(_LATIN_KAZAKH)
    s = _APOSTROPHE.sub(_apostrophe, s)
    # Drop the remaining accents (é, ĭ). NFKD splits й/ё into и/е + mark,
    # which fold exactly like the whole letters would.
    s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    s = s.translate(_CYRILLIC)
    # Latin normalisation runs after transliteration so Cyrillic text and the
    # same text typed in Latin go through identical rules (Бекхан == Bekhan).
    s = s.translate(_LATIN_SINGLE)
    s = _Z_H.sub("j", s)
    s = _K_H.sub("h", s)
    s = _LONE_C.sub("ts", s)
    s = _NOT_ALNUM.sub(" ", s)
    s = _LETTER_RUN.sub(r"\1", s)
    return s.strip()


# --------------------------------------------------------------------------
# check_name()
# --------------------------------------------------------------------------

_CYR_LETTERS: Final = frozenset(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯәғқңөұүһіӘҒҚҢӨҰҮҺІ"
)
# Kazakh Latin (2021): ä ğ ı ñ ö ş ū ü, plus ç for foreign names. İ is the
# capital of i in that alphabet (I is the capital of ı), so it is allowed too.
_LAT_LETTERS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäğıñöşūüçÄĞİÑÖŞŪÜÇ"
)
_PUNCTUATION: Final = frozenset("-'’ ")

# Latin letter -> Cyrillic letter that renders (near-)identically. Must stay a
# bijection so a repair in either direction is unambiguous; that is why Ү
# (which also looks like Y) is not listed: Y already pairs with У.
_LAT_TO_CYR: Final[dict[str, str]] = {
    "A": "А",
    "a": "а",
    "B": "В",
    "C": "С",
    "c": "с",
    "E": "Е",
    "e": "е",
    "H": "Н",
    "K": "К",
    "k": "к",
    "M": "М",
    "O": "О",
    "o": "о",
    "P": "Р",
    "p": "р",
    "T": "Т",
    "X": "Х",
    "x": "х",
    "y": "у",
    "Y": "У",
    "i": "і",
    "I": "І",
    "h": "һ",
}
_CYR_TO_LAT: Final[dict[str, str]] = {cyr: lat for lat, cyr in _LAT_TO_CYR.items()}

Script = Literal["cyr", "lat"]


@dataclass(frozen=True)
class NameCheck:
    """Outcome of :func:`check_name`.

    ``value`` is the whitespace-normalised (and, if ``corrected``, repaired)
    name. ``error`` is None or a machine code; ``params`` feeds its message.
    """

    value: str
    corrected: bool
    error: str | None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def _script(ch: str) -> Script | None:
    if ch in _CYR_LETTERS:
        return "cyr"
    if ch in _LAT_LETTERS:
        return "lat"
    return None


def _repair_word(word: str) -> str | None:
    """Return ``word`` in a single script, or None if that is ambiguous."""
    scripts: set[Script] = set()
    decisive: set[Script] = set()  # scripts of letters that have no look-alike
    for ch in word:
        script = _script(ch)
        if script is None:
            continue
        scripts.add(script)
        if ch not in _LAT_TO_CYR and ch not in _CYR_TO_LAT:
            decisive.add(script)
    if len(scripts) < 2:
        return word
    if len(decisive) != 1:
        # Either both scripts have real letters (e.g. "Asель") or only
        # look-alikes exist (e.g. Latin "Ap" + Cyrillic "а"): no safe choice.
        return None
    mapping = _LAT_TO_CYR if "cyr" in decisive else _CYR_TO_LAT
    return "".join(mapping.get(ch, ch) for ch in word)


def check_name(value: str) -> NameCheck:
    """Validate one name field of an import and repair look-alike letters.

    Whitespace is stripped and collapsed and the text is NFC-normalised (so a
    decomposed й is one letter); that alone does not count as a correction.
    Error codes: ``name_empty`` (nothing or no letters at all),
    ``name_bad_char`` (params ``char`` and 1-based ``position`` in the
    normalised value) and ``name_mixed_script`` (params ``word``).
    """
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if not text:
        return NameCheck(text, False, "name_empty", {"value": text})
    for position, ch in enumerate(text, start=1):
        if _script(ch) is None and ch not in _PUNCTUATION:
            params = {"value": text, "char": ch, "position": str(position)}
            return NameCheck(text, False, "name_bad_char", params)
    if not any(_script(ch) for ch in text):
        # Only hyphens/apostrophes: as good as empty.
        return NameCheck(text, False, "name_empty", {"value": text})

    words: list[str] = []
    for word in text.split(" "):
        repaired = _repair_word(word)
        if repaired is None:
            return NameCheck(text, False, "name_mixed_script", {"value": text, "word": word})
        words.append(repaired)
    result = " ".join(words)
    return NameCheck(result, result != text, None, {"value": text} if result != text else {})


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Levenshtein distance between two strings, or ``limit + 1`` once it exceeds ``limit``."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def spelling_allowance(folded: str) -> int:
    """How many letters a correction of a name may change: one in a name of up to five
    letters, two in a longer one (compared after folding: case, look-alike letters, Kazakh
    and Russian spellings and Latin transliteration are not counted)."""
    return 1 if len(folded) <= 5 else 2


def same_name(registry: str, given: str) -> bool:
    """Whether ``given`` is ``registry`` or a small spelling correction of it."""
    if registry == given:
        return True
    a, b = fold(registry), fold(given)
    limit = spelling_allowance(max(a, b, key=len))
    return edit_distance(a, b, limit=limit) <= limit
