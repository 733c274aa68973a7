"""The registry's JSON API: areas, branches, organisations, people.

Thin on purpose: reads go through `kaskad.registry.selectors` (scope first, so a record out of
scope answers 404 exactly like a missing one), writes through `kaskad.registry.services`
(validated and audited there). IINs are masked for roles that do not work with identities.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from kaskad.core.api import (
    ERRORS,
    MAX_ID,
    ApiError,
    ErrorOut,
    PageOut,
    PageQuery,
    RecordId,
    api_user,
    invalid_input,
    paginate,
)
from kaskad.core.errors import DomainError
from kaskad.core.scope import iin_for
from kaskad.registry import permissions, selectors
from kaskad.registry.choices import Category, Level, Locality, OrganisationKind, Position
from kaskad.registry.identifiers import IdentifierError, parse_iin
from kaskad.registry.messages import message_for
from kaskad.registry.models import Area, Branch, Employment, Organisation, Person
from kaskad.registry.services import (
    EmploymentData,
    PersonData,
    clean_iin,
    employment_set,
    person_change,
    person_upsert,
)

if TYPE_CHECKING:
    from kaskad.accounts.models import User

router = Router(tags=["registry"])

PHONE_PATTERN = re.compile(r"^[0-9+()\- ]{5,32}$")

# --- Output schemas -----------------------------------------------------------------------------


class BranchRef(Schema):
    id: int
    code: str
    name: str


class AreaRef(Schema):
    id: int
    code: str
    name: str


class OrganisationRef(Schema):
    id: int
    code: str
    name: str


class AreaOut(Schema):
    id: int
    code: str = Field(description="KATO code.")
    kind: str
    name: str = Field(description="In the request's language.")
    name_kk: str
    name_ru: str
    name_en: str
    centre: str
    branch: BranchRef


class BranchOut(Schema):
    id: int
    code: str
    name: str
    name_kk: str
    name_ru: str
    name_en: str
    city: str
    areas: list[AreaRef]


class DistrictRef(Schema):
    id: int
    code: str
    name: str


class OrganisationOut(Schema):
    id: int
    code: str
    bin: str | None
    name: str
    name_kk: str
    name_ru: str
    name_en: str
    kind: str
    kind_label: str
    locality: str
    area: AreaRef
    district: DistrictRef | None
    is_ungraded: bool
    languages: list[str]
    is_open: bool


class OrganisationPage(PageOut):
    items: list[OrganisationOut]


class PersonSummary(Schema):
    id: int
    iin: str = Field(
        description="Masked (•••••••• and the last four digits) for roles "
        "that do not work with identities. For a participant without an IIN "
        "(`has_iin` false): the identity document, e.g. `TM passport ••••4567`."
    )
    has_iin: bool = Field(
        description="False for a participant abroad registered by an identity document."
    )
    surname: str
    given_name: str
    patronymic: str
    full_name: str
    current_organisation: OrganisationRef | None


class PersonPage(PageOut):
    items: list[PersonSummary]


class EmploymentOut(Schema):
    id: int
    organisation: OrganisationRef
    position: str
    position_label: str
    subjects: list[str]
    level: str
    category: str
    category_label: str
    category_awarded_on: date | None
    category_due_on: date | None
    experience_years: int
    started_on: date
    ended_on: date | None
    is_current: bool
    is_primary: bool = Field(description="The main job; false for a concurrent second job.")


class StaffMember(Schema):
    person: PersonSummary
    employment: EmploymentOut


class StaffPage(PageOut):
    items: list[StaffMember]


class PersonOut(PersonSummary):
    birth_date: date | None = Field(description="Only for those who may see the IIN.")
    sex: str | None = Field(description="Only for those who may see the IIN.")
    email: str | None = Field(description="Only for those who may see the IIN.")
    phone: str | None = Field(description="Only for those who may see the IIN.")
    current_employment: EmploymentOut | None


# --- Serialisation (masking depends on who asks, so it is done here, not in the schema) ---------


def _branch_ref(branch: Branch) -> dict[str, Any]:
    return {"id": branch.pk, "code": branch.code, "name": branch.name}


def _area_ref(area: Area) -> dict[str, Any]:
    return {"id": area.pk, "code": area.code, "name": area.name}


def _organisation_ref(organisation: Organisation | None) -> dict[str, Any] | None:
    if organisation is None:
        return None
    return {"id": organisation.pk, "code": organisation.code, "name": organisation.name}


def _organisation(organisation: Organisation) -> dict[str, Any]:
    district = organisation.district
    return {
        "id": organisation.pk,
        "code": organisation.code,
        "bin": organisation.bin,
        "name": organisation.name,
        "name_kk": organisation.name_kk or "",  # type: ignore[attr-defined]
        "name_ru": organisation.name_ru or "",  # type: ignore[attr-defined]
        "name_en": organisation.name_en or "",  # type: ignore[attr-defined]
        "kind": organisation.kind,
        "kind_label": str(organisation.get_kind_display()),
        "locality": organisation.locality,
        "area": _area_ref(organisation.area),
        "district": (
            {"id": district.pk, "code": district.code, "name": district.name} if district else None
        ),
        "is_ungraded": organisation.is_ungraded,
        "languages": list(organisation.languages or []),
        "is_open": organisation.is_open,
    }


def _person_summary(person: Person, user: User) -> dict[str, Any]:
    return {
        "id": person.pk,
        "iin": iin_for(user, person),
        "has_iin": person.has_iin,
        "surname": person.surname,
        "given_name": person.given_name,
        "patronymic": person.patronymic,
        "full_name": person.full_name,
        "current_organisation": _organisation_ref(person.current_organisation),
    }


def _employment(employment: Employment) -> dict[str, Any]:
    return {
        "id": employment.pk,
        "organisation": _organisation_ref(employment.organisation),
        "position": employment.position,
        "position_label": str(employment.get_position_display()),
        "subjects": list(employment.subjects or []),
        "level": employment.level,
        "category": employment.category,
        "category_label": str(employment.get_category_display()),
        "category_awarded_on": employment.category_awarded_on,
        "category_due_on": employment.category_due_on,
        "experience_years": employment.experience_years,
        "started_on": employment.started_on,
        "ended_on": employment.ended_on,
        "is_current": employment.is_current,
        "is_primary": employment.is_primary,
    }


def _person_detail(person: Person, user: User) -> dict[str, Any]:
    current = (
        Employment.objects.filter(person=person, ended_on__isnull=True, is_primary=True)
        .select_related("organisation")
        .first()
    )
    identity = permissions.sees_identity(user, person)
    return {
        **_person_summary(person, user),
        "birth_date": person.birth_date if identity else None,
        "sex": person.sex if identity else None,
        "email": person.email if identity else None,
        "phone": person.phone if identity else None,
        "current_employment": _employment(current) if current else None,
    }


# --- Areas and branches -------------------------------------------------------------------------


@router.get("/areas", response={200: list[AreaOut], **ERRORS}, summary="All areas")
def area_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The 17 regions and 3 cities (KATO top level) with the branch that serves each."""
    return [
        {
            "id": area.pk,
            "code": area.code,
            "kind": area.kind,
            "name": area.name,
            "name_kk": area.name_kk or "",  # type: ignore[attr-defined]
            "name_ru": area.name_ru or "",  # type: ignore[attr-defined]
            "name_en": area.name_en or "",  # type: ignore[attr-defined]
            "centre": area.centre or "",
            "branch": _branch_ref(area.branch),
        }
        for area in selectors.area_list()
    ]


@router.get("/branches", response={200: list[BranchOut], **ERRORS}, summary="All branches")
def branch_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": branch.pk,
            "code": branch.code,
            "name": branch.name,
            "name_kk": branch.name_kk or "",  # type: ignore[attr-defined]
            "name_ru": branch.name_ru or "",  # type: ignore[attr-defined]
            "name_en": branch.name_en or "",  # type: ignore[attr-defined]
            "city": branch.city,
            "areas": [_area_ref(area) for area in branch.areas.all()],
        }
        for branch in selectors.branch_list()
    ]


# --- Organisations ------------------------------------------------------------------------------


class OrganisationFilters(PageQuery):
    area: int | None = Field(None, ge=1, le=MAX_ID, description="Area id (see /api/areas).")
    kind: OrganisationKind | None = None
    locality: Locality | None = None
    q: str = Field("", max_length=100, description="Part of the name, or the exact code/BIN.")


@router.get(
    "/organisations",
    response={200: OrganisationPage, **ERRORS},
    summary="Organisations in your scope",
)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilters]) -> dict[str, Any]:
    qs = selectors.organisation_list(
        user=api_user(request),
        area=filters.area,
        kind=filters.kind.value if filters.kind else "",
        locality=filters.locality.value if filters.locality else "",
        q=filters.q,
    )
    return paginate(qs, filters, _organisation)


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **ERRORS},
    summary="One organisation",
)
def organisation_detail(request: HttpRequest, organisation_id: RecordId) -> dict[str, Any]:
    return _organisation(selectors.organisation_get(user=api_user(request), pk=organisation_id))


@router.get(
    "/organisations/{organisation_id}/staff",
    response={200: StaffPage, **ERRORS},
    summary="Current staff of an organisation",
)
def organisation_staff(
    request: HttpRequest, organisation_id: RecordId, paging: Query[PageQuery]
) -> dict[str, Any]:
    user = api_user(request)
    organisation = selectors.organisation_get(user=user, pk=organisation_id)
    qs = selectors.organisation_staff(organisation=organisation).select_related(
        "person__current_organisation"
    )

    def row(employment: Employment) -> dict[str, Any]:
        # The staff list is of this organisation: no extra query for each row's organisation.
        employment.organisation = organisation
        return {
            "person": _person_summary(employment.person, user),
            "employment": _employment(employment),
        }

    return paginate(qs, paging, row)


# --- People -------------------------------------------------------------------------------------

SearchText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]


class PersonSearch(PageQuery):
    q: SearchText = Field(description="An IIN (12 digits) or part of the name, in any spelling.")


@router.get("/people", response={200: PersonPage, **ERRORS}, summary="Search people")
def person_search(request: HttpRequest, search: Query[PersonSearch]) -> dict[str, Any]:
    user = api_user(request)
    qs = selectors.person_search(user=user, q=search.q)  # a full IIN: IIN roles only
    return paginate(qs, search, lambda person: _person_summary(person, user))


@router.get(
    "/people/by-iin/{iin}",
    response={200: PersonOut, 400: ErrorOut, **ERRORS},
    summary="Find a person by IIN",
)
def person_by_iin(request: HttpRequest, iin: str) -> dict[str, Any]:
    """The IIN is checked first: a mistyped number answers 400 with the reason (`iin_length`,
    `iin_not_digits`, `iin_century`, `iin_date`, `iin_future`, `iin_checksum`)."""
    try:
        info = parse_iin(iin)
    except IdentifierError as exc:
        raise DomainError(exc.code, message_for(exc.code, exc.params), field="iin") from exc
    user = api_user(request)
    return _person_detail(selectors.person_get_by_iin(user=user, iin=info.iin), user)


@router.get("/people/{person_id}", response={200: PersonOut, **ERRORS}, summary="One person")
def person_detail(request: HttpRequest, person_id: RecordId) -> dict[str, Any]:
    user = api_user(request)
    return _person_detail(selectors.person_get(user=user, pk=person_id), user)


@router.get(
    "/people/{person_id}/employments",
    response={200: list[EmploymentOut], **ERRORS},
    summary="Employment history of a person",
)
def person_employments(request: HttpRequest, person_id: RecordId) -> list[dict[str, Any]]:
    person = selectors.person_get(user=api_user(request), pk=person_id)
    return [_employment(e) for e in selectors.employment_history(person=person)]


# --- Writes -------------------------------------------------------------------------------------

Name = Annotated[str, StringConstraints(max_length=100)]


def _check_email(value: str | None) -> str | None:
    if value:
        try:
            validate_email(value.strip())
        except DjangoValidationError:
            raise PydanticCustomError("invalid_email", "Not a valid email address.") from None
    return value


def _check_phone(value: str | None) -> str | None:
    if value and not PHONE_PATTERN.match(value.strip()):
        raise PydanticCustomError("invalid_phone", "Not a valid phone number.")
    return value


class EmploymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organisation_id: int = Field(ge=1, le=MAX_ID)
    position: Position
    started_on: date
    subjects: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]] = Field(
        default_factory=list, max_length=20
    )
    level: Level | None = None
    category: Category = Category.NONE
    category_awarded_on: date | None = None
    experience_years: int = Field(0, ge=0, le=70)


class PersonCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    iin: str = Field(max_length=20, description="12 digits; checked for its check digit.")
    surname: Name
    given_name: Name
    patronymic: Name = ""
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    phone: Annotated[str, StringConstraints(max_length=32)] = ""
    employment: EmploymentIn

    _email = field_validator("email")(_check_email)
    _phone = field_validator("phone")(_check_phone)


class PersonPatchIn(Schema):
    """Only the fields sent are changed. The IIN (and so birth date and sex) never changes."""

    model_config = ConfigDict(extra="forbid")

    surname: Name | None = None
    given_name: Name | None = None
    patronymic: Name | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    phone: Annotated[str, StringConstraints(max_length=32)] | None = None

    _email = field_validator("email")(_check_email)
    _phone = field_validator("phone")(_check_phone)


def _forbidden() -> ApiError:
    return ApiError(
        "forbidden", _("You do not have permission to change the registry."), status=403
    )


def _editable_organisation(user: User, organisation_id: int) -> Organisation:
    """An organisation the user may add people to; any other answers 404, like a missing one."""
    qs = selectors.organisation_list_visible_to(user)
    areas = permissions.editable_area_ids(user)
    if areas is not None:
        qs = qs.filter(area_id__in=areas)
    organisation = qs.filter(pk=organisation_id).first()
    if organisation is None:
        raise ApiError(
            "not_found",
            _("The organisation was not found."),
            status=404,
            field="employment.organisation_id",
        )
    return organisation


def _person_exists(person_id: int | None = None) -> ApiError:
    return ApiError(
        "person_exists",
        _("A person with this IIN is already in the registry."),
        status=409,
        field="iin",
        details=[{"person_id": person_id}] if person_id else [],
    )


@router.post(
    "/people",
    response={201: PersonOut, 400: ErrorOut, 409: ErrorOut, **ERRORS},
    summary="Register a person with their current job",
)
def person_create(request: HttpRequest, payload: PersonCreateIn) -> Status[dict[str, Any]]:
    """For national administrators, and for branch coordinators in their branch's areas."""
    user = api_user(request)
    if not permissions.can_edit_registry(user):
        raise _forbidden()
    organisation = _editable_organisation(user, payload.employment.organisation_id)
    iin, _info = clean_iin(payload.iin)
    existing = Person.objects.filter(iin=iin).first()
    if existing is not None:
        visible = selectors.person_list_visible_to(user).filter(pk=existing.pk).exists()
        raise _person_exists(existing.pk if visible else None)
    job = payload.employment
    try:
        with transaction.atomic():
            person, _created = person_upsert(
                data=PersonData(
                    iin=iin,
                    surname=payload.surname,
                    given_name=payload.given_name,
                    patronymic=payload.patronymic,
                    email=payload.email,
                    phone=payload.phone,
                ),
                by=user,
                source="api",
            )
            employment_set(
                person=person,
                data=EmploymentData(
                    organisation=organisation,
                    position=job.position.value,
                    started_on=job.started_on,
                    subjects=[s for s in job.subjects if s],
                    level=job.level.value if job.level else "",
                    category=job.category.value,
                    category_awarded_on=job.category_awarded_on,
                    experience_years=job.experience_years,
                ),
                by=user,
                source="api",
            )
    except IntegrityError as exc:
        # Another request registered the same IIN between our check and the insert.
        raise _person_exists() from exc
    return Status(201, _person_detail(selectors.person_get(user=user, pk=person.pk), user))


@router.patch(
    "/people/{person_id}",
    response={200: PersonOut, 400: ErrorOut, **ERRORS},
    summary="Change a person's name or contacts",
)
def person_update(
    request: HttpRequest, person_id: RecordId, payload: PersonPatchIn
) -> dict[str, Any]:
    """Only the fields sent change; the change is written to the audit trail."""
    user = api_user(request)
    person = selectors.person_get(user=user, pk=person_id)
    if not permissions.can_edit_person(user, person):
        raise _forbidden()
    changes = payload.model_dump(exclude_unset=True)
    for required in ("surname", "given_name"):
        if required in changes and not (changes[required] or "").strip():
            raise invalid_input(required, "required")
    values = {
        field: changes[field] if field in changes else getattr(person, field)
        for field in ("surname", "given_name", "patronymic", "email", "phone")
    }
    person_change(person=person, **{k: v or "" for k, v in values.items()}, by=user, source="api")
    return _person_detail(selectors.person_get(user=user, pk=person.pk), user)
