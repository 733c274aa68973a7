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

# Columns whose numbers Excel may have stored as numbers, dropping leading zeros: the IIN,
# the BIN, and organisation codes (usually the BIN). The value is what a restored number must
# be: an IIN, a BIN, or either kind of code.
IDENTIFIER_COLUMNS: dict[str, str] = {
    "iin": "iin",
    "bin": "bin",
    "code": "code",
    "organisation_code": "code",
}

_SEPARATORS = re.compile(r"[\s\-]+")

# Russian and Kazakh names of the template's columns, as people write them in their own
# spreadsheets (compared after normalise_header: case, spaces, hyphens, "ё"). Every column of
# every template has at least one name in each language.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "iin": ("ИИН", "ЖСН", "ИИН педагога", "Педагогтың ЖСН"),
    "surname": ("Фамилия", "Тегі"),
    "given_name": ("Имя", "Аты"),
    "patronymic": ("Отчество", "Әкесінің аты", "Әкесінің аты (бар болса)"),
    "birth_date": ("Дата рождения", "Туған күні", "Туған күн"),
    "sex": ("Пол", "Жынысы"),
    "email": ("Электронная почта", "Эл. почта", "E-mail", "Электрондық пошта", "Эл. пошта"),
    "phone": ("Телефон", "Номер телефона", "Телефон нөмірі"),
    "organisation_code": (
        "Код организации",
        "БИН организации",
        "Организация",
        "Ұйым коды",
        "Ұйымның коды",
        "Ұйымның БСН",
        "Ұйым",
    ),
    "position": ("Должность", "Лауазымы", "Лауазым"),
    "subjects": ("Предметы", "Предмет", "Пәндер", "Пәні", "Пән"),
    "level": ("Уровень", "Уровень обучения", "Деңгей", "Деңгейі", "Оқыту деңгейі"),
    "category": ("Категория", "Квалификационная категория", "Санат", "Санаты", "Біліктілік санаты"),
    "category_awarded_on": (
        "Дата присвоения категории",
        "Дата присвоения",
        "Санат берілген күн",
        "Санат берілген күні",
    ),
    "experience_years": (
        "Стаж",
        "Педагогический стаж",
        "Стаж (лет)",
        "Өтілі",
        "Педагогикалық өтілі",
        "Педагогикалық өтіл",
    ),
    "started_on": (
        "Дата начала работы",
        "Дата приема",
        "Дата приема на работу",
        "Жұмысқа қабылданған күні",
        "Жұмыс басталған күн",
        "Жұмысқа кірген күні",
    ),
    "code": ("Код", "Коды", "Код КАТО", "КАТО", "КАТО коды"),
    "bin": ("БИН", "БСН"),
    "name_kk": (
        "Атауы",
        "Название на казахском",
        "Наименование на казахском",
        "Название (каз)",
        "Атауы (қазақша)",
        "Қазақша атауы",
    ),
    "name_ru": (
        "Название",
        "Наименование",
        "Название на русском",
        "Наименование на русском",
        "Название (рус)",
        "Атауы (орысша)",
        "Орысша атауы",
    ),
    "name_en": (
        "Название на английском",
        "Наименование на английском",
        "Название (англ)",
        "Атауы (ағылшынша)",
        "Ағылшынша атауы",
    ),
    "kind": ("Тип", "Тип организации", "Вид организации", "Түрі", "Ұйым түрі", "Ұйымның түрі"),
    "area_code": (
        "Код области",
        "Код региона",
        "КАТО области",
        "Облыс коды",
        "Өңір коды",
        "Облыстың КАТО коды",
    ),
    "district_code": ("Код района", "КАТО района", "Аудан коды", "Ауданның КАТО коды"),
    "locality": ("Местность", "Город/село", "Тип местности", "Елді мекен түрі", "Қала/ауыл"),
    "ungraded": (
        "Малокомплектная",
        "Малокомплектная школа",
        "Шағын жинақты",
        "Шағын жинақты мектеп",
    ),
    "languages": ("Языки обучения", "Язык обучения", "Оқыту тілдері", "Оқыту тілі"),
    "status": ("Статус", "Состояние", "Мәртебесі", "Күйі"),
}


def normalise_header(name: str) -> str:
    """``" Given name* "`` → ``given_name``: case, spaces, hyphens and a required-mark star."""
    text = name.replace("\ufeff", "").strip().rstrip("*").strip().casefold().replace("ё", "е")
    return _SEPARATORS.sub("_", text)


_CANONICAL: dict[str, str] = {
    normalise_header(synonym): name for name, synonyms in SYNONYMS.items() for synonym in synonyms
}


def canonical_header(name: str) -> str:
    """The template's name of a header cell, whether written as in the template or in Russian
    or Kazakh (``"Әкесінің аты"`` → ``patronymic``)."""
    key = normalise_header(name)
    return _CANONICAL.get(key, key)


def names(columns: Sequence[Column]) -> list[str]:
    return [column.name for column in columns]
