"""The plan: every row of a seeded registry, built deterministically from a seed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from kaskad.registry.choices import Locality, OrganisationKind
from kaskad.registry.identifiers import make_bin
from kaskad.registry.seeding.areas import (
    CITY,
    CITY_DISTRICT,
    RURAL,
    AreaSpec,
    DistrictSpec,
    _districts_of,
    load_areas,
)
from kaskad.registry.seeding.files import Row
from kaskad.registry.seeding.organisations import (
    OrgSpec,
    _Draft,
    _languages,
    _name,
    _Namer,
    _staff_weight,
    apportion,
)
from kaskad.registry.seeding.people import _PeopleState, _person_row, staff_positions
from kaskad.registry.seeding.scales import (
    FLEXIBLE_KINDS,
    SCALES,
    UNGRADED_SHARE,
    URBAN_SHARE,
    Scale,
    default_as_of,
)

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
