"""The data tables of the generator (place, people's and subject names, weights), kept as
JSON in `kaskad/registry/data/seeding/` so the code reads as code."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "seeding"


def _frozen(value: Any) -> Any:
    # JSON has lists; the generator's tables are tuples (hashable, never changed).
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


@cache
def _load(group: str) -> dict[str, Any]:
    with (DATA_DIR / f"{group}.json").open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return {name: _frozen(value) for name, value in data.items()}


def table(group: str, name: str) -> Any:
    """One table of `group`.json, lists read back as tuples."""
    return _load(group)[name]
