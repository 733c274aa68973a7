"""Normalisation and tokenisation for Kazakh, Russian and English, vectorised with numpy.

Every word is reduced to a script-neutral "skeleton" so that the same word written in
Cyrillic, in any of the Kazakh Latin alphabets (2017 apostrophes, 2018 acute accents and
digraphs, 2021 diacritics) or in a Russian-style transliteration hashes to the same value:

- NFKC and case folding (per character, offsets kept);
- look-alike folding: inside a word written mostly in Cyrillic a Latin "a, e, o, p, c, x, y, i,
  k, ..." is read as the Cyrillic letter it imitates, and the other way round; a word with no
  unambiguous letter takes the script of the whole text;
- transliteration to one skeleton alphabet: ә/á/ä/a' -> a, ғ/ǵ/ğ/g' -> g, ң/ń/ñ/n' -> n,
  ө/ó/ö/o' -> o, ұ/ү/у/ú/ü/ū/ý -> u, и/й/і/ы/ı/y -> i, ш/sh/ş/s' -> Ш, ч/ch/ç/c' -> Ч,
  ж/zh/j -> j, х/һ/kh/h -> h, ц/ts -> c, қ/q -> q, я -> ia, ю -> iu, ъ/ь dropped. Vowels whose
  Latin spelling differs between the alphabets are folded together on purpose: a word n-gram
  is specific enough without them.

Tokens are maximal runs of letters and digits (an apostrophe between two letters stays inside
the word), and every token keeps its start/end offsets in the ORIGINAL text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

# Skeleton codes: the lowercase ASCII letter's code point, or one of these for Ш and Ч.
_SH = 1
_CH = 2

_CYR_SKELETON = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "j", "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "q", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ф": "f", "х": "h", "һ": "h", "ц": "c", "ч": "\x02", "ш": "\x01",
    "щ": "\x01\x02", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia", "ї": "i",
    "є": "e", "ґ": "g", "ў": "u", "ј": "j",
}  # fmt: skip

_LAT_SKELETON = {
    "y": "i", "ı": "i", "á": "a", "ä": "a", "à": "a", "â": "a", "ã": "a", "å": "a", "ā": "a",
    "ǵ": "g", "ğ": "g", "ń": "n", "ñ": "n", "ó": "o", "ö": "o", "ò": "o", "ô": "o", "õ": "o",
    "ō": "o", "ú": "u", "ü": "u", "ū": "u", "ù": "u", "û": "u", "ý": "u", "ş": "\x01",
    "ș": "\x01", "š": "\x01", "ç": "\x02", "č": "\x02", "é": "e", "è": "e", "ê": "e", "ë": "e",
    "ē": "e", "í": "i", "ì": "i", "î": "i", "ï": "i", "ī": "i", "ž": "j", "w": "v", "ß": "ss",
}  # fmt: skip

# Look-alikes: a Latin letter inside a Cyrillic word is read as this Cyrillic letter ...
_LAT_AS_CYR = {
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "k": "к",
    "h": "һ", "m": "м", "A": "а", "B": "в", "C": "с", "E": "е", "H": "н", "I": "і", "K": "к",
    "M": "м", "O": "о", "P": "р", "T": "т", "X": "х", "Y": "у", "j": "ј",
}  # fmt: skip
# ... and a Cyrillic letter inside a Latin word as this Latin letter.
_CYR_AS_LAT = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "к": "k",
    "һ": "h", "м": "m", "т": "t", "в": "b", "н": "h", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ӏ": "l", "А": "a", "В": "b", "С": "c", "Е": "e", "Н": "h", "І": "i", "К": "k",
    "М": "m", "О": "o", "Р": "p", "Т": "t", "Х": "x", "У": "y",
}  # fmt: skip

_APOSTROPHES = "'’ʼ‘`´ʹ"
_TABLE_SIZE = 0x10000

# Per-code-point tables (indexed by the NFKC character, before case folding).
_IS_WORD = np.zeros(_TABLE_SIZE, dtype=np.bool_)
_IS_APOS = np.zeros(_TABLE_SIZE, dtype=np.bool_)
_SCRIPT = np.zeros(_TABLE_SIZE, dtype=np.int8)  # +1 unambiguous Cyrillic, -1 Latin, 0 other
# Skeleton in a Cyrillic word / in a Latin word: up to two codes, 0 = none.
_CODE_CYR = np.zeros((_TABLE_SIZE, 2), dtype=np.uint32)
_CODE_LAT = np.zeros((_TABLE_SIZE, 2), dtype=np.uint32)
# Lowercase ASCII letter the character reads as in a Latin word (for digraphs), else 0.
_LAT_BASE = np.zeros(_TABLE_SIZE, dtype=np.uint32)


def _skeleton_of(ch: str) -> str:
    """Skeleton string of one lowercase character (no look-alike handling)."""
    if ch in _CYR_SKELETON:
        return _CYR_SKELETON[ch]
    if ch in _LAT_SKELETON:
        return _LAT_SKELETON[ch]
    if "a" <= ch <= "z":
        return ch
    if ch.isdigit():
        return ch
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and base != ch:
        return "".join(_skeleton_of(c) for c in base.lower())
    return ch


def _codes(s: str) -> tuple[int, int]:
    codes = [ord(c) for c in s][:2]
    while len(codes) < 2:
        codes.append(0)
    return codes[0], codes[1]


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff" or "\u0500" <= ch <= "\u052f"


def _build_tables() -> None:
    for cp in range(_TABLE_SIZE):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        if ch in _APOSTROPHES:
            _IS_APOS[cp] = True
            continue
        cat = unicodedata.category(ch)
        if not (cat[0] == "L" or cat == "Nd" or cat[0] == "M"):
            continue
        _IS_WORD[cp] = True
        if cat[0] == "M":  # combining marks add nothing to the skeleton
            continue
        low = ch.lower()
        if len(low) != 1:
            low = ch.casefold()
        is_cyr = _is_cyrillic(ch)
        is_lat = (ch.isascii() and ch.isalpha()) or ("\u00c0" <= ch <= "\u024f")
        own = "".join(_skeleton_of(c) for c in low)
        # In a Cyrillic word.
        cyr_reading = _skeleton_of(_LAT_AS_CYR[ch]) if ch in _LAT_AS_CYR else own
        # In a Latin word.
        lat_reading = _skeleton_of(_CYR_AS_LAT[ch].lower()) if ch in _CYR_AS_LAT else own
        _CODE_CYR[cp] = _codes(cyr_reading)
        _CODE_LAT[cp] = _codes(lat_reading)
        lat_letter = _CYR_AS_LAT.get(ch, low)
        if len(lat_letter) == 1 and "a" <= lat_letter.lower() <= "z":
            _LAT_BASE[cp] = ord(lat_letter.lower())
        if is_cyr and ch not in _CYR_AS_LAT:
            _SCRIPT[cp] = 1
        elif is_lat and ch not in _LAT_AS_CYR:
            _SCRIPT[cp] = -1


_build_tables()
# Both readings in one table: row 2 * code point (+ 1 in a Latin word); first and second code.
_CODE1 = np.stack([_CODE_CYR[:, 0], _CODE_LAT[:, 0]], axis=1).reshape(-1).astype(np.uint64)
_CODE2 = np.stack([_CODE_CYR[:, 1], _CODE_LAT[:, 1]], axis=1).reshape(-1).astype(np.uint64)

# Hashing constants (odd multipliers: invertible modulo 2**64).
_P = np.uint64(0x100000001B3)
_MASK64 = (1 << 64) - 1
_P_INV = np.uint64(pow(int(_P), -1, 1 << 64))
_POW: np.ndarray = np.ones(1, dtype=np.uint64)
_POW_INV: np.ndarray = np.ones(1, dtype=np.uint64)


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    global _POW, _POW_INV
    if len(_POW) < n:
        size = max(n, 2 * len(_POW), 1 << 16)
        p = np.empty(size, dtype=np.uint64)
        q = np.empty(size, dtype=np.uint64)
        a, b = 1, 1
        pi, qi = int(_P), int(_P_INV)
        for i in range(size):
            p[i] = a
            q[i] = b
            a = (a * pi) & _MASK64
            b = (b * qi) & _MASK64
        _POW, _POW_INV = p, q
    return _POW, _POW_INV


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (wrapping uint64 arithmetic)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return x


@dataclass
class Tokens:
    """Words of one text: skeleton hash and [start, end) offsets into the original text."""

    hashes: np.ndarray  # uint64
    starts: np.ndarray  # int64
    ends: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.hashes)


_EMPTY = Tokens(
    np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
)

# Compatibility characters (ligatures, full-width letters, ...) are folded by the per-character
# tables; only combining marks need a real normalisation pass (to compose "и" + breve -> "й").
_MARKS = "\u0300-\u036f\u0483-\u0489\u1dc0-\u1dff\u20d0-\u20ff"
_HAS_MARK = re.compile(f"[{_MARKS}]")
_MARK_CLUSTER = re.compile(f".[{_MARKS}]+", re.S)


def _nfkc_with_offsets(text: str) -> tuple[str, np.ndarray | None, np.ndarray | None]:
    """Text with combining sequences composed and, when that changed anything, the original
    start and end offsets of every character of the result."""
    if not _HAS_MARK.search(text):
        return text, None, None
    pieces: list[str] = []
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    pos = 0
    for m in _MARK_CLUSTER.finditer(text):
        s, e = m.span()
        if s > pos:
            pieces.append(text[pos:s])
            starts.append(np.arange(pos, s))
            ends.append(np.arange(pos + 1, s + 1))
        norm = unicodedata.normalize("NFKC", m.group())
        pieces.append(norm)
        starts.append(np.full(len(norm), s))
        ends.append(np.full(len(norm), e))
        pos = e
    if pos < len(text):
        pieces.append(text[pos:])
        starts.append(np.arange(pos, len(text)))
        ends.append(np.arange(pos + 1, len(text) + 1))
    return "".join(pieces), np.concatenate(starts), np.concatenate(ends)


def _code_points(text: str) -> np.ndarray:
    arr = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    # Characters outside the BMP (emoji, rare scripts) are separators here.
    return np.where(arr < _TABLE_SIZE, arr, 0x20).astype(np.int64)


def tokenize(text: str) -> Tokens:
    """Words of `text` with their skeleton hashes and original offsets (vectorised)."""
    if not text:
        return _EMPTY
    norm, offstart, offend = _nfkc_with_offsets(text)
    cps = _code_points(norm)
    n = len(cps)
    word = _IS_WORD[cps]
    apos = _IS_APOS[cps]
    if apos.any():
        inner = np.zeros(n, dtype=np.bool_)
        inner[1:-1] = apos[1:-1] & word[:-2] & word[2:]
        word = word | inner
    if not word.any():
        return _EMPTY
    padded = np.zeros(n + 2, dtype=np.int8)
    padded[1:-1] = word
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    ntok = len(starts)
    # Token number of every word character.
    tok_of = np.cumsum(edges[:-1] == 1) - 1
    widx = np.flatnonzero(word)
    wtok = tok_of[widx]
    wcp = cps[widx]
    # Script of each token: unambiguous letters vote; no vote -> the text's script.
    script = _SCRIPT[wcp].astype(np.int64)
    votes = np.bincount(wtok, weights=script, minlength=ntok)
    default = 1 if script.sum() > 0 else -1
    tok_cyr = np.where(votes > 0, True, np.where(votes < 0, False, default > 0))
    in_cyr = tok_cyr[wtok]
    row = 2 * wcp + ~in_cyr
    first = _CODE1[row]
    second = _CODE2[row]
    # Latin digraphs (in Latin words only): sh ch zh kh ts and the apostrophe letters.
    base = np.where(in_cyr, 0, _LAT_BASE[wcp])
    if len(base) > 1:
        same = wtok[:-1] == wtok[1:]
        a, b = base[:-1], base[1:]
        nxt_apos = _IS_APOS[wcp[1:]] & same
        sh = same & (a == ord("s")) & (b == ord("h"))
        ch = same & (a == ord("c")) & (b == ord("h"))
        zh = same & (a == ord("z")) & (b == ord("h"))
        kh = same & (a == ord("k")) & (b == ord("h"))
        ts = same & (a == ord("t")) & (b == ord("s"))
        ts[1:] &= ~sh[1:] if len(sh) > 1 else ts[1:]
        s_ap = (a == ord("s")) & nxt_apos
        c_ap = (a == ord("c")) & nxt_apos
        y_ap = (a == ord("y")) & nxt_apos
        first[:-1][sh | s_ap] = _SH
        first[:-1][ch | c_ap] = _CH
        first[:-1][zh] = ord("j")
        first[:-1][kh] = ord("h")
        first[:-1][ts] = ord("c")
        first[:-1][y_ap] = ord("u")
        drop = np.zeros(len(base), dtype=np.bool_)
        drop[1:] = sh | ch | zh | kh | ts
        first[drop] = 0
        second[drop] = 0
    # Flatten the (up to two) codes per character, dropping empty ones, keeping token order.
    if second.any():
        flat = np.empty(2 * len(first), dtype=np.uint64)
        flat[0::2] = first
        flat[1::2] = second
        flat_tok = np.repeat(wtok, 2)
    else:
        flat = first
        flat_tok = wtok
    keep = flat != 0
    flat = flat[keep]
    flat_tok = flat_tok[keep]
    m = len(flat)
    if m == 0:
        return _EMPTY
    pw, pinv = _powers(m + 1)
    with np.errstate(over="ignore"):
        pref = np.zeros(m + 1, dtype=np.uint64)
        np.cumsum(flat * pw[:m], out=pref[1:])
        counts = np.bincount(flat_tok, minlength=ntok)
        cend = np.cumsum(counts)
        cstart = cend - counts
        h = (pref[cend] - pref[cstart]) * pinv[cstart]
        h = h + counts.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    h = mix64(h)
    nonempty = counts > 0
    if not nonempty.all():
        h, starts, ends = h[nonempty], starts[nonempty], ends[nonempty]
    starts = starts.astype(np.int64)
    ends = ends.astype(np.int64)
    if offstart is not None and offend is not None:
        starts = offstart[starts]
        ends = offend[ends - 1]
    return Tokens(h, starts, ends)
