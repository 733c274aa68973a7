"""{% load dates %}{{ cohort.starts_on|date_range:cohort.ends_on }}"""

from __future__ import annotations

from datetime import date

from django import template

from kaskad.formats.ranges import date_range as _date_range

register = template.Library()


@register.filter
def date_range(start: date | None, end: date | None) -> str:
    return _date_range(start, end)
