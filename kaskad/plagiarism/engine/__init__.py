"""The plagiarism engine: a plain library (no Django, no other Kaskad app).

Public API (the contract with the workflow in kaskad/plagiarism):

- `Match`, `Report` — value types (types.py);
- `Index` — the persisted fingerprint index: open/add/remove/add_template/check/text_of/save
  (index.py);
- `EngineParams` — tunables (n-gram size, winnowing window, gaps, thresholds).
"""

from kaskad.plagiarism.engine.index import EngineParams, Index
from kaskad.plagiarism.engine.types import (
    CROSS_DONE,
    CROSS_SKIPPED,
    CROSS_UNAVAILABLE,
    KIND_COPY,
    KIND_CROSS_LANGUAGE,
    KIND_QUOTED,
    Match,
    Report,
)

__all__ = [
    "CROSS_DONE",
    "CROSS_SKIPPED",
    "CROSS_UNAVAILABLE",
    "KIND_COPY",
    "KIND_CROSS_LANGUAGE",
    "KIND_QUOTED",
    "EngineParams",
    "Index",
    "Match",
    "Report",
]
