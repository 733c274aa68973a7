from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaskad.certificates.numbers import (
    CHECK_ALPHABET,
    format_number,
    is_well_formed,
    normalise,
    random_check,
)


def test_format_pads_the_sequence_and_joins_the_parts() -> None:
    assert format_number(branch_code="ala", year=2026, sequence=123, check="K7QX") == (
        "ALA-2026-000123-K7QX"
    )
    assert is_well_formed("ALA-2026-000123-K7QX")


def test_the_check_alphabet_has_no_look_alikes() -> None:
    for confusable in "0O1IL":
        assert confusable not in CHECK_ALPHABET
    assert len(set(CHECK_ALPHABET)) == len(CHECK_ALPHABET) == 31


def test_random_checks_are_four_letters_of_the_alphabet_and_vary() -> None:
    checks = {random_check() for _ in range(200)}
    assert all(len(c) == 4 and set(c) <= set(CHECK_ALPHABET) for c in checks)
    assert len(checks) > 190  # 31**4 possibilities: collisions are rare


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (" ala-2026-000123-k7qx ", "ALA-2026-000123-K7QX"),
        ("ALA-2026- 000123 -K7QX", "ALA-2026-000123-K7QX"),
        ("ALA–2026–000123–K7QX", "ALA-2026-000123-K7QX"),  # en dashes from a word processor
        ("АLА-2026-000123-К7QХ", "ALA-2026-000123-K7QX"),  # Cyrillic А, К, Х
    ],
)
def test_typed_numbers_are_normalised(typed: str, expected: str) -> None:
    assert normalise(typed) == expected
    assert is_well_formed(normalise(typed))


@pytest.mark.parametrize(
    "bad",
    ["", "ALA", "ALA-2026-123-K7QX", "ALA-2026-000123-K7Q", "ALA-2026-000123-K7Q0", "1-2-3-4"],
)
def test_malformed_numbers(bad: str) -> None:
    assert not is_well_formed(normalise(bad))


@given(st.text(max_size=200))
def test_normalise_never_fails_and_stays_short(text: str) -> None:
    assert len(normalise(text)) <= 60
