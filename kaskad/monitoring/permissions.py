"""Who may do what with monitoring studies.

* monitoring officers and national administrators run studies across the country (tests,
  keys, responses, item analysis, every report);
* analysts read aggregates only: the studies, item analysis, class and school reports, the
  comparison of schools; no pupil's individual report and no list of pupil codes;
* a school leader sees the studies their school took part in, and only their school's class
  reports and pupils' individual reports;
* nobody else sees anything (a 404, exactly like a study that does not exist).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaskad.core.roles import Role
from kaskad.core.scope import scope_of

if TYPE_CHECKING:
    from kaskad.accounts.models import User

RUN_ROLES = (Role.NATIONAL_ADMIN, Role.MONITORING_OFFICER)


def may_run(user: User | None) -> bool:
    """Create studies and tests, import keys and responses, generate reports."""
    return scope_of(user).has(*RUN_ROLES)


def may_read_aggregates(user: User | None) -> bool:
    """Every school's aggregates (item analysis, comparisons): runners and analysts."""
    return scope_of(user).has(*RUN_ROLES, Role.ANALYST)


def led_school_ids(user: User | None) -> frozenset[int]:
    """The schools `user` leads (their reports only)."""
    scope = scope_of(user)
    return scope.organisation_ids if scope.has(Role.SCHOOL_LEADER) else frozenset()


def may_see_school(user: User | None, school_id: int) -> bool:
    return may_read_aggregates(user) or school_id in led_school_ids(user)


def may_see_pupils(user: User | None, school_id: int) -> bool:
    """Individual reports: runners everywhere, a leader in their own school."""
    return may_run(user) or school_id in led_school_ids(user)
