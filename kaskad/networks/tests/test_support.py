from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.core.models import Notification
from kaskad.core.testing import race, skip_without_real_connections
from kaskad.networks.events import (
    EventData,
    event_create,
    event_feedback_give,
    event_register,
    participant_add,
    participants_import,
)
from kaskad.networks.models import (
    EventFeedback,
    EventParticipant,
    LeadingSchool,
    RequestStatus,
    SupportEvent,
)
from kaskad.networks.selectors import event_feedback_summary, event_visible_to, request_visible_to
from kaskad.networks.stats import event_report, partner_coverage, request_report
from kaskad.networks.support_requests import (
    request_assign,
    request_close,
    request_decline,
    request_file,
    request_reply,
    requests_notify_overdue,
)
from kaskad.networks.tests.factories import make_network
from kaskad.networks.years import academic_year
from kaskad.registry.models import Person
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person


def _event(
    by: User,
    *,
    capacity: int | None = None,
    is_open: bool = True,
    leading: LeadingSchool | None = None,
) -> SupportEvent:
    return event_create(
        data=EventData(
            kind="seminar",
            title="Formative assessment",
            topic="content",
            organiser_kind="leading" if leading else "branch",
            branch=branch("AST"),
            leading=leading,
            starts_at=timezone.now(),
            duration_minutes=90,
            format="in_person",
            language="kk",
            venue="School 1",
            is_open=is_open,
            capacity=capacity,
        ),
        by=by,
    )


@pytest.mark.django_db
def test_registration_never_overbooks_and_feedback_is_anonymous() -> None:
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    event = _event(coordinator, capacity=1)
    first, second = make_person(), make_person()
    event_register(event=event, person=first)
    with pytest.raises(StateConflict) as full:
        event_register(event=event, person=second)
    assert full.value.code == "full"
    event_feedback_give(event=event, person=first, rating=5, comment="Useful")
    with pytest.raises(StateConflict):
        event_feedback_give(event=event, person=first, rating=1, comment="again")
    with pytest.raises(StateConflict):  # not a participant
        event_feedback_give(event=event, person=second, rating=1, comment="")
    feedback = EventFeedback.objects.get()
    assert not any(f.name in ("person", "participant", "created_at") for f in feedback._meta.fields)
    # One answer from the one participant: the organiser learns only that there is one.
    summary = event_feedback_summary(event=event)
    assert (summary["count"], summary["mean"], summary["comments"]) == (1, None, [])
    assert summary["withheld"]


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_the_last_seat() -> None:
    skip_without_real_connections()
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    event = _event(coordinator, capacity=1)
    people = [make_person(), make_person()]

    def register(person: Person) -> Callable[[], object]:
        return lambda: event_register(event=event, person=person)

    results = race([register(p) for p in people])
    assert sum(isinstance(r, EventParticipant) for r in results) == 1
    assert sum(isinstance(r, StateConflict) for r in results) == 1
    assert SupportEvent.objects.get().registered_count == 1


@pytest.mark.django_db
def test_participants_only_from_the_organisers_scope() -> None:
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    event = _event(coordinator, is_open=False)
    near = make_person(organisation=make_organisation(area=area_of("AST")))
    far = make_person(organisation=make_organisation(area=area_of("ALA")))
    participant_add(event=event, person=near, by=coordinator)
    with pytest.raises(NotFoundError):
        participant_add(event=event, person=far, by=coordinator)
    outcome = participants_import(
        event=event, data=f"IIN\n{near.iin}\n{far.iin}\n".encode(), by=coordinator
    )
    assert outcome.added == 0 and outcome.problems[0][0] == 3
    other = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    assert not event_visible_to(other).exists()
    with pytest.raises(NotFoundError):
        participant_add(event=event, person=far, by=other)
    teacher = make_user(roles=[(Role.TEACHER, None)], person=near)
    assert list(event_visible_to(teacher)) == [event]


@pytest.mark.django_db
def test_an_online_event_needs_a_link() -> None:
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    with pytest.raises(DomainError):
        event_create(
            data=EventData(
                kind="webinar",
                title="W",
                topic="teaching",
                organiser_kind="branch",
                branch=branch("AST"),
                starts_at=timezone.now(),
                duration_minutes=60,
                format="online",
                language="ru",
            ),
            by=coordinator,
        )


@pytest.mark.django_db
def test_a_request_goes_through_its_statuses() -> None:
    leading, partners = make_network(year=academic_year(), partners=1)
    teacher_person = make_person(organisation=partners[0])
    teacher = make_user(roles=[(Role.TEACHER, None)], person=teacher_person)
    mentor_person = make_person(organisation=leading.school)
    mentor = make_user(roles=[(Role.TEACHER, None)], person=mentor_person)
    leader = make_user(roles=[(Role.SCHOOL_LEADER, leading.school)])
    attachment = SimpleUploadedFile("plan.docx", b"PK\x03\x04 lesson plan")
    request = request_file(
        by=teacher, topic="planning", text="Help me plan", attachments=[attachment]
    )
    assert request.leading == leading and request.status == RequestStatus.NEW
    assert request.due_on == timezone.localdate() + timedelta(days=5)
    assert request.attachments.count() == 1
    assert not request_visible_to(mentor).filter(pk=request.pk).exists()
    request_assign(request=request, assignee=mentor, by=leader)
    assert Notification.objects.filter(recipient=mentor).exists()
    assert request_visible_to(mentor).filter(pk=request.pk).exists()
    with pytest.raises(StateConflict):
        request_reply(request=request, by=teacher, text="mine", answer=True)
    request_reply(request=request, by=mentor, text="Start from the objectives.", answer=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    request_close(request=request, by=teacher, rating=5, note="Thanks")
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED and request.rating == 5
    report = request_report(user=make_user(roles=[(Role.ANALYST, None)]), year=academic_year())
    assert report["total"] == 1 and report["within_sla"] == 100.0
    assert report["median_hours"] is not None


@pytest.mark.django_db
def test_decline_needs_a_reason_and_out_of_scope_person_is_not_found() -> None:
    _leading, partners = make_network(year=academic_year(), partners=1)
    leader = make_user(roles=[(Role.SCHOOL_LEADER, partners[0])])
    far = make_person(organisation=make_organisation(area=area_of("ALA")))
    with pytest.raises(NotFoundError):
        request_file(by=leader, topic="other", text="x", person=far)
    mine = make_person(organisation=partners[0])
    request = request_file(by=leader, topic="other", text="x", person=mine)
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    with pytest.raises(DomainError):
        request_decline(request=request, by=coordinator, reason=" ")
    request_decline(request=request, by=coordinator, reason="Not our area")
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED


@pytest.mark.django_db
def test_overdue_requests_notify_once() -> None:
    _leading, partners = make_network(year=academic_year(), partners=1)
    teacher = make_user(roles=[(Role.TEACHER, None)], person=make_person(organisation=partners[0]))
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    request_file(by=teacher, topic="planning", text="Help")
    later = timezone.localdate() + timedelta(days=30)
    assert requests_notify_overdue(today=later) == 1
    assert requests_notify_overdue(today=later) == 0
    assert Notification.objects.filter(recipient=coordinator).count() == 1


@pytest.mark.django_db
def test_event_report_counts_and_coverage() -> None:
    leading, partners = make_network(year=academic_year(), partners=2)
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    event = _event(coordinator, is_open=False, leading=leading)
    participant_add(event=event, person=make_person(organisation=partners[0]), by=coordinator)
    report = event_report(user=coordinator, year=academic_year())
    assert report["total"] == 1 and report["reached"] == 1
    coverage = partner_coverage(user=coordinator, year=academic_year())
    assert sum(row[2] for row in coverage) == 1 and coverage[0][1] == 2


@pytest.mark.django_db
def test_the_sla_is_a_setting(settings: Any) -> None:
    settings.KASKAD_REQUEST_SLA_DAYS = {"planning": 2}
    _leading, partners = make_network(year=academic_year(), partners=1)
    teacher = make_user(roles=[(Role.TEACHER, None)], person=make_person(organisation=partners[0]))
    request = request_file(by=teacher, topic="planning", text="Help")
    assert request.due_on == timezone.localdate() + timedelta(days=2)
