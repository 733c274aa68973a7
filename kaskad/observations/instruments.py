"""An instrument version as plain data: what the seed file, the XLSX import and the export
share. Texts are dictionaries by language code (kk, ru, en)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LANGS = ("kk", "ru", "en")
SCALES = (4, 5, 7)
SEED_FILE = Path(__file__).resolve().parent / "data" / "kaskad_lesson_observation.json"

Texts = dict[str, str]


@dataclass
class BehaviourData:
    level: int
    text: Texts


@dataclass
class ElementData:
    code: str
    name: Texts
    scale: int
    allows_na: bool = False
    na_rule: Texts = field(default_factory=dict)
    behaviours: list[BehaviourData] = field(default_factory=list)


@dataclass
class DomainData:
    code: str
    name: Texts
    elements: list[ElementData] = field(default_factory=list)


@dataclass
class VersionData:
    code: str
    number: int
    name: Texts
    description: Texts = field(default_factory=dict)
    domains: list[DomainData] = field(default_factory=list)


def from_dict(raw: dict[str, Any]) -> VersionData:
    return VersionData(
        code=raw["code"],
        number=int(raw["number"]),
        name=dict(raw["name"]),
        description=dict(raw.get("description") or {}),
        domains=[
            DomainData(
                code=d["code"],
                name=dict(d["name"]),
                elements=[
                    ElementData(
                        code=e["code"],
                        name=dict(e["name"]),
                        scale=int(e["scale"]),
                        allows_na=bool(e.get("na")),
                        na_rule=dict(e.get("na_rule") or {}),
                        behaviours=[
                            BehaviourData(level=int(level), text=dict(text))
                            for level, text in sorted(
                                e["behaviours"].items(), key=lambda kv: int(kv[0])
                            )
                        ],
                    )
                    for e in d["elements"]
                ],
            )
            for d in raw["domains"]
        ],
    )


def seed_instrument() -> VersionData:
    """The centre's own instrument, shipped with Kaskad."""
    return from_dict(json.loads(SEED_FILE.read_text(encoding="utf-8")))


def texts(prefix: str, values: Texts) -> dict[str, str]:
    """Model keyword arguments for a translated field: the base field (default language)
    and one per language."""
    out = {prefix: values.get("kk") or values.get("ru") or values.get("en") or ""}
    # After the base field: setting it writes the active language's field, which the
    # language's own value then overwrites.
    out.update({f"{prefix}_{lang}": values.get(lang, "") for lang in LANGS})
    return out


def write_tree(
    version: Any, data: VersionData, *, domain_model: Any, element_model: Any, behaviour_model: Any
) -> None:
    """Create the domains, elements and behaviours of ``version`` (model classes passed in, so
    that the data migration can use its historical models)."""
    behaviours: list[Any] = []
    for d_order, d in enumerate(data.domains, start=1):
        domain = domain_model.objects.create(
            version=version, code=d.code, order=d_order, **texts("name", d.name)
        )
        for e_order, e in enumerate(d.elements, start=1):
            element = element_model.objects.create(
                version=version,
                domain=domain,
                code=e.code,
                order=e_order,
                scale_max=e.scale,
                allows_na=e.allows_na,
                **texts("name", e.name),
                **texts("na_rule", e.na_rule),
            )
            behaviours.extend(
                behaviour_model(element=element, level=b.level, **texts("text", b.text))
                for b in e.behaviours
            )
    behaviour_model.objects.bulk_create(behaviours)
