"""Word n-gram hashes and winnowing (Schleimer, Wilkerson, Aiken 2003), vectorised.

The n-gram hash at token position k combines the skeleton hashes of tokens k..k+n-1 with a
polynomial over 64-bit words (wrapping arithmetic) and a splitmix64 finaliser. Winnowing keeps
the minimum hash of every window of `w` consecutive n-grams (the rightmost on ties), so any
copied run of at least w + n - 1 words shares at least one kept fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from kaskad.plagiarism.engine.normalise import Tokens, mix64, tokenize

_Q = np.uint64(0xC2B2AE3D27D4EB4F)


def ngram_hashes(token_hashes: np.ndarray, n: int) -> np.ndarray:
    """Hash of every word n-gram (len = max(0, len(tokens) - n + 1)), uint64."""
    m = len(token_hashes) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    acc = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):
            acc = acc * _Q + token_hashes[j : j + m]
    return mix64(acc)


def winnow(hashes: np.ndarray, w: int) -> np.ndarray:
    """Positions selected by winnowing with window `w` (sorted, unique), int64."""
    m = len(hashes)
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    if w <= 1 or m <= w:
        if w <= 1:
            return np.arange(m, dtype=np.int64)
        rev = hashes[::-1]
        return np.array([m - 1 - int(np.argmin(rev))], dtype=np.int64)
    win = sliding_window_view(hashes, w)
    # Rightmost minimum of each window: argmin over the reversed window.
    pick = (w - 1 - np.argmin(win[:, ::-1], axis=1)) + np.arange(m - w + 1)
    return np.unique(pick)


@dataclass
class Fingerprints:
    """A document's tokens, all its n-gram hashes and the winnowed selection."""

    tokens: Tokens
    ngrams: np.ndarray  # uint64, one per n-gram position
    selected: np.ndarray  # int64 positions kept by winnowing

    @property
    def hashes(self) -> np.ndarray:
        return np.asarray(self.ngrams[self.selected])


def fingerprint(text: str, n: int, w: int) -> Fingerprints:
    toks = tokenize(text)
    ngr = ngram_hashes(toks.hashes, n)
    return Fingerprints(toks, ngr, winnow(ngr, w))


def unique_first(hashes: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct hashes (sorted) with the first position each occurs at."""
    if len(hashes) == 0:
        return hashes, positions
    uniq, first = np.unique(hashes, return_index=True)
    return uniq, positions[first]
