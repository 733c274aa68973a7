"""Who may run surveys: national administrators and monitoring officers, country-wide; a branch
coordinator, the course feedback of their branch's cohorts. Results are aggregates only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kaskad.accounts.models import User
    from kaskad.surveys.models import Survey

NATIONAL_ROLES = (Role.NATIONAL_ADMIN, Role.MONITORING_OFFICER)


def runs_national_surveys(user: User | AnonymousUser) -> bool:
    return user_scope(user).has(*NATIONAL_ROLES)


def runs_surveys(user: User | AnonymousUser) -> bool:
    scope = user_scope(user)
    return scope.has(*NATIONAL_ROLES) or (
        scope.has(Role.BRANCH_COORDINATOR) and bool(scope.branch_ids)
    )


def manages_survey(user: User | AnonymousUser, survey: Survey) -> bool:
    scope = user_scope(user)
    if scope.has(*NATIONAL_ROLES):
        return True
    return (
        scope.has(Role.BRANCH_COORDINATOR)
        and survey.branch_id is not None
        and survey.branch_id in scope.branch_ids
    )
