"""Who sees which observations, and who may observe whom.

* national administrators: everything;
* branch coordinators: the schools of their branches;
* trainers: the schools of the branch they work in (their own school's branch), and the
  observations they made;
* school leaders: their own school;
* everyone linked to a registry person: the observations of their own lessons.

Out of scope answers exactly like a record that does not exist.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kaskad.accounts.models import Role, User
from kaskad.accounts.scopes import user_scope
from kaskad.registry.choices import OrganisationKind
from kaskad.registry.models import Organisation, Person

OBSERVER_ROLES = (
    Role.NATIONAL_ADMIN,
    Role.BRANCH_COORDINATOR,
    Role.TRAINER,
    Role.SCHOOL_LEADER,
)
# Those who read the aggregated change and the agreement report of their branches.
REPORT_ROLES = (Role.NATIONAL_ADMIN, Role.ANALYST, Role.BRANCH_COORDINATOR, Role.TRAINER)


def trainer_branch_ids(user: User) -> frozenset[int]:
    """The branch a trainer works in: the branch serving their current school's area."""
    scope = user_scope(user)
    if not scope.has(Role.TRAINER) or scope.person_id is None:
        return frozenset()
    branch_id = (
        Person.objects.filter(pk=scope.person_id)
        .values_list("current_organisation__area__branch_id", flat=True)
        .first()
    )
    return frozenset({branch_id}) if branch_id else frozenset()


def observing_branch_ids(user: User) -> frozenset[int]:
    """Branches in whose schools the user may observe (coordinators and trainers)."""
    scope = user_scope(user)
    return scope.branch_ids | trainer_branch_ids(user)


def may_observe(user: User) -> bool:
    return user_scope(user).has(*OBSERVER_ROLES)


def observable_schools(user: User) -> QuerySet[Organisation]:
    """The schools whose teachers the user may observe."""
    scope = user_scope(user)
    schools = Organisation.objects.filter(kind=OrganisationKind.SCHOOL)
    if scope.national_write:
        return schools
    condition = Q(pk__in=[])
    branches = observing_branch_ids(user)
    if branches:
        condition |= Q(area__branch_id__in=branches)
    if scope.has(Role.SCHOOL_LEADER) and scope.organisation_ids:
        condition |= Q(pk__in=scope.organisation_ids)
    return schools.filter(condition)


def observable_teachers(user: User) -> QuerySet[Person]:
    """Registry people working now in a school the user may observe (not the user)."""
    people = Person.objects.filter(current_organisation__in=observable_schools(user))
    own = user_scope(user).person_id
    return people.exclude(pk=own) if own else people


def report_branch_ids(user: User) -> frozenset[int] | None:
    """Branches whose aggregates the user reads; None means every branch."""
    scope = user_scope(user)
    if scope.national:
        return None
    return observing_branch_ids(user)
