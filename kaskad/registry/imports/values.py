"""Parsing one cell: dates, numbers, yes/no, lists and coded values given as code or label.

Every parser raises :class:`ValueProblem` (a machine code and a translated message) and is
pure apart from gettext, so the validators stay fast and the rules stay in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from kaskad.registry.choices import (
    Category,
    Language,
    Level,
    Locality,
    OrganisationKind,
    Position,
    Sex,
)


class ValueProblem(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- dates --------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
MIN_YEAR = 1900
# Excel's day numbers: a date column formatted as "General" shows 39062 for 11 December 2006.
# Five digits only (1927-05-18 to 2173): a four-digit number in a date column is a year, not
# a date, and is refused. The fraction, if any, is the time of day.
_SERIAL_DATE = re.compile(r"^\d{5}(?:\.\d+)?$")
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 (Excel counts a 29 February 1900 that never was)


def parse_date(value: str) -> date:
    """ISO ``YYYY-MM-DD`` or ``DD.MM.YYYY``; an impossible day (30 February) is an error."""
    text = value.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
        # The common case, without regular expressions (birth dates hardly repeat).
        try:
            result = date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if result.year >= MIN_YEAR:
                return result
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DOTTED_DATE.match(text)
        if not match and _SERIAL_DATE.match(text):
            return EXCEL_EPOCH + timedelta(days=int(text.split(".")[0]))
        if not match:
            raise ValueProblem(
                "date_format", _("Write the date as YYYY-MM-DD (2023-09-01) or DD.MM.YYYY.")
            )
        day, month, year = (int(g) for g in match.groups())
    try:
        result = date(year, month, day)
    except ValueError:
        raise ValueProblem("date_impossible", _("There is no such day in the calendar.")) from None
    if year < MIN_YEAR:
        raise ValueProblem("date_too_early", _("The date is before %(year)s.") % {"year": MIN_YEAR})
    return result


class DateCache:
    """Dates repeat a lot (1 September...); parse each spelling once per import."""

    def __init__(self) -> None:
        self._known: dict[str, date | ValueProblem] = {}

    def __call__(self, value: str) -> date:
        hit = self._known.get(value)
        if hit is None:
            try:
                hit = parse_date(value)
            except ValueProblem as problem:
                hit = problem
            self._known[value] = hit
        if isinstance(hit, ValueProblem):
            raise hit
        return hit


# --- numbers and yes/no ---------------------------------------------------------------------


def parse_whole(value: str, *, maximum: int) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueProblem(
            "not_a_number",
            _("Write a whole number from 0 to %(max)s.") % {"max": maximum},
        )
    number = int(text)
    if number > maximum:
        raise ValueProblem(
            "number_too_large",
            _("The number is larger than %(max)s.") % {"max": maximum},
        )
    return number


_TRUE = frozenset({"yes", "y", "true", "1", "да", "д", "иә", "ия", "и", "+"})
_FALSE = frozenset({"no", "n", "false", "0", "нет", "н", "жоқ", "ж", "-"})


def parse_bool(value: str) -> bool:
    key = value.strip().casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueProblem("bad_boolean", _("Write yes or no (also 1/0, да/нет, иә/жоқ)."))


def split_list(value: str) -> list[str]:
    """``a; b, c`` → ["a", "b", "c"]: blanks dropped, repeats removed, order kept."""
    if not value:
        return []
    parts = (" ".join(part.split()) for part in value.replace(",", ";").split(";"))
    return list(dict.fromkeys(part for part in parts if part))


# --- coded values -------------------------------------------------------------------------

_DASHES = re.compile(r"\s*[-‐‑–—]\s*")


def _key(text: str) -> str:
    """Compare labels loosely: case, underscores, spaces around dashes, ё."""
    text = text.casefold().replace("_", " ").replace("ё", "е")
    return _DASHES.sub("-", " ".join(text.split()))


# Spellings seen in ministry and school spreadsheets. The translated labels of each choice
# (in every interface language) are accepted too; these cover the usual variants.
ALIASES: dict[type[models.TextChoices], dict[str, tuple[str, ...]]] = {
    Position: {
        "teacher": ("учитель", "мұғалім", "педагог-предметник"),
        "deputy_director": (
            "заместитель директора",
            "замдиректора",
            "завуч",
            "директордың орынбасары",
        ),
        "director": ("директор",),
        "psychologist": ("психолог", "педагог-психолог"),
        "librarian": ("библиотекарь", "кітапханашы"),
        "methodologist": ("методист", "әдіскер"),
        "preschool_teacher": ("воспитатель", "тәрбиеші"),
        "lecturer": ("преподаватель", "оқытушы"),
        "social_pedagogue": ("социальный педагог", "әлеуметтік педагог"),
        "speech_therapist": ("логопед",),
        "tutor": ("тьютор", "тьютер"),
        "trainer": ("тренер",),
        "other": ("другое", "прочее", "басқа"),
    },
    Level: {
        "preschool": ("дошкольное", "дошкольный", "мектепке дейінгі"),
        "primary": ("начальное", "начальный", "начальная школа", "бастауыш"),
        "lower_secondary": ("основное среднее", "основной средний", "негізгі орта"),
        "upper_secondary": ("общее среднее", "общий средний", "жалпы орта"),
        "tvet": ("типо", "тжкб", "техническое и профессиональное"),
        "higher": ("высшее", "высший", "жоғары"),
    },
    Category: {
        "pedagogue": ("педагог",),
        "moderator": ("педагог-модератор", "модератор"),
        "expert": ("педагог-эксперт", "эксперт", "педагог-сарапшы", "сарапшы"),
        "researcher": (
            "педагог-исследователь",
            "исследователь",
            "педагог-зерттеуші",
            "зерттеуші",
        ),
        "master": ("педагог-мастер", "мастер", "педагог-шебер", "шебер"),
        "none": ("без категории", "нет категории", "санатсыз", "no category"),
        "second": ("вторая", "вторая категория", "екінші", "екінші санат", "second category"),
        "first": ("первая", "первая категория", "бірінші", "бірінші санат", "first category"),
        "highest": (
            "высшая",
            "высшая категория",
            "жоғары санат",
            "жоғарғы санат",
            "highest category",
        ),
    },
    OrganisationKind: {
        "school": ("школа", "общеобразовательная школа", "мектеп", "жалпы білім беретін мектеп"),
        "nis": ("ниш", "назарбаев интеллектуальная школа", "зияткерлік мектеп", "nis"),
        "kindergarten": ("детский сад", "детсад", "ясли-сад", "балабақша"),
        "college": ("колледж",),
        "university": ("университет", "вуз", "жоо"),
        "method_centre": ("методический центр", "әдістемелік орталық"),
        "education_department": (
            "отдел образования",
            "управление образования",
            "білім бөлімі",
            "білім басқармасы",
        ),
        "branch": ("филиал",),
        "other": ("другое", "прочее", "басқа"),
    },
    Locality: {
        "urban": ("город", "городская", "городской", "қала", "қалалық"),
        "rural": ("село", "сельская", "сельский", "ауыл", "ауылдық"),
    },
    Sex: {
        "M": ("m", "male", "м", "муж", "мужской", "ер", "ер адам"),
        "F": ("f", "female", "ж", "жен", "женский", "әйел"),
    },
    Language: {
        "kk": ("казахский", "каз", "қазақ", "қазақша", "қаз", "kazakh"),
        "ru": ("русский", "рус", "орыс", "орысша", "russian"),
        "en": ("английский", "англ", "ағылшын", "english"),
        "uz": ("узбекский", "өзбек", "uzbek"),
        "ug": ("уйгурский", "ұйғыр", "uyghur"),
        "tg": ("таджикский", "тәжік", "tajik"),
    },
}

STATUS_ALIASES: dict[bool, tuple[str, ...]] = {
    True: ("open", "opened", "active", "открыта", "открыто", "действует", "ашық", "1"),
    False: ("closed", "закрыта", "закрыто", "ликвидирована", "жабық", "0"),
}


class Vocabulary:
    """Maps the code, every translated label and the usual aliases of a choice to its code."""

    def __init__(self, choices: type[models.TextChoices]) -> None:
        self.choices = choices
        table: dict[str, str] = {}
        for code in choices.values:
            table[_key(code)] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for code, label in choices.choices:
                    table.setdefault(_key(str(label)), code)
        for code, aliases in ALIASES.get(choices, {}).items():
            for alias in aliases:
                table.setdefault(_key(alias), code)
        self.table = table
        self._fast: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        code = self._fast.get(value)
        if code is not None:
            return code
        code = self.table.get(_key(value))
        if code is None:
            raise ValueProblem("bad_choice", self.problem_text())
        self._fast[value] = code
        return code

    def problem_text(self) -> str:
        return _("Unknown value. Use one of: %(codes)s (or their names).") % {
            "codes": ", ".join(self.choices.values)
        }

    def described(self) -> list[tuple[str, str]]:
        """(code, label in the active language) pairs for templates and notes."""
        return [(code, str(label)) for code, label in self.choices.choices]


def parse_status(value: str) -> bool:
    key = _key(value)
    for is_open, aliases in STATUS_ALIASES.items():
        if key in aliases:
            return is_open
    raise ValueProblem("bad_status", _("Write open or closed."))


def vocabularies() -> dict[str, Vocabulary]:
    """Built per import so labels follow the translations installed at the time."""
    return {
        "position": Vocabulary(Position),
        "level": Vocabulary(Level),
        "category": Vocabulary(Category),
        "kind": Vocabulary(OrganisationKind),
        "locality": Vocabulary(Locality),
        "sex": Vocabulary(Sex),
        "language": Vocabulary(Language),
    }


def cell_text(value: Any) -> str:
    """A spreadsheet or Python value as the text a CSV would have held."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):  # datetime too: a date cell with a zero time
        return value.isoformat()[:10] if not _has_time(value) else value.isoformat()
    if isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        return "; ".join(cell_text(v) for v in value)
    return str(value)


def _has_time(value: date) -> bool:
    return any(getattr(value, part, 0) for part in ("hour", "minute", "second", "microsecond"))
