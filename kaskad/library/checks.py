"""A submission checked against the fingerprint index the plagiarism app keeps (the texts of
every checked portfolio and the programme templates). The check only reads: the submission is
not added to the index (it is not a portfolio), so checking it twice gives the same answer."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kaskad.plagiarism.store import index_session, parse_doc_id

logger = logging.getLogger(__name__)


@dataclass
class SimilarityResult:
    percent: float
    # [{"portfolio": id, "attempt": n, "chars": characters matched}], largest first
    sources: list[dict[str, Any]] = field(default_factory=list)


def similarity_check(text: str) -> SimilarityResult | None:
    """The share of `text` found in the index, with its sources; None when there is no text
    or the index cannot be read (the reviewer then sees "not checked")."""
    if not text.strip():
        return None
    try:
        with index_session() as session:
            report = session.index.check(text, doc_id=None, group="")
    except Exception:  # the check must never lose the submission
        logger.exception("library similarity check failed")
        return None
    chars: dict[str, int] = defaultdict(int)
    for match in report.matches:
        if match.kind == "copy":
            chars[match.source_id] += match.end - match.start
    sources: list[dict[str, Any]] = []
    for doc, n in sorted(chars.items(), key=lambda item: -item[1]):
        parsed = parse_doc_id(doc)
        if parsed is not None:
            sources.append({"portfolio": parsed[0], "attempt": parsed[1], "chars": n})
    return SimilarityResult(percent=report.similarity * 100, sources=sources[:10])
