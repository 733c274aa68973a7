"""Cohorts: creation rules, status transitions, sessions and trainers."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError, StateConflict
from kaskad.core.models import AuditEntry
from kaskad.delivery.models import COHORT_TRANSITIONS, CohortStatus, CohortTrainer
from kaskad.delivery.services.cohorts import CohortData, cohort_create, cohort_set_status
from kaskad.delivery.services.sessions import SessionData, session_add, session_remove
from kaskad.delivery.services.trainers import trainer_assign, trainer_remove
from kaskad.delivery.tests.factories import (
    START,
    accredit,
    add_session,
    coordinator_of,
    make_bare_programme,
    make_cohort,
    make_teacher,
    make_version,
    national_admin,
)
from kaskad.registry.tests.factories import branch

pytestmark = pytest.mark.django_db


def data(version: Any, **overrides: Any) -> CohortData:
    values: dict[str, Any] = {
        "version": version,
        "branch": branch("ALA"),
        "format": "classroom",
        "language": "kk",
        "starts_on": START,
        "ends_on": START + timedelta(days=10),
        "capacity": 25,
    }
    values.update(overrides)
    return CohortData(**values)


# --- creation -----------------------------------------------------------------------------------


def test_a_coordinator_creates_a_planned_cohort_with_a_generated_code() -> None:
    version = make_version()
    coordinator = coordinator_of("ALA")
    cohort = cohort_create(data=data(version), by=coordinator)
    assert cohort.status == CohortStatus.PLANNED
    assert cohort.code == f"{version.programme.code}-ALA-202603-1"
    assert cohort.created_by == coordinator
    second = cohort_create(data=data(version), by=coordinator)
    assert second.code.endswith("-2")
    assert AuditEntry.objects.filter(
        object_type="delivery.cohort", object_id=str(cohort.pk)
    ).exists()


def test_a_given_code_must_be_free() -> None:
    version = make_version()
    cohort_create(data=data(version, code="ALA-1"), by=national_admin())
    with pytest.raises(DomainError) as exc:
        cohort_create(data=data(version, code="ALA-1"), by=national_admin())
    assert exc.value.code == "code_taken"


def test_only_an_approved_version() -> None:
    version = make_version(status="draft")
    with pytest.raises(DomainError) as exc:
        cohort_create(data=data(version), by=national_admin())
    assert exc.value.code == "version_not_approved"
    assert exc.value.field == "version"
    assert "approved" in str(exc.value.message)


def test_the_format_must_be_one_the_version_allows() -> None:
    version = make_version(formats=["online", "self_paced"])
    with pytest.raises(DomainError) as exc:
        cohort_create(data=data(version, format="classroom"), by=national_admin())
    assert exc.value.code == "format_not_allowed"
    assert exc.value.field == "format"
    message = str(exc.value.message)
    assert "classroom" in message and "online, self-paced (MOOC)" in message


def test_the_language_must_be_one_the_version_allows() -> None:
    version = make_version(languages=["ru"])
    with pytest.raises(DomainError) as exc:
        cohort_create(data=data(version, language="kk"), by=national_admin())
    assert exc.value.code == "language_not_allowed"
    assert "Kazakh" in str(exc.value.message) and "Russian" in str(exc.value.message)


def test_capacity_is_required_except_for_self_paced_which_has_none() -> None:
    version = make_version()
    with pytest.raises(DomainError) as exc:
        cohort_create(data=data(version, capacity=None), by=national_admin())
    assert exc.value.code == "capacity_required"
    with pytest.raises(DomainError) as exc:
        cohort_create(data=data(version, capacity=0), by=national_admin())
    assert exc.value.code == "capacity_too_small"
    with pytest.raises(DomainError) as exc:
        cohort_create(data=data(version, format="self_paced", capacity=30), by=national_admin())
    assert exc.value.code == "capacity_not_for_self_paced"
    mooc = cohort_create(
        data=data(version, format="self_paced", capacity=None), by=national_admin()
    )
    assert mooc.capacity is None and mooc.seats_left is None


def test_a_cohort_cannot_end_before_it_starts() -> None:
    with pytest.raises(DomainError) as exc:
        cohort_create(
            data=data(make_version(), ends_on=START - timedelta(days=1)), by=national_admin()
        )
    assert exc.value.code == "ends_before_start"


def test_a_coordinator_creates_cohorts_only_for_their_branch() -> None:
    with pytest.raises(PermissionDeniedError) as exc:
        cohort_create(data=data(make_version(), branch=branch("AST")), by=coordinator_of("ALA"))
    assert exc.value.code == "branch_out_of_scope"


# --- status -------------------------------------------------------------------------------------


def test_the_legal_path_from_planned_to_closed() -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    for status in ("open", "planned", "open", "running", "finished", "closed"):
        cohort = cohort_set_status(cohort=cohort, status=status, by=admin)
        assert cohort.status == status
    entries = AuditEntry.objects.filter(object_type="delivery.cohort", object_id=str(cohort.pk))
    assert {"status": ["finished", "closed"]} in [e.changes for e in entries]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (start, target)
        for start in CohortStatus.values
        for target in CohortStatus.values
        if target not in COHORT_TRANSITIONS[start]
    ],
)
def test_every_illegal_transition_is_refused_with_a_clear_message(start: str, target: str) -> None:
    admin = national_admin()
    cohort = make_cohort(status=start, by=admin)
    with pytest.raises(StateConflict) as exc:
        cohort_set_status(cohort=cohort, status=target, by=admin)
    assert exc.value.code == "illegal_transition"
    message = str(exc.value.message)
    assert cohort.code in message
    if start == "closed":
        assert "can no longer change" in message
    else:
        assert "cannot go from" in message
    cohort.refresh_from_db()
    assert cohort.status == start


def test_an_unknown_status_is_refused() -> None:
    admin = national_admin()
    with pytest.raises(DomainError) as exc:
        cohort_set_status(cohort=make_cohort(by=admin), status="cancelled", by=admin)
    assert exc.value.code == "unknown_status"


def test_a_coordinator_of_another_branch_cannot_touch_the_cohort() -> None:
    cohort = make_cohort(branch_obj=branch("ALA"))
    with pytest.raises(NotFoundError):
        cohort_set_status(cohort=cohort, status="open", by=coordinator_of("AST"))
    cohort = cohort_set_status(cohort=cohort, status="open", by=coordinator_of("ALA"))
    assert cohort.status == "open"


# --- sessions -----------------------------------------------------------------------------------


def session(day: date, **overrides: Any) -> SessionData:
    values: dict[str, Any] = {
        "date": day,
        "starts_at": time(9),
        "ends_at": time(13),
        "hours": Decimal("4"),
        "place": "",
        "online_link": "",
    }
    values.update(overrides)
    return SessionData(**values)


def test_a_classroom_session_needs_a_place() -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    with pytest.raises(DomainError) as exc:
        session_add(cohort=cohort, data=session(START), by=admin)
    assert (exc.value.code, exc.value.field) == ("place_required", "place")
    made = session_add(cohort=cohort, data=session(START, place="Room 12"), by=admin)
    assert made.place == "Room 12"


def test_an_online_session_needs_a_valid_link() -> None:
    admin = national_admin()
    cohort = make_cohort(format="online", by=admin)
    with pytest.raises(DomainError) as exc:
        session_add(cohort=cohort, data=session(START, place="Room 1"), by=admin)
    assert exc.value.code == "online_link_required"
    with pytest.raises(DomainError) as exc:
        session_add(cohort=cohort, data=session(START, online_link="meet me there"), by=admin)
    assert exc.value.code == "online_link_invalid"
    made = session_add(
        cohort=cohort, data=session(START, online_link="https://meet.example.kz/a"), by=admin
    )
    assert made.online_link == "https://meet.example.kz/a"


def test_a_blended_session_needs_a_place_or_a_link() -> None:
    admin = national_admin()
    cohort = make_cohort(format="blended", by=admin)
    with pytest.raises(DomainError) as exc:
        session_add(cohort=cohort, data=session(START), by=admin)
    assert exc.value.code == "place_or_link_required"
    session_add(cohort=cohort, data=session(START, online_link="https://x.example.kz"), by=admin)


def test_session_dates_times_and_hours_are_checked() -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    with pytest.raises(DomainError) as exc:
        session_add(cohort=cohort, data=session(START - timedelta(days=1), place="R"), by=admin)
    assert exc.value.code == "session_outside_cohort"
    with pytest.raises(DomainError) as exc:
        session_add(cohort=cohort, data=session(START, place="R", ends_at=time(8)), by=admin)
    assert exc.value.code == "session_ends_before_start"
    with pytest.raises(DomainError) as exc:
        session_add(cohort=cohort, data=session(START, place="R", hours=Decimal(0)), by=admin)
    assert exc.value.code == "session_hours"


def test_finished_cohorts_take_no_more_sessions() -> None:
    admin = national_admin()
    cohort = make_cohort(status="finished", by=admin)
    with pytest.raises(StateConflict) as exc:
        session_add(cohort=cohort, data=session(START, place="R"), by=admin)
    assert exc.value.code == "cohort_read_only"


def test_a_session_without_marks_can_be_removed() -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    made = add_session(cohort, by=admin)
    session_remove(session=made, by=admin)
    assert not cohort.sessions.exists()


# --- trainers -----------------------------------------------------------------------------------


def test_an_accredited_trainer_is_assigned() -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    person = make_teacher(position="trainer")
    accreditation = accredit(person, cohort.version.programme)
    assignment = trainer_assign(cohort=cohort, person=person, by=admin)
    assert assignment.accreditation == accreditation
    with pytest.raises(DomainError) as exc:
        trainer_assign(cohort=cohort, person=person, by=admin)
    assert exc.value.code == "trainer_already_assigned"
    trainer_remove(cohort=cohort, person=person, by=admin)
    assert not CohortTrainer.objects.filter(cohort=cohort).exists()


def _refusal(cohort, person, admin) -> str:
    with pytest.raises(DomainError) as exc:
        trainer_assign(cohort=cohort, person=person, by=admin)
    assert exc.value.code == "trainer_not_accredited"
    assert exc.value.field == "person"
    return str(exc.value.message)


def test_a_trainer_without_any_accreditation_is_refused() -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    person = make_teacher(surname="Омарова", given_name="Әлия")
    assert _refusal(cohort, person, admin) == "Омарова Әлия has no trainer accreditation."


def test_a_trainer_of_another_programme_is_refused() -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    person = make_teacher()
    accredit(person, make_bare_programme(code="LS-01"))
    message = _refusal(cohort, person, admin)
    assert "other programmes only (LS-01)" in message
    assert cohort.version.programme.code in message


def test_an_expired_accreditation_is_refused() -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    person = make_teacher()
    accredit(person, cohort.version.programme, valid_until=START - timedelta(days=1))
    message = _refusal(cohort, person, admin)
    assert "expired on" in message and "before the cohort starts" in message


def test_an_accreditation_valid_on_the_start_date_is_enough() -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    person = make_teacher()
    accredit(
        person, cohort.version.programme, valid_from=START - timedelta(days=30), valid_until=START
    )
    trainer_assign(cohort=cohort, person=person, by=admin)


def test_a_revoked_accreditation_is_refused_with_the_reason() -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    person = make_teacher()
    accredit(
        person,
        cohort.version.programme,
        revoked_at=timezone.now(),
        revoked_reason="plagiarism in the portfolio",
    )
    message = _refusal(cohort, person, admin)
    assert "was revoked on" in message and "plagiarism in the portfolio" in message


def test_an_accreditation_that_starts_later_is_refused() -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    person = make_teacher()
    accredit(person, cohort.version.programme, valid_from=START + timedelta(days=1))
    assert "is valid only from" in _refusal(cohort, person, admin)


def test_trainers_of_another_branch_cohort_cannot_be_assigned_by_a_coordinator() -> None:
    cohort = make_cohort(branch_obj=branch("AST"))
    person = make_teacher()
    accredit(person, cohort.version.programme)
    with pytest.raises(NotFoundError):
        trainer_assign(cohort=cohort, person=person, by=coordinator_of("ALA"))
