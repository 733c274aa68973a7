"""Test data for the catalogue and the cascade, made through the real services.

    programme = make_programme()                       # approved version 1, 80 hours, 2 modules
    draft = make_programme(approve=False)              # draft version 1
    version = make_version(programme=make_bare_programme(), hours=36)  # rows written directly
    cohort = make_cohort(version=programme.versions.get(), branch=branch("ALA"))
    enrolment = make_enrolment(cohort=cohort, person=person, status="completed")

Cohorts and enrolments are delivery rows written directly (their services belong to
delivery); everything of the catalogue and the cascade goes through its services.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from kaskad.catalogue.models import Programme, ProgrammeArea, ProgrammeVersion
from kaskad.catalogue.services import ModuleData, VersionData, programme_create, version_approve
from kaskad.registry.models import Branch, Person

_codes = itertools.count(1)
_cohorts = itertools.count(1)
_numbers = itertools.count(1)


def version_data(**overrides: Any) -> VersionData:
    """Complete content for a version: approvable as it is."""
    values: dict[str, Any] = {
        "title_kk": "Тиімді оқыту",
        "title_ru": "Эффективное обучение",
        "title_en": "Effective Learning",
        "hours": 80,
        "formats": ["classroom", "blended"],
        "languages": ["kk", "ru"],
        "modules": [
            ModuleData(
                title_kk="Бірінші модуль", title_ru="Модуль 1", title_en="Module 1", hours=40
            ),
            ModuleData(
                title_kk="Екінші модуль", title_ru="Модуль 2", title_en="Module 2", hours=40
            ),
        ],
    }
    values.update(overrides)
    return VersionData(**values)


def area(code: str = "methods") -> ProgrammeArea:
    return ProgrammeArea.objects.get(code=code)


def make_programme(
    *, code: str = "", area_code: str = "methods", approve: bool = True, **overrides: Any
) -> Programme:
    programme = programme_create(
        code=code or f"T-{next(_codes)}",
        area=area(area_code),
        data=version_data(**overrides),
        by=None,
    )
    if approve:
        version_approve(version=programme.versions.get(number=1), by=None)
    return programme


def current(programme: Programme) -> ProgrammeVersion:
    return ProgrammeVersion.objects.get(programme=programme, status="approved")


def make_bare_programme(*, code: str = "") -> Programme:
    """A programme row with no version yet (`make_version` adds them), written directly."""
    number = next(_numbers)
    programme_area, _ = ProgrammeArea.objects.get_or_create(
        code="methods", defaults={"name": "Methods and technologies of teaching"}
    )
    return Programme.objects.create(code=code or f"P{number:03d}", area=programme_area)


def make_version(
    *,
    programme: Programme | None = None,
    status: str = "approved",
    formats: list[str] | None = None,
    languages: list[str] | None = None,
    hours: int = 36,
    audience_positions: list[str] | None = None,
    audience_levels: list[str] | None = None,
    min_attendance_percent: int = 80,
    assessment_scheme: str = "portfolio_presentation",
    title: str = "",
) -> ProgrammeVersion:
    programme = programme or make_bare_programme()
    number = programme.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ProgrammeVersion.objects.create(
        programme=programme,
        number=number + 1,
        status=status,
        title=title or f"Programme {programme.code}",
        hours=hours,
        formats=formats
        if formats is not None
        else ["classroom", "online", "blended", "self_paced"],
        languages=languages if languages is not None else ["kk", "ru"],
        audience_positions=audience_positions or [],
        audience_levels=audience_levels or [],
        min_attendance_percent=min_attendance_percent,
        assessment_scheme=assessment_scheme,
    )


def make_cohort(
    *,
    version: ProgrammeVersion,
    branch: Branch,
    status: str = "running",
    starts_on: date | None = None,
    **extra: Any,
) -> Any:
    from kaskad.delivery.models import Cohort

    start = starts_on or date(2025, 3, 3)
    return Cohort.objects.create(
        code=extra.pop("code", f"C-{next(_cohorts)}"),
        version=version,
        branch=branch,
        format=extra.pop("format", "classroom"),
        language=extra.pop("language", "kk"),
        starts_on=start,
        ends_on=extra.pop("ends_on", start + timedelta(days=14)),
        capacity=extra.pop("capacity", None),
        status=status,
        **extra,
    )


def make_enrolment(*, cohort: Any, person: Person, status: str = "completed") -> Any:
    from kaskad.delivery.models import Enrolment

    return Enrolment.objects.create(
        cohort=cohort,
        person=person,
        programme_id=cohort.version.programme_id,
        status=status,
        requested_at=timezone.now(),
    )


def make_trainer_row(*, cohort: Any, accreditation: Any) -> Any:
    """Record `accreditation.person` as the trainer of `cohort` (delivery's row)."""
    from kaskad.delivery.models import CohortTrainer

    return CohortTrainer.objects.create(
        cohort=cohort, person=accreditation.person, accreditation=accreditation
    )
