"""People's names in the traditions of Kazakhstan (tables in data/seeding/names.json)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from kaskad.registry.seeding.areas import NORTH, SOUTH
from kaskad.registry.seeding.tables import table

# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------

KAZAKH_SURNAMES_M: Final = table("names", "KAZAKH_SURNAMES_M")
# Newer Kazakh-style surnames without a Russian ending: the same for men and women.
KAZAKH_SURNAMES_PLAIN: Final = table("names", "KAZAKH_SURNAMES_PLAIN")
KAZAKH_GIVEN_F: Final = table("names", "KAZAKH_GIVEN_F")
KAZAKH_GIVEN_M: Final = table("names", "KAZAKH_GIVEN_M")
# Fathers' names for patronymics: consonant endings take -ович/-овна, -ұлы/-қызы.
KAZAKH_FATHERS: Final = table("names", "KAZAKH_FATHERS")

RUSSIAN_SURNAMES_M: Final = table("names", "RUSSIAN_SURNAMES_M")
RUSSIAN_GIVEN_F: Final = table("names", "RUSSIAN_GIVEN_F")
RUSSIAN_GIVEN_M: Final = table("names", "RUSSIAN_GIVEN_M")
# Masculine patronymics; the feminine replaces the final "ич" with "на".
RUSSIAN_PATRONYMICS: Final = table("names", "RUSSIAN_PATRONYMICS")


@dataclass(frozen=True)
class Tradition:
    """A naming tradition: where surnames, given names and patronymics come from."""

    name: str
    surnames: tuple[str, ...]
    given_f: tuple[str, ...]
    given_m: tuple[str, ...]
    patronymics: tuple[str, ...]  # masculine forms
    invariant_surnames: bool = False
    no_patronymic: float = 0.02


TRADITIONS: Final[dict[str, Tradition]] = {
    "russian": Tradition(
        "russian", RUSSIAN_SURNAMES_M, RUSSIAN_GIVEN_F, RUSSIAN_GIVEN_M, RUSSIAN_PATRONYMICS,
        no_patronymic=0.01,
    ),
    "tatar": Tradition(
        "tatar",
        ("Галиев", "Хабибуллин", "Сафин", "Гарипов", "Зарипов", "Валиев", "Нуриев", "Шарипов",
         "Ахмадиев", "Мухаметшин"),
        ("Гульнара", "Альфия", "Эльвира", "Резеда", "Лилия", "Ильмира", "Венера", "Гузель"),
        ("Рустам", "Ринат", "Ильдар", "Рафаэль", "Марат", "Айдар", "Радик"),
        ("Ринатович", "Рустамович", "Ильдарович", "Маратович", "Рашидович", "Фаритович",
         "Наилевич"),
    ),
    "uzbek": Tradition(
        "uzbek",
        ("Юсупов", "Каримов", "Рахимов", "Исмаилов", "Назаров", "Турсунов", "Махмудов",
         "Алимов", "Усманов", "Холматов"),
        ("Дилноза", "Гулнора", "Шахло", "Феруза", "Нилуфар", "Мавлюда", "Зулфия", "Мохира"),
        ("Бахтиёр", "Шерзод", "Рустам", "Улугбек", "Фаррух", "Азиз", "Жасур", "Дилшод"),
        ("Рустамович", "Бахтиёрович", "Ахмадович", "Абдуллаевич", "Каримович", "Юсупович"),
        no_patronymic=0.08,
    ),
    "korean": Tradition(
        "korean",
        ("Ким", "Пак", "Цой", "Ли", "Тен", "Хан", "Югай", "Огай", "Шин"),
        RUSSIAN_GIVEN_F, RUSSIAN_GIVEN_M, RUSSIAN_PATRONYMICS, invariant_surnames=True,
    ),
    "german": Tradition(
        "german",
        ("Шмидт", "Миллер", "Вебер", "Шульц", "Кох", "Фишер", "Гейер", "Майер", "Вагнер"),
        RUSSIAN_GIVEN_F, RUSSIAN_GIVEN_M, RUSSIAN_PATRONYMICS, invariant_surnames=True,
    ),
    "ukrainian": Tradition(
        "ukrainian",
        ("Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Мельник", "Бойко",
         "Лысенко", "Руденко", "Савченко"),
        RUSSIAN_GIVEN_F, RUSSIAN_GIVEN_M, RUSSIAN_PATRONYMICS, invariant_surnames=True,
    ),
}  # fmt: skip
OTHER_TRADITIONS: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    SOUTH: (("uzbek", 0.8), ("tatar", 0.1), ("korean", 0.1)),
    NORTH: (("tatar", 0.3), ("ukrainian", 0.25), ("german", 0.2), ("korean", 0.2),
            ("uzbek", 0.05)),
}  # fmt: skip


def _choice(rng: random.Random, seq: Sequence[str]) -> str:
    # Cheaper than rng.choice and just as deterministic: one random() per pick.
    return seq[int(rng.random() * len(seq))]


def feminine_surname(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ский", "цкий")):
        return surname[:-2] + "ая"
    return surname


def feminine_patronymic(patronymic: str) -> str:
    return patronymic[:-2] + "на" if patronymic.endswith("ич") else patronymic


def kazakh_patronymic(father: str, female: bool, kazakh_style: bool) -> str:
    if kazakh_style:
        return father + ("қызы" if female else "ұлы")
    stem = father[:-1] + "ев" if father.endswith("й") else father + "ов"
    return stem + ("на" if female else "ич")


@dataclass(frozen=True)
class PersonName:
    surname: str
    given_name: str
    patronymic: str


def make_name(rng: random.Random, tradition: str, female: bool) -> PersonName:
    random_ = rng.random
    if tradition == "kazakh":
        if random_() < 0.05:
            surname = _choice(rng, KAZAKH_SURNAMES_PLAIN)
        else:
            surname = _choice(rng, KAZAKH_SURNAMES_M)
            surname = feminine_surname(surname) if female else surname
        given = _choice(rng, KAZAKH_GIVEN_F if female else KAZAKH_GIVEN_M)
        r = random_()
        if r < 0.06:
            patronymic = ""
        else:
            father = _choice(rng, KAZAKH_FATHERS)
            patronymic = kazakh_patronymic(father, female, kazakh_style=r < 0.40)
        return PersonName(surname, given, patronymic)
    spec = TRADITIONS[tradition]
    surname = _choice(rng, spec.surnames)
    if female and not spec.invariant_surnames:
        surname = feminine_surname(surname)
    given = _choice(rng, spec.given_f if female else spec.given_m)
    patronymic = ""
    if random_() >= spec.no_patronymic:
        patronymic = _choice(rng, spec.patronymics)
        patronymic = feminine_patronymic(patronymic) if female else patronymic
    return PersonName(surname, given, patronymic)
