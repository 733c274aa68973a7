"""Reference data of the catalogue that ships with the code (data/*.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_json(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return json.load(handle)


def sync_programme_areas(area_model: Any) -> None:
    """Create or update the six programme areas of the source documents (idempotent).

    Areas added later by administrators are left alone."""
    for row in load_json("areas.json"):
        area_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "sort_order": row["sort_order"],
                "name": row["name_kk"],
                **{f"name_{lang}": row[f"name_{lang}"] for lang in ("kk", "ru", "en")},
            },
        )
