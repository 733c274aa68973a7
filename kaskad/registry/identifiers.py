"""Kazakhstan personal (IIN) and business (BIN) identification numbers.

Pure Python on purpose: the Django layer turns an :class:`IdentifierError`
``code`` into a translated message, so this module never imports Django and
can be used by the data generator and in plain unit tests.

Both numbers are 12 digits whose last digit is a mod-11 check digit over the
first 11 digits, computed in up to two passes with different weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from operator import mul
from typing import Final, Literal

__all__ = [
    "DocumentInfo",
    "IdentifierError",
    "IinInfo",
    "check_digit",
    "is_valid_bin",
    "is_valid_iin",
    "make_bin",
    "make_iin",
    "parse_bin",
    "parse_document",
    "parse_iin",
]

Sex = Literal["M", "F"]

_LENGTH: Final = 12
_NO_DIGIT: Final = 10  # a remainder of 10 cannot be written as one digit
_WEIGHTS_1: Final = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_2: Final = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# 7th IIN digit -> (century start, sex). 0, 7, 8 and 9 are not assigned.
_CENTURY_SEX: Final[dict[int, tuple[int, Sex]]] = {
    1: (1800, "M"),
    2: (1800, "F"),
    3: (1900, "M"),
    4: (1900, "F"),
    5: (2000, "M"),
    6: (2000, "F"),
}

# 5th BIN digit: 4 resident legal entity, 5 non-resident legal entity,
# 6 individual entrepreneur operating jointly. Both documented valid examples
# (940140000385, 950341000052) satisfy this and the month rule, so no rule
# had to be loosened.
_BIN_TYPES: Final = frozenset("456")

# English fallbacks so str(error) is readable in logs and tests; user-facing
# text comes from the Django layer, keyed by ``code``.
_MESSAGES: Final[dict[str, str]] = {
    "document_type": "Unknown kind of identity document.",
    "document_country": "Unknown country of the identity document.",
    "document_country_kz": "Residents of Kazakhstan are registered by IIN, not by a document.",
    "document_empty": "The document number is empty.",
    "document_chars": "A document number has Latin letters and digits only.",
    "document_digits": "A document number must contain at least one digit.",
    "document_length": "The document number has a wrong length for this kind of document.",
    "iin_length": "An IIN must be exactly 12 characters long.",
    "iin_not_digits": "An IIN must contain digits only.",
    "iin_century": "The 7th digit of an IIN must be 1-6 (century and sex).",
    "iin_date": "The first six digits of an IIN must be a real birth date (YYMMDD).",
    "iin_future": "The birth date encoded in the IIN is in the future.",
    "iin_checksum": "The IIN check digit is wrong.",
    "bin_length": "A BIN must be exactly 12 characters long.",
    "bin_not_digits": "A BIN must contain digits only.",
    "bin_month": "Digits 3-4 of a BIN must be a registration month 01-12.",
    "bin_type": "The 5th digit of a BIN must be 4, 5 or 6.",
    "bin_checksum": "The BIN check digit is wrong.",
}


class IdentifierError(ValueError):
    """An invalid IIN/BIN.

    ``code`` is a stable machine key (e.g. ``"iin_checksum"``) and ``params``
    holds English/plain values the translated message may interpolate.
    """

    code: str
    params: dict[str, str]

    def __init__(self, code: str, params: dict[str, str] | None = None) -> None:
        self.code = code
        self.params = dict(params or {})
        super().__init__(_MESSAGES.get(code, code))

    def __repr__(self) -> str:
        return f"IdentifierError({self.code!r}, {self.params!r})"


@dataclass(frozen=True)
class IinInfo:
    """What an IIN encodes about its holder."""

    iin: str
    birth_date: date
    sex: Sex


def _is_ascii_digits(value: str) -> bool:
    # str.isdigit() alone accepts e.g. Arabic-Indic or superscript digits.
    return value.isascii() and value.isdigit()


def _check(d: Sequence[int]) -> int | None:
    """Check digit over the first 11 integers of ``d``; None if undefined."""
    c = sum(map(mul, d, _WEIGHTS_1)) % 11
    if c == _NO_DIGIT:
        c = sum(map(mul, d, _WEIGHTS_2)) % 11
    return None if c == _NO_DIGIT else c


def check_digit(digits: str) -> int | None:
    """Return the check digit for an IIN/BIN.

    ``digits`` holds the first 11 digits; a 12th (the existing check digit) is
    accepted and ignored so a full number can be passed. Returns None when both
    weighting passes give 10: such a prefix is never issued.
    """
    if len(digits) not in (_LENGTH - 1, _LENGTH) or not _is_ascii_digits(digits):
        raise ValueError("check_digit() needs 11 or 12 ASCII digits")
    return _check([ord(ch) - 48 for ch in digits[:11]])


def _has_valid_check(value: str) -> bool:
    digits = [ord(ch) - 48 for ch in value]
    return _check(digits) == digits[11]


def parse_iin(value: str, *, today: date | None = None) -> IinInfo:
    """Validate an IIN and decode birth date and sex.

    Surrounding whitespace is ignored. ``today`` bounds the birth date (the
    default is the current date) and exists so tests are deterministic.
    Raises :class:`IdentifierError`; ``params["value"]`` is the raw input.
    """
    params = {"value": value}
    iin = value.strip()
    if len(iin) != _LENGTH:
        raise IdentifierError("iin_length", {**params, "length": str(len(iin))})
    if not _is_ascii_digits(iin):
        raise IdentifierError("iin_not_digits", params)
    century_sex = _CENTURY_SEX.get(ord(iin[6]) - 48)
    if century_sex is None:
        raise IdentifierError("iin_century", {**params, "digit": iin[6]})
    century, sex = century_sex
    try:
        birth_date = date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise IdentifierError("iin_date", {**params, "date": iin[0:6]}) from None
    # No Django here (a pure module): the server's date is the fallback; a day's difference
    # only matters for a person born today.
    if birth_date > (today if today is not None else date.today()):  # noqa: DTZ011
        raise IdentifierError("iin_future", {**params, "birth_date": birth_date.isoformat()})
    if not _has_valid_check(iin):
        raise IdentifierError("iin_checksum", params)
    return IinInfo(iin=iin, birth_date=birth_date, sex=sex)


def is_valid_iin(value: str) -> bool:
    """True when :func:`parse_iin` would accept ``value`` today."""
    try:
        parse_iin(value)
    except IdentifierError:
        return False
    return True


def parse_bin(value: str) -> str:
    """Validate a BIN and return it without surrounding whitespace.

    Raises :class:`IdentifierError`; ``params["value"]`` is the raw input.
    """
    params = {"value": value}
    bin_ = value.strip()
    if len(bin_) != _LENGTH:
        raise IdentifierError("bin_length", {**params, "length": str(len(bin_))})
    if not _is_ascii_digits(bin_):
        raise IdentifierError("bin_not_digits", params)
    if not 1 <= int(bin_[2:4]) <= 12:
        raise IdentifierError("bin_month", {**params, "month": bin_[2:4]})
    if bin_[4] not in _BIN_TYPES:
        raise IdentifierError("bin_type", {**params, "digit": bin_[4]})
    if not _has_valid_check(bin_):
        raise IdentifierError("bin_checksum", params)
    return bin_


def is_valid_bin(value: str) -> bool:
    """True when :func:`parse_bin` would accept ``value``."""
    try:
        parse_bin(value)
    except IdentifierError:
        return False
    return True


def make_iin(birth_date: date, sex: Sex, serial: int) -> str | None:
    """Build the IIN for a birth date, sex and serial number (0..9999).

    Returns None when this serial has no valid check digit (roughly 1 in
    115 prefixes); the caller should simply try another serial. Pure integer
    arithmetic because the data generator calls this hundreds of thousands of
    times. Raises ValueError for arguments that cannot be encoded.
    """
    if not 0 <= serial <= 9999:
        raise ValueError("serial must be in 0..9999")
    year = birth_date.year
    if not 1800 <= year <= 2099:
        raise ValueError("an IIN can only encode birth years 1800..2099")
    if sex not in ("M", "F"):
        raise ValueError("sex must be 'M' or 'F'")
    # 1/2 for the 1800s, 3/4 for the 1900s, 5/6 for the 2000s; odd = male.
    marker = 2 * (year // 100 - 18) + (1 if sex == "M" else 2)
    yy = year % 100
    digits = (
        *divmod(yy, 10),
        *divmod(birth_date.month, 10),
        *divmod(birth_date.day, 10),
        marker,
        *divmod(serial // 100, 10),
        *divmod(serial % 100, 10),
    )
    check = _check(digits)
    if check is None:
        return None
    return f"{yy:02d}{birth_date.month:02d}{birth_date.day:02d}{marker}{serial:04d}{check}"


def make_bin(year: int, month: int, serial: int) -> str | None:
    """Build a resident-legal-entity BIN registered in ``year``/``month``.

    Layout: YYMM, type digit ``4``, a ``0`` digit, 5-digit serial (0..99999),
    check digit. Returns None when this serial has no valid check digit.
    """
    if not 1900 <= year <= 2099:
        raise ValueError("year must be a four-digit year in 1900..2099")
    if not 1 <= month <= 12:
        raise ValueError("month must be in 1..12")
    if not 0 <= serial <= 99999:
        raise ValueError("serial must be in 0..99999")
    yy = year % 100
    digits = (
        *divmod(yy, 10),
        *divmod(month, 10),
        4,
        0,
        serial // 10000,
        *divmod(serial // 100 % 100, 10),
        *divmod(serial % 100, 10),
    )
    check = _check(digits)
    if check is None:
        return None
    return f"{yy:02d}{month:02d}40{serial:05d}{check}"


# Identity documents of participants without an IIN (docs/adr/0005): the number is kept as
# printed, without spaces or dashes, upper case; lengths cover the passports and identity cards
# of the partner countries (e.g. Turkmen passport A1234567, Russian 45 06 123456 -> 4506123456).
_DOCUMENT_LENGTHS: Final[dict[str, tuple[int, int]]] = {
    "passport": (6, 10),
    "id_card": (5, 14),
    "residence": (5, 14),
}


@dataclass(frozen=True)
class DocumentInfo:
    document_type: str
    number: str
    country: str


def parse_document(document_type: str, number: str, country: str) -> DocumentInfo:
    """Check and normalise an identity document of a participant without an IIN.

    Raises :class:`IdentifierError` (codes ``document_*``) when the kind or the country is
    unknown, the country is Kazakhstan, or the number is not 5–14 Latin letters and digits
    (at least one digit) within the length of its kind."""
    kind = (document_type or "").strip()
    if kind not in _DOCUMENT_LENGTHS:
        raise IdentifierError("document_type", {"value": kind})
    code = (country or "").strip().upper()
    if code == "KZ":
        raise IdentifierError("document_country_kz", {"value": code})
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise IdentifierError("document_country", {"value": code})
    value = "".join(ch for ch in (number or "") if ch not in " -\t").upper()
    if not value:
        raise IdentifierError("document_empty")
    if not all(ch.isascii() and ch.isalnum() for ch in value):
        raise IdentifierError("document_chars", {"value": value})
    if not any(ch.isdigit() for ch in value):
        raise IdentifierError("document_digits", {"value": value})
    low, high = _DOCUMENT_LENGTHS[kind]
    if not low <= len(value) <= high:
        raise IdentifierError(
            "document_length", {"value": value, "min": str(low), "max": str(high)}
        )
    return DocumentInfo(document_type=kind, number=value, country=code)
