"""Enrolment: seats, waitlist in arrival order, promotion, the rules that refuse a request."""

from __future__ import annotations

import pytest

from kaskad.core.errors import NotFoundError, PermissionDeniedError, StateConflict
from kaskad.core.models import Notification
from kaskad.core.notifications import notification_text
from kaskad.delivery.models import Cohort, Enrolment, EnrolmentStatus
from kaskad.delivery.selectors import cohort_waitlist, my_courses, waitlist_position
from kaskad.delivery.services._common import EnrolmentRefused
from kaskad.delivery.services.cohorts import cohort_set_capacity, cohort_set_status
from kaskad.delivery.services.enrolment import (
    enrolment_remove,
    enrolment_request,
    enrolment_withdraw,
)
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_cohort,
    make_teacher,
    make_version,
    national_admin,
    teacher_user,
)
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = pytest.mark.django_db


def counts(cohort: Cohort) -> tuple[int, int]:
    cohort.refresh_from_db()
    real_enrolled = cohort.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    real_waiting = cohort.enrolments.filter(status=EnrolmentStatus.WAITLISTED).count()
    assert (cohort.enrolled_count, cohort.waitlist_count) == (real_enrolled, real_waiting)
    return real_enrolled, real_waiting


def test_seats_then_the_waitlist_in_arrival_order() -> None:
    coordinator = coordinator_of("ALA")
    cohort = make_cohort(capacity=2, status="open")
    people = [make_teacher() for _ in range(5)]
    results = [enrolment_request(cohort=cohort, person=p, by=coordinator) for p in people]
    assert [r.status for r in results] == [
        "enrolled",
        "enrolled",
        "waitlisted",
        "waitlisted",
        "waitlisted",
    ]
    assert [r.waitlist_position for r in results] == [None, None, 1, 2, 3]
    assert counts(cohort) == (2, 3)
    assert [e.person for e in cohort_waitlist(cohort=cohort)] == people[2:]
    assert waitlist_position(results[4]) == 3


def test_the_enrolment_keeps_where_the_person_worked() -> None:
    school = make_organisation(area=area_of("ALA"))
    person = make_person(organisation=school, position="deputy_director")
    enrolment = enrolment_request(
        cohort=make_cohort(status="open"), person=person, by=coordinator_of("ALA")
    )
    assert enrolment.organisation == school
    assert enrolment.area == school.area
    assert enrolment.position == "deputy_director"
    assert enrolment.programme == enrolment.cohort.version.programme


def test_self_paced_cohorts_never_waitlist() -> None:
    cohort = make_cohort(format="self_paced", status="open")
    for _ in range(4):
        person = make_teacher(branch_code="AST")
        enrolment = enrolment_request(cohort=cohort, person=person, by=teacher_user(person))
        assert enrolment.status == "enrolled"
    assert counts(cohort) == (4, 0)


def test_one_active_enrolment_per_programme() -> None:
    coordinator = coordinator_of("ALA")
    version = make_version()
    first = make_cohort(version=version, status="open", code="P-ALA-A")
    second = make_cohort(version=version, status="open", code="P-ALA-B")
    person = make_teacher()
    enrolment_request(cohort=first, person=person, by=coordinator)
    with pytest.raises(EnrolmentRefused) as exc:
        enrolment_request(cohort=second, person=person, by=coordinator)
    assert exc.value.code == "already_enrolled"
    assert str(exc.value.message) == "Already enrolled in this programme (cohort P-ALA-A)."
    with pytest.raises(EnrolmentRefused):
        enrolment_request(cohort=first, person=person, by=coordinator)
    assert counts(second) == (0, 0)


def test_once_withdrawn_the_person_may_enrol_again() -> None:
    coordinator = coordinator_of("ALA")
    cohort = make_cohort(status="open")
    person = make_teacher()
    enrolment = enrolment_request(cohort=cohort, person=person, by=coordinator)
    enrolment_withdraw(enrolment=enrolment, by=coordinator)
    again = enrolment_request(cohort=cohort, person=person, by=coordinator)
    assert again.status == "enrolled"
    assert counts(cohort) == (1, 0)


@pytest.mark.parametrize("status", ["running", "finished", "closed"])
def test_no_enrolment_into_a_cohort_that_is_not_open(status: str) -> None:
    cohort = make_cohort(status=status)
    with pytest.raises(EnrolmentRefused) as exc:
        enrolment_request(cohort=cohort, person=make_teacher(), by=coordinator_of("ALA"))
    assert exc.value.code == "cohort_not_open"
    assert cohort.code in str(exc.value.message)


def test_coordinators_may_pre_enrol_into_planned_cohorts_but_teachers_may_not() -> None:
    cohort = make_cohort(status="planned")
    assert (
        enrolment_request(cohort=cohort, person=make_teacher(), by=coordinator_of("ALA")).status
        == "enrolled"
    )
    teacher = make_teacher()
    with pytest.raises(EnrolmentRefused) as exc:
        enrolment_request(cohort=cohort, person=teacher, by=teacher_user(teacher))
    assert exc.value.code == "cohort_not_open"


def test_a_teacher_enrols_in_their_branch_or_remotely() -> None:
    classroom_elsewhere = make_cohort(branch_obj=branch("AST"), status="open")
    online_elsewhere = make_cohort(branch_obj=branch("AST"), format="online", status="open")
    teacher = make_teacher(branch_code="ALA")
    user = teacher_user(teacher)
    with pytest.raises(EnrolmentRefused) as exc:
        enrolment_request(cohort=classroom_elsewhere, person=teacher, by=user)
    assert exc.value.code == "cohort_other_branch"
    assert enrolment_request(cohort=online_elsewhere, person=teacher, by=user).status == "enrolled"


def test_a_teacher_cannot_enrol_someone_else() -> None:
    cohort = make_cohort(status="open")
    teacher, other = make_teacher(), make_teacher()
    with pytest.raises(PermissionDeniedError) as exc:
        enrolment_request(cohort=cohort, person=other, by=teacher_user(teacher))
    assert exc.value.code == "enrol_others_forbidden"


def test_the_audience_of_the_version_applies() -> None:
    version = make_version(audience_positions=["director", "deputy_director"])
    cohort = make_cohort(version=version, status="open")
    teacher = make_teacher(position="teacher")
    with pytest.raises(EnrolmentRefused) as exc:
        enrolment_request(cohort=cohort, person=teacher, by=coordinator_of("ALA"))
    assert exc.value.code == "not_in_audience"
    message = str(exc.value.message)
    assert "director" in message and "teacher" in message
    leader = make_teacher(position="director")
    assert enrolment_request(cohort=cohort, person=leader, by=coordinator_of("ALA")).status == (
        "enrolled"
    )


def test_levels_of_the_audience_apply_too() -> None:
    version = make_version(audience_levels=["preschool"])
    cohort = make_cohort(version=version, status="open")
    with pytest.raises(EnrolmentRefused):
        enrolment_request(
            cohort=cohort, person=make_teacher(level="primary"), by=coordinator_of("ALA")
        )
    enrolment_request(
        cohort=cohort, person=make_teacher(level="preschool"), by=coordinator_of("ALA")
    )


def test_someone_without_a_job_is_outside_a_restricted_audience() -> None:
    version = make_version(audience_positions=["teacher"])
    cohort = make_cohort(version=version, status="open", format="online")
    person = make_person()
    with pytest.raises(EnrolmentRefused) as exc:
        enrolment_request(cohort=cohort, person=person, by=national_admin())
    assert "no current job" in str(exc.value.message)


def test_a_coordinator_enrols_only_people_of_their_areas() -> None:
    cohort = make_cohort(status="open")
    outsider = make_teacher(branch_code="AST")
    with pytest.raises(NotFoundError) as exc:
        enrolment_request(cohort=cohort, person=outsider, by=coordinator_of("ALA"))
    # Out of scope reads like an unknown IIN: no name, nothing that says the person exists.
    assert exc.value.code == "unknown_iin"
    assert outsider.surname not in str(exc.value.message)
    # A national administrator may enrol anyone.
    assert enrolment_request(cohort=cohort, person=outsider, by=national_admin()).status == (
        "enrolled"
    )


def test_a_coordinator_of_another_branch_cannot_enrol_into_the_cohort() -> None:
    cohort = make_cohort(branch_obj=branch("ALA"), status="open")
    coordinator = coordinator_of("AST")
    with pytest.raises(PermissionDeniedError):
        enrolment_request(cohort=cohort, person=make_teacher(branch_code="AST"), by=coordinator)


# --- freeing seats ------------------------------------------------------------------------------


def test_a_withdrawal_promotes_the_first_on_the_waitlist_and_notifies_them() -> None:
    coordinator = coordinator_of("ALA")
    cohort = make_cohort(capacity=1, status="open")
    first, second, third = make_teacher(), make_teacher(), make_teacher()
    second_user = teacher_user(second)
    seat = enrolment_request(cohort=cohort, person=first, by=coordinator)
    waiting = enrolment_request(cohort=cohort, person=second, by=coordinator)
    enrolment_request(cohort=cohort, person=third, by=coordinator)
    withdrawn = enrolment_withdraw(enrolment=seat, by=teacher_user(first))
    assert withdrawn.status == "withdrawn"
    assert withdrawn.outcome == [{"code": "withdrawn"}]
    waiting.refresh_from_db()
    assert waiting.status == "enrolled" and waiting.enrolled_at is not None
    assert counts(cohort) == (1, 1)
    note = Notification.objects.get(recipient=second_user)
    assert cohort.code in notification_text(note.message, note.params)
    assert note.url == "/delivery/my-courses/"
    # The third is now first in line.
    assert [e.person for e in cohort_waitlist(cohort=cohort)] == [third]


def test_a_person_without_a_login_is_promoted_without_a_notification() -> None:
    coordinator = coordinator_of("ALA")
    cohort = make_cohort(capacity=1, status="open")
    seat = enrolment_request(cohort=cohort, person=make_teacher(), by=coordinator)
    waiting = enrolment_request(cohort=cohort, person=make_teacher(), by=coordinator)
    enrolment_remove(enrolment=seat, by=coordinator, note="moved to another school")
    waiting.refresh_from_db()
    assert waiting.status == "enrolled"
    assert not Notification.objects.exists()
    seat.refresh_from_db()
    assert seat.status == "removed"
    assert seat.outcome_reason == "removed by the coordinator: moved to another school"


def test_leaving_the_waitlist_promotes_nobody() -> None:
    coordinator = coordinator_of("ALA")
    cohort = make_cohort(capacity=1, status="open")
    enrolment_request(cohort=cohort, person=make_teacher(), by=coordinator)
    waiting = enrolment_request(cohort=cohort, person=make_teacher(), by=coordinator)
    enrolment_withdraw(enrolment=waiting, by=coordinator)
    assert counts(cohort) == (1, 0)


def test_more_seats_promote_from_the_waitlist_at_once() -> None:
    coordinator = coordinator_of("ALA")
    cohort = make_cohort(capacity=1, status="open")
    for _ in range(4):
        enrolment_request(cohort=cohort, person=make_teacher(), by=coordinator)
    cohort_set_capacity(cohort=cohort, capacity=3, by=coordinator)
    assert counts(cohort) == (3, 1)
    with pytest.raises(StateConflict) as exc:
        cohort_set_capacity(cohort=cohort, capacity=2, by=coordinator)
    assert exc.value.code == "capacity_below_enrolled"


def test_withdrawing_someone_elses_enrolment_is_not_found() -> None:
    cohort = make_cohort(status="open")
    enrolment = enrolment_request(cohort=cohort, person=make_teacher(), by=coordinator_of("ALA"))
    stranger = make_teacher()
    with pytest.raises(NotFoundError):
        enrolment_withdraw(enrolment=enrolment, by=teacher_user(stranger))
    with pytest.raises(NotFoundError):
        enrolment_withdraw(enrolment=enrolment, by=coordinator_of("AST"))
    assert counts(cohort) == (1, 0)


def test_an_ended_enrolment_cannot_be_withdrawn_twice() -> None:
    coordinator = coordinator_of("ALA")
    enrolment = enrolment_request(
        cohort=make_cohort(status="open"), person=make_teacher(), by=coordinator
    )
    enrolment_withdraw(enrolment=enrolment, by=coordinator)
    with pytest.raises(StateConflict) as exc:
        enrolment_withdraw(enrolment=enrolment, by=coordinator)
    assert exc.value.code == "enrolment_not_active"


def test_my_courses_lists_current_waitlisted_and_past_with_hours_per_year() -> None:
    coordinator = coordinator_of("ALA")
    admin = national_admin()
    teacher = make_teacher()
    done = make_cohort(version=make_version(hours=72, assessment_scheme="none"), status="open")
    enrolment_request(cohort=done, person=teacher, by=coordinator)
    for status in ("running", "finished"):
        cohort_set_status(cohort=done, status=status, by=admin)
    full = make_cohort(capacity=1, status="open")
    enrolment_request(cohort=full, person=make_teacher(), by=coordinator)
    enrolment_request(cohort=full, person=teacher, by=coordinator)
    current = make_cohort(status="open")
    enrolment_request(cohort=current, person=teacher, by=coordinator)
    courses = my_courses(person=teacher)
    assert [e.cohort for e in courses.current] == [current]
    assert [(e.cohort, e.waitlist_position) for e in courses.waitlisted] == [(full, 1)]
    assert [e.status for e in courses.past] == ["completed"]
    assert [(y.year, y.hours, y.courses) for y in courses.hours_by_year] == [(2026, 72, 1)]


def test_enrolments_are_audited() -> None:
    from kaskad.core.models import AuditEntry

    coordinator = coordinator_of("ALA")
    enrolment = enrolment_request(
        cohort=make_cohort(status="open"), person=make_teacher(), by=coordinator
    )
    entry = AuditEntry.objects.get(object_type="delivery.enrolment", object_id=str(enrolment.pk))
    assert entry.actor == coordinator and entry.changes["status"] == "enrolled"
    assert Enrolment.objects.count() == 1
