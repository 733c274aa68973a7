"""Helpers the sources share: how a person's record reads in a drill-down list, and the years
touched by changed records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kaskad.core.collation import name_key


def full_name(person: Any) -> str:
    return " ".join(p for p in (person.surname, person.given_name, person.patronymic) if p)


def person_sort_key(person: Any) -> tuple[Any, ...]:
    return (name_key(person.surname), name_key(person.given_name), person.pk)


def local_date(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value is not None else None


def years_of(qs: QuerySet[Any], *fields: str) -> set[int]:
    """The distinct years of date or datetime `fields` over `qs` (None skipped)."""
    years: set[int] = set()
    for field in fields:
        for value in qs.values_list(field, flat=True).distinct()[:5000]:
            if value is None:
                continue
            if isinstance(value, datetime):
                years.add(timezone.localtime(value).year)
            else:
                years.add(value.year)
    return years
