"""Certificate numbers: ``<BRANCH>-<YEAR>-<SEQUENCE>-<CHECK>``, e.g. ``ALA-2026-000123-K7QX``.

The branch code, year and six-digit sequence make a number easy to read out and file; the
four random characters (from an alphabet without look-alikes: no 0/O, 1/I/L) make it
impossible to find other certificates by counting. A number typed by hand is normalised
(upper case, spaces and look-alike letters folded) before it is looked up.

Pure Python on purpose: no Django, easy to test.
"""

from __future__ import annotations

import re
import secrets
from typing import Final

# Crockford-like: digits and letters that cannot be mistaken for one another.
CHECK_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_LENGTH: Final = 4
SEQUENCE_DIGITS: Final = 6

NUMBER_RE: Final = re.compile(
    rf"^(?P<branch>[A-Z]{{2,8}})-(?P<year>\d{{4}})-(?P<sequence>\d{{{SEQUENCE_DIGITS},}})"
    rf"-(?P<check>[{CHECK_ALPHABET}]{{{CHECK_LENGTH}}})$"
)

# Cyrillic look-alikes typed on a Russian or Kazakh keyboard layout, and other dashes.
_CYRILLIC_ONLY: Final = str.maketrans(
    {
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "У": "Y",
        "Х": "X",
        "—": "-",
        "–": "-",
        "_": "-",
    }
)


def random_check(length: int = CHECK_LENGTH) -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(length))


def format_number(*, branch_code: str, year: int, sequence: int, check: str) -> str:
    return f"{branch_code.upper()}-{year:04d}-{sequence:0{SEQUENCE_DIGITS}d}-{check}"


def normalise(raw: str) -> str:
    """The canonical spelling of a typed number (which may still be malformed)."""
    return "".join(raw.split()).upper().translate(_CYRILLIC_ONLY)[:60]


def is_well_formed(number: str) -> bool:
    return NUMBER_RE.match(number) is not None
