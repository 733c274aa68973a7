"""The catalogue's JSON API: programmes, programme areas and the annual plan against delivery.

Reads only, through `kaskad.catalogue.selectors`: everyone signed in sees approved
programmes, national administrators drafts and retired ones too; the plan is for national
roles (whole country or any branch) and branch coordinators (their branch).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from kaskad.catalogue import permissions, selectors
from kaskad.catalogue.models import (
    Format,
    Programme,
    ProgrammeArea,
    ProgrammeVersion,
    QualityCertification,
    VersionStatus,
)
from kaskad.core.api import ERRORS, ApiError, PageOut, PageQuery, api_user, paginate
from kaskad.registry.choices import Language

router = Router(tags=["catalogue"])

# --- Schemas ------------------------------------------------------------------------------------


class AreaOut(Schema):
    code: str
    name: str = Field(description="In the request's language.")
    name_kk: str
    name_ru: str
    name_en: str


class AreaRef(Schema):
    code: str
    name: str


class VersionSummary(Schema):
    number: int
    status: str
    title: str = Field(description="In the request's language (falling back to Kazakh).")
    title_kk: str
    title_ru: str
    title_en: str
    hours: int
    formats: list[str]
    languages: list[str]
    audience_positions: list[str] = Field(description="Empty: every position.")
    audience_levels: list[str] = Field(description="Empty: every level.")
    assessment_scheme: str
    min_attendance_percent: int
    approved_at: str | None


class ModuleOut(Schema):
    order: int
    title: str
    title_kk: str
    title_ru: str
    title_en: str
    hours: int


class VersionOut(VersionSummary):
    description: str
    modules: list[ModuleOut]


class CertificationOut(Schema):
    body: str
    certified_on: date
    valid_until: date
    valid: bool = Field(description="Whether it is valid today.")
    note: str


class ProgrammeSummary(Schema):
    code: str
    area: AreaRef
    status: str = Field(description="approved, draft (national administrators) or retired.")
    current_version: VersionSummary | None = Field(
        description="The approved version, which new cohorts follow."
    )


class ProgrammePage(PageOut):
    items: list[ProgrammeSummary]


class ProgrammeOut(Schema):
    code: str
    area: AreaRef
    status: str
    current_version: VersionOut | None
    draft: VersionOut | None = Field(description="Only for national administrators.")
    certifications: list[CertificationOut]


# --- Serialisation ------------------------------------------------------------------------------


def _area_ref(area: ProgrammeArea) -> dict[str, Any]:
    return {"code": area.code, "name": area.name}


def _version_summary(version: ProgrammeVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "status": version.status,
        "title": version.title or "",
        "title_kk": version.title_kk or "",  # type: ignore[attr-defined]
        "title_ru": version.title_ru or "",  # type: ignore[attr-defined]
        "title_en": version.title_en or "",  # type: ignore[attr-defined]
        "hours": version.hours,
        "formats": list(version.formats or []),
        "languages": list(version.languages or []),
        "audience_positions": list(version.audience_positions or []),
        "audience_levels": list(version.audience_levels or []),
        "assessment_scheme": version.assessment_scheme,
        "min_attendance_percent": version.min_attendance_percent,
        "approved_at": version.approved_at.isoformat() if version.approved_at else None,
    }


def _version(version: ProgrammeVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        **_version_summary(version),
        "description": version.description or "",
        "modules": [
            {
                "order": m.order,
                "title": m.title or "",
                "title_kk": m.title_kk or "",  # type: ignore[attr-defined]
                "title_ru": m.title_ru or "",  # type: ignore[attr-defined]
                "title_en": m.title_en or "",  # type: ignore[attr-defined]
                "hours": m.hours,
            }
            for m in version.modules.all()
        ],
    }


def _programme_summary(programme: Programme) -> dict[str, Any]:
    current = programme.current  # type: ignore[attr-defined]
    return {
        "code": programme.code,
        "area": _area_ref(programme.area),
        "status": programme.status,  # type: ignore[attr-defined]
        "current_version": _version_summary(current) if current else None,
    }


def _certification(certification: QualityCertification, today: date) -> dict[str, Any]:
    return {
        "body": certification.body,
        "certified_on": certification.certified_on,
        "valid_until": certification.valid_until,
        "valid": certification.certified_on <= today <= certification.valid_until,
        "note": certification.note,
    }


# --- Endpoints ----------------------------------------------------------------------------------


@router.get("/programme-areas", response={200: list[AreaOut], **ERRORS}, summary="Programme areas")
def programme_area_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": area.code,
            "name": area.name,
            "name_kk": area.name_kk or "",  # type: ignore[attr-defined]
            "name_ru": area.name_ru or "",  # type: ignore[attr-defined]
            "name_en": area.name_en or "",  # type: ignore[attr-defined]
        }
        for area in selectors.programme_area_list()
    ]


class ProgrammeQuery(PageQuery):
    q: str = Field("", max_length=100, description="Part of a title, or of the code.")
    area: str = Field("", max_length=40, description="An area code (see /api/programme-areas).")
    format: Format | None = None
    language: Language | None = None
    status: VersionStatus | None = Field(
        None, description="Only national administrators see drafts and retired programmes."
    )


@router.get(
    "/programmes", response={200: ProgrammePage, **ERRORS}, summary="The programme catalogue"
)
def programme_list(request: HttpRequest, query: Query[ProgrammeQuery]) -> dict[str, Any]:
    area_id = None
    if query.area:
        area = ProgrammeArea.objects.filter(code=query.area).first()
        if area is None:
            raise ApiError(
                "unknown_area",
                _("There is no programme area with this code."),
                status=422,
                field="area",
            )
        area_id = area.pk
    qs = selectors.programme_list(
        user=api_user(request),
        filters=selectors.ProgrammeFilters(
            q=query.q,
            area=area_id,
            format=query.format.value if query.format else "",
            language=query.language.value if query.language else "",
            status=query.status.value if query.status else "",
        ),
    )

    def row(programme: Programme) -> dict[str, Any]:
        selectors.attach_versions([programme])
        return _programme_summary(programme)

    return paginate(qs, query, row)


@router.get(
    "/programmes/{code}",
    response={200: ProgrammeOut, **ERRORS},
    summary="One programme with its current version, modules and certifications",
)
def programme_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    user = api_user(request)
    programme = selectors.programme_get(user=user, code=code)
    today = timezone.localdate()
    return {
        **_programme_summary(programme),
        "current_version": _version(programme.current),  # type: ignore[attr-defined]
        "draft": (
            _version(programme.draft)  # type: ignore[attr-defined]
            if permissions.can_see_drafts(user)
            else None
        ),
        "certifications": [
            _certification(c, today)
            for c in selectors.programme_certifications(programme=programme)
        ],
    }
