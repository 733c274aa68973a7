"""The signed-in user through the JSON API: who am I, with which roles, in which language."""

from __future__ import annotations

from enum import Enum
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from ninja import Router, Schema
from pydantic import ConfigDict

from kaskad.accounts.models import RoleAssignment, User
from kaskad.accounts.scopes import user_scope
from kaskad.accounts.services import user_set_language
from kaskad.core.api import ERRORS, api_user

router = Router(tags=["accounts"])

# The interface languages as an enum, so a wrong code is a 422 listing the allowed ones.
LanguageCode = Enum(  # type: ignore[misc]
    "LanguageCode", {code: code for code, _name in settings.LANGUAGES}, type=str
)


class ScopeRef(Schema):
    id: int
    code: str
    name: str


class RoleOut(Schema):
    role: str
    label: str
    branch: ScopeRef | None
    organisation: ScopeRef | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    person_id: int | None
    language: str
    saved_language: str
    national: bool
    sees_iin: bool
    can_edit_registry: bool
    roles: list[RoleOut]


class LanguageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    language: LanguageCode


def _role(assignment: RoleAssignment) -> dict[str, Any]:
    branch, organisation = assignment.branch, assignment.organisation
    return {
        "role": assignment.role,
        "label": str(assignment.get_role_display()),
        "branch": ({"id": branch.pk, "code": branch.code, "name": branch.name} if branch else None),
        "organisation": (
            {"id": organisation.pk, "code": organisation.code, "name": organisation.name}
            if organisation
            else None
        ),
    }


def _me(user: User) -> dict[str, Any]:
    scope = user_scope(user)
    assignments = user.roles.select_related("branch", "organisation").order_by("role", "id")
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.get_full_name(),
        "person_id": user.person_id,
        "language": translation.get_language(),
        "saved_language": user.language,
        "national": scope.national,
        "sees_iin": scope.sees_iin,
        "can_edit_registry": scope.can_edit_registry,
        "roles": [_role(a) for a in assignments],
    }


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The signed-in user")
def me(request: HttpRequest) -> dict[str, Any]:
    """`language` is the one answers are in now; `saved_language` the one the user chose."""
    return _me(api_user(request))


@router.post("/me/language", response={200: MeOut, **ERRORS}, summary="Save my language")
def me_language(request: HttpRequest, payload: LanguageIn) -> dict[str, Any]:
    user: User = api_user(request)
    user_set_language(user=user, language=payload.language.value)
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language
    return _me(user)
