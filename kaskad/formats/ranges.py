"""A period of two dates written once: "2027 ж. 11–22 қаңтар", "11–22 января 2027 г.",
"11–22 January 2027" — the year (and the month) not repeated when both dates share it."""

from __future__ import annotations

from datetime import date

from django.utils import dateformat, translation
from django.utils.formats import date_format

# Per language: (same month, same year) as (format of the start, format of the end, joiner).
_SAME_MONTH = {
    "kk": (r"Y \ж. j", "j E", "–"),
    "ru": ("j", r"j E Y \г.", "–"),
    "en": ("j", "j F Y", "–"),
}
_SAME_YEAR = {
    "kk": (r"Y \ж. j E", "j E", " – "),
    "ru": ("j E", r"j E Y \г.", " – "),
    "en": ("j F", "j F Y", " – "),
}


def date_range(start: date | None, end: date | None) -> str:
    if start is None or end is None:
        single = start or end
        return date_format(single, "DATE_FORMAT") if single is not None else ""
    language = (translation.get_language() or "kk")[:2]
    if start == end:
        return date_format(start, "DATE_FORMAT")
    table = None
    if (start.year, start.month) == (end.year, end.month):
        table = _SAME_MONTH
    elif start.year == end.year:
        table = _SAME_YEAR
    if table is None or language not in table:
        return f"{date_format(start, 'DATE_FORMAT')} – {date_format(end, 'DATE_FORMAT')}"
    first, last, joiner = table[language]
    return f"{dateformat.format(start, first)}{joiner}{dateformat.format(end, last)}"
