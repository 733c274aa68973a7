"""Who may do what in delivery: the predicates the services, selectors and pages ask.

A "no" here is answered by the caller exactly like a missing record (404 on a page, "not
found" from a service), so a user cannot tell out of scope from not existing.
"""

from __future__ import annotations

from kaskad.accounts.models import Role, User
from kaskad.accounts.scopes import user_scope
from kaskad.delivery.models import Cohort, CohortTrainer


def manages_branch(user: User, branch_id: int) -> bool:
    """National administrators manage every branch, coordinators their own."""
    scope = user_scope(user)
    return scope.national_write or branch_id in scope.branch_ids


def manages_cohort(user: User, cohort: Cohort) -> bool:
    return manages_branch(user, cohort.branch_id)


def trains_cohort(user: User, cohort: Cohort) -> bool:
    person_id = user_scope(user).person_id
    if person_id is None:
        return False
    return CohortTrainer.objects.filter(cohort_id=cohort.pk, person_id=person_id).exists()


def sees_results(user: User, cohort: Cohort) -> bool:
    """Individual assessment outcomes (ADR 0002): whoever manages the cohort and its trainers,
    not the analysts who read the cohort for its aggregates."""
    return manages_cohort(user, cohort) or trains_cohort(user, cohort)


def may_mark_attendance(user: User, cohort: Cohort) -> bool:
    """The cohort's trainers and whoever manages it."""
    return manages_cohort(user, cohort) or trains_cohort(user, cohort)


def works_in_delivery(user: User) -> bool:
    """National roles, branch staff and trainers see the coordinators' cohort pages."""
    scope = user_scope(user)
    return scope.national or bool(scope.branch_ids) or scope.has(Role.TRAINER)
