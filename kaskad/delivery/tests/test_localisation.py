"""Dates, quotation marks and ambiguous words as Kazakh and Russian readers expect them."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import pgettext

from kaskad.core.errors import StateConflict
from kaskad.delivery.services.cohorts import cohort_set_status
from kaskad.delivery.tests.factories import make_cohort, national_admin
from kaskad.formats.ranges import date_range


@pytest.mark.parametrize(
    ("language", "same_month", "same_year", "two_years"),
    [
        (
            "kk",
            "2027 ж. 11–22 қаңтар",
            "2027 ж. 11 қаңтар – 3 ақпан",
            "2026 ж. 28 желтоқсан – 2027 ж. 8 қаңтар",
        ),
        (
            "ru",
            "11–22 января 2027 г.",
            "11 января – 3 февраля 2027 г.",
            "28 декабря 2026 г. – 8 января 2027 г.",
        ),
        (
            "en",
            "11–22 January 2027",
            "11 January – 3 February 2027",
            "28 December 2026 – 8 January 2027",
        ),
    ],
)
def test_a_date_range_names_the_year_once(
    language: str, same_month: str, same_year: str, two_years: str
) -> None:
    with translation.override(language):
        assert date_range(date(2027, 1, 11), date(2027, 1, 22)) == same_month
        assert date_range(date(2027, 1, 11), date(2027, 2, 3)) == same_year
        assert date_range(date(2026, 12, 28), date(2027, 1, 8)) == two_years


def test_kazakh_month_names_are_in_lower_case_inside_a_date() -> None:
    with translation.override("kk"):
        assert date_format(date(2027, 3, 5), "DATE_FORMAT") == "2027 ж. 5 наурыз"


def test_the_two_meanings_of_enrol_are_told_apart() -> None:
    with translation.override("kk"):
        myself = pgettext("enrol myself", "Enrol")
        others = pgettext("enrol these people", "Enrol")
    assert myself != others and "Enrol" not in (myself, others)


@pytest.mark.django_db
def test_quotes_built_around_values_are_guillemets_in_kazakh_and_russian() -> None:
    cohort = make_cohort()
    for language in ("kk", "ru"):
        with translation.override(language), pytest.raises(StateConflict) as exc:
            cohort_set_status(cohort=cohort, status="finished", by=national_admin())
        text = str(exc.value.message)
        assert "«" in text and "“" not in text and "”" not in text, text
