"""What every kind of import shares: the context of a run and the validator skeleton."""

from __future__ import annotations

import operator
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from django.utils.translation import gettext as _

from kaskad.core.errors import DomainError
from kaskad.core.progress import ProgressCallback
from kaskad.registry.imports.columns import Column
from kaskad.registry.imports.types import Issues
from kaskad.registry.imports.values import DateCache, ValueProblem, Vocabulary, vocabularies
from kaskad.registry.imports.writer import BulkWriter
from kaskad.registry.models import Area
from kaskad.registry.services import clean_name

if TYPE_CHECKING:
    from kaskad.accounts.models import User

WRITE_CHUNK = 5000  # rows looked up and written per round trip


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class Context:
    """One import run: who runs it, where problems go, what the user may touch."""

    issues: Issues
    source: str  # written to the audit trail (which file, which job)
    actor: User | None = None
    allowed_area_ids: frozenset[int] | None = None  # None: the whole country
    progress: ProgressCallback = _no_progress
    today: date = field(default_factory=date.today)
    now: datetime | None = None  # set when writing starts
    vocab: dict[str, Vocabulary] = field(default_factory=vocabularies)

    @property
    def actor_id(self) -> int | None:
        return getattr(self.actor, "pk", None)


class Validator:
    """Checks rows one by one (keeping a compact tuple for each good row), then writes them.

    Subclasses set ``kind`` and ``columns``, and implement ``prepare`` (load what the checks
    need from the database, read-only), ``row``, ``finish`` (checks across rows) and
    ``write`` (inside the import's transaction; returns created, updated, unchanged).
    """

    kind: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]

    def __init__(self, context: Context, positions: dict[str, int]) -> None:
        self.context = context
        self.issues = context.issues
        self.positions = positions
        self.dates = DateCache()
        self._names: dict[str, tuple[str, str, str, bool]] = {}

    # Subclass hooks ------------------------------------------------------------------------

    def prepare(self) -> None:
        return None

    def row(self, line: int, cells: list[str]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        return None

    def write(self, writer: BulkWriter) -> tuple[int, int, int]:
        raise NotImplementedError

    # Helpers for subclasses -------------------------------------------------------------

    def column_picker(self) -> Callable[[list[str]], list[str]]:
        """All cells of a row, stripped, in the order of ``columns`` ("" for absent ones)."""
        # -1 picks the empty cell appended to every row: absent optional columns read as "".
        getter = operator.itemgetter(*(self.positions.get(c.name, -1) for c in self.columns))

        def pick(cells: list[str]) -> list[str]:
            cells.append("")
            return [value.strip() for value in getter(cells)]

        return pick

    def cell_getter(self, name: str) -> Callable[[Sequence[str]], str]:
        """A fast accessor for one column (absent optional columns read as empty)."""
        position = self.positions.get(name, -1)
        if position < 0:
            return lambda cells: ""
        return lambda cells: cells[position].strip()

    def error(self, line: int, column: str, value: str, code: str, message: str) -> None:
        self.issues.error(line, column, value, code, message)

    def problem(self, line: int, column: str, value: str, problem: ValueProblem) -> None:
        self.issues.error(line, column, value, problem.code, problem.message)

    def domain_error(self, line: int, column: str, value: str, exc: DomainError) -> None:
        self.issues.error(line, column, value, exc.code, str(exc.message))

    def area_in_scope(self, line: int, raw: str, areas: AreaIndex) -> int | None:
        """The area of an `area_code` cell, or None after recording why it is unusable
        (missing, unknown, or outside the importing coordinator's areas)."""
        if not raw:
            self.required(line, "area_code")
            return None
        area_id = areas.find(raw)
        if area_id is None:
            self.error(line, "area_code", raw, "unknown_area", areas.unknown_message())
            return None
        allowed = self.context.allowed_area_ids
        if allowed is not None and area_id not in allowed:
            self.error(
                line, "area_code", raw, "out_of_scope", out_of_scope_message(areas.names[area_id])
            )
            return None
        return area_id

    def required(self, line: int, column: str) -> None:
        self.issues.error(line, column, "", "required", _("A value is required in this column."))

    def too_long(self, line: int, column: str, value: str, limit: int) -> None:
        self.issues.error(
            line,
            column,
            value,
            "too_long",
            _("The value is longer than %(max)s characters.") % {"max": limit},
        )

    def text(
        self, line: int, column: str, raw: str, *, limit: int, required: bool = False
    ) -> str | None:
        """Whitespace-collapsed text; None (and an error) when missing or too long."""
        value = " ".join(raw.split())
        if not value:
            if required:
                self.required(line, column)
                return None
            return ""
        if len(value) > limit:
            self.too_long(line, column, raw, limit)
            return None
        return value

    def name(self, line: int, column: str, raw: str, *, required: bool) -> str | None:
        """A person's name through the registry's own rule (``services.clean_name``).

        Look-alike letters repaired unambiguously give a warning that shows the correction;
        an ambiguous mixture is an error. Results are cached: names repeat a lot.
        """
        if not raw:
            if required:
                self.required(line, column)
                return None
            return ""
        hit = self._names.get(raw)
        if hit is None:
            try:
                value = clean_name(raw, field=column)
                code = message = ""
            except DomainError as exc:
                value, code, message = "", exc.code, str(exc.message)
            typed = " ".join(unicodedata.normalize("NFC", raw).split())
            hit = (value, code, message, bool(value) and value != typed)
            self._names[raw] = hit
        value, code, message, corrected = hit
        if code:
            self.error(line, column, raw, code, message)
            return None
        if len(value) > 100:
            self.too_long(line, column, raw, 100)
            return None
        if corrected:
            self.issues.warning(
                line,
                column,
                raw,
                "name_corrected",
                _(
                    "Latin and Cyrillic look-alike letters were corrected: “%(typed)s” → "
                    "“%(value)s”."
                )
                % {"typed": raw, "value": value},
            )
        return value


class AreaIndex:
    """Areas by KATO code or its two-digit prefix."""

    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.names: dict[int, str] = {}
        for area in Area.objects.all():
            self.by_code[area.code] = area.pk
            self.by_code[area.code[:2]] = area.pk
            self.names[area.pk] = str(area)
        self.codes = {pk: code for code, pk in self.by_code.items() if len(code) > 2}

    def find(self, raw: str) -> int | None:
        return self.by_code.get(raw)

    @staticmethod
    def unknown_message() -> str:
        return _(
            "No region or city has this KATO code. Use the 9-digit code of the area "
            "(710000000) or its first two digits (71)."
        )


def out_of_scope_message(area_name: str) -> str:
    return _("Out of your scope: %(area)s is not among your branch's areas.") % {"area": area_name}
