"""Who may do what in assessment: the predicates the pages, the API and the services ask.

A user who may not act on a portfolio is told it does not exist (the callers raise the same
not-found error for both), so out of scope never shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.assessment.models import AssessorAccreditation, Portfolio
from kaskad.delivery.models import CohortTrainer

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kaskad.accounts.models import User


def is_participant(user: User | AnonymousUser, portfolio: Portfolio) -> bool:
    person_id = user_scope(user).person_id
    return person_id is not None and person_id == portfolio.enrolment.person_id


def manages_portfolio(user: User | AnonymousUser, portfolio: Portfolio) -> bool:
    """National administrators, and the coordinators of the portfolio's branch."""
    scope = user_scope(user)
    return scope.national_write or portfolio.branch_id in scope.branch_ids


def trains_portfolio(user: User | AnonymousUser, portfolio: Portfolio) -> bool:
    person_id = user_scope(user).person_id
    if person_id is None:
        return False
    return CohortTrainer.objects.filter(
        cohort_id=portfolio.enrolment.cohort_id, person_id=person_id
    ).exists()


def may_work_on(user: User | AnonymousUser, portfolio: Portfolio) -> bool:
    return is_participant(user, portfolio) or manages_portfolio(user, portfolio)


def may_give_feedback(user: User | AnonymousUser, portfolio: Portfolio) -> bool:
    return trains_portfolio(user, portfolio) or manages_portfolio(user, portfolio)


def may_review_portfolios(user: User | AnonymousUser) -> bool:
    """Trainers and staff have the cohort pages."""
    scope = user_scope(user)
    return scope.national_write or bool(scope.branch_ids) or scope.has(Role.TRAINER)


def is_assessor(user: User | AnonymousUser) -> bool:
    scope = user_scope(user)
    if scope.has(Role.ASSESSOR):
        return True
    if scope.person_id is None:
        return False
    return AssessorAccreditation.objects.filter(person_id=scope.person_id).exists()


def is_moderator(user: User | AnonymousUser) -> bool:
    person_id = user_scope(user).person_id
    if person_id is None:
        return False
    return AssessorAccreditation.objects.filter(person_id=person_id, is_moderator=True).exists()


def may_see_history(user: User | AnonymousUser) -> bool:
    scope = user_scope(user)
    return scope.national_write or bool(scope.branch_ids)


def may_publish(user: User | AnonymousUser, portfolio: Portfolio) -> bool:
    """National administrators publish anything; a coordinator the portfolios of their
    branch."""
    scope = user_scope(user)
    return scope.national_write or portfolio.branch_id in scope.branch_ids


def can_browse(user: User | AnonymousUser) -> bool:
    return bool(user_scope(user).roles)


def can_manage_publishing(user: User | AnonymousUser) -> bool:
    scope = user_scope(user)
    return scope.national_write or bool(scope.branch_ids)


def manages_allocation(user: User | AnonymousUser) -> bool:
    return user_scope(user).national_write
