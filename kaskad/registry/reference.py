"""Areas and branches ship with the code (data/*.json) and are loaded by a migration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_json(name: str) -> list[dict[str, Any]]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        data: list[dict[str, Any]] = json.load(handle)
    return data


def sync_reference_data(branch_model: Any, area_model: Any) -> None:
    """Create or update the 16 branches and 20 areas (idempotent)."""
    branches = {}
    for row in load_json("branches.json"):
        branch, _ = branch_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name_kk"],
                "city": row["city_kk"],
                **{f"name_{lang}": row[f"name_{lang}"] for lang in ("kk", "ru", "en")},
                **{f"city_{lang}": row[f"city_{lang}"] for lang in ("kk", "ru", "en")},
            },
        )
        branches[row["code"]] = branch
    for order, row in enumerate(load_json("areas.json")):
        area_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "kind": row["kind"],
                "branch": branches[row["branch"]],
                "sort_order": order,
                "name": row["name_kk"],
                "centre": row["centre_kk"],
                **{f"name_{lang}": row[f"name_{lang}"] for lang in ("kk", "ru", "en")},
                **{f"centre_{lang}": row[f"centre_{lang}"] for lang in ("kk", "ru", "en")},
            },
        )
