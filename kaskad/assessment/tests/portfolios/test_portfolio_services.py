"""The participant's side of a portfolio: opening it, files judged by their content, the
submission and its signal, the trainer's feedback and the consent to publish — with every
refusal leaving nothing behind, and everyone out of scope told it does not exist."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from kaskad.assessment.models import (
    DraftFeedback,
    EventKind,
    PlagiarismStatus,
    Portfolio,
    PortfolioEvent,
    PortfolioFile,
    PortfolioStatus,
    Rating,
)
from kaskad.assessment.portfolios.services import (
    FileRefused,
    draft_feedback_add,
    portfolio_file_add,
    portfolio_file_remove,
    portfolio_for_enrolment,
    portfolio_submit,
    publish_consent_set,
)
from kaskad.assessment.tests import submission_tasks
from kaskad.assessment.tests.factories import enrol, make_rubric
from kaskad.assessment.tests.portfolio_documents import (
    AUTHOR,
    make_docx,
    make_odt,
    make_pdf,
)
from kaskad.assessment.tests.portfolio_helpers import (
    TEXT,
    Case,
    add_text_file,
    cohort_trainer,
    participant_case,
    stored_files,
    upload,
)
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError, StateConflict
from kaskad.core.models import AuditEntry, Notification
from kaskad.delivery.services import enrolment_withdraw
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_cohort,
    make_teacher,
    make_version,
    national_admin,
    teacher_user,
)

pytestmark = pytest.mark.django_db

KAZAKH = "Оқушылардың әғқңөұүһі әріптерін жазуы туралы рефлексия."


def refused(case: Case, name: str, data: bytes, by: Any = None) -> DomainError:
    before = PortfolioFile.objects.count()
    with pytest.raises(DomainError) as caught:
        portfolio_file_add(portfolio=case.portfolio, upload=upload(name, data), by=by or case.user)
    assert PortfolioFile.objects.count() == before
    assert stored_files() == [] or before
    return caught.value


# --- Opening ----------------------------------------------------------------------------------


def test_a_portfolio_opens_as_a_draft_with_the_deadline_after_the_cohort() -> None:
    case = participant_case(submission_days=10)
    portfolio = case.portfolio
    assert portfolio.status == PortfolioStatus.DRAFT and portfolio.attempt == 1
    assert portfolio.rubric == case.rubric
    assert portfolio.branch_id == case.cohort.branch_id
    assert portfolio.programme_id == case.cohort.version.programme_id
    expected = timezone.make_aware(
        datetime.combine(case.cohort.ends_on + timedelta(days=10), time(23, 59, 59))
    )
    assert portfolio.deadline == expected
    assert timezone.localtime(portfolio.deadline).hour == 23
    # Asking again gives the same portfolio.
    again = portfolio_for_enrolment(enrolment=case.enrolment, by=case.user)
    assert again.pk == portfolio.pk and Portfolio.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="assessment.portfolio", action="create").exists()


def test_staff_in_scope_may_open_it_and_others_may_not() -> None:
    version = make_version()
    make_rubric(version=version)
    cohort = make_cohort(version=version, status="open", starts_on=timezone.localdate())
    enrolment = enrol(cohort)
    with pytest.raises(NotFoundError):
        portfolio_for_enrolment(enrolment=enrolment, by=teacher_user(make_teacher()))
    with pytest.raises(NotFoundError):
        portfolio_for_enrolment(enrolment=enrolment, by=coordinator_of("AST"))
    assert not Portfolio.objects.exists()
    assert portfolio_for_enrolment(enrolment=enrolment, by=coordinator_of("ALA")).pk


def test_no_portfolio_without_an_assessment_or_a_rubric() -> None:
    no_assessment = make_cohort(
        version=make_version(assessment_scheme="none"),
        status="open",
        starts_on=timezone.localdate(),
    )
    enrolment = enrol(no_assessment)
    with pytest.raises(DomainError) as caught:
        portfolio_for_enrolment(enrolment=enrolment, by=national_admin())
    assert caught.value.code == "no_assessment"
    no_rubric = make_cohort(version=make_version(), status="open", starts_on=timezone.localdate())
    with pytest.raises(StateConflict) as conflict:
        portfolio_for_enrolment(enrolment=enrol(no_rubric), by=national_admin())
    assert conflict.value.code == "no_rubric"
    assert "not published yet" in str(conflict.value.message)
    assert not Portfolio.objects.exists()


def test_a_withdrawn_enrolment_has_no_portfolio() -> None:
    version = make_version()
    make_rubric(version=version)
    cohort = make_cohort(version=version, status="open", starts_on=timezone.localdate())
    enrolment = enrol(cohort)
    enrolment = enrolment_withdraw(enrolment=enrolment, by=national_admin())
    with pytest.raises(StateConflict) as caught:
        portfolio_for_enrolment(enrolment=enrolment, by=national_admin())
    assert caught.value.code == "enrolment_not_active"


# --- Files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "builder"),
    [
        ("lessons.pdf", "pdf", lambda: make_pdf([KAZAKH], author=AUTHOR)),
        ("lessons.docx", "docx", lambda: make_docx([KAZAKH], author=AUTHOR)),
        ("lessons.odt", "odt", lambda: make_odt([KAZAKH], author=AUTHOR)),
        ("lessons.txt", "txt", lambda: KAZAKH.encode()),
    ],
)
def test_a_file_of_each_kind_is_stored_stripped_with_its_text(
    name: str, kind: str, builder: Any
) -> None:
    case = participant_case()
    data = builder()
    record = portfolio_file_add(portfolio=case.portfolio, upload=upload(name, data), by=case.user)
    record.refresh_from_db()
    assert record.kind == kind and record.original_name == name
    assert record.size == len(data) and len(record.sha256) == 64
    assert record.text == KAZAKH
    assert record.attempt == 1 and record.uploaded_by == case.user
    # The stored copy has a name that says nothing about the author.
    stored_name = str(record.stored.name)
    assert name not in stored_name and stored_name.endswith(f".{kind}")
    with record.stored.open("rb") as handle:
        stored = handle.read()
    assert AUTHOR.encode() not in stored
    assert len(stored_files()) == 1


def test_the_content_decides_the_kind_not_the_name() -> None:
    case = participant_case()
    record = portfolio_file_add(
        portfolio=case.portfolio, upload=upload("notes.txt", make_pdf([KAZAKH])), by=case.user
    )
    assert record.kind == "pdf" and record.text == KAZAKH


def test_a_file_of_another_kind_is_refused_by_name() -> None:
    case = participant_case()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x01" * 100
    error = refused(case, "photo.pdf", png)
    assert error.code == "file_unknown_type"
    assert "“photo.pdf” is not a PDF, DOCX, ODT or plain text file" in str(error.message)
    old_word = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert refused(case, "plan.doc", old_word).code == "file_unknown_type"


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"%PDF-1.7\n1 0 obj << /Broken", "file_corrupt", "could not be read"),
        (None, "file_encrypted", "protected by a password"),
        (b"   \n\n  \t ", "file_empty", "No text could be read"),
        (b"", "file_empty", "is empty"),
    ],
)
def test_unreadable_files_are_refused_and_nothing_is_written(
    data: bytes | None, code: str, words: str
) -> None:
    case = participant_case()
    if data is None:
        data = make_pdf([TEXT], password="secret")
    error = refused(case, "work.pdf", data)
    assert error.code == code and words in str(error.message)
    assert "“work.pdf”" in str(error.message)
    assert stored_files() == []


def test_a_scanned_pdf_without_text_is_refused() -> None:
    case = participant_case()
    error = refused(case, "scan.pdf", make_pdf([]))
    assert error.code == "file_empty" and "scan" in str(error.message)


def test_an_oversized_file_is_refused_before_it_is_read() -> None:
    case = participant_case(max_file_mb=1)
    data = b"word " * (1024 * 1024 // 5 + 1)
    assert len(data) > 1024 * 1024
    error = refused(case, "big.txt", data)
    assert error.code == "file_too_large"
    assert "the largest file allowed is 1 MB" in str(error.message)
    assert isinstance(error, FileRefused) and error.field == "file"


def test_too_many_files() -> None:
    case = participant_case(max_files=2)
    add_text_file(case, "first text", "a.txt")
    add_text_file(case, "second text", "b.txt")
    error = refused(case, "c.txt", b"third text")
    assert error.code == "too_many_files" and "at most 2 files" in str(error.message)
    assert len(stored_files()) == 2
    # A removed file frees its place.
    portfolio_file_remove(file=PortfolioFile.objects.get(original_name="a.txt"), by=case.user)
    assert add_text_file(case, "third text", "c.txt").pk


def test_the_same_file_twice_is_refused() -> None:
    case = participant_case()
    add_text_file(case, TEXT, "a.txt")
    error = refused(case, "copy of a.txt", TEXT.encode())
    assert error.code == "file_duplicate" and "“a.txt”" in str(error.message)


def test_no_files_after_the_deadline_or_once_submitted() -> None:
    case = participant_case()
    add_text_file(case)
    Portfolio.objects.filter(pk=case.portfolio.pk).update(
        deadline=timezone.now() - timedelta(minutes=1)
    )
    case.portfolio.refresh_from_db()
    assert refused(case, "late.txt", b"late text").code == "deadline_passed"
    Portfolio.objects.filter(pk=case.portfolio.pk).update(
        deadline=timezone.now() + timedelta(days=1), status=PortfolioStatus.SUBMITTED
    )
    case.portfolio.refresh_from_db()
    error = refused(case, "more.txt", b"more text")
    assert error.code == "portfolio_not_editable" and error.status == 409


def test_only_the_participant_and_staff_add_files() -> None:
    case = participant_case()
    with pytest.raises(NotFoundError):
        add_text_file_by(case, teacher_user(make_teacher()))
    with pytest.raises(NotFoundError):
        add_text_file_by(case, cohort_trainer(case.cohort))
    with pytest.raises(NotFoundError):
        add_text_file_by(case, coordinator_of("AST"))
    assert not PortfolioFile.objects.exists() and stored_files() == []
    assert add_text_file_by(case, coordinator_of("ALA")).pk


def add_text_file_by(case: Case, user: Any) -> PortfolioFile:
    return portfolio_file_add(
        portfolio=case.portfolio, upload=upload("x.txt", TEXT.encode()), by=user
    )


def test_removing_a_file_keeps_it_marked() -> None:
    case = participant_case()
    record = add_text_file(case)
    with pytest.raises(NotFoundError):
        portfolio_file_remove(file=record, by=teacher_user(make_teacher()))
    portfolio_file_remove(file=record, by=case.user)
    record.refresh_from_db()
    assert record.removed_at is not None
    with pytest.raises(StateConflict):
        portfolio_file_remove(file=record, by=case.user)


def test_files_of_a_submitted_portfolio_cannot_be_removed() -> None:
    case = participant_case()
    record = add_text_file(case)
    portfolio_submit(portfolio=case.portfolio, by=case.user)
    with pytest.raises(StateConflict):
        portfolio_file_remove(file=record, by=case.user)
    record.refresh_from_db()
    assert record.removed_at is None


# --- Submission -------------------------------------------------------------------------------


def test_submitting_freezes_the_draft_and_queues_the_next_steps_on_commit(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.KASKAD_AFTER_SUBMISSION_TASKS = [
        "kaskad.assessment.tests.submission_tasks.record_submission"
    ]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    case = participant_case()
    add_text_file(case)
    heard = submission_tasks.HEARD
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        portfolio = portfolio_submit(portfolio=case.portfolio, by=case.user)
        assert heard == []  # not before the commit
    assert heard == [case.portfolio.pk]
    portfolio.refresh_from_db()
    assert portfolio.status == PortfolioStatus.SUBMITTED
    assert portfolio.submitted_at is not None
    assert portfolio.plagiarism_status == PlagiarismStatus.PENDING
    event = PortfolioEvent.objects.get(portfolio=portfolio)
    assert event.kind == EventKind.SUBMITTED and event.actor == case.user and event.attempt == 1
    with pytest.raises(StateConflict) as again:
        portfolio_submit(portfolio=portfolio, by=case.user)
    assert again.value.code == "portfolio_not_editable"


def test_staff_in_scope_may_submit_for_the_participant() -> None:
    case = participant_case()
    add_text_file(case)
    portfolio_submit(portfolio=case.portfolio, by=coordinator_of("ALA"))
    assert case.portfolio.status == PortfolioStatus.SUBMITTED


@pytest.mark.parametrize("who", ["teacher", "trainer", "other coordinator"])
def test_nobody_else_may_submit(who: str) -> None:
    case = participant_case()
    add_text_file(case)
    user = {
        "teacher": lambda: teacher_user(make_teacher()),
        "trainer": lambda: cohort_trainer(case.cohort),
        "other coordinator": lambda: coordinator_of("AST"),
    }[who]()
    with pytest.raises(NotFoundError):
        portfolio_submit(portfolio=case.portfolio, by=user)
    case.portfolio.refresh_from_db()
    assert case.portfolio.status == PortfolioStatus.DRAFT
    assert not PortfolioEvent.objects.exists()


def test_no_submission_without_a_file_with_text() -> None:
    case = participant_case()
    with pytest.raises(DomainError) as caught:
        portfolio_submit(portfolio=case.portfolio, by=case.user)
    assert caught.value.code == "no_files"
    record = add_text_file(case)
    portfolio_file_remove(file=record, by=case.user)
    with pytest.raises(DomainError):
        portfolio_submit(portfolio=case.portfolio, by=case.user)
    # A file whose text is blank (as an older upload could be) does not count.
    PortfolioFile.objects.create(
        portfolio=case.portfolio,
        original_name="blank.txt",
        kind="txt",
        size=1,
        sha256="0" * 64,
        stored="portfolios/blank.txt",
        text="  ",
    )
    with pytest.raises(DomainError) as blank:
        portfolio_submit(portfolio=case.portfolio, by=case.user)
    assert blank.value.code == "no_text"
    case.portfolio.refresh_from_db()
    assert case.portfolio.status == PortfolioStatus.DRAFT


def test_no_submission_after_the_deadline() -> None:
    case = participant_case()
    add_text_file(case)
    Portfolio.objects.filter(pk=case.portfolio.pk).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(StateConflict) as caught:
        portfolio_submit(portfolio=case.portfolio, by=case.user)
    assert caught.value.code == "deadline_passed"
    assert "has passed" in str(caught.value.message)
    assert Portfolio.objects.get().status == PortfolioStatus.DRAFT


def test_no_submission_after_withdrawing_from_the_course() -> None:
    case = participant_case()
    add_text_file(case)
    enrolment_withdraw(enrolment=case.enrolment, by=case.user)
    with pytest.raises(StateConflict) as caught:
        portfolio_submit(portfolio=case.portfolio, by=case.user)
    assert caught.value.code == "enrolment_ended"


def test_resubmission_counts_only_the_files_of_the_second_attempt() -> None:
    case = participant_case()
    add_text_file(case)
    Portfolio.objects.filter(pk=case.portfolio.pk).update(
        status=PortfolioStatus.RESUBMISSION, attempt=2, rating=""
    )
    case.portfolio.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        portfolio_submit(portfolio=case.portfolio, by=case.user)
    assert caught.value.code == "no_files"
    record = add_text_file(case, "A revised text of the lesson series.", "revised.txt")
    assert record.attempt == 2
    portfolio_submit(portfolio=case.portfolio, by=case.user)
    event = PortfolioEvent.objects.get(kind=EventKind.SUBMITTED)
    assert event.attempt == 2


# --- Feedback on drafts -----------------------------------------------------------------------


def test_the_cohort_s_trainer_comments_on_a_draft() -> None:
    case = participant_case()
    trainer = cohort_trainer(case.cohort)
    feedback = draft_feedback_add(
        portfolio=case.portfolio, text="  Add the pupils' work samples.  ", by=trainer
    )
    assert feedback.text == "Add the pupils' work samples." and feedback.author == trainer
    note = Notification.objects.get(recipient=case.user)
    assert "/assessment/" in note.url and str(case.portfolio.pk) in note.url


def test_feedback_from_anyone_else_or_on_a_submitted_portfolio_is_refused() -> None:
    case = participant_case()
    other_cohort = participant_case()
    with pytest.raises(NotFoundError):
        draft_feedback_add(
            portfolio=case.portfolio, text="x", by=cohort_trainer(other_cohort.cohort)
        )
    with pytest.raises(NotFoundError):
        draft_feedback_add(portfolio=case.portfolio, text="x", by=case.user)
    trainer = cohort_trainer(case.cohort)
    with pytest.raises(DomainError) as empty:
        draft_feedback_add(portfolio=case.portfolio, text="   ", by=trainer)
    assert empty.value.code == "feedback_required"
    with pytest.raises(DomainError) as long:
        draft_feedback_add(portfolio=case.portfolio, text="x" * 5001, by=trainer)
    assert long.value.code == "feedback_too_long"
    add_text_file(case)
    portfolio_submit(portfolio=case.portfolio, by=case.user)
    with pytest.raises(StateConflict):
        draft_feedback_add(portfolio=case.portfolio, text="Late remark", by=trainer)
    assert not DraftFeedback.objects.exists()
    assert draft_feedback_add(
        portfolio=other_cohort.portfolio, text="ok", by=coordinator_of("ALA")
    ).pk


# --- Consent to publish -----------------------------------------------------------------------


def _certified(case: Case, rating: str) -> None:
    Portfolio.objects.filter(pk=case.portfolio.pk).update(
        status=PortfolioStatus.CERTIFIED,
        rating=rating,
        released_at=timezone.now(),
        plagiarism_status=PlagiarismStatus.CLEAR,
    )
    case.portfolio.refresh_from_db()


def test_the_participant_consents_to_publishing_a_good_portfolio() -> None:
    case = participant_case()
    _certified(case, Rating.GOOD)
    publish_consent_set(portfolio=case.portfolio, consent=True, by=case.user)
    assert Portfolio.objects.get().publish_consent_at is not None
    publish_consent_set(portfolio=case.portfolio, consent=False, by=case.user)
    assert Portfolio.objects.get().publish_consent_at is None


def test_consent_only_for_good_and_only_by_the_participant() -> None:
    case = participant_case()
    with pytest.raises(StateConflict):
        publish_consent_set(portfolio=case.portfolio, consent=True, by=case.user)
    _certified(case, Rating.SATISFACTORY)
    with pytest.raises(StateConflict):
        publish_consent_set(portfolio=case.portfolio, consent=True, by=case.user)
    _certified(case, Rating.GOOD)
    with pytest.raises(PermissionDeniedError):
        publish_consent_set(portfolio=case.portfolio, consent=True, by=national_admin())
    with pytest.raises(NotFoundError):
        publish_consent_set(portfolio=case.portfolio, consent=True, by=teacher_user(make_teacher()))
    assert Portfolio.objects.get().publish_consent_at is None
