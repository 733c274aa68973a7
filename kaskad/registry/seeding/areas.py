"""Areas and their districts: the second-level units, with names in three languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from kaskad.registry.reference import load_json
from kaskad.registry.seeding.files import Row
from kaskad.registry.seeding.tables import table

# --------------------------------------------------------------------------------------
# Reference: areas and their districts
# --------------------------------------------------------------------------------------

# Population in thousands (2024, rounded), the share of Kazakhs, of other nationalities
# (the rest are Russians) and which other traditions dominate there.
SOUTH: Final = "south"
NORTH: Final = "north"
AREA_PROFILE: Final[dict[str, tuple[int, float, float, str]]] = {
    "710000000": (1_400, 0.79, 0.06, NORTH),  # Astana
    "750000000": (2_230, 0.61, 0.12, NORTH),  # Almaty
    "790000000": (1_220, 0.69, 0.22, SOUTH),  # Shymkent
    "100000000": (600, 0.70, 0.05, NORTH),  # Abai
    "110000000": (790, 0.53, 0.12, NORTH),  # Akmola
    "150000000": (930, 0.87, 0.04, NORTH),  # Aktobe
    "190000000": (1_500, 0.70, 0.12, NORTH),  # Almaty region
    "230000000": (700, 0.94, 0.02, NORTH),  # Atyrau
    "630000000": (720, 0.45, 0.05, NORTH),  # East Kazakhstan
    "350000000": (1_130, 0.55, 0.10, NORTH),  # Karaganda
    "390000000": (830, 0.45, 0.15, NORTH),  # Kostanay
    "430000000": (830, 0.96, 0.01, SOUTH),  # Kyzylorda
    "470000000": (770, 0.93, 0.02, SOUTH),  # Mangystau
    "590000000": (530, 0.38, 0.10, NORTH),  # North Kazakhstan
    "550000000": (750, 0.53, 0.10, NORTH),  # Pavlodar
    "610000000": (2_100, 0.77, 0.20, SOUTH),  # Turkistan
    "620000000": (220, 0.85, 0.04, NORTH),  # Ulytau
    "270000000": (690, 0.79, 0.03, NORTH),  # West Kazakhstan
    "310000000": (1_220, 0.75, 0.08, SOUTH),  # Zhambyl
    "330000000": (700, 0.70, 0.08, NORTH),  # Zhetisu
}

# Kinds of second-level units.
CITY: Final = "city"  # city of regional significance: urban
RURAL: Final = "district"  # rural district
CITY_DISTRICT: Final = "city_district"  # a district of Astana, Almaty or Shymkent: urban

# Per area: (Kazakh stem, Russian name, kind). Cities first, the regional centre first.
DISTRICTS: Final[dict[str, tuple[tuple[str, str, str], ...]]] = table("places", "DISTRICTS")

# Kazakh Cyrillic to a plain English spelling (for English names of places).
_TRANSLIT: Final = str.maketrans(
    {
        "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e",
        "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "k", "л": "l",
        "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s",
        "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
        "ю": "yu", "я": "ya",
    }
)  # fmt: skip


def translit(text: str) -> str:
    """English spelling of a Kazakh place name: Көкшетау -> Kokshetau."""
    words = []
    for word in text.split(" "):
        latin = word.lower().translate(_TRANSLIT)
        words.append("-".join(part[:1].upper() + part[1:] for part in latin.split("-")))
    return " ".join(words)


def ru_genitive(name: str) -> str:
    """Genitive of a Russian area or district name, for "Отдел образования …".

    Covers the shapes used here: "Бурабайский район", "район Есиль", "город Кокшетау",
    "Акмолинская область", "область Абай".
    """
    words = name.split(" ")
    out = []
    for word in words:
        if word == "район":
            out.append("района")
        elif word == "город":
            out.append("города")
        elif word == "область":
            out.append("области")
        elif word.endswith(("ский", "цкий")):
            out.append(word[:-2] + "ого")
        elif word.endswith("ая") and word[:1].isupper():
            out.append(word[:-2] + "ой")
        else:
            out.append(word)
    return " ".join(out)


@dataclass(frozen=True)
class DistrictSpec:
    code: str
    area_code: str
    kind: str
    stem_kk: str
    name_kk: str
    name_ru: str
    name_en: str
    city_ru: str  # the bare city name for cities, "" for districts

    def row(self) -> Row:
        return {
            "code": self.code,
            "area_code": self.area_code,
            "name_kk": self.name_kk,
            "name_ru": self.name_ru,
            "name_en": self.name_en,
        }


def _districts_of(area_code: str, limit: int) -> list[DistrictSpec]:
    prefix = area_code[:2]
    result: list[DistrictSpec] = []
    cities = districts = 0
    entries = DISTRICTS[area_code]
    if limit:
        # Keep the regional centre, then take rural districts before minor cities.
        head = [e for e in entries if e[2] != CITY][: max(0, limit - 1)]
        entries = tuple([entries[0], *head][:limit])
    for stem, ru, kind in entries:
        if kind == CITY_DISTRICT:
            cities += 1
            code = f"{prefix}1{cities}10000"
            name_kk, name_en = f"{stem} ауданы", f"{translit(stem)} District"
            name_ru, city_ru = ru, ""
        elif kind == CITY:
            cities += 1
            code = f"{prefix}1{cities:02d}0000"
            name_kk, name_en = f"{stem} қаласы", translit(stem)
            name_ru, city_ru = f"город {ru}", ru
        else:
            code = f"{prefix}3{20 + 2 * districts:02d}0000"
            districts += 1
            name_kk, name_en = f"{stem} ауданы", f"{translit(stem)} District"
            name_ru, city_ru = ru, ""
        result.append(DistrictSpec(code, area_code, kind, stem, name_kk, name_ru, name_en, city_ru))
    return result


@dataclass(frozen=True)
class AreaSpec:
    code: str
    kind: str
    name_kk: str
    name_ru: str
    name_en: str
    centre_kk: str
    centre_ru: str
    centre_en: str
    population: int
    kazakh: float
    other: float
    region_group: str

    @property
    def stem_kk(self) -> str:
        """The name without its last word: Ақмола облысы -> Ақмола."""
        return self.name_kk.rsplit(" ", 1)[0]


def load_areas() -> dict[str, AreaSpec]:
    areas = {}
    for row in load_json("areas.json"):
        population, kazakh, other, group = AREA_PROFILE[row["code"]]
        areas[row["code"]] = AreaSpec(
            code=row["code"],
            kind=row["kind"],
            name_kk=row["name_kk"],
            name_ru=row["name_ru"],
            name_en=row["name_en"],
            centre_kk=row["centre_kk"],
            centre_ru=row["centre_ru"],
            centre_en=row["centre_en"],
            population=population,
            kazakh=kazakh,
            other=other,
            region_group=group,
        )
    return areas
