"""Quoted and cited passages: reported separately, never counted in the score.

A match is "quoted" when it lies inside quotation marks (« », “ ”, „ “, " ") or is followed by
a citation marker such as "(Abenova, 2019)", "(Smith et al. 2020, p. 12)" or "[12]". A long
match followed by a citation is only partly excused: just its last sentence counts as cited.
"""

from __future__ import annotations

import re
from bisect import bisect_right

# Straight quotes pair up only as word-bounded quotes within one paragraph.
_QUOTED = re.compile(
    r"«[^«»]{1,5000}»|“[^“”]{1,5000}”|„[^„“”]{1,5000}[“”]"
    r"|(?:(?<=^)|(?<=[\s(\[:—–-]))\"(?=\S)[^\"\n]{1,3000}(?<=\S)\"(?![^\W\d_])"
)
_CITATION = re.compile(
    r"""[\s.,;:!?…»”"'’)]{0,4}\s*(?:
        \([^()]{0,120}?\b(?:1[5-9]|20)\d\d[a-zа-я]?(?:\s*[,;:]\s*[^()]{0,40})?\)
      | \[\s*\d{1,4}(?:\s*[,;–-]\s*\d{1,4})*(?:\s*[,;:]\s*[^\[\]]{0,30})?\]
    )""",
    re.X | re.I,
)
_SENTENCE_END = re.compile(r"[.!?…](?=[\s»”\"')]+\S)")
LONG_CITED_WORDS = 60


class QuoteFinder:
    """Quoted regions of one text, found once and queried per match."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None
        self._ends: list[int] = []

    def _spans(self) -> list[int]:
        if self._starts is None:  # found on first use: most checks have no match at all
            spans = [(m.start(), m.end()) for m in _QUOTED.finditer(self.text)]
            self._starts = [s for s, _ in spans]
            self._ends = [e for _, e in spans]
        return self._starts

    def inside_quotes(self, start: int, end: int) -> bool:
        starts = self._spans()
        k = bisect_right(starts, start) - 1
        return k >= 0 and self._ends[k] >= end

    def cited_from(self, start: int, end: int) -> int | None:
        """If a citation marker follows [start, end): where the cited part begins."""
        if not _CITATION.match(self.text, end, min(len(self.text), end + 200)):
            return None
        piece = self.text[start:end]
        if len(piece.split()) <= LONG_CITED_WORDS:
            return start
        last = None
        for m in _SENTENCE_END.finditer(piece):
            last = m.end()
        if last is None:
            return start
        # Skip the whitespace after the sentence end.
        while start + last < end and self.text[start + last].isspace():
            last += 1
        return start + last
