"""The plagiarism workflow end to end: a submission queues the check, the check runs against
the real index on disk, the threshold decides CLEAR or SUSPECTED, certification reacts, and
the officer's decision settles a suspected portfolio."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import (
    EventKind,
    PlagiarismStatus,
    Portfolio,
    PortfolioEvent,
    PortfolioFile,
    PortfolioStatus,
    Rating,
)
from kaskad.assessment.portfolios.services import portfolio_submit
from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.plagiarism.models import (
    CheckStatus,
    PlagiarismCheck,
    PlagiarismDecision,
    ProgrammeTemplate,
    ProgrammeThreshold,
)
from kaskad.plagiarism.services import (
    check_run,
    decision_record,
    portfolio_text,
    threshold_set,
)
from kaskad.plagiarism.store import index_path, index_size
from kaskad.plagiarism.tests.factories import immediate_tasks, open_cohort, participant, submit
from kaskad.plagiarism.tests.texts import OWN, PASSAGE, PASSAGE_RU, TEMPLATE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]
__all__ = ["immediate_tasks"]  # the fixture, used through pytestmark


def officer() -> Any:
    return make_user(roles=[(Role.PLAGIARISM_OFFICER, None)])


def pct(check: PlagiarismCheck) -> Decimal:
    assert check.similarity_percent is not None
    return check.similarity_percent


def marks_are_in(portfolio: Portfolio, rating: str = Rating.SATISFACTORY) -> None:
    """The state marking leaves: a settled rating waiting for the plagiarism result."""
    Portfolio.objects.filter(pk=portfolio.pk).update(
        status=PortfolioStatus.AWAITING_PLAGIARISM, rating=rating
    )
    portfolio.refresh_from_db()


def copied_pair(capture: Any) -> tuple[Portfolio, Portfolio, PlagiarismCheck]:
    """A writes PASSAGE in their own portfolio; B copies it into theirs."""
    cohort = open_cohort()
    first, first_user = participant(cohort, OWN[0] + "\n\n" + PASSAGE)
    second, second_user = participant(cohort, OWN[1] + "\n\n" + PASSAGE)
    submit(first, first_user, capture)
    return first, second, submit(second, second_user, capture)


# --- A submission is checked --------------------------------------------------------------------


def test_a_submission_is_checked_in_the_background_and_cleared(
    django_capture_on_commit_callbacks: Any,
) -> None:
    portfolio, user = participant(open_cohort(), OWN[0])

    check = submit(portfolio, user, django_capture_on_commit_callbacks)

    assert check.status == CheckStatus.DONE and check.attempt == 1
    assert check.similarity_percent == Decimal("0.00")
    assert check.threshold_percent == Decimal("15")
    assert check.checked_chars == len(OWN[0]) and check.finished_at is not None
    assert check.report["matches"] == [] and check.cross_language == "skipped"
    assert portfolio.plagiarism_status == PlagiarismStatus.CLEAR
    assert portfolio.similarity_percent == Decimal("0.00")
    event = PortfolioEvent.objects.get(portfolio=portfolio, kind=EventKind.PLAGIARISM)
    assert event.data["plagiarism_status"] == [PlagiarismStatus.PENDING, PlagiarismStatus.CLEAR]
    # The text is in the index on disk, under the lock file beside it.
    assert index_size() == 1
    assert index_path().with_name("plagiarism-index.lock").exists()


def test_a_copied_passage_is_suspected_with_the_first_portfolio_as_its_source(
    django_capture_on_commit_callbacks: Any,
) -> None:
    first, second, check = copied_pair(django_capture_on_commit_callbacks)

    first.refresh_from_db()
    assert first.plagiarism_status == PlagiarismStatus.CLEAR  # nothing to compare with yet
    assert second.plagiarism_status == PlagiarismStatus.SUSPECTED
    text = portfolio_text(portfolio_id=second.pk, attempt=1)
    source_text = portfolio_text(portfolio_id=first.pk, attempt=1)
    share = Decimal(len(PASSAGE) * 100) / Decimal(len(text))
    assert abs(pct(check) - share) < 2  # the passage, give or take a full stop
    assert [s["doc_id"] for s in check.sources] == [f"portfolio:{first.pk}:1"]
    [match] = check.report["matches"]
    assert match["kind"] == "copy" and match["source_id"] == f"portfolio:{first.pk}:1"
    # The offsets point at the passage on both sides.
    here, there = text.index(PASSAGE), source_text.index(PASSAGE)
    assert abs(match["start"] - here) <= 2 and abs(match["end"] - (here + len(PASSAGE))) <= 2
    assert abs(match["source_start"] - there) <= 2
    assert abs(match["source_end"] - (there + len(PASSAGE))) <= 2
    assert (
        text[match["start"] : match["end"]]
        == source_text[match["source_start"] : match["source_end"]]
    )


def test_the_programme_threshold_decides_clear_or_suspected(
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = open_cohort()
    threshold_set(programme=cohort.version.programme, threshold_percent="60", by=officer())
    first, first_user = participant(cohort, OWN[0] + "\n\n" + PASSAGE)
    second, second_user = participant(cohort, OWN[1] + "\n\n" + PASSAGE)
    submit(first, first_user, django_capture_on_commit_callbacks)

    check = submit(second, second_user, django_capture_on_commit_callbacks)

    assert Decimal("40") < pct(check) < Decimal("60")
    assert check.threshold_percent == Decimal("60.00")
    assert second.plagiarism_status == PlagiarismStatus.CLEAR


def test_a_threshold_out_of_range_is_refused_and_nothing_is_written() -> None:
    cohort = open_cohort()
    for bad in ("0", "101", "abc", "-5"):
        with pytest.raises(DomainError) as caught:
            threshold_set(programme=cohort.version.programme, threshold_percent=bad, by=officer())
        assert caught.value.code == "threshold_invalid"
    assert not ProgrammeThreshold.objects.exists()
    teacher = make_user(roles=[(Role.TEACHER, None)])
    with pytest.raises(NotFoundError):
        threshold_set(programme=cohort.version.programme, threshold_percent="20", by=teacher)


# --- Certification reacts -----------------------------------------------------------------------


def test_a_clear_check_lets_a_waiting_portfolio_be_certified(
    django_capture_on_commit_callbacks: Any,
) -> None:
    portfolio, user = participant(open_cohort(), OWN[2])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        portfolio_submit(portfolio=portfolio, by=user)
    marks_are_in(portfolio)  # the assessor was quicker than the worker

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    portfolio.refresh_from_db()
    assert portfolio.plagiarism_status == PlagiarismStatus.CLEAR
    assert portfolio.status == PortfolioStatus.CERTIFIED and portfolio.released_at is not None


def test_a_suspected_portfolio_waits_and_the_officer_clears_it(
    django_capture_on_commit_callbacks: Any,
) -> None:
    _first, second, check = copied_pair(django_capture_on_commit_callbacks)
    marks_are_in(second)
    check_run(portfolio_id=second.pk)  # a re-run replaces the check of the attempt
    second.refresh_from_db()
    assert second.status == PortfolioStatus.AWAITING_PLAGIARISM
    assert PlagiarismCheck.objects.filter(portfolio=second).count() == 1

    the_officer = officer()
    decision = decision_record(
        check=check,
        decision="cleared",
        comment="Shared lesson notes of the cohort.",
        by=the_officer,
    )

    second.refresh_from_db()
    assert second.plagiarism_status == PlagiarismStatus.CLEARED
    assert second.status == PortfolioStatus.CERTIFIED
    assert decision.by == the_officer and decision.plagiarism_check_id == check.pk
    event = PortfolioEvent.objects.filter(portfolio=second, kind=EventKind.PLAGIARISM).last()
    assert event is not None and event.reason == "Shared lesson notes of the cohort."


def test_confirmed_plagiarism_means_not_certified(
    django_capture_on_commit_callbacks: Any,
) -> None:
    _first, second, check = copied_pair(django_capture_on_commit_callbacks)
    marks_are_in(second, Rating.GOOD)

    decision_record(check=check, decision="confirmed", comment="Verbatim copy.", by=officer())

    second.refresh_from_db()
    assert second.plagiarism_status == PlagiarismStatus.CONFIRMED
    assert PortfolioEvent.objects.filter(portfolio=second, kind=EventKind.NOT_CERTIFIED).exists()
    assert not PortfolioEvent.objects.filter(portfolio=second, kind=EventKind.CERTIFIED).exists()
    # Not certified at the first attempt: the one repeated evaluation opens.
    assert (second.status, second.attempt) == (PortfolioStatus.RESUBMISSION, 2)


def test_a_decision_needs_a_comment_and_an_officer_and_writes_nothing_otherwise(
    django_capture_on_commit_callbacks: Any,
) -> None:
    _first, second, check = copied_pair(django_capture_on_commit_callbacks)
    with pytest.raises(DomainError) as caught:
        decision_record(check=check, decision="cleared", comment="   ", by=officer())
    assert caught.value.code == "comment_required" and caught.value.field == "comment"
    with pytest.raises(DomainError) as caught:
        decision_record(check=check, decision="maybe", comment="Hm.", by=officer())
    assert caught.value.code == "decision_invalid"
    assessor = make_user(roles=[(Role.ASSESSOR, None)])
    with pytest.raises(NotFoundError):
        decision_record(check=check, decision="cleared", comment="Fine.", by=assessor)
    assert not PlagiarismDecision.objects.exists()
    second.refresh_from_db()
    assert second.plagiarism_status == PlagiarismStatus.SUSPECTED


def test_a_decision_on_a_settled_outcome_is_refused(
    django_capture_on_commit_callbacks: Any,
) -> None:
    _first, second, check = copied_pair(django_capture_on_commit_callbacks)
    Portfolio.objects.filter(pk=second.pk).update(status=PortfolioStatus.CERTIFIED)
    with pytest.raises(StateConflict) as caught:
        decision_record(check=check, decision="confirmed", comment="Late.", by=officer())
    assert caught.value.code == "outcome_settled"
    assert not PlagiarismDecision.objects.exists()


def test_a_recheck_does_not_overturn_the_officers_decision(
    django_capture_on_commit_callbacks: Any,
) -> None:
    _first, second, check = copied_pair(django_capture_on_commit_callbacks)
    decision_record(check=check, decision="cleared", comment="Co-written.", by=officer())

    again = check_run(portfolio_id=second.pk)

    second.refresh_from_db()
    assert again.pk == check.pk and again.status == CheckStatus.DONE
    assert second.plagiarism_status == PlagiarismStatus.CLEARED


# --- What is not evidence -----------------------------------------------------------------------


def test_a_participants_resubmission_does_not_match_their_first_attempt(
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = open_cohort()
    portfolio, user = participant(cohort, OWN[3] + "\n\n" + PASSAGE)
    submit(portfolio, user, django_capture_on_commit_callbacks)
    # Not certified at the first attempt: the repeated evaluation is open, and the
    # participant uploads a revised version of the same text.
    Portfolio.objects.filter(pk=portfolio.pk).update(
        status=PortfolioStatus.RESUBMISSION, attempt=2, submitted_at=None
    )
    first_file = PortfolioFile.objects.get(portfolio=portfolio)
    PortfolioFile.objects.create(
        portfolio=portfolio,
        attempt=2,
        original_name="revised.txt",
        kind="txt",
        size=10,
        sha256="0" * 64,
        stored=first_file.stored.name,
        text=OWN[3] + "\n\n" + PASSAGE + "\n\nI added a section on what I changed.",
    )
    portfolio.refresh_from_db()

    check = submit(portfolio, user, django_capture_on_commit_callbacks)

    assert check.attempt == 2 and check.similarity_percent == Decimal("0.00")
    assert check.report["matches"] == []
    assert portfolio.plagiarism_status == PlagiarismStatus.CLEAR
    assert PlagiarismCheck.objects.filter(portfolio=portfolio).count() == 2
    # Someone else copying the same text is still found (against both attempts' group).
    other, other_user = participant(cohort, OWN[1] + "\n\n" + PASSAGE)
    assert pct(submit(other, other_user, django_capture_on_commit_callbacks)) > 15


def test_text_shared_only_through_the_programme_template_is_not_flagged(
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = open_cohort()
    ProgrammeTemplate.objects.create(
        programme=cohort.version.programme, title="Reflection form", text=TEMPLATE
    )
    first, first_user = participant(cohort, TEMPLATE + "\n\n" + OWN[0])
    second, second_user = participant(cohort, TEMPLATE + "\n\n" + OWN[1])
    submit(first, first_user, django_capture_on_commit_callbacks)

    check = submit(second, second_user, django_capture_on_commit_callbacks)

    assert pct(check) < Decimal("2")
    assert check.report["template_chars"] > len(TEMPLATE) // 2
    assert second.plagiarism_status == PlagiarismStatus.CLEAR


def test_quoted_and_attributed_text_is_reported_but_not_counted(
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = open_cohort()
    first, first_user = participant(cohort, OWN[0] + "\n\n" + PASSAGE)
    quoting = OWN[2] + '\n\nAs a colleague wrote, "' + PASSAGE + '" (Seitkali, 2024).'
    second, second_user = participant(cohort, quoting)
    submit(first, first_user, django_capture_on_commit_callbacks)

    check = submit(second, second_user, django_capture_on_commit_callbacks)

    assert [m["kind"] for m in check.report["matches"]] == ["quoted"]
    assert pct(check) < Decimal("2")
    assert second.plagiarism_status == PlagiarismStatus.CLEAR


def test_a_translated_copy_is_found_when_the_programme_is_taught_in_several_languages(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.KASKAD_PLAGIARISM_CROSS_LANGUAGE = "auto"
    cohort = open_cohort(languages=["kk", "ru", "en"])
    first, first_user = participant(cohort, OWN[0] + "\n\n" + PASSAGE_RU)
    second, second_user = participant(cohort, OWN[3] + "\n\n" + PASSAGE)
    submit(first, first_user, django_capture_on_commit_callbacks)

    check = submit(second, second_user, django_capture_on_commit_callbacks)

    assert check.cross_language == "done"
    kinds = {(m["kind"], m["source_id"]) for m in check.report["matches"]}
    assert ("cross_language", f"portfolio:{first.pk}:1") in kinds
    assert second.plagiarism_status == PlagiarismStatus.SUSPECTED


# --- Failures -----------------------------------------------------------------------------------


def test_a_portfolio_without_text_goes_to_the_officer(
    django_capture_on_commit_callbacks: Any,
) -> None:
    portfolio, user = participant(open_cohort(), OWN[0])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        portfolio_submit(portfolio=portfolio, by=user)
    PortfolioFile.objects.filter(portfolio=portfolio).update(text="")  # unreadable after all
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    check = PlagiarismCheck.objects.get(portfolio=portfolio)
    portfolio.refresh_from_db()
    assert check.status == CheckStatus.FAILED and "No text" in check.error
    assert portfolio.plagiarism_status == PlagiarismStatus.SUSPECTED


def test_a_draft_cannot_be_checked_and_nothing_is_written() -> None:
    portfolio, _user = participant(open_cohort(), OWN[0])
    with pytest.raises(StateConflict) as caught:
        check_run(portfolio_id=portfolio.pk)
    assert caught.value.code == "portfolio_not_submitted"
    assert not PlagiarismCheck.objects.exists()
    with pytest.raises(NotFoundError):
        check_run(portfolio_id=portfolio.pk + 1000)


def test_the_task_skips_a_portfolio_that_is_not_submitted() -> None:
    from kaskad.plagiarism.tasks import check_portfolio

    portfolio, _user = participant(open_cohort(), OWN[0])
    result = check_portfolio.enqueue(portfolio.pk)
    assert result.return_value == {"skipped": True, "code": "portfolio_not_submitted"}
