"""Organisations: schools, kindergartens, colleges, universities and offices, with names."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from kaskad.registry.choices import Locality, OrganisationKind
from kaskad.registry.seeding.areas import CITY, SOUTH, AreaSpec, DistrictSpec, ru_genitive, translit
from kaskad.registry.seeding.files import Row
from kaskad.registry.seeding.tables import table

# --------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------

VILLAGES: Final = table("places", "VILLAGES")
EPONYMS: Final = table("places", "EPONYMS")  # (Kazakh, Russian genitive, English)
KINDERGARTEN_NAMES: Final = table("places", "KINDERGARTEN_NAMES")
COLLEGE_TYPES: Final = table("places", "COLLEGE_TYPES")  # (Kazakh, Russian, English)
UNIVERSITY_TYPES: Final = table("places", "UNIVERSITY_TYPES")


@dataclass
class OrgSpec:
    code: str
    bin: str
    name_kk: str
    name_ru: str
    name_en: str
    kind: str
    area_code: str
    district_code: str
    locality: str
    ungraded: bool
    languages: tuple[str, ...]
    is_open: bool
    staff: int = 0
    primary_only: bool = False

    def row(self) -> Row:
        return {
            "code": self.code,
            "bin": self.bin,
            "name_kk": self.name_kk,
            "name_ru": self.name_ru,
            "name_en": self.name_en,
            "kind": self.kind,
            "area_code": self.area_code,
            "district_code": self.district_code,
            "locality": self.locality,
            "ungraded": "yes" if self.ungraded else "no",
            "languages": ";".join(self.languages),
            "status": "open" if self.is_open else "closed",
        }


@dataclass
class _Draft:
    """An organisation while it is being planned (names come last)."""

    kind: str
    area: AreaSpec
    district: DistrictSpec
    locality: str
    area_level: bool = False
    ungraded: bool = False
    primary_only: bool = False
    is_open: bool = True


def apportion(weights: Sequence[float], total: int, minimum: int | Sequence[int] = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders, ties by index).

    Each item first gets its ``minimum`` (one number for all, or one per item) while the
    total allows it, in order; the sum is always exactly ``total``.
    """
    if not weights:
        return []
    floors = [minimum] * len(weights) if isinstance(minimum, int) else list(minimum)
    if total <= sum(floors):
        counts = [0] * len(weights)
        left = total
        while left > 0:  # round-robin over the minimums so small totals spread out
            for i, floor in enumerate(floors):
                if left and counts[i] < floor:
                    counts[i] += 1
                    left -= 1
        return counts
    rest = total - sum(floors)
    weight_sum = sum(weights) or 1.0
    raw = [w * rest / weight_sum for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [c + f for c, f in zip(counts, floors, strict=True)]


def _languages(rng: random.Random, area: AreaSpec, kind: str) -> tuple[str, ...]:
    if kind == OrganisationKind.NIS:
        return ("kk", "ru", "en")
    if kind in {
        OrganisationKind.METHOD_CENTRE,
        OrganisationKind.EDUCATION_DEPARTMENT,
        OrganisationKind.UNIVERSITY,
        OrganisationKind.COLLEGE,
    }:
        return ("kk", "ru")
    r = rng.random()
    if area.region_group == SOUTH and area.other > 0.1 and r < 0.05:
        return ("uz", "ru") if r < 0.02 else ("uz", "kk")
    if area.code in {"190000000", "750000000"} and r < 0.02:
        return ("ug", "kk")
    only_kk = area.kazakh**1.6
    only_ru = (1 - area.kazakh) * 0.55
    r = rng.random()
    if r < only_kk:
        return ("kk",)
    if r < only_kk + only_ru:
        return ("ru",)
    return ("kk", "ru")


class _Namer:
    """Gives organisations their names; keeps school numbers and village names apart."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.numbers: dict[str, int] = {}
        self.villages: dict[str, list[tuple[str, str]]] = {}
        self.village_uses: dict[tuple[str, str], int] = {}
        self.kinds: dict[str, list[int]] = {}
        self.kind_uses: dict[tuple[str, int], int] = {}

    def number(self, place: str) -> int:
        # Numbers have gaps (schools merge and close) but stay believable.
        value = self.numbers.get(place, 0) + self.rng.choice((1, 1, 1, 1, 1, 2))
        self.numbers[place] = value
        return value

    def village(self, district: str) -> tuple[str, str, int]:
        queue = self.villages.get(district)
        if not queue:
            queue = list(VILLAGES)
            self.rng.shuffle(queue)
            self.villages[district] = queue
        kk, ru = queue.pop()
        uses = self.village_uses.get((district, kk), 0) + 1
        self.village_uses[(district, kk)] = uses
        return kk, ru, uses

    def kind_of(self, place: str, options: Sequence[tuple[str, str, str]]) -> tuple[int, int]:
        """The next (option index, repeat count) for a place: each option once before any
        repeats, so a city has one medical college before it has a second."""
        key = f"{place}:{len(options)}"
        queue = self.kinds.get(key)
        if not queue:
            queue = list(range(len(options)))
            self.rng.shuffle(queue)
            self.kinds[key] = queue
        index = queue.pop()
        uses = self.kind_uses.get((key, index), 0)
        self.kind_uses[(key, index)] = uses + 1
        return index, uses


def _city_of(draft: _Draft) -> tuple[str, str, str, str]:
    """(key, kk, ru, en) of the city an urban organisation is in."""
    d, a = draft.district, draft.area
    if d.kind == CITY:
        return d.code, d.stem_kk, d.city_ru, d.name_en
    return a.code, a.centre_kk, a.centre_ru, a.centre_en


def _name(namer: _Namer, draft: _Draft) -> tuple[str, str, str]:
    rng, kind, d, a = namer.rng, draft.kind, draft.district, draft.area
    urban = draft.locality == Locality.URBAN
    if kind == OrganisationKind.EDUCATION_DEPARTMENT:
        if draft.area_level:
            return (
                f"{a.name_kk}ның білім басқармасы",
                f"Управление образования {ru_genitive(a.name_ru)}",
                f"{a.name_en} Education Department",
            )
        return (
            f"{d.name_kk}ның білім бөлімі",
            f"Отдел образования {ru_genitive(d.name_ru)}",
            f"{d.name_en} Education Department",
        )
    if kind == OrganisationKind.METHOD_CENTRE:
        if draft.area_level:
            return (
                f"{a.name_kk} білім басқармасының оқу-әдістемелік орталығы",
                f"Учебно-методический центр управления образования {ru_genitive(a.name_ru)}",
                f"Teaching and Methodological Centre, {a.name_en} Education Department",
            )
        return (
            f"{d.name_kk} білім бөлімінің әдістемелік кабинеті",
            f"Методический кабинет отдела образования {ru_genitive(d.name_ru)}",
            f"Methodological Office, {d.name_en} Education Department",
        )
    if kind == OrganisationKind.NIS:
        _, kk, ru, en = _city_of(draft)
        return (
            f"{kk} қаласындағы Назарбаев Зияткерлік мектебі",
            f"Назарбаев Интеллектуальная школа города {ru}",
            f"Nazarbayev Intellectual School in {en}",
        )
    if kind in (OrganisationKind.COLLEGE, OrganisationKind.UNIVERSITY):
        types = COLLEGE_TYPES if kind == OrganisationKind.COLLEGE else UNIVERSITY_TYPES
        word_kk, word_ru, word_en = (
            ("колледжі", "колледж", "College")
            if kind == OrganisationKind.COLLEGE
            else ("университеті", "университет", "University")
        )
        if urban:
            key, place_kk, place_ru, place_en = _city_of(draft)
            where_ru = f"города {place_ru}"
        else:
            key, place_kk, place_en = d.code, d.stem_kk, translit(d.stem_kk)
            where_ru = ru_genitive(d.name_ru)
        index, n = namer.kind_of(key, types)
        type_kk, type_ru, type_en = types[index]
        suffix_kk, suffix_ru, suffix_en = (
            (f"№ {n + 1} ", f" № {n + 1}", f" No. {n + 1}") if n else ("", "", "")
        )
        return (
            f"{suffix_kk}{place_kk} {type_kk} {word_kk}",
            f"{type_ru} {word_ru}{suffix_ru} {where_ru}",
            f"{place_en} {type_en} {word_en}{suffix_en}",
        )
    if kind == OrganisationKind.KINDERGARTEN:
        nick = rng.choice(KINDERGARTEN_NAMES)
        nick_en = translit(nick)
        if urban:
            key, *_ = _city_of(draft)
            n = namer.number(f"kg:{key}")
            return (
                f"№ {n} «{nick}» бөбекжай-бақшасы",
                f"Ясли-сад № {n} «{nick}»",
                f'Nursery-Kindergarten No. {n} "{nick_en}"',
            )
        village_kk, village_ru, _ = namer.village(d.code)
        return (
            f"{village_kk} ауылының «{nick}» балабақшасы",
            f"Детский сад «{nick}» села {village_ru}",
            f'"{nick_en}" Kindergarten, {translit(village_kk)} village',
        )
    # General schools.
    if urban:
        key, *_ = _city_of(draft)
        n = namer.number(f"school:{key}")
        r = rng.random()
        if r < 0.10:
            return (f"№ {n} мектеп-гимназия", f"Школа-гимназия № {n}", f"School-Gymnasium No. {n}")
        if r < 0.18:
            return (f"№ {n} мектеп-лицей", f"Школа-лицей № {n}", f"School-Lyceum No. {n}")
        if r < 0.32:
            kk, ru_gen, en = rng.choice(EPONYMS)
            return (
                f"{kk} атындағы № {n} жалпы білім беретін мектеп",
                f"Общеобразовательная школа № {n} имени {ru_gen}",
                f"General School No. {n} named after {en}",
            )
        return (
            f"№ {n} жалпы білім беретін мектеп",
            f"Общеобразовательная школа № {n}",
            f"General School No. {n}",
        )
    village_kk, village_ru, uses = namer.village(d.code)
    v_en = translit(village_kk)
    no_kk, no_ru, no_en = (f"№ {uses} ", f" № {uses}", f" No. {uses}") if uses > 1 else ("", "", "")
    if draft.primary_only:
        return (
            f"{village_kk} ауылының {no_kk}бастауыш мектебі",
            f"Начальная школа{no_ru} села {village_ru}",
            f"{v_en} Primary School{no_en}",
        )
    if draft.ungraded:
        return (
            f"{village_kk} ауылының {no_kk}негізгі орта мектебі",
            f"Основная средняя школа{no_ru} села {village_ru}",
            f"{v_en} Basic Secondary School{no_en}",
        )
    if rng.random() < 0.5:
        return (
            f"{village_kk} ауылының {no_kk}орта мектебі",
            f"Средняя школа{no_ru} села {village_ru}",
            f"{v_en} Secondary School{no_en}",
        )
    return (
        f"{village_kk} ауылының {no_kk}жалпы білім беретін мектебі",
        f"Общеобразовательная школа{no_ru} села {village_ru}",
        f"{v_en} General School{no_en}",
    )


def _staff_weight(rng: random.Random, draft: _Draft) -> float:
    kind, urban = draft.kind, draft.locality == Locality.URBAN
    if not draft.is_open:
        return 0.0
    if kind == OrganisationKind.SCHOOL:
        if draft.ungraded:
            return rng.randint(5, 11)
        return rng.randint(45, 120) if urban else rng.randint(15, 45)
    if kind == OrganisationKind.NIS:
        return rng.randint(90, 120)
    if kind == OrganisationKind.KINDERGARTEN:
        return rng.randint(18, 35) if urban else rng.randint(6, 15)
    if kind == OrganisationKind.COLLEGE:
        return rng.randint(40, 90)
    if kind == OrganisationKind.UNIVERSITY:
        return rng.randint(150, 350)
    if kind == OrganisationKind.METHOD_CENTRE:
        return rng.randint(10, 20) if draft.area_level else rng.randint(3, 6)
    return rng.randint(8, 15) if draft.area_level else rng.randint(4, 8)
