"""The outcome of an attempt: the plagiarism gate, release, the one re-evaluation (final),
revocation, and the enrolment's assessment result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.certification.services import (
    RE_EVALUATION_NOTIFICATION,
    certification_revoke,
    outcome_settle,
    portfolio_set_plagiarism,
)
from kaskad.assessment.models import EventKind, Portfolio, PortfolioEvent, PortfolioStatus
from kaskad.assessment.tests.factories import make_portfolio, make_rubric, marking_world
from kaskad.core.errors import DomainError, NotFoundError
from kaskad.core.models import Notification
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_cohort,
    make_version,
    national_admin,
    teacher_user,
)

pytestmark = pytest.mark.django_db


def officer():
    return make_user(roles=[(Role.PLAGIARISM_OFFICER, None)])


def rated(rating: str, *, plagiarism: str = "clear", attempt: int = 1) -> Portfolio:
    version = make_version()
    rubric = make_rubric(version=version, resubmission_days=10)
    cohort = make_cohort(version=version, status="open")
    portfolio = make_portfolio(
        cohort=cohort,
        rubric=rubric,
        status=PortfolioStatus.IN_ASSESSMENT,
        plagiarism_status=plagiarism,
        attempt=attempt,
    )
    teacher_user(portfolio.enrolment.person)
    portfolio.rating = rating
    portfolio.save(update_fields=["rating"])
    return portfolio


def kinds(portfolio: Portfolio) -> list[str]:
    return list(portfolio.events.order_by("at", "id").values_list("kind", flat=True))


def passed(portfolio: Portfolio) -> bool | None:
    portfolio.enrolment.refresh_from_db()
    return portfolio.enrolment.assessment_passed


def test_clear_and_satisfactory_is_certified_and_released():
    portfolio = rated("satisfactory")
    outcome_settle(portfolio=portfolio, by=national_admin())
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.CERTIFIED
    assert portfolio.released_at is not None
    assert kinds(portfolio) == [EventKind.CERTIFIED, EventKind.RELEASED]
    assert passed(portfolio) is True


@pytest.mark.parametrize("plagiarism", ["pending", "suspected", "not_checked"])
def test_certification_waits_while_the_check_is_open(plagiarism):
    portfolio = rated("good", plagiarism=plagiarism)
    outcome_settle(portfolio=portfolio, by=national_admin())
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.AWAITING_PLAGIARISM
    assert portfolio.released_at is None  # never released before the outcome is settled
    assert EventKind.RELEASED not in kinds(portfolio)
    assert passed(portfolio) is None


def test_cleared_after_waiting_certifies():
    portfolio = rated("good", plagiarism="pending")
    outcome_settle(portfolio=portfolio, by=national_admin())
    # Suspected: still waiting, still unreleased.
    portfolio_set_plagiarism(
        portfolio=portfolio, status="suspected", similarity_percent="31.5", by=None
    )
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.AWAITING_PLAGIARISM
    assert portfolio.released_at is None
    assert str(portfolio.similarity_percent) == "31.50"
    portfolio_set_plagiarism(
        portfolio=portfolio, status="cleared", by=officer(), reason="quotations attributed"
    )
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.CERTIFIED
    assert portfolio.plagiarism_status == "cleared"
    assert portfolio.released_at is not None
    assert passed(portfolio) is True
    certified = portfolio.events.get(kind=EventKind.CERTIFIED)
    assert certified.reason == "quotations attributed"


def test_confirmed_plagiarism_means_not_certified_even_with_a_good_rating():
    portfolio = rated("good", plagiarism="suspected")
    outcome_settle(portfolio=portfolio, by=national_admin())
    portfolio_set_plagiarism(portfolio=portfolio, status="confirmed", by=officer(), reason="copied")
    portfolio.refresh_from_db()
    # A first attempt not certified opens the re-evaluation at once.
    assert portfolio.status == PortfolioStatus.RESUBMISSION
    assert portfolio.attempt == 2
    refused = portfolio.events.get(kind=EventKind.NOT_CERTIFIED)
    assert refused.attempt == 1 and refused.data["plagiarism_status"] == "confirmed"
    assert passed(portfolio) is None  # not final yet


def test_confirmed_before_marking_ends_settles_not_certified_directly():
    portfolio = rated("satisfactory", plagiarism="confirmed", attempt=2)
    outcome_settle(portfolio=portfolio, by=national_admin())
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.NOT_CERTIFIED
    assert passed(portfolio) is False


def test_first_attempt_not_certified_opens_exactly_one_re_evaluation():
    portfolio = rated("unsatisfactory")
    before = timezone.now()
    outcome_settle(portfolio=portfolio, by=national_admin())
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.RESUBMISSION
    assert portfolio.attempt == 2
    assert portfolio.rating == ""
    assert portfolio.released_at is None  # released_at is the current attempt's
    assert before + timedelta(days=10) <= portfolio.deadline <= timezone.now() + timedelta(days=10)
    assert kinds(portfolio) == [
        EventKind.NOT_CERTIFIED,
        EventKind.RELEASED,
        EventKind.RE_EVALUATION,
    ]
    released = portfolio.events.get(kind=EventKind.RELEASED)
    assert released.attempt == 1
    note = Notification.objects.get(recipient__person=portfolio.enrolment.person)
    assert note.message == RE_EVALUATION_NOTIFICATION
    assert note.params["deadline"] == timezone.localtime(portfolio.deadline).date().isoformat()
    assert passed(portfolio) is None


def test_second_attempt_result_is_final_no_third():
    portfolio = rated("unsatisfactory", attempt=2)
    outcome_settle(portfolio=portfolio, by=national_admin())
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.NOT_CERTIFIED
    assert portfolio.attempt == 2
    assert portfolio.released_at is not None
    assert EventKind.RE_EVALUATION not in kinds(portfolio)
    assert passed(portfolio) is False
    # Nothing more to settle.
    with pytest.raises(DomainError) as error:
        outcome_settle(portfolio=portfolio, by=national_admin())
    assert error.value.code == "outcome_not_settleable"


def test_second_attempt_certified():
    portfolio = rated("satisfactory", attempt=2)
    outcome_settle(portfolio=portfolio, by=national_admin())
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.CERTIFIED
    assert passed(portfolio) is True


def test_settle_needs_a_rating():
    portfolio = rated("")
    with pytest.raises(DomainError) as error:
        outcome_settle(portfolio=portfolio, by=national_admin())
    assert error.value.code == "rating_not_settled"
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.IN_ASSESSMENT
    assert not portfolio.events.exists()


def test_plagiarism_bad_input_writes_nothing():
    portfolio = rated("good", plagiarism="pending")
    with pytest.raises(DomainError) as error:
        portfolio_set_plagiarism(portfolio=portfolio, status="maybe", by=officer())
    assert error.value.code == "plagiarism_status_invalid"
    for bad in ("-1", "101", "abc", "NaN"):
        with pytest.raises(DomainError) as error:
            portfolio_set_plagiarism(
                portfolio=portfolio, status="clear", similarity_percent=bad, by=officer()
            )
        assert error.value.code == "similarity_invalid"
    # Someone who is not on the plagiarism side: not found.
    with pytest.raises(NotFoundError):
        portfolio_set_plagiarism(portfolio=portfolio, status="clear", by=coordinator_of("ALA"))
    portfolio.refresh_from_db()
    assert portfolio.plagiarism_status == "pending"
    assert not PortfolioEvent.objects.filter(portfolio=portfolio).exists()


def test_plagiarism_status_without_waiting_does_not_settle():
    world = marking_world(plagiarism_status="pending")
    portfolio_set_plagiarism(portfolio=world.portfolio, status="clear", by=None)
    world.portfolio.refresh_from_db()
    assert world.portfolio.status == PortfolioStatus.IN_ASSESSMENT
    assert kinds(world.portfolio) == [EventKind.PLAGIARISM]


def test_revoke():
    portfolio = rated("good")
    outcome_settle(portfolio=portfolio, by=national_admin())
    admin = national_admin()
    # A reason is required; nothing is written without it.
    with pytest.raises(DomainError) as error:
        certification_revoke(portfolio=portfolio, by=admin, reason="  ")
    assert error.value.code == "reason_required"
    # Out of scope: a coordinator of another branch, an assessor.
    with pytest.raises(NotFoundError):
        certification_revoke(portfolio=portfolio, by=coordinator_of("AST"), reason="x")
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.CERTIFIED
    assert passed(portfolio) is True
    certification_revoke(portfolio=portfolio, by=admin, reason="certificate issued in error")
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.REVOKED
    assert passed(portfolio) is False
    event = portfolio.events.get(kind=EventKind.REVOKED)
    assert event.actor == admin and event.reason == "certificate issued in error"
    # Only a certified portfolio can be revoked.
    with pytest.raises(DomainError) as error:
        certification_revoke(portfolio=portfolio, by=admin, reason="again")
    assert error.value.code == "not_certified"


def test_coordinator_of_the_branch_may_revoke():
    portfolio = rated("satisfactory")
    outcome_settle(portfolio=portfolio, by=national_admin())
    certification_revoke(
        portfolio=portfolio, by=coordinator_of(portfolio.branch.code), reason="fraud"
    )
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.REVOKED


def test_re_evaluation_goes_to_a_different_assessor_and_is_final():
    """Attempt 1 not certified -> resubmitted -> allocated to someone who did not mark attempt
    1 -> not certified again: final, no third attempt."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kaskad.assessment.allocation.services import assign_one
    from kaskad.assessment.marking.services import assignment_mark
    from kaskad.assessment.models import AssignmentRole
    from kaskad.assessment.portfolios.services import portfolio_file_add, portfolio_submit
    from kaskad.assessment.tests.factories import (
        UNSATISFACTORY,
        give_task,
        marks_for,
        need,
        user_of,
    )

    world = marking_world(percent=0, assessors=4, plagiarism_status="clear")
    portfolio = world.portfolio
    participant = teacher_user(portfolio.enrolment.person)
    first = give_task(portfolio, world.assessors[0])
    assignment_mark(
        assignment=first,
        marks=marks_for(world.rubric, UNSATISFACTORY),
        comment="weak",
        by=user_of(first),
    )
    second = need(portfolio, AssignmentRole.SECOND)
    assignment_mark(
        assignment=second,
        marks=marks_for(world.rubric, UNSATISFACTORY),
        comment="weak too",
        by=user_of(second),
    )
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.RESUBMISSION and portfolio.attempt == 2
    attempt_one = {first.assessor_id, second.assessor_id}

    upload = SimpleUploadedFile("revised.txt", b"A revised series of lessons with evidence.")
    portfolio_file_add(portfolio=portfolio, upload=upload, by=participant)
    portfolio_submit(portfolio=portfolio, by=participant)
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.SUBMITTED
    task = assign_one(portfolio=portfolio, role=AssignmentRole.FIRST, by=None)
    assert task is not None and task.attempt == 2
    assert task.assessor_id not in attempt_one
    # Settle attempt 2 as not certified (plagiarism cleared): final.
    portfolio_set_plagiarism(portfolio=portfolio, status="clear", by=None)
    assignment_mark(
        assignment=task,
        marks=marks_for(world.rubric, UNSATISFACTORY),
        comment="still weak",
        by=user_of(task),
    )
    again = need(portfolio, AssignmentRole.SECOND, attempt=2)
    assert again is not None and again.assessor_id not in attempt_one | {task.assessor_id}
    assignment_mark(
        assignment=again,
        marks=marks_for(world.rubric, UNSATISFACTORY),
        comment="agree",
        by=user_of(again),
    )
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.NOT_CERTIFIED
    assert portfolio.attempt == 2
    assert portfolio.released_at is not None
    assert portfolio.events.filter(kind=EventKind.RE_EVALUATION).count() == 1
    assert passed(portfolio) is False


def test_participant_feedback_only_after_release():
    from kaskad.assessment.marking.selectors import released_feedback
    from kaskad.assessment.marking.services import assignment_mark
    from kaskad.assessment.tests.factories import GOOD, give_task, marks_for, user_of

    world = marking_world(percent=0, plagiarism_status="pending")
    task = give_task(world.portfolio, world.assessors[0])
    assignment_mark(
        assignment=task, marks=marks_for(world.rubric, GOOD), comment="Well done", by=user_of(task)
    )
    assert released_feedback(portfolio=world.portfolio) == []  # awaiting plagiarism
    portfolio_set_plagiarism(portfolio=world.portfolio, status="clear", by=None)
    [feedback] = released_feedback(portfolio=world.portfolio)
    assert feedback.attempt == 1 and feedback.rating == "good" and feedback.outcome == "certified"
    [marking] = feedback.markings
    assert marking.comment == "Well done" and len(marking.marks) == 4
    assert marking.label == "first marking"
