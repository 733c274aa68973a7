"""The collection of best materials over the API, and publishing decisions.

Thin on purpose: reads through `publishing_selectors` (a material outside the collection
answers 404 exactly like a missing one), writes through `publishing`, whose refusals become
4xx answers with a stable code (`not_certified`, `not_good`, `no_consent`,
`already_published`, `not_published`, `reason_required`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from kaskad.assessment import permissions
from kaskad.assessment.models import Portfolio
from kaskad.assessment.publishing import selectors, views
from kaskad.assessment.publishing.services import portfolio_publish, portfolio_unpublish
from kaskad.core.api import (
    ERRORS,
    MAX_ID,
    WRITE_ERRORS,
    PageOut,
    PageQuery,
    RecordId,
    api_user,
    paginate,
)

router = Router(tags=["assessment"])


class MaterialOut(Schema):
    id: int
    title: str
    programme: str
    language: str
    author: str = Field(description="Shown because the author consented to publish.")
    school: str
    published_at: datetime
    excerpt: str


class MaterialPage(PageOut):
    items: list[MaterialOut]


class FileOut(Schema):
    id: int
    name: str
    kind: str
    size: int
    url: str


class MaterialDetailOut(MaterialOut):
    files: list[FileOut]


class MaterialQuery(PageQuery):
    q: str = Field("", max_length=100, description="Words in the extracted text.")
    programme: int | None = Field(None, ge=1, le=MAX_ID, description="Programme id.")
    language: str = Field("", max_length=2)
    position: str = Field("", max_length=24)
    level: str = Field("", max_length=20)


class UnpublishIn(Schema):
    reason: str = Field(..., max_length=500)


class PublishedOut(Schema):
    id: int
    published_at: datetime | None


def _material(p: Portfolio, excerpt: str = "") -> dict[str, Any]:
    enrolment = p.enrolment
    return {
        "id": p.pk,
        "title": enrolment.cohort.version.title,
        "programme": p.programme.code,
        "language": enrolment.cohort.language,
        "author": enrolment.person.full_name,
        "school": enrolment.organisation.name if enrolment.organisation else "",
        "published_at": p.published_at,
        "excerpt": excerpt,
    }


@router.get(
    "/assessment/materials",
    response={200: MaterialPage, **ERRORS},
    summary="The collection of best materials",
)
def material_list(request: HttpRequest, filters: Query[MaterialQuery]) -> dict[str, Any]:
    """Published portfolios rated “good” whose authors' consent stands, newest first. For any
    signed-in user with a role."""
    user = api_user(request)
    if not permissions.can_browse(user):
        raise Http404
    qs = selectors.published_list(
        user=user,
        filters=selectors.MaterialFilters(
            programme=filters.programme,
            language=filters.language,
            position=filters.position,
            level=filters.level,
            q=filters.q,
        ),
    )
    return paginate(
        qs,
        filters,
        lambda p: _material(p, (p.excerpt or "")[: selectors.EXCERPT_CHARS]),
    )


@router.get(
    "/assessment/materials/{portfolio_id}",
    response={200: MaterialDetailOut, **ERRORS},
    summary="One material with its files",
)
def material_detail(request: HttpRequest, portfolio_id: RecordId) -> dict[str, Any]:
    portfolio = selectors.published_get(user=api_user(request), pk=portfolio_id)
    files = portfolio.current_files  # type: ignore[attr-defined]
    text = "\n\n".join(f.text for f in files if f.text.strip())
    return {
        **_material(portfolio, text[: selectors.READING_CHARS]),
        "files": [
            {
                "id": f.pk,
                "name": f.original_name,
                "kind": f.kind,
                "size": f.size,
                "url": reverse(
                    "api:material_file_api", kwargs={"portfolio_id": portfolio.pk, "file_id": f.pk}
                ),
            }
            for f in files
        ],
    }


@router.get(
    "/assessment/materials/{portfolio_id}/files/{file_id}",
    response={200: None, **ERRORS},
    url_name="material_file_api",
    summary="Download a material's file (the stored copy)",
)
def material_file(request: HttpRequest, portfolio_id: RecordId, file_id: RecordId) -> Any:
    user = api_user(request)
    if not permissions.can_browse(user):
        raise Http404
    return views.material_file_response(
        selectors.published_file_get(user=user, pk=portfolio_id, file_pk=file_id)
    )


@router.post(
    "/assessment/publishing/{portfolio_id}/publish",
    response={200: PublishedOut, **WRITE_ERRORS},
    summary="Publish a certified “good” portfolio whose author consented",
)
def publish(request: HttpRequest, portfolio_id: RecordId) -> dict[str, Any]:
    """National administrators, or the coordinator of the portfolio's branch (else 404)."""
    user = api_user(request)
    portfolio = selectors.publishing_get(user=user, pk=portfolio_id)
    portfolio = portfolio_publish(portfolio=portfolio, by=user)
    return {"id": portfolio.pk, "published_at": portfolio.published_at}


@router.post(
    "/assessment/publishing/{portfolio_id}/unpublish",
    response={200: PublishedOut, **WRITE_ERRORS},
    summary="Take a material out of the collection, saying why",
)
def unpublish(request: HttpRequest, portfolio_id: RecordId, payload: UnpublishIn) -> dict[str, Any]:
    user = api_user(request)
    portfolio = selectors.publishing_get(user=user, pk=portfolio_id)
    portfolio = portfolio_unpublish(portfolio=portfolio, by=user, reason=payload.reason)
    return {"id": portfolio.pk, "published_at": portfolio.published_at}
