"""Writes of the participant's side of a portfolio: opening it, adding and removing files,
submitting it, the trainer's feedback on drafts, and the consent to publish.

Who may do what:

* the participant (the enrolment's person) and staff in scope (national administrators, the
  coordinators of the portfolio's branch) open a portfolio, add and remove files and submit;
* the cohort's trainers (CohortTrainer) and staff in scope comment on drafts;
* only the participant gives or withdraws the consent to publish.

Anyone else is told the portfolio does not exist (404), exactly as if it did not.

A file is judged by its content, never its name: it must be a PDF, DOCX, ODT or plain text
file (not a web page or drawing named like one), not larger than the rubric allows (checked
while it arrives, see `kaskad.core.uploads`), readable, and hold some text. Its name is made to
end as its content is. The text is extracted for the plagiarism check, and the stored copy (the
only one anyone can download) keeps only the document's content parts (see
`kaskad.assessment.portfolios.files`). A refused file leaves nothing behind:
no row, no file on disk. Adding and submitting lock the portfolio row, so two uploads cannot
both take the last free place, and nothing is added while a submission freezes the files.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from kaskad.accounts.models import User
from kaskad.accounts.scopes import user_scope
from kaskad.assessment.models import (
    DraftFeedback,
    EventKind,
    PlagiarismStatus,
    Portfolio,
    PortfolioFile,
    PortfolioStatus,
    Rating,
    Rubric,
)
from kaskad.assessment.permissions import (
    is_participant,
    manages_portfolio,
    may_give_feedback,
    may_work_on,
    trains_portfolio,
)
from kaskad.assessment.portfolios.files import aligned_name, strip_metadata
from kaskad.assessment.portfolios.history import event_record
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError, StateConflict
from kaskad.core.notifications import notification_send
from kaskad.delivery.models import Enrolment, EnrolmentStatus
from kaskad.documents.extract import ExtractionError, extract, looks_like_markup, sniff

logger = logging.getLogger("kaskad.assessment")

# Enrolments that hold (or held to the end) a seat: only they have a portfolio.
PORTFOLIO_ENROLMENT_STATUSES = (
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.NOT_COMPLETED,
)
# The participant works on the files only in these.
EDITABLE_STATUSES = (PortfolioStatus.DRAFT, PortfolioStatus.RESUBMISSION)
FEEDBACK_MAX = 5000
NAME_MAX = 255

FEEDBACK_NOTIFICATION = gettext_noop(
    "Your trainer commented on the draft of your portfolio for %(programme)s."
)
NOTIFICATION_MSGIDS = frozenset({FEEDBACK_NOTIFICATION})


class FileRefused(DomainError):
    """An uploaded file that cannot be taken; the message names the file (HTTP 422)."""

    status = 422


# What each reason the extractor gives means to the participant.
EXTRACTION_MESSAGES: dict[str, Promise] = {
    "unknown_type": _(
        "“%(name)s” is not a PDF, DOCX, ODT or plain text file. Save it in one of these "
        "formats and upload it again."
    ),
    "corrupt": _(
        "“%(name)s” could not be read: the file is damaged or is not what it seems. Open it on "
        "your computer, save it again as PDF, DOCX, ODT or plain text, and upload it again."
    ),
    "encrypted": _(
        "“%(name)s” is protected by a password. Save a copy without the password and upload that."
    ),
    "too_large": _(
        "“%(name)s” unpacks to far more data than a document holds, so it was not accepted."
    ),
    "empty": _(
        "No text could be read from “%(name)s”. If it is a scan or a picture, upload the "
        "document itself (a PDF with text, DOCX, ODT or plain text)."
    ),
}


# --- Who may do what --------------------------------------------------------------------------


def _not_found() -> NotFoundError:
    return NotFoundError("not_found", _("The portfolio was not found."))


def _require_worker(by: User, portfolio: Portfolio) -> None:
    if not may_work_on(by, portfolio):
        raise _not_found()


def _lock(portfolio: Portfolio) -> Portfolio:
    return (
        Portfolio.objects.select_for_update()
        .select_related("rubric", "enrolment")
        .get(pk=portfolio.pk)
    )


def _refresh(target: Portfolio, source: Portfolio) -> None:
    for name in (
        "status",
        "attempt",
        "deadline",
        "submitted_at",
        "plagiarism_status",
        "similarity_percent",
        "publish_consent_at",
        "updated_at",
    ):
        setattr(target, name, getattr(source, name))


def _day(value: datetime) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _require_editable(portfolio: Portfolio) -> None:
    if portfolio.status not in EDITABLE_STATUSES:
        raise StateConflict(
            "portfolio_not_editable",
            _("The portfolio is %(status)s: its files can no longer change.")
            % {"status": portfolio.get_status_display()},
        )


def _require_before_deadline(portfolio: Portfolio, now: datetime) -> None:
    if now > portfolio.deadline:
        raise StateConflict(
            "deadline_passed",
            _("The deadline for this portfolio was %(deadline)s: it has passed.")
            % {"deadline": _day(portfolio.deadline)},
        )


def _require_enrolment(portfolio: Portfolio) -> None:
    if portfolio.enrolment.status not in PORTFOLIO_ENROLMENT_STATUSES:
        raise StateConflict(
            "enrolment_ended",
            _("The enrolment is %(status)s: the portfolio can no longer change.")
            % {"status": portfolio.enrolment.get_status_display()},
        )


# --- Opening a portfolio ----------------------------------------------------------------------


def submission_deadline(*, ends_on: Any, rubric: Rubric) -> datetime:
    """The end of the day `rubric.submission_days` after the cohort ends, local time."""
    day = ends_on + timedelta(days=rubric.submission_days)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def portfolio_for_enrolment(*, enrolment: Enrolment, by: User) -> Portfolio:
    """The enrolment's portfolio, opened (as a draft) the first time it is asked for."""
    scope = user_scope(by)
    cohort = enrolment.cohort
    if not (
        scope.person_id == enrolment.person_id
        or scope.national_write
        or cohort.branch_id in scope.branch_ids
    ):
        raise NotFoundError("not_found", _("The enrolment was not found."))
    existing = Portfolio.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing
    if enrolment.status not in PORTFOLIO_ENROLMENT_STATUSES:
        raise StateConflict(
            "enrolment_not_active",
            _("The enrolment is %(status)s: there is no portfolio for it.")
            % {"status": enrolment.get_status_display()},
        )
    version = cohort.version
    if not version.requires_assessment:
        raise DomainError(
            "no_assessment",
            _("The programme %(programme)s has no portfolio assessment.")
            % {"programme": version.title},
        )
    rubric = Rubric.objects.filter(version=version).first()
    if rubric is None:
        raise StateConflict(
            "no_rubric",
            _(
                "The assessment criteria of %(programme)s are not published yet, so the "
                "portfolio cannot be opened. Try again later."
            )
            % {"programme": version.title},
        )
    try:
        with transaction.atomic():
            portfolio = Portfolio.objects.create(
                enrolment=enrolment,
                rubric=rubric,
                deadline=submission_deadline(ends_on=cohort.ends_on, rubric=rubric),
                programme_id=version.programme_id,
                branch_id=cohort.branch_id,
            )
            audit_record(
                actor=by,
                action="create",
                obj=portfolio,
                changes={"enrolment": enrolment.pk, "deadline": portfolio.deadline},
            )
    except IntegrityError:
        # Opened a moment ago by another request (the participant clicked twice).
        return Portfolio.objects.get(enrolment=enrolment)
    return portfolio


# --- Files ------------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable())
    if len(base) > NAME_MAX:
        stem, ext = os.path.splitext(base)
        base = stem[: NAME_MAX - len(ext)] + ext
    return base or "file"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _read_upload(upload: Any, *, name: str, limit: int) -> bytes:
    """At most `limit` bytes of the upload; a larger one is refused without reading it all."""
    size = getattr(upload, "size", None)
    refused = FileRefused(
        "file_too_large",
        _("“%(name)s” is %(size)s MB; the largest file allowed is %(limit)s MB.")
        % {"name": name, "size": _megabytes(size or limit + 1), "limit": limit // (1024 * 1024)},
        field="file",
    )
    if size is not None and size > limit:
        raise refused
    if hasattr(upload, "seek"):
        upload.seek(0)
    chunks: list[bytes] = []
    total = 0
    pieces = upload.chunks() if hasattr(upload, "chunks") else iter([upload.read()])
    for chunk in pieces:
        total += len(chunk)
        if total > limit:
            raise refused
        chunks.append(chunk)
    return b"".join(chunks)


def upload_too_large(*, name: str, limit: int) -> FileRefused:
    """A file refused while it arrived, as soon as it passed `limit` bytes."""
    return FileRefused(
        "file_too_large",
        _(
            "“%(name)s” is larger than %(limit)s MB, the largest file allowed, so it was not "
            "uploaded. Make the file smaller (for example, compress its pictures) or split it."
        )
        % {"name": _clean_name(name), "limit": limit // (1024 * 1024)},
        field="file",
    )


def upload_limit(portfolio: Portfolio) -> int:
    """The largest file, in bytes, this portfolio takes."""
    return int(portfolio.rubric.max_file_mb) * 1024 * 1024


def _current_files(portfolio: Portfolio) -> Any:
    return PortfolioFile.objects.filter(
        portfolio=portfolio, attempt=portfolio.attempt, removed_at__isnull=True
    )


def _check_room(portfolio: Portfolio, *, name: str, sha256: str = "") -> None:
    current = _current_files(portfolio)
    limit = portfolio.rubric.max_files
    if current.count() >= limit:
        raise StateConflict(
            "too_many_files",
            _(
                "“%(name)s” was not added: a portfolio holds at most %(limit)s files. Remove one "
                "first."
            )
            % {"name": name, "limit": limit},
            field="file",
        )
    if sha256:
        twin = current.filter(sha256=sha256).first()
        if twin is not None:
            raise FileRefused(
                "file_duplicate",
                _("“%(name)s” is already in the portfolio as “%(existing)s”.")
                % {"name": name, "existing": twin.original_name},
                field="file",
            )


def portfolio_file_add(*, portfolio: Portfolio, upload: Any, by: User) -> PortfolioFile:
    """Add an uploaded file (a Django `UploadedFile`) to the current attempt."""
    _require_worker(by, portfolio)
    name = _clean_name(getattr(upload, "name", "") or "")
    now = timezone.now()
    # Cheap checks first, so a refused upload is not parsed for nothing; repeated under lock.
    _require_editable(portfolio)
    _require_before_deadline(portfolio, now)
    _check_room(portfolio, name=name)
    rubric = portfolio.rubric
    data = _read_upload(upload, name=name, limit=rubric.max_file_mb * 1024 * 1024)
    if not data:
        raise FileRefused("file_empty", _("“%(name)s” is empty.") % {"name": name}, field="file")
    kind = sniff(data)
    if kind in ("txt", "pdf") and looks_like_markup(data):
        # A web page or a drawing named as a document would run in the reader's browser.
        raise FileRefused(
            "file_markup",
            _(
                "“%(name)s” is a web page or a drawing (HTML, SVG or XML), not a document. "
                "Save it as PDF, DOCX, ODT or plain text and upload it again."
            )
            % {"name": name},
            field="file",
        )
    try:
        if kind is None:
            raise ExtractionError("unknown_type")
        stored = strip_metadata(data, kind)
        # The text is read from the copy: what assessors read on the page is what they download.
        extracted = extract(stored, kind)
    except ExtractionError as error:
        message = EXTRACTION_MESSAGES.get(error.code, EXTRACTION_MESSAGES["corrupt"])
        raise FileRefused(f"file_{error.code}", message % {"name": name}, field="file") from error
    sha256 = hashlib.sha256(data).hexdigest()
    # The name keeps the participant's wording but ends as the content is: "plan.pdf" holding
    # plain text is stored, listed and downloaded as "plan.txt".
    name = aligned_name(name, kind, limit=NAME_MAX)
    with transaction.atomic():
        locked = _lock(portfolio)
        _require_editable(locked)
        _require_before_deadline(locked, timezone.now())
        _check_room(locked, name=name, sha256=sha256)
        record = PortfolioFile(
            portfolio=locked,
            attempt=locked.attempt,
            original_name=name,
            kind=kind,
            size=len(data),
            sha256=sha256,
            text=extracted.text,
            uploaded_by=by if getattr(by, "pk", None) else None,
        )
        # The stored name says nothing about the author (an original name often does).
        record.stored.save(f"{uuid.uuid4().hex}.{kind}", ContentFile(stored), save=False)
        try:
            record.save()
            audit_record(
                actor=by,
                action="create",
                obj=record,
                changes={
                    "portfolio": locked.pk,
                    "attempt": locked.attempt,
                    "name": name,
                    "kind": kind,
                    "size": len(data),
                    "sha256": sha256,
                    "words": extracted.word_count,
                },
            )
        except BaseException:
            record.stored.delete(save=False)
            raise
    return record


def portfolio_file_remove(*, file: PortfolioFile, by: User) -> PortfolioFile:
    """Take a file out of the draft. The record is kept (marked removed) for the history."""
    portfolio = file.portfolio
    _require_worker(by, portfolio)
    with transaction.atomic():
        locked = _lock(portfolio)
        _require_editable(locked)
        record = PortfolioFile.objects.select_for_update().get(pk=file.pk)
        if record.removed_at is not None or record.attempt != locked.attempt:
            raise StateConflict(
                "file_not_current",
                _("“%(name)s” is not among the files of this attempt.")
                % {"name": record.original_name},
            )
        record.removed_at = timezone.now()
        record.save(update_fields=["removed_at"])
        audit_record(
            actor=by,
            action="update",
            obj=record,
            changes={"removed": True, "portfolio": locked.pk, "name": record.original_name},
        )
    file.removed_at = record.removed_at
    return record


# --- Submission -------------------------------------------------------------------------------


def _enqueue_after_submission(portfolio_id: int) -> None:
    """Queue the background tasks that follow a submission (the plagiarism check): named in
    `settings.KASKAD_AFTER_SUBMISSION_TASKS`, so assessment needs to know none of the parts
    built on it. One failing to queue does not stop the others; the portfolio stays at
    plagiarism "pending" and the periodic sweep (`manage.py plagiarism_requeue`) queues it
    again."""
    for path in getattr(settings, "KASKAD_AFTER_SUBMISSION_TASKS", ()):
        try:
            import_string(path).enqueue(portfolio_id)
        except Exception:
            logger.exception("queueing %s failed for portfolio %s", path, portfolio_id)


def portfolio_submit(*, portfolio: Portfolio, by: User) -> Portfolio:
    """Submit the current attempt for assessment: its files are frozen, the plagiarism check
    is queued, and an assessor will be allocated."""
    _require_worker(by, portfolio)
    with transaction.atomic():
        locked = _lock(portfolio)
        _require_editable(locked)
        _require_enrolment(locked)
        now = timezone.now()
        _require_before_deadline(locked, now)
        files = list(_current_files(locked).only("pk", "text"))
        if not files:
            raise DomainError(
                "no_files", _("Add at least one file before submitting the portfolio.")
            )
        if not any(f.text.strip() for f in files):
            raise DomainError(
                "no_text",
                _("None of the files holds any text: add the document with your text."),
            )
        locked.status = PortfolioStatus.SUBMITTED
        locked.submitted_at = now
        locked.plagiarism_status = PlagiarismStatus.PENDING
        locked.similarity_percent = None
        locked.save(
            update_fields=[
                "status",
                "submitted_at",
                "plagiarism_status",
                "similarity_percent",
                "updated_at",
            ]
        )
        event_record(
            portfolio=locked,
            kind=EventKind.SUBMITTED,
            actor=by,
            data={"files": len(files)},
        )
        portfolio_id = locked.pk
        transaction.on_commit(lambda: _enqueue_after_submission(portfolio_id))
    _refresh(portfolio, locked)
    return portfolio


# --- The trainer's feedback on drafts ---------------------------------------------------------


def draft_feedback_add(*, portfolio: Portfolio, text: str, by: User) -> DraftFeedback:
    """A trainer's formative comment on a draft; the participant is notified."""
    if not may_give_feedback(by, portfolio):
        raise _not_found()
    body = (text or "").strip()
    if not body:
        raise DomainError("feedback_required", _("Write the feedback first."), field="text")
    if len(body) > FEEDBACK_MAX:
        raise DomainError(
            "feedback_too_long",
            _("The feedback is %(length)s characters long; at most %(limit)s are allowed.")
            % {"length": len(body), "limit": FEEDBACK_MAX},
            field="text",
        )
    with transaction.atomic():
        locked = _lock(portfolio)
        if locked.status not in EDITABLE_STATUSES:
            raise StateConflict(
                "not_a_draft",
                _("The portfolio is %(status)s: feedback is given on drafts only.")
                % {"status": locked.get_status_display()},
            )
        feedback = DraftFeedback.objects.create(portfolio=locked, author=by, text=body)
        audit_record(
            actor=by,
            action="create",
            obj=feedback,
            changes={"portfolio": locked.pk, "length": len(body)},
        )
        _notify_feedback(locked)
    return feedback


def _notify_feedback(portfolio: Portfolio) -> None:
    recipient = User.objects.filter(person_id=portfolio.enrolment.person_id, is_active=True).first()
    if recipient is None:
        return
    notification_send(
        to=recipient,
        message=FEEDBACK_NOTIFICATION,
        params={"programme": str(portfolio.rubric.version.title)},
        url=reverse("assessment:portfolio_detail", args=[portfolio.pk]),
    )


# --- Consent to publish -----------------------------------------------------------------------


def may_consent(portfolio: Portfolio) -> bool:
    """Consent is asked of participants whose portfolio was certified as good."""
    return portfolio.status == PortfolioStatus.CERTIFIED and portfolio.rating == Rating.GOOD


def publish_consent_set(*, portfolio: Portfolio, consent: bool, by: User) -> Portfolio:
    """The participant agrees (or no longer agrees) to the portfolio being published in the
    collection of best materials. Withdrawing it takes a published portfolio down."""
    if not is_participant(by, portfolio):
        if manages_portfolio(by, portfolio) or trains_portfolio(by, portfolio):
            raise PermissionDeniedError(
                "participant_only",
                _("Only the participant can agree to publishing their portfolio."),
            )
        raise _not_found()
    with transaction.atomic():
        locked = _lock(portfolio)
        before = locked.publish_consent_at
        if consent:
            if not may_consent(locked):
                raise StateConflict(
                    "consent_not_possible",
                    _("Only a portfolio certified with the rating “good” can be published."),
                )
            if before is None:
                locked.publish_consent_at = timezone.now()
        else:
            locked.publish_consent_at = None
        if locked.publish_consent_at != before:
            locked.save(update_fields=["publish_consent_at", "updated_at"])
            audit_record(
                actor=by,
                action="update",
                obj=locked,
                changes={"publish_consent": [before is not None, consent]},
            )
            if not consent:
                from kaskad.assessment.publishing.services import portfolio_consent_withdrawn

                portfolio_consent_withdrawn(portfolio=locked, by=by)
    _refresh(portfolio, locked)
    return portfolio
