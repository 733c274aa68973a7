"""Who may do what with trainers and their accreditations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.cascade.models import TrainerLevel
from kaskad.registry.models import Person

if TYPE_CHECKING:
    from kaskad.accounts.models import User

TRAINER_LIST_ROLES = (Role.NATIONAL_ADMIN, Role.ANALYST, Role.BRANCH_COORDINATOR)

COORDINATOR_LEVELS = frozenset({TrainerLevel.REGIONAL, TrainerLevel.SCHOOL})


def can_see_trainer_list(user: User) -> bool:
    return user_scope(user).has(*TRAINER_LIST_ROLES)


def can_grant(user: User | None, *, person: Person, level: str | None = None) -> bool:
    """Whether `user` may grant (or revoke) an accreditation of `level` to `person`."""
    if user is None:
        return True
    scope = user_scope(user)
    if scope.national_write:
        return True
    if not scope.branch_ids:
        return False
    if level is not None and level not in COORDINATOR_LEVELS:
        return False
    area_id = (
        Person.objects.filter(pk=person.pk)
        .values_list("current_organisation__area_id", flat=True)
        .first()
    )
    return area_id is not None and area_id in scope.area_ids
