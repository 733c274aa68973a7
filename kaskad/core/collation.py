"""Alphabetical order of people's names in Kazakh (and so in Russian), on both databases.

The database sorts by code point otherwise, which puts Әмірова, Қасымова and Ғалымжанова after
Яковлева. Both databases get a collation named `kaskad_names`:

* PostgreSQL: an ICU collation for Kazakh (`kk`), created by the migration
  `core/0004_kazakh_name_collation`; where the server has no ICU it falls back to the libc
  `kk_KZ` locale, then to the database's default collation (a warning is printed).
* SQLite: a Python collation function registered on every new connection (`register`), which
  orders letters as the Kazakh alphabet does.

The Kazakh alphabet contains the Russian one in the same order (Ё is a letter after Е in
both), so one collation serves lists read in either language.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import F
from django.db.models.functions import Collate

COLLATION = "kaskad_names"

KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RANK = {letter: index for index, letter in enumerate(KAZAKH_ALPHABET)}


def _char_key(char: str) -> tuple[int, int]:
    rank = _RANK.get(char)
    if rank is not None:
        return (3, rank)
    if char.isspace() or not char.isalnum():
        return (0, ord(char))
    if char.isdigit():
        return (1, ord(char))
    if char.isascii():
        return (2, ord(char))
    return (4, ord(char))


def name_key(value: str | None) -> tuple[Any, ...]:
    """Sort key of a name: letters by the Kazakh alphabet, ignoring case first (then lower case
    before upper case, so equal names in different case still have one order)."""
    text = unicodedata.normalize("NFC", value or "")
    folded = text.lower()
    return (tuple(_char_key(c) for c in folded), tuple(c.isupper() for c in text))


def compare(left: str | None, right: str | None) -> int:
    """The SQLite collation function: negative, zero or positive."""
    a, b = name_key(left), name_key(right)
    return (a > b) - (a < b)


def register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: give every SQLite connection the `kaskad_names`
    collation (PostgreSQL has it from the migration)."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, compare)


def by_name(field: str) -> Collate:
    """`order_by(by_name("person__surname"))`: the field in alphabetical order."""
    return Collate(F(field), COLLATION)


def name_order(prefix: str = "") -> tuple[Collate, Collate]:
    """Surname then given name, alphabetically: `order_by(*name_order("person__"), "pk")`."""
    return (by_name(f"{prefix}surname"), by_name(f"{prefix}given_name"))
