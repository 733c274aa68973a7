"""The import files a plan is written to (the columns of the import pipeline)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from kaskad.registry.seeding.plan import SeedPlan

DISTRICT_COLUMNS: Final = ("code", "area_code", "name_kk", "name_ru", "name_en")
ORGANISATION_COLUMNS: Final = (
    "code",
    "bin",
    "name_kk",
    "name_ru",
    "name_en",
    "kind",
    "area_code",
    "district_code",
    "locality",
    "ungraded",
    "languages",
    "status",
)
PEOPLE_COLUMNS: Final = (
    "iin",
    "surname",
    "given_name",
    "patronymic",
    "birth_date",
    "sex",
    "email",
    "phone",
    "organisation_code",
    "position",
    "subjects",
    "level",
    "category",
    "category_awarded_on",
    "experience_years",
    "started_on",
)

Row = dict[str, str]


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> int:
    """Write UTF-8 CSV with a header row; returns the number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_files(plan: SeedPlan, out_dir: Path) -> dict[str, tuple[Path, int]]:
    """Write districts.csv, organisations.csv and people.csv; returns {kind: (path, rows)}."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, tuple[Path, int]] = {}
    for kind, columns, rows in (
        ("districts", DISTRICT_COLUMNS, plan.district_rows()),
        ("organisations", ORGANISATION_COLUMNS, plan.organisation_rows()),
        ("people", PEOPLE_COLUMNS, plan.people_rows()),
    ):
        path = out_dir / f"{kind}.csv"
        result[kind] = (path, write_csv(path, columns, rows))
    return result
