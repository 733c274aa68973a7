"""Helpers the sources share: how a person's record reads in a drill-down list, and the years
touched by changed records."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from kaskad.core.collation import name_key


@lru_cache(maxsize=512)
def _cached_label(language: str | None, choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def label_of(choices: Any, value: str) -> str:
    """The translated label of a choice, cached per language (a drill-down lists hundreds)."""
    return _cached_label(get_language(), choices, value)


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
