"""The columns of each import file: names, whether required, what they hold, an example.

The downloadable templates and the header check are both built from these lists, so the
documentation cannot drift from what the importer accepts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kaskad.registry.imports.types import Kind


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: Promise
    example: str
    vocabulary: str = ""  # a key of values.vocabularies(), listed in the template's notes


PEOPLE: tuple[Column, ...] = (
    Column(
        "iin",
        True,
        _(
            "Individual identification number: 12 digits. Format the column "
            "as text so that leading zeros are kept."
        ),
        "871008401427",
    ),
    Column("surname", True, _("Surname, in Kazakh or Russian Cyrillic (or Latin)."), "Қасымова"),
    Column("given_name", True, _("Given name."), "Әлия"),
    Column("patronymic", False, _("Patronymic, if the person has one."), "Нұрланқызы"),
    Column(
        "birth_date", False, _("Birth date; when given, it must agree with the IIN."), "1987-10-08"
    ),
    Column("sex", False, _("M or F; when given, it must agree with the IIN."), "F", "sex"),
    Column("email", False, _("Email address."), "aliya.kasymova@example.kz"),
    Column("phone", False, _("Phone number."), "+7 701 123 45 67"),
    Column(
        "organisation_code",
        True,
        _(
            "Code or BIN of the organisation where the person "
            "works now (as in the organisation registry)."
        ),
        "940140000385",
    ),
    Column("position", True, _("Position: a code or its name."), "teacher", "position"),
    Column(
        "subjects", False, _("Subjects taught, separated by “;” or “,”."), "mathematics; physics"
    ),
    Column("level", False, _("Level taught: a code or its name."), "lower_secondary", "level"),
    Column(
        "category",
        False,
        _("Qualification category: a code or its name (empty: none)."),
        "moderator",
        "category",
    ),
    Column(
        "category_awarded_on",
        False,
        _("Date the category was awarded (not in the future)."),
        "2022-05-20",
    ),
    Column("experience_years", False, _("Teaching experience in whole years, 0–60."), "12"),
    Column("started_on", True, _("Date the person started at this organisation."), "2015-09-01"),
)

ORGANISATIONS: tuple[Column, ...] = (
    Column(
        "code",
        True,
        _(
            "Code of the organisation used in import files (up to 20 "
            "characters; the BIN when it has one)."
        ),
        "940140000385",
    ),
    Column(
        "bin",
        False,
        _(
            "Business identification number, 12 digits. Required except for "
            "kindergartens, methodological centres and “other”."
        ),
        "940140000385",
    ),
    Column("name_kk", True, _("Name in Kazakh."), "№ 12 жалпы білім беретін мектеп"),
    Column("name_ru", True, _("Name in Russian."), "Общеобразовательная школа № 12"),
    Column("name_en", False, _("Name in English."), "General school No. 12"),
    Column("kind", True, _("Kind of organisation: a code or its name."), "school", "kind"),
    Column(
        "area_code",
        True,
        _("KATO code of the region or city (710000000) or its first two digits (71)."),
        "710000000",
    ),
    Column(
        "district_code",
        False,
        _("KATO code of the district (it must be in the registry and belong to the area)."),
        "",
    ),
    Column("locality", True, _("urban or rural."), "urban", "locality"),
    Column("ungraded", False, _("Ungraded (small rural) school: yes or no."), "no"),
    Column(
        "languages",
        False,
        _("Languages of instruction, separated by “;”: kk, ru, en, uz, ug, tg."),
        "kk;ru",
        "language",
    ),
    Column("status", False, _("open or closed (empty: open)."), "open"),
)

DISTRICTS: tuple[Column, ...] = (
    Column(
        "code",
        True,
        _("KATO code of the district: 9 digits starting with the two digits of its area."),
        "711110000",
    ),
    Column(
        "area_code",
        True,
        _("KATO code of the region or city (710000000) or its first two digits (71)."),
        "710000000",
    ),
    Column("name_kk", True, _("Name in Kazakh."), "Алматы ауданы"),
    Column("name_ru", True, _("Name in Russian."), "район Алматы"),
    Column("name_en", False, _("Name in English."), "Almaty District"),
)

COLUMNS: dict[Kind, tuple[Column, ...]] = {
    "people": PEOPLE,
    "organisations": ORGANISATIONS,
    "districts": DISTRICTS,
}

KIND_LABELS: dict[Kind, Promise] = {
    "people": _("people and their employment"),
    "organisations": _("organisations"),
    "districts": _("districts"),
}

# Cells of these columns that a spreadsheet stored as numbers lost their leading zeros.
IDENTIFIER_COLUMNS = frozenset({"iin", "bin"})

_SEPARATORS = re.compile(r"[\s\-]+")


def normalise_header(name: str) -> str:
    """``" Given name* "`` → ``given_name``: case, spaces, hyphens and a required-mark star."""
    text = name.replace("\ufeff", "").strip().rstrip("*").strip().casefold()
    return _SEPARATORS.sub("_", text)


def names(columns: Sequence[Column]) -> list[str]:
    return [column.name for column in columns]
