"""The cascade's JSON API: accredited trainers, scoped like the trainers page."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from kaskad.cascade import permissions, selectors
from kaskad.cascade.models import Accreditation, SchoolStrand, TrainerLevel
from kaskad.catalogue.selectors import programme_list_visible_to
from kaskad.core.api import ERRORS, ApiError, PageOut, PageQuery, api_user, paginate

router = Router(tags=["cascade"])


class PersonRef(Schema):
    id: int
    full_name: str
    organisation: str | None
    area: str | None


class AccreditationOut(Schema):
    id: int
    person: PersonRef
    programme: str = Field(description="Programme code.")
    level: str
    level_label: str
    strand: str
    valid_from: date
    valid_until: date
    revoked: bool
    valid_today: bool
    earned_through_cohort: str | None = Field(description="Code of the cohort it was earned in.")


class AccreditationPage(PageOut):
    items: list[AccreditationOut]


class TrainerQuery(PageQuery):
    programme: str = Field("", max_length=40, description="A programme code.")
    level: TrainerLevel | None = None
    strand: SchoolStrand | None = None
    validity: str = Field("", pattern="^(|valid|expired)$", description="valid or expired.")
    q: str = Field("", max_length=100, description="Part of the name, in any spelling.")


def _accreditation(a: Accreditation, today: date) -> dict[str, Any]:
    organisation = a.person.current_organisation
    return {
        "id": a.pk,
        "person": {
            "id": a.person_id,
            "full_name": a.person.full_name,
            "organisation": str(organisation) if organisation else None,
            "area": str(organisation.area) if organisation else None,
        },
        "programme": a.programme.code,
        "level": a.level,
        "level_label": str(a.get_level_display()),
        "strand": a.strand,
        "valid_from": a.valid_from,
        "valid_until": a.valid_until,
        "revoked": a.revoked_at is not None,
        "valid_today": a.revoked_at is None and a.valid_from <= today <= a.valid_until,
        "earned_through_cohort": (
            a.earned_through.cohort.code if a.earned_through_id else None  # type: ignore[union-attr]
        ),
    }


@router.get("/trainers", response={200: AccreditationPage, **ERRORS}, summary="Accredited trainers")
def trainer_list(request: HttpRequest, query: Query[TrainerQuery]) -> dict[str, Any]:
    """National roles see every trainer; a branch coordinator the trainers working in the
    branch's areas and every national-level trainer."""
    user = api_user(request)
    if not permissions.can_see_trainer_list(user):
        raise PermissionDenied
    programme_id = None
    if query.programme:
        programme = programme_list_visible_to(user).filter(code=query.programme.upper()).first()
        if programme is None:
            raise ApiError(
                "unknown_programme",
                _("There is no programme with this code."),
                status=422,
                field="programme",
            )
        programme_id = programme.pk
    today = timezone.localdate()
    qs = selectors.accreditation_list(
        user=user,
        filters=selectors.TrainerFilters(
            programme=programme_id,
            level=query.level.value if query.level else "",
            strand=query.strand.value if query.strand else "",
            validity=query.validity,
            q=query.q,
            on=today,
        ),
    ).select_related("earned_through__cohort")
    return paginate(qs, query, lambda a: _accreditation(a, today))
