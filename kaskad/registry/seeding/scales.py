"""How big a generated registry is: the demo and the national scale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from django.utils import timezone

from kaskad.registry.choices import OrganisationKind

# --------------------------------------------------------------------------------------
# Scales
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    name: str
    area_codes: tuple[str, ...]  # empty: every area
    organisations: int
    people: int
    districts_per_area: int  # 0: every district we know
    district_offices: bool  # an education department and a methodological room per district
    universities: int
    nis_everywhere: bool  # one Intellectual school per area (else only in the first area)


SCALES: Final[dict[str, Scale]] = {
    # Astana (AST), Akmola (KOK), Almaty region (ALA), Turkistan (SHY): four branches.
    "demo": Scale(
        name="demo",
        area_codes=("710000000", "110000000", "190000000", "610000000"),
        organisations=200,
        people=5_000,
        districts_per_area=4,
        district_offices=False,
        universities=0,
        nis_everywhere=False,
    ),
    "national": Scale(
        name="national",
        area_codes=(),
        organisations=7_500,
        people=400_000,
        districts_per_area=0,
        district_offices=True,
        universities=60,
        nis_everywhere=True,
    ),
}

URBAN_SHARE: Final = 0.45
UNGRADED_SHARE: Final = 0.10  # of all general schools; always rural
OVER_TEN_YEARS: Final = 0.56
PRIMARY_SHARE: Final = 0.44  # of school teachers
FLEXIBLE_KINDS: Final = (  # what is left after the fixed offices, by share
    (OrganisationKind.SCHOOL, 0.80),
    (OrganisationKind.KINDERGARTEN, 0.13),
    (OrganisationKind.COLLEGE, 0.07),
)


def default_as_of(today: date | None = None) -> date:
    """The 1st of September that opened the current school year: stable for a year."""
    today = today or timezone.localdate()
    year = today.year if (today.month, today.day) >= (9, 1) else today.year - 1
    return date(year, 9, 1)
