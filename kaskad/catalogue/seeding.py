"""Loading the catalogue of the source documents (data/programmes.json) through the services,
so the seeded programmes obey every rule a programme entered by hand obeys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction

from kaskad.catalogue.models import Programme, ProgrammeArea, QualityCertification
from kaskad.catalogue.reference import load_json
from kaskad.catalogue.services import (
    ModuleData,
    VersionData,
    certification_add,
    programme_create,
    version_approve,
)

if TYPE_CHECKING:
    from kaskad.accounts.models import User

SOURCE = "seed_catalogue"


@dataclass
class SeedResult:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    certifications: int = 0


def version_data(entry: dict[str, Any]) -> VersionData:
    return VersionData(
        title_kk=entry["title_kk"],
        title_ru=entry["title_ru"],
        title_en=entry["title_en"],
        description_kk=entry.get("description_kk", ""),
        description_ru=entry.get("description_ru", ""),
        description_en=entry.get("description_en", ""),
        audience_positions=list(entry.get("audience_positions", [])),
        audience_levels=list(entry.get("audience_levels", [])),
        hours=int(entry["hours"]),
        formats=list(entry["formats"]),
        languages=list(entry["languages"]),
        assessment_scheme=entry.get("assessment", "portfolio_presentation"),
        min_attendance_percent=int(entry.get("min_attendance_percent", 80)),
        modules=[
            ModuleData(
                title_kk=m["title_kk"],
                title_ru=m["title_ru"],
                title_en=m["title_en"],
                hours=int(m["hours"]),
            )
            for m in entry.get("modules", [])
        ],
    )


def seed_catalogue(
    *, by: User | None = None, entries: list[dict[str, Any]] | None = None
) -> SeedResult:
    """Create (and approve) every programme of the data file that does not exist yet, with its
    certifications. Programmes already in the catalogue are left alone; certifications
    missing from them are added. Running it twice changes nothing."""
    result = SeedResult()
    areas = {area.code: area for area in ProgrammeArea.objects.all()}
    for entry in entries if entries is not None else load_json("programmes.json"):
        code = entry["code"]
        with transaction.atomic():
            programme = Programme.objects.filter(code=code).first()
            if programme is None:
                programme = programme_create(
                    code=code,
                    area=areas[entry["area"]],
                    data=version_data(entry),
                    by=by,
                    source=SOURCE,
                )
                version_approve(version=programme.versions.get(number=1), by=by, source=SOURCE)
                result.created.append(code)
            else:
                result.skipped.append(code)
            for cert in entry.get("certifications", []):
                certified_on = date.fromisoformat(cert["certified_on"])
                if QualityCertification.objects.filter(
                    programme=programme, body__iexact=cert["body"], certified_on=certified_on
                ).exists():
                    continue
                certification_add(
                    programme=programme,
                    body=cert["body"],
                    certified_on=certified_on,
                    valid_until=(
                        date.fromisoformat(cert["valid_until"]) if cert.get("valid_until") else None
                    ),
                    by=by,
                    source=SOURCE,
                )
                result.certifications += 1
    return result
