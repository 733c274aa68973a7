"""Deterministic, realistic registry data: districts, organisations and people.

The generator only produces rows (dicts of strings with exactly the columns of the import
files); loading them is the import pipeline's job, so demo data, tests and benchmarks go
through the same validation as a ministry spreadsheet.

Determinism: every random choice comes from a ``random.Random`` seeded from the seed
number and a stage name, and nothing is iterated in set or hash order, so the same seed
gives the same rows (and byte-identical CSV files). Dates are relative to ``as_of``
(default: the 1st of September of the current school year), never to the clock.

Proportions (the test suite checks them on a sample):

* positions: teaching staff (teachers, preschool teachers, lecturers) about 85%; one
  director per organisation, 2-3 deputies per full school, psychologists, librarians,
  social pedagogues, methodologists;
* levels: 44% of school teachers (position ``teacher``) teach in primary; the others
  lower or upper secondary; lecturers teach TVET (colleges) or higher (universities);
* experience: 56% have more than 10 years; experience <= age - 21;
* categories: the five current ones, legacy first/highest/second and "none", depending
  on experience; mostly awarded in the last five years, some overdue;
* sex: about 80% women; names in Kazakh (with ә ғ қ ң ө ұ ү һ і), Russian and a few other
  traditions, sex-appropriate surname endings, Kazakh ``-ұлы``/``-қызы`` patronymics for
  some, no patronymic for about 5%.

Pure Python (no database): only the choice codes come from the Django layer.
"""

from __future__ import annotations

import csv
import random
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from kaskad.registry.choices import Category, Locality, OrganisationKind, Position
from kaskad.registry.identifiers import make_bin, make_iin
from kaskad.registry.names import fold
from kaskad.registry.reference import load_json

__all__ = [
    "DISTRICT_COLUMNS",
    "ORGANISATION_COLUMNS",
    "PEOPLE_COLUMNS",
    "SCALES",
    "Scale",
    "SeedPlan",
    "build_plan",
    "default_as_of",
    "write_csv",
    "write_files",
]

DISTRICT_COLUMNS: Final = ("code", "area_code", "name_kk", "name_ru", "name_en")
ORGANISATION_COLUMNS: Final = (
    "code",
    "bin",
    "name_kk",
    "name_ru",
    "name_en",
    "kind",
    "area_code",
    "district_code",
    "locality",
    "ungraded",
    "languages",
    "status",
)
PEOPLE_COLUMNS: Final = (
    "iin",
    "surname",
    "given_name",
    "patronymic",
    "birth_date",
    "sex",
    "email",
    "phone",
    "organisation_code",
    "position",
    "subjects",
    "level",
    "category",
    "category_awarded_on",
    "experience_years",
    "started_on",
)

Row = dict[str, str]

# --------------------------------------------------------------------------------------
# Scales
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    name: str
    area_codes: tuple[str, ...]  # empty: every area
    organisations: int
    people: int
    districts_per_area: int  # 0: every district we know
    district_offices: bool  # an education department and a methodological room per district
    universities: int
    nis_everywhere: bool  # one Intellectual school per area (else only in the first area)


SCALES: Final[dict[str, Scale]] = {
    # Astana (AST), Akmola (KOK), Almaty region (ALA), Turkistan (SHY): four branches.
    "demo": Scale(
        name="demo",
        area_codes=("710000000", "110000000", "190000000", "610000000"),
        organisations=200,
        people=5_000,
        districts_per_area=4,
        district_offices=False,
        universities=0,
        nis_everywhere=False,
    ),
    "national": Scale(
        name="national",
        area_codes=(),
        organisations=7_500,
        people=400_000,
        districts_per_area=0,
        district_offices=True,
        universities=60,
        nis_everywhere=True,
    ),
}

URBAN_SHARE: Final = 0.45
UNGRADED_SHARE: Final = 0.10  # of all general schools; always rural
OVER_TEN_YEARS: Final = 0.56
PRIMARY_SHARE: Final = 0.44  # of school teachers
FLEXIBLE_KINDS: Final = (  # what is left after the fixed offices, by share
    (OrganisationKind.SCHOOL, 0.80),
    (OrganisationKind.KINDERGARTEN, 0.13),
    (OrganisationKind.COLLEGE, 0.07),
)


def default_as_of(today: date | None = None) -> date:
    """The 1st of September that opened the current school year: stable for a year."""
    today = today or date.today()
    year = today.year if (today.month, today.day) >= (9, 1) else today.year - 1
    return date(year, 9, 1)


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
DISTRICTS: Final[dict[str, tuple[tuple[str, str, str], ...]]] = {
    "710000000": (
        ("Алматы", "район Алматы", CITY_DISTRICT),
        ("Байқоңыр", "район Байконур", CITY_DISTRICT),
        ("Есіл", "район Есиль", CITY_DISTRICT),
        ("Сарыарқа", "район Сарыарка", CITY_DISTRICT),
        ("Нұра", "район Нура", CITY_DISTRICT),
    ),
    "750000000": (
        ("Алмалы", "Алмалинский район", CITY_DISTRICT),
        ("Әуезов", "Ауэзовский район", CITY_DISTRICT),
        ("Бостандық", "Бостандыкский район", CITY_DISTRICT),
        ("Медеу", "Медеуский район", CITY_DISTRICT),
        ("Алатау", "Алатауский район", CITY_DISTRICT),
        ("Жетісу", "Жетысуский район", CITY_DISTRICT),
        ("Наурызбай", "Наурызбайский район", CITY_DISTRICT),
        ("Түрксіб", "Турксибский район", CITY_DISTRICT),
    ),
    "790000000": (
        ("Абай", "Абайский район", CITY_DISTRICT),
        ("Әл-Фараби", "Аль-Фарабийский район", CITY_DISTRICT),
        ("Еңбекші", "Енбекшинский район", CITY_DISTRICT),
        ("Қаратау", "Каратауский район", CITY_DISTRICT),
        ("Тұран", "Туранский район", CITY_DISTRICT),
    ),
    "100000000": (
        ("Семей", "Семей", CITY),
        ("Курчатов", "Курчатов", CITY),
        ("Аягөз", "Аягозский район", RURAL),
        ("Бесқарағай", "Бескарагайский район", RURAL),
        ("Бородулиха", "Бородулихинский район", RURAL),
        ("Жарма", "Жарминский район", RURAL),
        ("Үржар", "Урджарский район", RURAL),
    ),
    "110000000": (
        ("Көкшетау", "Кокшетау", CITY),
        ("Степногорск", "Степногорск", CITY),
        ("Бурабай", "Бурабайский район", RURAL),
        ("Целиноград", "Целиноградский район", RURAL),
        ("Ақкөл", "Аккольский район", RURAL),
        ("Аршалы", "Аршалынский район", RURAL),
        ("Сандықтау", "Сандыктауский район", RURAL),
        ("Шортанды", "Шортандинский район", RURAL),
    ),
    "150000000": (
        ("Ақтөбе", "Актобе", CITY),
        ("Қарғалы", "Каргалинский район", RURAL),
        ("Мәртөк", "Мартукский район", RURAL),
        ("Хромтау", "Хромтауский район", RURAL),
        ("Темір", "Темирский район", RURAL),
        ("Шалқар", "Шалкарский район", RURAL),
        ("Алға", "Алгинский район", RURAL),
    ),
    "190000000": (
        ("Қонаев", "Конаев", CITY),
        ("Іле", "Илийский район", RURAL),
        ("Қарасай", "Карасайский район", RURAL),
        ("Талғар", "Талгарский район", RURAL),
        ("Еңбекшіқазақ", "Енбекшиказахский район", RURAL),
        ("Жамбыл", "Жамбылский район", RURAL),
        ("Ұйғыр", "Уйгурский район", RURAL),
        ("Райымбек", "Райымбекский район", RURAL),
    ),
    "230000000": (
        ("Атырау", "Атырау", CITY),
        ("Жылыой", "Жылыойский район", RURAL),
        ("Құрманғазы", "Курмангазинский район", RURAL),
        ("Исатай", "Исатайский район", RURAL),
        ("Мақат", "Макатский район", RURAL),
        ("Индер", "Индерский район", RURAL),
    ),
    "630000000": (
        ("Өскемен", "Усть-Каменогорск", CITY),
        ("Риддер", "Риддер", CITY),
        ("Алтай", "район Алтай", RURAL),
        ("Глубокое", "Глубоковский район", RURAL),
        ("Шемонаиха", "Шемонаихинский район", RURAL),
        ("Зайсан", "Зайсанский район", RURAL),
        ("Күршім", "Курчумский район", RURAL),
        ("Ұлан", "Уланский район", RURAL),
    ),
    "350000000": (
        ("Қарағанды", "Караганда", CITY),
        ("Теміртау", "Темиртау", CITY),
        ("Балқаш", "Балхаш", CITY),
        ("Абай", "Абайский район", RURAL),
        ("Бұқар жырау", "Бухар-Жырауский район", RURAL),
        ("Осакаров", "Осакаровский район", RURAL),
        ("Қарқаралы", "Каркаралинский район", RURAL),
        ("Нұра", "Нуринский район", RURAL),
    ),
    "390000000": (
        ("Қостанай", "Костанай", CITY),
        ("Рудный", "Рудный", CITY),
        ("Лисаков", "Лисаковск", CITY),
        ("Қостанай", "Костанайский район", RURAL),
        ("Меңдіқара", "Мендыкаринский район", RURAL),
        ("Федоров", "Федоровский район", RURAL),
        ("Қарабалық", "Карабалыкский район", RURAL),
        ("Әулиекөл", "Аулиекольский район", RURAL),
    ),
    "430000000": (
        ("Қызылорда", "Кызылорда", CITY),
        ("Арал", "Аральский район", RURAL),
        ("Қазалы", "Казалинский район", RURAL),
        ("Қармақшы", "Кармакшинский район", RURAL),
        ("Жалағаш", "Жалагашский район", RURAL),
        ("Сырдария", "Сырдарьинский район", RURAL),
        ("Шиелі", "Шиелийский район", RURAL),
        ("Жаңақорған", "Жанакорганский район", RURAL),
    ),
    "470000000": (
        ("Ақтау", "Актау", CITY),
        ("Жаңаөзен", "Жанаозен", CITY),
        ("Бейнеу", "Бейнеуский район", RURAL),
        ("Қарақия", "Каракиянский район", RURAL),
        ("Маңғыстау", "Мангистауский район", RURAL),
        ("Түпқараған", "Тупкараганский район", RURAL),
        ("Мұнайлы", "Мунайлинский район", RURAL),
    ),
    "590000000": (
        ("Петропавл", "Петропавловск", CITY),
        ("Айыртау", "Айыртауский район", RURAL),
        ("Ақжар", "Акжарский район", RURAL),
        ("Есіл", "Есильский район", RURAL),
        ("Жамбыл", "Жамбылский район", RURAL),
        ("Қызылжар", "Кызылжарский район", RURAL),
        ("Мамлют", "Мамлютский район", RURAL),
        ("Тайынша", "Тайыншинский район", RURAL),
    ),
    "550000000": (
        ("Павлодар", "Павлодар", CITY),
        ("Екібастұз", "Экибастуз", CITY),
        ("Ақсу", "Аксу", CITY),
        ("Павлодар", "Павлодарский район", RURAL),
        ("Ертіс", "Иртышский район", RURAL),
        ("Баянауыл", "Баянаульский район", RURAL),
        ("Железин", "Железинский район", RURAL),
    ),
    "610000000": (
        ("Түркістан", "Туркестан", CITY),
        ("Кентау", "Кентау", CITY),
        ("Арыс", "Арыс", CITY),
        ("Сайрам", "Сайрамский район", RURAL),
        ("Төлеби", "Толебийский район", RURAL),
        ("Мақтаарал", "Мактааральский район", RURAL),
        ("Сарыағаш", "Сарыагашский район", RURAL),
        ("Ордабасы", "Ордабасинский район", RURAL),
        ("Түлкібас", "Тюлькубасский район", RURAL),
        ("Қазығұрт", "Казыгуртский район", RURAL),
    ),
    "620000000": (
        ("Жезқазған", "Жезказган", CITY),
        ("Сәтбаев", "Сатпаев", CITY),
        ("Қаражал", "Каражал", CITY),
        ("Ұлытау", "Улытауский район", RURAL),
        ("Жаңаарқа", "Жанааркинский район", RURAL),
    ),
    "270000000": (
        ("Орал", "Уральск", CITY),
        ("Бөрлі", "Бурлинский район", RURAL),
        ("Бәйтерек", "Байтерекский район", RURAL),
        ("Теректі", "Теректинский район", RURAL),
        ("Ақжайық", "Акжаикский район", RURAL),
        ("Жәнібек", "Жанибекский район", RURAL),
    ),
    "310000000": (
        ("Тараз", "Тараз", CITY),
        ("Байзақ", "Байзакский район", RURAL),
        ("Жамбыл", "Жамбылский район", RURAL),
        ("Меркі", "Меркенский район", RURAL),
        ("Қордай", "Кордайский район", RURAL),
        ("Шу", "Шуский район", RURAL),
        ("Жуалы", "Жуалынский район", RURAL),
    ),
    "330000000": (
        ("Талдықорған", "Талдыкорган", CITY),
        ("Текелі", "Текели", CITY),
        ("Ақсу", "Аксуский район", RURAL),
        ("Алакөл", "Алакольский район", RURAL),
        ("Ескелді", "Ескельдинский район", RURAL),
        ("Кербұлақ", "Кербулакский район", RURAL),
        ("Сарқан", "Саркандский район", RURAL),
        ("Панфилов", "Панфиловский район", RURAL),
    ),
}

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


# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------

KAZAKH_SURNAMES_M: Final = (
    "Ахметов", "Сейітов", "Жұмабаев", "Нұрланов", "Тоқтаров", "Құдайбергенов", "Әбілов",
    "Омаров", "Сүлейменов", "Жақсылықов", "Ермеков", "Қасымов", "Бекболатов", "Сәрсенбаев",
    "Мұқанов", "Оспанов", "Төлеуов", "Ибраимов", "Исаев", "Қайратов", "Абдуллаев",
    "Байжанов", "Есенов", "Досмағамбетов", "Әлиев", "Рахымжанов", "Серікбаев", "Жүнісов",
    "Шәкенов", "Ғабдуллин", "Темірбеков", "Ілиясов", "Үсенов", "Өтегенов", "Бисенов",
    "Мұхаметжанов", "Қуанышев", "Нұрмағамбетов", "Әбдірахманов", "Бекқожаев", "Тұрсынов",
    "Дүйсенбаев", "Ыбырайымов", "Жаңабаев", "Оразбеков", "Қалиев", "Смағұлов", "Байменов",
    "Ержанов", "Әміров", "Мәдиев", "Сағындықов", "Тәжібаев", "Қожахметов", "Жансүгіров",
    "Қабдолов", "Мырзахметов", "Бейсенов", "Ақылбеков", "Сұлтанов", "Кенжебаев", "Мамытов",
    "Сатыбалдиев", "Айтжанов", "Ғалымжанов", "Нұрпейісов", "Шалабаев", "Әубәкіров",
    "Мұратов", "Есімов", "Жақыпов", "Қыдырбаев", "Рысқұлов", "Тілеубердиев", "Асқаров",
    "Сәбитов", "Баймұхамедов", "Құрманов", "Жолдасбеков", "Ахметжанов", "Иманғалиев",
    "Қалмұханбетов", "Сейфуллин", "Шаһмарданов", "Ордабаев", "Бәйменов", "Үмбетов",
)  # fmt: skip
# Newer Kazakh-style surnames without a Russian ending: the same for men and women.
KAZAKH_SURNAMES_PLAIN: Final = (
    "Сейітқали", "Бекмұхамбет", "Төлеген", "Нұрғали", "Жақсыбек", "Әбдіғали", "Серікбай",
    "Құдайберді",
)  # fmt: skip
KAZAKH_GIVEN_F: Final = (
    "Айгүл", "Әйгерім", "Әсел", "Гүлнар", "Гүлмира", "Жанар", "Салтанат", "Динара",
    "Ақмарал", "Аружан", "Айжан", "Мөлдір", "Ұлжан", "Үміт", "Іңкәр", "Шынар", "Сәуле",
    "Жұлдыз", "Ләззат", "Құралай", "Мақпал", "Ботагөз", "Раушан", "Бибігүл", "Меруерт",
    "Жансая", "Назгүл", "Айнұр", "Ақерке", "Анар", "Зәуре", "Қарлығаш", "Сандуғаш",
    "Балжан", "Райхан", "Гүлжан", "Эльмира", "Әсем", "Дана", "Камила", "Әлия", "Роза",
    "Сәния", "Гауһар", "Мәдина", "Дариға", "Айсұлу", "Ақбота", "Нұргүл", "Зуһра", "Индира",
    "Лаура", "Жібек", "Маржан", "Арайлым", "Толқын", "Күнсұлу", "Сымбат", "Тоғжан",
    "Шолпан", "Нәзира", "Баян", "Фариза", "Гүлбану", "Перизат", "Ақсәуле",
)  # fmt: skip
KAZAKH_GIVEN_M: Final = (
    "Нұрлан", "Ерлан", "Қайрат", "Серік", "Болат", "Бауыржан", "Дәулет", "Ғалым", "Мұрат",
    "Талғат", "Ержан", "Асқар", "Ерболат", "Мұхтар", "Арман", "Нұрсұлтан", "Санжар",
    "Әділет", "Бекзат", "Ерғали", "Жандос", "Қанат", "Марат", "Бақытжан", "Руслан",
    "Дархан", "Ақылбек", "Берік", "Ілияс", "Әлібек", "Нұржан", "Өмірзақ", "Ұлан", "Азамат",
    "Айдос", "Бейбіт", "Ержігіт", "Ислам", "Темірлан", "Жасұлан", "Олжас", "Самат",
    "Тимур", "Шыңғыс", "Жақсылық", "Жаһангер", "Мейірбек", "Рахат", "Әлішер", "Қуаныш",
    "Амангелді", "Ғабит", "Мәлік",
)  # fmt: skip
# Fathers' names for patronymics: consonant endings take -ович/-овна, -ұлы/-қызы.
KAZAKH_FATHERS: Final = (
    "Серік", "Болат", "Қайрат", "Нұрлан", "Ерлан", "Мұрат", "Талғат", "Марат", "Қанат",
    "Берік", "Асқар", "Жұмабай", "Сейіт", "Төлеген", "Ахмет", "Кенжебек", "Оразбек",
    "Ермек", "Сағындық", "Жақып", "Мақсат", "Бақытжан", "Қасым", "Омар", "Ерболат",
    "Бауыржан", "Тұрсын", "Жанат", "Дүйсен", "Нұрлыбек", "Бекболат", "Абылай", "Әбдіқадыр",
    "Сәбит", "Өмірбек", "Ұзақ", "Бүркіт",
)  # fmt: skip

RUSSIAN_SURNAMES_M: Final = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов",
    "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв",
    "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв",
    "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров",
    "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов",
    "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
    "Вишневский", "Савицкий", "Островский", "Петровский",
)  # fmt: skip
RUSSIAN_GIVEN_F: Final = (
    "Елена", "Ольга", "Наталья", "Татьяна", "Светлана", "Ирина", "Анна", "Марина", "Юлия",
    "Екатерина", "Людмила", "Галина", "Надежда", "Оксана", "Валентина", "Алёна",
    "Виктория", "Анастасия", "Евгения", "Лариса", "Любовь", "Вера", "Жанна", "Инна",
    "Кристина", "Дарья", "Ксения", "Нина", "Тамара", "Маргарита", "Полина", "Яна",
)  # fmt: skip
RUSSIAN_GIVEN_M: Final = (
    "Александр", "Сергей", "Андрей", "Алексей", "Дмитрий", "Владимир", "Николай",
    "Евгений", "Игорь", "Виктор", "Юрий", "Михаил", "Олег", "Павел", "Иван", "Денис",
    "Максим", "Роман", "Константин", "Вадим", "Артём", "Геннадий", "Валерий", "Антон",
    "Илья", "Кирилл", "Станислав",
)  # fmt: skip
# Masculine patronymics; the feminine replaces the final "ич" with "на".
RUSSIAN_PATRONYMICS: Final = (
    "Александрович", "Сергеевич", "Андреевич", "Алексеевич", "Дмитриевич", "Владимирович",
    "Николаевич", "Евгеньевич", "Игоревич", "Викторович", "Юрьевич", "Михайлович",
    "Олегович", "Павлович", "Иванович", "Петрович", "Васильевич", "Анатольевич",
    "Геннадьевич", "Валерьевич", "Борисович", "Григорьевич", "Фёдорович", "Степанович",
    "Леонидович", "Вячеславович", "Константинович",
)  # fmt: skip


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


# --------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------

VILLAGES: Final = (
    ("Ақсу", "Аксу"), ("Қаражар", "Каражар"), ("Жаңажол", "Жанажол"), ("Бірлік", "Бирлик"),
    ("Көктерек", "Коктерек"), ("Талдыбұлақ", "Талдыбулак"), ("Қызылту", "Кызылту"),
    ("Сарыбұлақ", "Сарыбулак"), ("Ынтымақ", "Ынтымак"), ("Жаңаталап", "Жанаталап"),
    ("Шұбар", "Шубар"), ("Қарасу", "Карасу"), ("Бескөл", "Бесколь"), ("Жалғызтал", "Жалгызтал"),
    ("Қайнар", "Кайнар"), ("Көкөзек", "Кокозек"), ("Ақтоғай", "Актогай"), ("Ақбұлақ", "Акбулак"),
    ("Тасқала", "Таскала"), ("Ақжар", "Акжар"), ("Қоянды", "Коянды"), ("Сұлукөл", "Сулуколь"),
    ("Бәйтерек", "Байтерек"), ("Жаңаауыл", "Жанаауыл"), ("Ортақ", "Ортак"), ("Достық", "Достык"),
    ("Береке", "Береке"), ("Бостандық", "Бостандык"), ("Қызылжар", "Кызылжар"),
    ("Теректі", "Теректы"), ("Шалқар", "Шалкар"), ("Балқұдық", "Балкудук"), ("Үшқоңыр", "Ушконыр"),
    ("Төрткөл", "Турткуль"), ("Егіндікөл", "Егиндыколь"), ("Көкжар", "Кокжар"),
    ("Қарабұлақ", "Карабулак"), ("Ақши", "Акши"), ("Жетіген", "Жетыген"), ("Ырғайты", "Ыргайты"),
    ("Өрнек", "Орнек"), ("Құмкент", "Кумкент"), ("Ақмешіт", "Акмечеть"), ("Қоғалы", "Когалы"),
    ("Таңатар", "Танатар"), ("Жосалы", "Жосалы"), ("Майбалық", "Майбалык"),
    ("Ивановка", "Ивановка"), ("Андреевка", "Андреевка"), ("Петровка", "Петровка"),
    ("Николаевка", "Николаевка"), ("Михайловка", "Михайловка"), ("Родниковка", "Родниковка"),
    ("Садовое", "Садовое"), ("Степное", "Степное"), ("Приречное", "Приречное"),
    ("Луговое", "Луговое"), ("Березовка", "Березовка"), ("Каменка", "Каменка"),
    ("Октябрьское", "Октябрьское"), ("Зеленый Гай", "Зеленый Гай"), ("Новоишимка", "Новоишимка"),
)  # fmt: skip
EPONYMS: Final = (  # (Kazakh, Russian genitive, English)
    ("Абай", "Абая", "Abai"),
    ("Мұхтар Әуезов", "Мухтара Ауэзова", "Mukhtar Auezov"),
    ("Ыбырай Алтынсарин", "Ибрая Алтынсарина", "Ybyrai Altynsarin"),
    ("Шоқан Уәлиханов", "Чокана Валиханова", "Shokan Valikhanov"),
    ("Мағжан Жұмабаев", "Магжана Жумабаева", "Magzhan Zhumabayev"),
    ("Әлихан Бөкейхан", "Алихана Букейхана", "Alikhan Bokeikhan"),
    ("Ахмет Байтұрсынұлы", "Ахмета Байтурсынулы", "Akhmet Baitursynuly"),
    ("Жамбыл Жабаев", "Жамбыла Жабаева", "Zhambyl Zhabayev"),
    ("Сәкен Сейфуллин", "Сакена Сейфуллина", "Saken Seifullin"),
    ("Бауыржан Момышұлы", "Бауыржана Момышулы", "Baurzhan Momyshuly"),
    ("Мұқағали Мақатаев", "Мукагали Макатаева", "Mukagali Makatayev"),
    ("Александр Пушкин", "Александра Пушкина", "Alexander Pushkin"),
    ("Абылай хан", "Абылай хана", "Abylai Khan"),
    ("Қаныш Сәтбаев", "Каныша Сатпаева", "Kanysh Satpayev"),
    ("Әл-Фараби", "Аль-Фараби", "Al-Farabi"),
    ("Ілияс Есенберлин", "Ильяса Есенберлина", "Ilyas Yesenberlin"),
)
KINDERGARTEN_NAMES: Final = (
    "Балапан", "Айгөлек", "Күншуақ", "Ақбота", "Балдырған", "Еркетай", "Қуаныш", "Бөбек",
    "Шаттық", "Нұрай", "Самал", "Ақниет", "Болашақ", "Жұлдыз", "Арай", "Мөлдір", "Ертегі",
    "Құлыншақ", "Айсұлу", "Қызғалдақ", "Бәйшешек", "Солнышко", "Ромашка", "Теремок",
    "Колокольчик", "Светлячок", "Радуга", "Берёзка",
)  # fmt: skip
COLLEGE_TYPES: Final = (  # (Kazakh, Russian, English)
    ("жоғары педагогикалық", "Высший педагогический", "Higher Pedagogical"),
    ("политехникалық", "Политехнический", "Polytechnic"),
    ("медициналық", "Медицинский", "Medical"),
    ("аграрлық", "Аграрный", "Agrarian"),
    ("индустриялық-техникалық", "Индустриально-технический", "Industrial and Technical"),
    ("гуманитарлық-техникалық", "Гуманитарно-технический", "Humanities and Technical"),
    ("құрылыс-техникалық", "Строительно-технический", "Construction and Technical"),
    ("көпсалалы", "Многопрофильный", "Multidisciplinary"),
    ("музыкалық", "Музыкальный", "Music"),
    ("экономикалық", "Экономический", "Economic"),
)
UNIVERSITY_TYPES: Final = (
    ("мемлекеттік", "Государственный", "State"),
    ("педагогикалық", "Педагогический", "Pedagogical"),
    ("техникалық", "Технический", "Technical"),
    ("медициналық", "Медицинский", "Medical"),
    ("гуманитарлық", "Гуманитарный", "Humanities"),
    ("аграрлық-техникалық", "Аграрно-технический", "Agrarian and Technical"),
    ("инженерлік-экономикалық", "Инженерно-экономический", "Engineering and Economics"),
)


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


# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------

SUBJECT_WEIGHTS: Final = (  # secondary school subjects and how many teach them
    ("kazakh_language", 10), ("kazakh_literature", 4), ("russian_language", 7),
    ("russian_literature", 2), ("english", 12), ("mathematics", 15), ("physics", 5),
    ("chemistry", 4), ("biology", 5), ("geography", 4), ("history", 8), ("informatics", 5),
    ("physical_education", 8), ("music", 2), ("art", 2), ("technology", 3),
    ("initial_military_training", 2), ("self_knowledge", 1), ("fundamentals_of_law", 1),
)  # fmt: skip
SUBJECT_PAIRS: Final[dict[str, str]] = {
    "kazakh_language": "kazakh_literature",
    "kazakh_literature": "kazakh_language",
    "russian_language": "russian_literature",
    "russian_literature": "russian_language",
    "mathematics": "physics",
    "physics": "mathematics",
    "chemistry": "biology",
    "biology": "chemistry",
    "history": "fundamentals_of_law",
    "geography": "biology",
}
PRIMARY_SPECIALISTS: Final = (
    ("english", 5), ("physical_education", 4), ("music", 2), ("kazakh_language", 3),
    ("russian_language", 2), ("art", 1),
)  # fmt: skip
LECTURER_SUBJECTS: Final = (
    ("pedagogy", 6), ("psychology", 3), ("mathematics", 4), ("informatics", 4), ("english", 3),
    ("kazakh_language", 3), ("russian_language", 2), ("history", 2), ("economics", 3),
    ("engineering", 4), ("nursing", 3), ("agronomy", 2), ("music", 1), ("physics", 2),
    ("chemistry", 2), ("biology", 2),
)  # fmt: skip
MALE_LEANING_SUBJECTS: Final = frozenset(
    {"physical_education", "initial_military_training", "technology", "engineering"}
)
# Plain strings in the per-row tables: enum members hash in Python code, which shows at
# 400,000 rows.
FEMALE_SHARE: Final[dict[str, float]] = {
    Position.TEACHER: 0.84,
    Position.PRESCHOOL_TEACHER: 0.98,
    Position.LECTURER: 0.70,
    Position.DIRECTOR: 0.62,
    Position.DEPUTY_DIRECTOR: 0.78,
    Position.PSYCHOLOGIST: 0.93,
    Position.LIBRARIAN: 0.97,
    Position.METHODOLOGIST: 0.86,
    Position.SOCIAL_PEDAGOGUE: 0.92,
    Position.SPEECH_THERAPIST: 0.98,
    Position.TUTOR: 0.80,
    Position.TRAINER: 0.75,
    Position.OTHER: 0.70,
}
FEMALE_SHARE = {str(k): v for k, v in FEMALE_SHARE.items()}  # type: ignore[misc]
# (lowest experience of the band, categories and weights)
CATEGORY_BANDS: Final = (
    (0, ((Category.NONE, 55), (Category.PEDAGOGUE, 45))),
    (3, ((Category.NONE, 10), (Category.PEDAGOGUE, 50), (Category.MODERATOR, 40))),
    (8, ((Category.NONE, 4), (Category.PEDAGOGUE, 16), (Category.MODERATOR, 40),
         (Category.EXPERT, 25), (Category.LEGACY_SECOND, 7), (Category.LEGACY_FIRST, 8))),
    (13, ((Category.NONE, 3), (Category.PEDAGOGUE, 5), (Category.MODERATOR, 25),
          (Category.EXPERT, 30), (Category.RESEARCHER, 15), (Category.MASTER, 2),
          (Category.LEGACY_FIRST, 12), (Category.LEGACY_HIGHEST, 8))),
    (21, ((Category.NONE, 2), (Category.PEDAGOGUE, 3), (Category.MODERATOR, 15),
          (Category.EXPERT, 30), (Category.RESEARCHER, 20), (Category.MASTER, 5),
          (Category.LEGACY_FIRST, 7), (Category.LEGACY_HIGHEST, 18))),
)  # fmt: skip
LEGACY_CATEGORIES: Final = frozenset(
    {str(Category.LEGACY_SECOND), str(Category.LEGACY_FIRST), str(Category.LEGACY_HIGHEST)}
)
OVER_TEN_BANDS: Final = ((11, 15, 30), (16, 20, 24), (21, 25, 19), (26, 30, 14), (31, 35, 8),
                         (36, 42, 5))  # fmt: skip
EMAIL_DOMAINS: Final = (
    ("mail.ru", 45), ("gmail.com", 30), ("mail.kz", 8), ("yandex.kz", 5), ("inbox.ru", 5),
    ("bk.ru", 4), ("list.ru", 3),
)  # fmt: skip
PHONE_PREFIXES: Final = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "776",
                         "777", "778")  # fmt: skip


def _choice(rng: random.Random, seq: Sequence[str]) -> str:
    # Cheaper than rng.choice and just as deterministic: one random() per pick.
    return seq[int(rng.random() * len(seq))]


def _randint(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def _weighted(pairs: Sequence[tuple[str, int | float]]) -> Callable[[random.Random], str]:
    values = [str(p[0]) for p in pairs]
    cumulative: list[float] = []
    running = 0.0
    for _, w in pairs:
        running += w
        cumulative.append(running)
    total, last = running, len(values) - 1

    def pick(rng: random.Random) -> str:
        return values[min(last, bisect_right(cumulative, rng.random() * total))]

    return pick


_pick_subject = _weighted(SUBJECT_WEIGHTS)
_pick_primary_specialist = _weighted(PRIMARY_SPECIALISTS)
_pick_lecturer_subject = _weighted(LECTURER_SUBJECTS)
_pick_domain = _weighted(EMAIL_DOMAINS)
_pick_category = [(low, _weighted(weights)) for low, weights in CATEGORY_BANDS]
_pick_other = {group: _weighted(pairs) for group, pairs in OTHER_TRADITIONS.items()}


def staff_positions(kind: str, n: int) -> list[str]:
    """The positions of an organisation with ``n`` staff, leaders first."""
    positions: list[str] = []

    def add(position: str, count: int) -> None:
        positions.extend([str(position)] * max(0, min(count, n - len(positions))))

    P = Position
    if n <= 0:
        return positions
    add(P.DIRECTOR, 1)
    if kind in (OrganisationKind.SCHOOL, OrganisationKind.NIS):
        add(P.DEPUTY_DIRECTOR, 3 if n >= 45 else 2 if n >= 14 else 1 if n >= 7 else 0)
        add(P.PSYCHOLOGIST, 2 if n >= 80 else 1 if n >= 18 else 0)
        add(P.LIBRARIAN, 1 if n >= 12 else 0)
        add(P.SOCIAL_PEDAGOGUE, 1 if n >= 30 else 0)
        add(P.SPEECH_THERAPIST, 1 if n >= 60 else 0)
        add(P.TUTOR, 2 if kind == OrganisationKind.NIS else 0)
        add(P.TEACHER, n)
    elif kind == OrganisationKind.KINDERGARTEN:
        add(P.METHODOLOGIST, 1 if n >= 10 else 0)
        add(P.PSYCHOLOGIST, 1 if n >= 15 else 0)
        add(P.SPEECH_THERAPIST, 1 if n >= 18 else 0)
        add(P.PRESCHOOL_TEACHER, n)
    elif kind in (OrganisationKind.COLLEGE, OrganisationKind.UNIVERSITY):
        add(P.DEPUTY_DIRECTOR, 3 if n >= 60 else 2)
        add(P.METHODOLOGIST, 2 if n >= 100 else 1)
        add(P.PSYCHOLOGIST, 1)
        add(P.LIBRARIAN, 2 if n >= 150 else 1)
        add(P.LECTURER, n)
    elif kind == OrganisationKind.METHOD_CENTRE:
        add(P.DEPUTY_DIRECTOR, 1 if n >= 8 else 0)
        add(P.TRAINER, 2 if n >= 10 else 0)
        add(P.METHODOLOGIST, n)
    else:  # education departments
        add(P.DEPUTY_DIRECTOR, 1 if n >= 5 else 0)
        add(P.OTHER, 1 if n >= 8 else 0)
        add(P.METHODOLOGIST, n)
    return positions


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class _PeopleState:
    rng: random.Random
    as_of: date
    iins: set[str] = field(default_factory=set)
    folded: dict[str, str] = field(default_factory=dict)

    def fold(self, name: str) -> str:
        key = self.folded.get(name)
        if key is None:
            key = fold(name).replace(" ", "")
            self.folded[name] = key
        return key


_KAZAKH_ONLY: Final = ("kk",)
_RUSSIAN_ONLY: Final = ("ru",)
_TEACHER: Final = str(Position.TEACHER)
_PRESCHOOL_TEACHER: Final = str(Position.PRESCHOOL_TEACHER)
_LECTURER: Final = str(Position.LECTURER)
_METHODOLOGIST: Final = str(Position.METHODOLOGIST)
_LIBRARIAN: Final = str(Position.LIBRARIAN)
_SENIOR: Final = frozenset(
    {str(Position.DIRECTOR), str(Position.DEPUTY_DIRECTOR), str(Position.METHODOLOGIST)}
)
_NIS: Final = str(OrganisationKind.NIS)
_UNIVERSITY: Final = str(OrganisationKind.UNIVERSITY)
_NONE: Final = str(Category.NONE)
_OVER_TEN_CUMULATIVE: Final = (30, 54, 73, 87, 95, 100)


def _tradition(rng: random.Random, org: OrgSpec, area: AreaSpec) -> str:
    kazakh, other = area.kazakh, area.other
    if org.languages == _KAZAKH_ONLY:
        kazakh, other = 0.97, 0.01
    elif org.languages == _RUSSIAN_ONLY:
        kazakh, other = kazakh * 0.5, min(0.3, other * 1.5)
    elif "uz" in org.languages or "ug" in org.languages:
        kazakh, other = 0.35, 0.6
    r = rng.random()
    if r < kazakh:
        return "kazakh"
    if r < kazakh + other:
        return _pick_other[area.region_group](rng)
    return "russian"


def _experience(rng: random.Random, position: str) -> int:
    if rng.random() < OVER_TEN_YEARS:
        band = bisect_right(_OVER_TEN_CUMULATIVE, rng.random() * 100)
        low, high, _ = OVER_TEN_BANDS[min(band, len(OVER_TEN_BANDS) - 1)]
        return _randint(rng, low, high)
    if position in _SENIOR:
        return _randint(rng, 5, 10)
    return _randint(rng, 0, 10)


def _person_row(state: _PeopleState, org: OrgSpec, area: AreaSpec, position: str) -> Row:
    rng, as_of = state.rng, state.as_of
    random_ = rng.random
    # What and where they teach.
    level = ""
    subjects: list[str] = []
    if position == _TEACHER:
        if org.primary_only:
            primary_share = 1.0
        elif org.kind == _NIS:  # Intellectual schools teach grades 7-12
            primary_share = 0.0
        else:
            primary_share = PRIMARY_SHARE
        if random_() < primary_share:
            level = "primary"
            subjects = (
                ["primary_education"] if random_() < 0.78 else [_pick_primary_specialist(rng)]
            )
        else:
            level = "lower_secondary" if random_() < 0.6 else "upper_secondary"
            subject = _pick_subject(rng)
            subjects = [subject]
            pair = SUBJECT_PAIRS.get(subject)
            if pair and random_() < 0.3:
                subjects.append(pair)
    elif position == _PRESCHOOL_TEACHER:
        level = "preschool"
        subjects = ["preschool_education"]
    elif position == _LECTURER:
        level = "higher" if org.kind == _UNIVERSITY else "tvet"
        subjects = [_pick_lecturer_subject(rng)]
    elif position == _METHODOLOGIST and random_() < 0.5:
        subjects = [_pick_subject(rng)]

    female_share = FEMALE_SHARE.get(position, 0.8)
    if subjects and subjects[0] in MALE_LEANING_SUBJECTS:
        female_share = 0.35
    female = random_() < female_share
    name = make_name(rng, _tradition(rng, org, area), female)

    # Experience first, then an age that leaves room for it (studies end at 21 or later).
    experience = _experience(rng, position)
    start_age = 21 + min(6, int(rng.expovariate(0.7)))
    gap = _randint(rng, 1, 6) if random_() < 0.2 else 0
    age = min(64, start_age + experience + gap)
    birth = as_of - timedelta(days=age * 365 + age // 4 + _randint(rng, 0, 364))
    sex = "F" if female else "M"
    while True:
        iin = make_iin(birth, sex, _randint(rng, 0, 9999))  # type: ignore[arg-type]
        if iin is not None and iin not in state.iins:
            state.iins.add(iin)
            break

    career_start = _add_years(as_of, -experience)
    adult = _add_years(birth, 20)
    if experience == 0:
        started = as_of - timedelta(days=_randint(rng, 1, 90))
    else:
        tenure = experience if random_() < 0.55 else _randint(rng, 0, experience)
        if tenure == 0:
            started = as_of - timedelta(days=_randint(rng, 1, 300))
        elif random_() < 0.7:  # most people start on the first day of a school year
            started = date(as_of.year - tenure, 9, 1)
        else:
            started = as_of - timedelta(days=tenure * 365 + _randint(rng, 0, 300))
    started = min(max(started, adult), as_of - timedelta(days=1))

    pick_category = _pick_category[0][1]
    for low, pick in _pick_category:
        if experience >= low:
            pick_category = pick
    category = pick_category(rng)
    if position == _LIBRARIAN and random_() < 0.7:
        category = _NONE
    awarded = ""
    if category != _NONE:
        if category in LEGACY_CATEGORIES:  # awarded before the 2020 categories
            day = date(2013, 1, 1) + timedelta(days=_randint(rng, 0, 6 * 365))
        elif random_() < 0.88:
            day = as_of - timedelta(days=_randint(rng, 30, 5 * 365 - 1))
        else:  # overdue for attestation
            day = as_of - timedelta(days=_randint(rng, 5 * 365 + 1, 7 * 365))
        day = max(day, career_start, adult)
        awarded = min(day, as_of - timedelta(days=1)).isoformat()

    email = ""
    if random_() < 0.65:
        local = f"{state.fold(name.given_name)}.{state.fold(name.surname)}"
        if random_() < 0.5:
            local += f"{birth.year % 100:02d}"
        email = f"{local}@{_pick_domain(rng)}"
    phone = ""
    if random_() < 0.85:
        phone = f"+7{_choice(rng, PHONE_PREFIXES)}{_randint(rng, 0, 9_999_999):07d}"

    return {
        "iin": iin,
        "surname": name.surname,
        "given_name": name.given_name,
        "patronymic": name.patronymic,
        "birth_date": birth.isoformat(),
        "sex": sex,
        "email": email,
        "phone": phone,
        "organisation_code": org.code,
        "position": position,
        "subjects": ";".join(subjects),
        "level": level,
        "category": category,
        "category_awarded_on": awarded,
        "experience_years": str(experience),
        "started_on": started.isoformat(),
    }


# --------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------


@dataclass
class SeedPlan:
    """Districts and organisations (small, kept in memory); people are streamed."""

    scale: Scale
    seed: int
    as_of: date
    areas: dict[str, AreaSpec]
    districts: list[DistrictSpec]
    organisations: list[OrgSpec]

    @property
    def people_count(self) -> int:
        return sum(o.staff for o in self.organisations)

    def district_rows(self) -> Iterator[Row]:
        return (d.row() for d in self.districts)

    def organisation_rows(self) -> Iterator[Row]:
        return (o.row() for o in self.organisations)

    def people_rows(self) -> Iterator[Row]:
        """Every call starts afresh and yields the same rows."""
        state = _PeopleState(rng=_rng(self.seed, "people"), as_of=self.as_of)
        for org in self.organisations:
            area = self.areas[org.area_code]
            for position in staff_positions(org.kind, org.staff):
                yield _person_row(state, org, area, position)


def _rng(seed: int, stage: str) -> random.Random:
    # A string seed is hashed with SHA-512 by random.Random: stable across runs and versions.
    return random.Random(f"kaskad-seed:{seed}:{stage}")


def build_plan(
    scale: str | Scale,
    seed: int,
    *,
    people: int | None = None,
    organisations: int | None = None,
    as_of: date | None = None,
) -> SeedPlan:
    """Plan districts and organisations (with their staff numbers) for a scale and seed."""
    spec = SCALES[scale] if isinstance(scale, str) else scale
    if organisations is not None:
        spec = replace(spec, organisations=organisations)
    if people is not None:
        spec = replace(spec, people=people)
    as_of = as_of or default_as_of()
    rng = _rng(seed, "organisations")
    all_areas = load_areas()
    codes = spec.area_codes or tuple(all_areas)
    areas = [all_areas[c] for c in codes]

    districts: dict[str, list[DistrictSpec]] = {
        a.code: _districts_of(a.code, spec.districts_per_area) for a in areas
    }

    # Fixed offices: one education department and methodological centre per area, an
    # Intellectual school per area (or only the first), universities in the biggest cities,
    # and district offices at national scale.
    drafts: list[_Draft] = []
    for index, area in enumerate(areas):
        centre = districts[area.code][0]
        for kind in (OrganisationKind.EDUCATION_DEPARTMENT, OrganisationKind.METHOD_CENTRE):
            drafts.append(_Draft(kind, area, centre, Locality.URBAN, area_level=True))
        if spec.nis_everywhere or index == 0:
            drafts.append(_Draft(OrganisationKind.NIS, area, centre, Locality.URBAN))
        # District offices only when there is room for them among the organisations asked for.
        if spec.district_offices and spec.organisations >= 2000:
            for district in districts[area.code]:
                if district.kind == CITY_DISTRICT:
                    continue
                locality = Locality.URBAN if district.kind == CITY else Locality.RURAL
                for kind in (
                    OrganisationKind.EDUCATION_DEPARTMENT,
                    OrganisationKind.METHOD_CENTRE,
                ):
                    drafts.append(_Draft(kind, area, district, locality))
    n_universities = round(spec.universities * min(1.0, spec.organisations / 7500))
    universities = apportion([a.population**1.5 for a in areas], n_universities)
    for area, count in zip(areas, universities, strict=True):
        cities = [d for d in districts[area.code] if d.kind != RURAL]
        for i in range(count):
            drafts.append(
                _Draft(OrganisationKind.UNIVERSITY, area, cities[i % len(cities)], Locality.URBAN)
            )

    # The rest by population: schools, kindergartens, colleges; at least one school each.
    flexible_total = max(len(areas), spec.organisations - len(drafts))
    per_area = apportion([a.population for a in areas], flexible_total, minimum=1)
    flexible: dict[str, list[_Draft]] = {}
    for area, count in zip(areas, per_area, strict=True):
        kinds = apportion([share for _, share in FLEXIBLE_KINDS], count, minimum=0)
        if count and kinds[0] == 0:
            kinds = [1, *kinds[1:]]
            kinds[max(range(1, len(kinds)), key=lambda i: kinds[i])] -= 1
        items = [
            _Draft(kind, area, districts[area.code][0], Locality.URBAN)
            for (kind, _), n in zip(FLEXIBLE_KINDS, kinds, strict=True)
            for _ in range(n)
        ]
        rng.shuffle(items)
        flexible[area.code] = items

    # Locality: every organisation of the three cities is urban; in the regions the urban
    # share is set so the whole country comes to URBAN_SHARE. Colleges go to towns first.
    target_urban = round(URBAN_SHARE * (len(drafts) + sum(per_area)))
    urban_now = sum(1 for d in drafts if d.locality == Locality.URBAN) + sum(
        len(flexible[a.code]) for a in areas if a.kind == "city"
    )
    region_flexible = sum(len(flexible[a.code]) for a in areas if a.kind != "city")
    share = (target_urban - urban_now) / region_flexible if region_flexible else 0.0
    share = min(1.0, max(0.0, share))
    for area in areas:
        items = flexible[area.code]
        cities = [d for d in districts[area.code] if d.kind != RURAL]
        rural = [d for d in districts[area.code] if d.kind == RURAL]
        if area.kind == "city" or not rural:
            for item in items:
                item.district = rng.choice(cities)
            continue
        order = sorted(
            range(len(items)),
            key=lambda i: (items[i].kind != OrganisationKind.COLLEGE, rng.random()),
        )
        n_urban = round(share * len(items))
        city_weights = [3.0] + [1.0] * (len(cities) - 1)
        for rank, i in enumerate(order):
            if rank < n_urban:
                items[i].district = rng.choices(cities, weights=city_weights)[0]
            else:
                items[i].locality = Locality.RURAL
                items[i].district = rng.choice(rural)
    for area in areas:
        drafts.extend(flexible[area.code])

    # Ungraded small schools: a share of all schools, always rural; a few teach only
    # primary grades, and a very few have closed.
    schools = [d for d in drafts if d.kind == OrganisationKind.SCHOOL]
    rural_schools = [d for d in schools if d.locality == Locality.RURAL]
    n_ungraded = min(len(rural_schools), round(UNGRADED_SHARE * len(schools)))
    for draft in rng.sample(rural_schools, n_ungraded):
        draft.ungraded = True
        draft.primary_only = rng.random() < 0.25
        draft.is_open = rng.random() >= 0.03

    # Identifiers and names.
    namer = _Namer(rng)
    bins: set[str] = set()
    specs: list[OrgSpec] = []
    local_numbers: dict[str, int] = {}
    for draft in drafts:
        name_kk, name_ru, name_en = _name(namer, draft)
        needs_bin = draft.kind not in (
            OrganisationKind.KINDERGARTEN,
            OrganisationKind.METHOD_CENTRE,
        ) or rng.random() < (0.6 if draft.kind == OrganisationKind.KINDERGARTEN else 0.3)
        bin_value = ""
        if needs_bin:
            while True:
                candidate = make_bin(
                    rng.randint(1995, 2021), rng.randint(1, 12), rng.randint(0, 99_999)
                )
                if candidate is not None and candidate not in bins:
                    bins.add(candidate)
                    bin_value = candidate
                    break
            code = bin_value
        else:
            tag = "KG" if draft.kind == OrganisationKind.KINDERGARTEN else "MC"
            key = f"{draft.area.code[:2]}-{tag}"
            local_numbers[key] = local_numbers.get(key, 0) + 1
            code = f"{key}-{local_numbers[key]:04d}"
        specs.append(
            OrgSpec(
                code=code,
                bin=bin_value,
                name_kk=name_kk,
                name_ru=name_ru,
                name_en=name_en,
                kind=str(draft.kind),
                area_code=draft.area.code,
                district_code=draft.district.code,
                locality=str(draft.locality),
                ungraded=draft.ungraded,
                languages=_languages(rng, draft.area, draft.kind),
                is_open=draft.is_open,
                primary_only=draft.primary_only,
            )
        )

    # Staff numbers: typical sizes by kind, scaled to the people wanted. Every school keeps a
    # director and a few teachers, every other organisation at least its head.
    weights = [_staff_weight(rng, d) for d in drafts]
    minimums = [
        0 if w == 0 else 4 if d.kind == OrganisationKind.SCHOOL else 1
        for d, w in zip(drafts, weights, strict=True)
    ]
    for org, n in zip(specs, apportion(weights, spec.people, minimum=minimums), strict=True):
        org.staff = n

    all_districts = [d for a in areas for d in districts[a.code]]
    return SeedPlan(
        scale=spec,
        seed=seed,
        as_of=as_of,
        areas={a.code: a for a in areas},
        districts=all_districts,
        organisations=specs,
    )


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> int:
    """Write UTF-8 CSV with a header row; returns the number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_files(plan: SeedPlan, out_dir: Path) -> dict[str, tuple[Path, int]]:
    """Write districts.csv, organisations.csv and people.csv; returns {kind: (path, rows)}."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, tuple[Path, int]] = {}
    for kind, columns, rows in (
        ("districts", DISTRICT_COLUMNS, plan.district_rows()),
        ("organisations", ORGANISATION_COLUMNS, plan.organisation_rows()),
        ("people", PEOPLE_COLUMNS, plan.people_rows()),
    ):
        path = out_dir / f"{kind}.csv"
        result[kind] = (path, write_csv(path, columns, rows))
    return result
