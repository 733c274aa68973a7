"""People: positions, subjects, experience, categories and contacts of each row."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from kaskad.registry.choices import Category, OrganisationKind, Position
from kaskad.registry.identifiers import make_iin
from kaskad.registry.names import fold
from kaskad.registry.seeding.areas import AreaSpec
from kaskad.registry.seeding.files import Row
from kaskad.registry.seeding.names import OTHER_TRADITIONS, _choice, make_name
from kaskad.registry.seeding.organisations import OrgSpec
from kaskad.registry.seeding.scales import OVER_TEN_YEARS, PRIMARY_SHARE
from kaskad.registry.seeding.tables import table

# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------

SUBJECT_WEIGHTS: Final = table(
    "staff", "SUBJECT_WEIGHTS"
)  # secondary school subjects and how many teach them
SUBJECT_PAIRS: Final[dict[str, str]] = table("staff", "SUBJECT_PAIRS")
PRIMARY_SPECIALISTS: Final = table("staff", "PRIMARY_SPECIALISTS")
LECTURER_SUBJECTS: Final = table("staff", "LECTURER_SUBJECTS")
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
EMAIL_DOMAINS: Final = table("staff", "EMAIL_DOMAINS")
PHONE_PREFIXES: Final = table("staff", "PHONE_PREFIXES")


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
