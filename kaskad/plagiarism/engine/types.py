"""The engine's public value types: a matched passage and the report of one check.

These are the contract with the Django side (see kaskad/plagiarism/engine/__init__.py); keep
the names and the meaning of every field stable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KIND_COPY = "copy"
KIND_QUOTED = "quoted"
KIND_CROSS_LANGUAGE = "cross_language"
COUNTED_KINDS = frozenset({KIND_COPY, KIND_CROSS_LANGUAGE})

CROSS_DONE = "done"
CROSS_SKIPPED = "skipped"
CROSS_UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Match:
    """One reused passage: where it is in the checked text and in the source."""

    source_id: str  # the other document's id in the index
    start: int  # offsets in the checked document's text (the text given to check)
    end: int
    source_start: int  # offsets in the source document's text
    source_end: int
    kind: str  # "copy" | "quoted" (not counted) | "cross_language"
    similarity: float  # 0..1 strength of this passage

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Match:
        return cls(
            source_id=str(d["source_id"]),
            start=int(d["start"]),
            end=int(d["end"]),
            source_start=int(d["source_start"]),
            source_end=int(d["source_end"]),
            kind=str(d["kind"]),
            similarity=float(d["similarity"]),
        )


@dataclass
class Report:
    """The outcome of checking one text against the index."""

    similarity: float  # share (0..1) of the checked text covered by "copy"/"cross_language"
    matches: list[Match] = field(default_factory=list)
    template_chars: int = 0  # characters suppressed as template/boilerplate
    cross_language: str = CROSS_SKIPPED  # "done" | "skipped" | "unavailable"

    def to_dict(self) -> dict[str, Any]:
        return {
            "similarity": self.similarity,
            "matches": [m.to_dict() for m in self.matches],
            "template_chars": self.template_chars,
            "cross_language": self.cross_language,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        return cls(
            similarity=float(d.get("similarity", 0.0)),
            matches=[Match.from_dict(m) for m in d.get("matches", [])],
            template_chars=int(d.get("template_chars", 0)),
            cross_language=str(d.get("cross_language", CROSS_SKIPPED)),
        )


def covered_chars(matches: list[Match], kinds: frozenset[str] = COUNTED_KINDS) -> int:
    """Characters of the checked text covered by the union of the given kinds of matches."""
    spans = sorted((m.start, m.end) for m in matches if m.kind in kinds and m.end > m.start)
    total = 0
    cur_s, cur_e = -1, -1
    for s, e in spans:
        if s > cur_e:
            total += cur_e - cur_s if cur_e > cur_s else 0
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    total += cur_e - cur_s if cur_e > cur_s else 0
    return total
