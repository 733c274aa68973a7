"""Academic years (1 September to 31 August), named by the calendar year they start in."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

FIRST_MONTH = 9  # September


def academic_year(day: date | None = None) -> int:
    day = day or timezone.localdate()
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def year_label(year: int) -> str:
    """2025 → "2025/26"."""
    return f"{year}/{(year + 1) % 100:02d}"


def term_of(day: date) -> int:
    """1: September to December; 2: January to August."""
    return 1 if day.month >= FIRST_MONTH else 2
