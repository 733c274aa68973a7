"""Tests for kaskad.registry.identifiers (pure Python, no Django needed)."""

from __future__ import annotations

from datetime import date
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaskad.registry.identifiers import (
    IdentifierError,
    IinInfo,
    check_digit,
    is_valid_bin,
    is_valid_iin,
    make_bin,
    make_iin,
    parse_bin,
    parse_iin,
)

TODAY = date(2025, 1, 1)

VALID_IINS = [
    "871008401427",
    "760212350620",
    "800416300257",
    "680503450037",
    "061211600012",
    "900101300811",  # valid only through the second weighting pass
]
INVALID_IINS = ["010101600586", "821214240092"]
VALID_BINS = ["940140000385", "950341000052"]
INVALID_BINS = ["940140000380"]


# --- check_digit ---------------------------------------------------------


@pytest.mark.parametrize("value", VALID_IINS + VALID_BINS)
def test_check_digit_matches_examples(value: str) -> None:
    assert check_digit(value[:11]) == int(value[11])
    assert check_digit(value) == int(value[11])  # 12th digit is ignored


def test_check_digit_second_pass() -> None:
    # First pass gives 10 for this prefix; the second weights give 1.
    prefix = "90010130081"
    assert sum(int(d) * w for d, w in zip(prefix, range(1, 12), strict=True)) % 11 == 10
    assert check_digit(prefix) == 1


def test_check_digit_none_when_both_passes_give_ten() -> None:
    assert check_digit("82121424009") is None


@pytest.mark.parametrize("bad", ["", "1234567890", "1234567890123", "1234567890a", "١٢٣٤٥٦٧٨٩٠١"])
def test_check_digit_rejects_malformed_input(bad: str) -> None:
    with pytest.raises(ValueError, match="11 or 12 ASCII digits"):
        check_digit(bad)


# --- IIN -----------------------------------------------------------------


@pytest.mark.parametrize("value", VALID_IINS)
def test_valid_iins(value: str) -> None:
    info = parse_iin(value, today=TODAY)
    assert info.iin == value
    assert is_valid_iin(value)


@pytest.mark.parametrize("value", INVALID_IINS)
def test_invalid_iins(value: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        parse_iin(value, today=TODAY)
    assert exc.value.code == "iin_checksum"
    assert not is_valid_iin(value)


def test_parse_iin_decodes_date_and_sex() -> None:
    assert parse_iin("871008401427", today=TODAY) == IinInfo("871008401427", date(1987, 10, 8), "F")
    assert parse_iin("900101300811", today=TODAY) == IinInfo("900101300811", date(1990, 1, 1), "M")
    assert parse_iin("061211600012", today=TODAY) == IinInfo(
        "061211600012", date(2006, 12, 11), "F"
    )


def test_parse_iin_strips_whitespace() -> None:
    assert parse_iin("  871008401427\n", today=TODAY).iin == "871008401427"


def test_iin_date_must_not_be_in_the_future() -> None:
    iin = make_iin(date(2024, 6, 1), "M", 0) or make_iin(date(2024, 6, 1), "M", 1)
    assert iin is not None
    assert parse_iin(iin, today=date(2024, 6, 1)).birth_date == date(2024, 6, 1)
    with pytest.raises(IdentifierError) as exc:
        parse_iin(iin, today=date(2024, 5, 31))
    assert exc.value.code == "iin_future"
    assert exc.value.params["birth_date"] == "2024-06-01"


IIN_ERRORS = [
    ("8710084014", "iin_length"),
    ("8710084014271", "iin_length"),
    ("", "iin_length"),
    ("87100840142a", "iin_not_digits"),
    ("８７１００８４０１４２７", "iin_not_digits"),  # full-width digits
    ("871008001427", "iin_century"),
    ("871008701427", "iin_century"),
    ("990231300000", "iin_date"),
    ("991301300000", "iin_date"),
    ("990100300000", "iin_date"),
    ("300101500000", "iin_future"),
    ("010101600586", "iin_checksum"),
]


@pytest.mark.parametrize(("value", "code"), IIN_ERRORS)
def test_iin_error_codes(value: str, code: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        parse_iin(value, today=TODAY)
    assert exc.value.code == code
    assert exc.value.params["value"] == value
    assert isinstance(exc.value, ValueError)
    assert str(exc.value)  # English fallback message


def test_every_iin_error_code_is_covered() -> None:
    assert {code for _, code in IIN_ERRORS} == {
        "iin_length",
        "iin_not_digits",
        "iin_century",
        "iin_date",
        "iin_future",
        "iin_checksum",
    }


def test_iin_error_params_are_strings() -> None:
    with pytest.raises(IdentifierError) as exc:
        parse_iin(" 871008001427 ", today=TODAY)
    assert exc.value.params == {"value": " 871008001427 ", "digit": "0"}


sexes: st.SearchStrategy[Literal["M", "F"]] = st.sampled_from(["M", "F"])


@given(
    birth_date=st.dates(min_value=date(1900, 1, 1), max_value=date(2010, 12, 31)),
    sex=sexes,
    serial=st.integers(min_value=0, max_value=9999),
)
def test_make_iin_round_trips(birth_date: date, sex: Literal["M", "F"], serial: int) -> None:
    iin = make_iin(birth_date, sex, serial)
    if iin is None:
        # Only happens when no check digit exists for this prefix.
        return
    info = parse_iin(iin, today=TODAY)
    assert info.birth_date == birth_date
    assert info.sex == sex
    assert iin[7:11] == f"{serial:04d}"


@given(
    birth_date=st.dates(min_value=date(1900, 1, 1), max_value=date(2010, 12, 31)),
    sex=sexes,
    serial=st.integers(min_value=0, max_value=9999),
    new_digit=st.integers(min_value=0, max_value=9),
)
def test_changing_check_digit_invalidates(
    birth_date: date, sex: Literal["M", "F"], serial: int, new_digit: int
) -> None:
    iin = make_iin(birth_date, sex, serial)
    if iin is None or int(iin[11]) == new_digit:
        return
    mutated = iin[:11] + str(new_digit)
    with pytest.raises(IdentifierError) as exc:
        parse_iin(mutated, today=TODAY)
    assert exc.value.code == "iin_checksum"


@pytest.mark.parametrize(
    ("birth_date", "sex", "marker"),
    [
        (date(1850, 1, 1), "M", "1"),
        (date(1899, 12, 31), "F", "2"),
        (date(1900, 1, 1), "M", "3"),
        (date(1950, 1, 1), "F", "4"),
        (date(2001, 1, 1), "M", "5"),
        (date(2099, 12, 31), "F", "6"),
    ],
)
def test_make_iin_century_marker(birth_date: date, sex: Literal["M", "F"], marker: str) -> None:
    built = [iin for serial in range(20) if (iin := make_iin(birth_date, sex, serial))]
    assert built
    assert {iin[6] for iin in built} == {marker}


def test_make_iin_returns_none_without_check_digit() -> None:
    # 821214 2 4009 -> no check digit in either pass.
    assert make_iin(date(1882, 12, 14), "F", 4009) is None


def test_make_iin_serials_mostly_valid_and_unique() -> None:
    day = date(1987, 10, 8)
    built = [make_iin(day, "F", serial) for serial in range(10_000)]
    valid = [iin for iin in built if iin is not None]
    assert len(set(valid)) == len(valid)
    assert len(valid) > 9_800  # roughly 1 prefix in 121 has no check digit
    assert all(is_valid_iin(iin) for iin in valid)


@pytest.mark.parametrize(
    ("birth_date", "sex", "serial"),
    [
        (date(1987, 1, 1), "M", -1),
        (date(1987, 1, 1), "M", 10_000),
        (date(1799, 1, 1), "M", 0),
        (date(2100, 1, 1), "M", 0),
        (date(1987, 1, 1), "X", 0),
    ],
)
def test_make_iin_rejects_unencodable_arguments(birth_date: date, sex: str, serial: int) -> None:
    with pytest.raises(ValueError, match=r"must be|can only"):
        make_iin(birth_date, sex, serial)  # type: ignore[arg-type]


# --- BIN -----------------------------------------------------------------


@pytest.mark.parametrize("value", VALID_BINS)
def test_valid_bins(value: str) -> None:
    assert parse_bin(f" {value} ") == value
    assert is_valid_bin(value)


@pytest.mark.parametrize("value", INVALID_BINS)
def test_invalid_bins(value: str) -> None:
    assert not is_valid_bin(value)


BIN_ERRORS = [
    ("94014000038", "bin_length"),
    ("9401400003851", "bin_length"),
    ("94014000038x", "bin_not_digits"),
    ("940040000385", "bin_month"),
    ("941340000385", "bin_month"),
    ("940130000385", "bin_type"),
    ("940170000385", "bin_type"),
    ("940140000380", "bin_checksum"),
]


@pytest.mark.parametrize(("value", "code"), BIN_ERRORS)
def test_bin_error_codes(value: str, code: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        parse_bin(value)
    assert exc.value.code == code
    assert exc.value.params["value"] == value


def test_every_bin_error_code_is_covered() -> None:
    assert {code for _, code in BIN_ERRORS} == {
        "bin_length",
        "bin_not_digits",
        "bin_month",
        "bin_type",
        "bin_checksum",
    }


@given(
    year=st.integers(min_value=1990, max_value=2030),
    month=st.integers(min_value=1, max_value=12),
    serial=st.integers(min_value=0, max_value=99_999),
)
def test_make_bin_round_trips(year: int, month: int, serial: int) -> None:
    bin_ = make_bin(year, month, serial)
    if bin_ is None:
        return
    assert parse_bin(bin_) == bin_
    assert bin_[:4] == f"{year % 100:02d}{month:02d}"
    assert bin_[4:6] == "40"
    assert bin_[6:11] == f"{serial:05d}"


@pytest.mark.parametrize(
    ("year", "month", "serial"),
    [(94, 1, 0), (1994, 0, 0), (1994, 13, 0), (1994, 1, -1), (1994, 1, 100_000)],
)
def test_make_bin_rejects_unencodable_arguments(year: int, month: int, serial: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        make_bin(year, month, serial)
