"""Attendance marks and the completion rule applied when a cohort finishes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.delivery.messages import outcome_text
from kaskad.delivery.models import Attendance, EnrolmentStatus
from kaskad.delivery.services.attendance import attendance_save
from kaskad.delivery.services.cohorts import cohort_set_status
from kaskad.delivery.services.completion import enrolment_set_assessment
from kaskad.delivery.services.enrolment import enrolment_request
from kaskad.delivery.services.trainers import trainer_assign
from kaskad.delivery.tests.factories import (
    add_session,
    coordinator_of,
    make_cohort,
    make_teacher,
    make_trainer,
    make_version,
    national_admin,
    teacher_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    """A running cohort of 5 sessions (10 hours: 2 each) with a trainer and three people."""
    admin = national_admin()
    version = make_version(min_attendance_percent=80)
    cohort = make_cohort(version=version, status="open", capacity=3, by=admin)
    sessions = [add_session(cohort, day=d, hours="2", by=admin) for d in range(5)]
    person, trainer = make_trainer(programme=version.programme)
    trainer_assign(cohort=cohort, person=person, by=admin)
    people = [make_teacher() for _ in range(3)]
    enrolments = [enrolment_request(cohort=cohort, person=p, by=admin) for p in people]
    cohort = cohort_set_status(cohort=cohort, status="running", by=admin)
    return {
        "admin": admin,
        "cohort": cohort,
        "sessions": sessions,
        "trainer": trainer,
        "enrolments": enrolments,
    }


def mark(course, session_index: int, statuses: list[str], by=None) -> int:
    session = course["sessions"][session_index]
    session.cohort = course["cohort"]
    marks = {e.pk: s for e, s in zip(course["enrolments"], statuses, strict=True)}
    return attendance_save(session=session, marks=marks, by=by or course["trainer"])


def test_the_trainer_marks_a_session_and_hours_follow(course) -> None:
    assert mark(course, 0, ["present", "absent", "excused"]) == 3
    hours = [e.hours for e in _reload(course)]
    assert hours == [Decimal(2), Decimal(0), Decimal(0)]
    # Marking again changes only what changed.
    assert mark(course, 0, ["present", "present", "excused"]) == 1
    assert [e.hours for e in _reload(course)] == [Decimal(2), Decimal(2), Decimal(0)]
    assert Attendance.objects.count() == 3


def _reload(course):
    rows = []
    for e in course["enrolments"]:
        e.refresh_from_db()
        e.hours = e.hours_attended
        rows.append(e)
    return rows


def test_only_the_cohorts_trainers_and_coordinators_may_mark(course) -> None:
    stranger = teacher_user(make_teacher())
    with pytest.raises(NotFoundError):
        mark(course, 0, ["present"] * 3, by=stranger)
    _other_trainer_person, other_trainer = make_trainer(
        programme=course["cohort"].version.programme
    )
    with pytest.raises(NotFoundError):
        mark(course, 0, ["present"] * 3, by=other_trainer)
    with pytest.raises(NotFoundError):
        mark(course, 0, ["present"] * 3, by=coordinator_of("AST"))
    assert mark(course, 0, ["present"] * 3, by=coordinator_of("ALA")) == 3


def test_bad_marks_are_refused(course) -> None:
    with pytest.raises(DomainError) as exc:
        mark(course, 0, ["present", "late", "absent"])
    assert exc.value.code == "attendance_status_invalid"
    session = course["sessions"][0]
    session.cohort = course["cohort"]
    outsider = enrolment_request(
        cohort=make_cohort(status="open"), person=make_teacher(), by=course["admin"]
    )
    with pytest.raises(DomainError) as exc:
        attendance_save(session=session, marks={outsider.pk: "present"}, by=course["trainer"])
    assert exc.value.code == "not_on_roster"
    assert not Attendance.objects.exists()


def test_completion_when_the_cohort_finishes(course) -> None:
    a, b, c = course["enrolments"]
    # a: all 5 sessions; b: 3 of 5 (60%); c: 4 of 5 (80%) but no assessment result.
    for index in range(5):
        mark(
            course,
            index,
            [
                "present",
                "present" if index < 3 else "absent",
                "present" if index < 4 else "excused",
            ],
        )
    enrolment_set_assessment(enrolment=a, passed=True, by=course["admin"])
    enrolment_set_assessment(enrolment=b, passed=True, by=course["admin"])
    cohort_set_status(cohort=course["cohort"], status="finished", by=course["admin"])
    for e in (a, b, c):
        e.refresh_from_db()
    assert a.status == "completed"
    assert b.status == "not_completed"
    assert outcome_text(b.outcome) == "attended 60% of hours, 80% required; assessment passed"
    assert b.outcome_reason == "attended 60% of hours, 80% required; assessment passed"
    assert c.status == "not_completed"
    assert outcome_text(c.outcome) == "attended 80% of hours; assessment result missing"
    assert (a.hours_attended, b.hours_attended, c.hours_attended) == (10, 6, 8)
    assert a.ended_at is not None


def test_62_percent_is_reported_as_such(course) -> None:
    admin = national_admin()
    version = make_version(assessment_scheme="none", min_attendance_percent=80)
    cohort = make_cohort(version=version, status="open", by=admin)
    hours = ["3.1", "1.9"]  # 3.1 of 5 hours = 62%
    sessions = [add_session(cohort, day=i, hours=h, by=admin) for i, h in enumerate(hours)]
    enrolment = enrolment_request(cohort=cohort, person=make_teacher(), by=admin)
    cohort = cohort_set_status(cohort=cohort, status="running", by=admin)
    sessions[0].cohort = cohort
    sessions[1].cohort = cohort
    attendance_save(session=sessions[0], marks={enrolment.pk: "present"}, by=admin)
    attendance_save(session=sessions[1], marks={enrolment.pk: "absent"}, by=admin)
    cohort_set_status(cohort=cohort, status="finished", by=admin)
    enrolment.refresh_from_db()
    assert enrolment.status == "not_completed"
    assert enrolment.outcome_reason == "attended 62% of hours, 80% required"


def test_a_failed_assessment_means_not_completed(course) -> None:
    for index in range(5):
        mark(course, index, ["present"] * 3)
    a, _b, _c = course["enrolments"]
    enrolment_set_assessment(enrolment=a, passed=False, by=course["admin"])
    cohort_set_status(cohort=course["cohort"], status="finished", by=course["admin"])
    a.refresh_from_db()
    assert a.status == "not_completed"
    assert outcome_text(a.outcome) == "attended 100% of hours; assessment not passed"


def test_a_result_recorded_after_the_finish_decides_again(course) -> None:
    for index in range(5):
        mark(course, index, ["present"] * 3)
    cohort_set_status(cohort=course["cohort"], status="finished", by=course["admin"])
    a = course["enrolments"][0]
    a.refresh_from_db()
    assert a.status == "not_completed"
    a.cohort.refresh_from_db()
    updated = enrolment_set_assessment(enrolment=a, passed=True, by=course["admin"])
    assert updated.status == "completed"
    assert updated.outcome_reason == "attended 100% of hours; assessment passed"


def test_the_waitlist_is_closed_when_the_cohort_finishes() -> None:
    admin = national_admin()
    cohort = make_cohort(capacity=1, status="open", by=admin)
    enrolment_request(cohort=cohort, person=make_teacher(), by=admin)
    waiting = enrolment_request(cohort=cohort, person=make_teacher(), by=admin)
    cohort = cohort_set_status(cohort=cohort, status="running", by=admin)
    cohort = cohort_set_status(cohort=cohort, status="finished", by=admin)
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.WITHDRAWN
    assert waiting.outcome_reason == "cohort finished"
    cohort.refresh_from_db()
    assert cohort.waitlist_count == 0 and cohort.enrolled_count == 1


def test_finished_and_closed_cohorts_are_read_only(course) -> None:
    mark(course, 0, ["present"] * 3)
    cohort_set_status(cohort=course["cohort"], status="finished", by=course["admin"])
    course["cohort"].refresh_from_db()
    with pytest.raises(StateConflict) as exc:
        mark(course, 1, ["present"] * 3)
    assert exc.value.code == "attendance_read_only"


def test_planned_cohorts_take_no_marks_yet() -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    session = add_session(cohort, by=admin)
    enrolment = enrolment_request(cohort=cohort, person=make_teacher(), by=admin)
    with pytest.raises(StateConflict):
        attendance_save(session=session, marks={enrolment.pk: "present"}, by=admin)


def test_a_cohort_without_sessions_completes_on_the_assessment_alone() -> None:
    admin = national_admin()
    version = make_version()
    cohort = make_cohort(version=version, format="self_paced", status="open", by=admin)
    enrolment = enrolment_request(cohort=cohort, person=make_teacher(), by=admin)
    enrolment_set_assessment(enrolment=enrolment, passed=True, by=admin)
    cohort = cohort_set_status(cohort=cohort, status="running", by=admin)
    cohort_set_status(cohort=cohort, status="finished", by=admin)
    enrolment.refresh_from_db()
    assert enrolment.status == "completed"
    assert enrolment.outcome_reason == "assessment passed"


def test_each_changed_mark_is_recorded_with_whose_it_is_and_what_it_was(course) -> None:
    from kaskad.core.models import AuditEntry
    from kaskad.delivery.models import AttendanceChange

    coordinator = coordinator_of(course["cohort"].branch.code)
    session = course["sessions"][0]
    enrolments = course["enrolments"]
    mark(course, 0, ["present", "absent", "excused"])
    mark(course, 0, ["absent", "absent", "present"], by=coordinator)

    changes = list(
        AttendanceChange.objects.filter(session=session)
        .order_by("pk")
        .values_list("person_id", "enrolment_id", "old_status", "new_status", "changed_by_id")
    )
    trainer, people = course["trainer"].pk, [e.person_id for e in enrolments]
    assert changes == [
        (people[0], enrolments[0].pk, "", "present", trainer),
        (people[1], enrolments[1].pk, "", "absent", trainer),
        (people[2], enrolments[2].pk, "", "excused", trainer),
        (people[0], enrolments[0].pk, "present", "absent", coordinator.pk),
        (people[2], enrolments[2].pk, "excused", "present", coordinator.pk),
    ]
    assert all(c.changed_at for c in AttendanceChange.objects.all())
    # The mark keeps who marked it first as well as the last change.
    first = Attendance.objects.get(session=session, enrolment=enrolments[0])
    assert first.first_marked_by_id == trainer
    assert first.marked_by_id == coordinator.pk
    assert first.first_marked_at is not None and first.first_marked_at <= first.marked_at
    untouched = Attendance.objects.get(session=session, enrolment=enrolments[1])
    assert untouched.first_marked_by_id == untouched.marked_by_id == trainer
    # The audit trail of the session says whose marks changed and from what.
    entry = AuditEntry.objects.filter(object_type="delivery.session", object_id=str(session.pk))
    last = entry.order_by("-pk").first()
    assert last is not None and last.actor_id == coordinator.pk
    assert last.changes["marks"] == [
        {"person": people[0], "enrolment": enrolments[0].pk, "from": "present", "to": "absent"},
        {"person": people[2], "enrolment": enrolments[2].pk, "from": "excused", "to": "present"},
    ]
