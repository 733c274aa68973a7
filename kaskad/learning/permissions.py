"""Who may do what with an online course.

The course team: national administrators (with write rights), the coordinators of the
course's branch, its author, and the trainers of its cohort. Anyone else is told the course's
pages for the team do not exist. Learners see a course they are enrolled in, and the published
courses open to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaskad.accounts.scopes import user_scope
from kaskad.delivery.models import CohortTrainer

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kaskad.accounts.models import User
    from kaskad.learning.models import Course


def manages_course(user: User | AnonymousUser, course: Course) -> bool:
    if not user.is_authenticated:
        return False
    scope = user_scope(user)
    if scope.national_write or course.branch_id in scope.branch_ids:
        return True
    if course.created_by_id is not None and course.created_by_id == user.pk:
        return True
    if course.cohort_id is not None and scope.person_id is not None:
        return CohortTrainer.objects.filter(
            cohort_id=course.cohort_id, person_id=scope.person_id
        ).exists()
    return False


def may_enrol(user: User | AnonymousUser, course: Course) -> bool:
    """Teachers (a registry person) in any open course; people without an IIN in public ones."""
    if not user.is_authenticated or not course.open_enrolment or course.current_version_id is None:
        return False
    return course.is_public or getattr(user, "person_id", None) is not None


def sees_course_offer(user: User | AnonymousUser, course: Course) -> bool:
    """A published course's offer: public courses to everyone signed in; the others to people
    in the registry and to users with a role. A learner registered by e-mail only (no person,
    no role) sees public courses alone: the others look like no course at all."""
    if not user.is_authenticated:
        return False
    if course.is_public:
        return True
    scope = user_scope(user)
    return scope.person_id is not None or bool(scope.roles)
