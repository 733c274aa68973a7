"""Writes of the plagiarism workflow: run a check, record the officer's decision, re-check a
whole session.

    check_run(portfolio_id=..., by=None)            # the background task calls this
    decision_record(check=..., decision="cleared", comment="...", by=officer)
    recheck_job_start(by=..., programme_id=...)     # queues recheck_bulk as a Job

A check concatenates the submitted attempt's extracted texts (`portfolio_text`), opens the
index under its lock (`store.index_session`), adds the programme's templates not yet there,
checks the text against everything else (never against the same participant's documents:
group ``person:<id>``), adds the text as ``portfolio:<id>:<attempt>`` and saves. The check row
then holds the engine's report, and certification learns the outcome through
`kaskad.assessment.certification.services.portfolio_set_plagiarism`: CLEAR below the programme's
threshold, SUSPECTED at or above it (the plagiarism officer decides).

Cross-language search (Russian <-> Kazakh <-> English) costs a sentence-embedding pass. It is
asked for when the programme's version is taught in more than one language — that is where
translated copies come from — unless ``KASKAD_PLAGIARISM_CROSS_LANGUAGE`` says "always" or
"never". Without the embedding model the engine reports the step as unavailable.

A re-run of a check (the task twice, a bulk re-check) replaces the check of that attempt. It
does not overturn an officer's decision: once a check is CLEARED or CONFIRMED, the new report
is kept for the officer to read and the portfolio's plagiarism status stays as decided.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from kaskad.assessment.certification.services import portfolio_set_plagiarism
from kaskad.assessment.models import (
    PlagiarismStatus,
    Portfolio,
    PortfolioFile,
    PortfolioStatus,
)
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.core.jobs import job_claim, job_enqueue
from kaskad.core.models import Job
from kaskad.core.progress import JobProgress, ProgressCallback
from kaskad.plagiarism.models import (
    CheckStatus,
    Decision,
    PlagiarismCheck,
    PlagiarismDecision,
    ProgrammeTemplate,
    ProgrammeThreshold,
    default_threshold_percent,
)
from kaskad.plagiarism.permissions import is_officer
from kaskad.plagiarism.store import (
    IndexSession,
    doc_id,
    group_of,
    index_session,
    text_digest,
)
from kaskad.plagiarism.tasks import check_portfolio

if TYPE_CHECKING:
    from kaskad.accounts.models import User

logger = logging.getLogger(__name__)

# Files of an attempt are joined with a blank line: offsets are into this joined text.
FILE_SEPARATOR = "\n\n"
# Who decides and who re-checks.
# An attempt that has been submitted and not sent back for resubmission.
NOT_SUBMITTED = (PortfolioStatus.DRAFT, PortfolioStatus.RESUBMISSION)
# Settled by the officer: a re-check does not overturn it.
DECIDED = (PlagiarismStatus.CLEARED, PlagiarismStatus.CONFIRMED)
# Why a check ended as it did, by whether it reached the programme's threshold.
THRESHOLD_REASONS = {
    False: gettext_noop("Below the programme's threshold."),
    True: gettext_noop("At or above the programme's threshold: the officer decides."),
}
# The attempt's outcome is still open: a decision may be recorded (or changed).
OPEN_OUTCOME = (
    PortfolioStatus.SUBMITTED,
    PortfolioStatus.IN_ASSESSMENT,
    PortfolioStatus.MODERATION,
    PortfolioStatus.AWAITING_PLAGIARISM,
)
RECHECK_JOB_KIND = "plagiarism_recheck"
RECHECK_BATCH = 50
STAGE_INDEXING = "indexing"
STAGE_CHECKING = "checking"
STAGE_LABELS = {STAGE_INDEXING: _("indexing"), STAGE_CHECKING: _("checking")}


def _require_officer(user: User) -> None:
    if not is_officer(user):
        raise NotFoundError("not_found", _("Not found."))


# --- What is checked ----------------------------------------------------------------------------


def portfolio_text(*, portfolio_id: int, attempt: int) -> str:
    """The text of an attempt as the check sees it: its files' extracted texts, in upload
    order, joined by a blank line (removed draft files left out)."""
    texts = PortfolioFile.objects.filter(
        portfolio_id=portfolio_id, attempt=attempt, removed_at__isnull=True
    ).order_by("uploaded_at", "id")
    return FILE_SEPARATOR.join(t for t in texts.values_list("text", flat=True) if t)


def threshold_for(programme_id: int) -> Decimal:
    value = (
        ProgrammeThreshold.objects.filter(programme_id=programme_id)
        .values_list("threshold_percent", flat=True)
        .first()
    )
    return Decimal(value) if value is not None else default_threshold_percent()


def cross_language_wanted(portfolio: Portfolio) -> bool:
    mode = str(getattr(settings, "KASKAD_PLAGIARISM_CROSS_LANGUAGE", "auto")).lower()
    if mode == "always":
        return True
    if mode == "never":
        return False
    languages = portfolio.rubric.version.languages or []
    return len(set(languages)) > 1


def _templates(programme_id: int) -> list[tuple[int, str]]:
    return list(
        ProgrammeTemplate.objects.filter(programme_id=programme_id, active=True)
        .exclude(text="")
        .order_by("id")
        .values_list("id", "text")
    )


def _percent(share: float) -> Decimal:
    value = Decimal(str(max(0.0, min(1.0, float(share))))) * 100
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _covered(intervals: Iterable[tuple[int, int]]) -> int:
    total, end = 0, -1
    for start, stop in sorted(intervals):
        if stop <= end:
            continue
        total += stop - max(start, end)
        end = stop
    return total


COUNTED_KINDS = ("copy", "cross_language")


def _sources(report: Any, index: Any) -> list[dict[str, Any]]:
    """The report's sources, by the share of the checked text they cover (Source 1 first)."""
    by_source: dict[str, list[tuple[int, int]]] = {}
    for match in report.matches:
        spans = by_source.setdefault(match.source_id, [])
        if match.kind in COUNTED_KINDS:
            spans.append((match.start, match.end))
    sources: list[dict[str, Any]] = []
    for source_id, spans in by_source.items():
        try:
            text = index.text_of(source_id)
        except LookupError:
            text = ""
        sources.append(
            {
                "doc_id": source_id,
                "covered": _covered(spans),
                "chars": len(text),
                "sha256": text_digest(text),
            }
        )
    sources.sort(key=lambda s: (-s["covered"], s["doc_id"]))
    return sources


# --- The sweep: submissions whose check never came -------------------------------------------

# A check queued on submission normally starts within seconds; past this, with no check of the
# attempt touched in the meantime, the queueing was lost (a failed enqueue, a lost worker, a
# failed engine run) and the portfolio is queued again.
STUCK_AFTER = timedelta(minutes=15)


def checks_requeue_stuck(*, older_than: timedelta = STUCK_AFTER) -> list[int]:
    """Queue the check again for every submitted portfolio left at plagiarism "pending" for
    longer than `older_than` whose current attempt has no check started or finished since.
    Returns the ids queued. Safe to repeat: a check run replaces the attempt's check."""
    cutoff = timezone.now() - older_than
    recent = PlagiarismCheck.objects.filter(
        portfolio=OuterRef("pk"), attempt=OuterRef("attempt"), updated_at__gt=cutoff
    )
    stuck = list(
        Portfolio.objects.filter(
            plagiarism_status=PlagiarismStatus.PENDING,
            submitted_at__isnull=False,
            submitted_at__lte=cutoff,
        )
        .exclude(status__in=NOT_SUBMITTED)
        .exclude(Exists(recent))
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)
    )
    for portfolio_id in stuck:
        try:
            check_portfolio.enqueue(portfolio_id)
        except Exception:
            logger.exception("queueing the check of portfolio %s again failed", portfolio_id)
    return stuck


# --- Running a check ----------------------------------------------------------------------------


def _check_row(portfolio: Portfolio, *, job: Job | None) -> PlagiarismCheck:
    """The check of the current attempt, (re)started: the same row on a re-run."""
    values = {
        "status": CheckStatus.RUNNING,
        "started_at": timezone.now(),
        "finished_at": None,
        "error": "",
        "job": job,
    }
    try:
        with transaction.atomic():
            check, _created = PlagiarismCheck.objects.update_or_create(
                portfolio=portfolio, attempt=portfolio.attempt, defaults=values
            )
    except IntegrityError:  # another worker created it a moment ago
        check = PlagiarismCheck.objects.get(portfolio=portfolio, attempt=portfolio.attempt)
        PlagiarismCheck.objects.filter(pk=check.pk).update(**values)
        check.refresh_from_db()
    return check


def _fail(check: PlagiarismCheck, error: str) -> PlagiarismCheck:
    check.status = CheckStatus.FAILED
    check.error = error[:2000]
    check.finished_at = timezone.now()
    check.save(update_fields=["status", "error", "finished_at", "updated_at"])
    return check


def _report_outcome(
    portfolio: Portfolio, *, status: str, similarity: Decimal | None, reason: str
) -> None:

    portfolio.refresh_from_db(fields=["plagiarism_status", "status", "attempt"])
    if portfolio.plagiarism_status in DECIDED:
        return  # the officer's decision stands; the new report waits for them
    portfolio_set_plagiarism(
        portfolio=portfolio,
        status=status,
        similarity_percent=similarity,
        by=None,
        reason=reason,
    )


def check_run(
    *,
    portfolio_id: int,
    by: User | None = None,
    job: Job | None = None,
    session: IndexSession | None = None,
) -> PlagiarismCheck:
    """Check the submitted attempt of a portfolio and report the outcome to certification.

    `session`: an index already opened under the lock (bulk re-checks pass one and save it
    themselves); otherwise the index is opened, added to and saved here. An engine failure
    leaves the check FAILED (with the error) and the portfolio PENDING: a re-run fixes it.
    """
    portfolio = (
        Portfolio.objects.select_related("enrolment", "rubric__version")
        .filter(pk=portfolio_id)
        .first()
    )
    if portfolio is None:
        raise NotFoundError("not_found", _("Not found."))
    if portfolio.status in NOT_SUBMITTED or portfolio.submitted_at is None:
        raise StateConflict(
            "portfolio_not_submitted",
            _("Only a submitted portfolio can be checked; this one is %(status)s.")
            % {"status": portfolio.get_status_display()},
        )
    check = _check_row(portfolio, job=job)
    text = portfolio_text(portfolio_id=portfolio.pk, attempt=portfolio.attempt)
    if not text.strip():
        _fail(check, gettext("No text could be read from the portfolio's files."))
        with transaction.atomic():
            _report_outcome(
                portfolio,
                status=PlagiarismStatus.SUSPECTED,
                similarity=None,
                reason="no text to check: the officer reviews the files",
            )
        return check

    document = doc_id(portfolio.pk, portfolio.attempt)
    group = group_of(portfolio.enrolment.person_id)
    cross_language = cross_language_wanted(portfolio)
    try:
        if session is not None:
            report, sources = _check_in(session, portfolio, text, document, group, cross_language)
        else:
            with index_session() as own:
                report, sources = _check_in(own, portfolio, text, document, group, cross_language)
    except Exception as exc:  # the engine's failure must not lose the check
        logger.exception("plagiarism check of portfolio %s failed", portfolio.pk)
        return _fail(check, f"{type(exc).__name__}: {exc}")

    similarity = _percent(report.similarity)
    threshold = threshold_for(portfolio.programme_id)
    outcome = PlagiarismStatus.CLEAR if similarity < threshold else PlagiarismStatus.SUSPECTED
    with transaction.atomic():
        check.status = CheckStatus.DONE
        check.similarity_percent = similarity
        check.threshold_percent = threshold
        check.report = report.to_dict()
        check.checked_chars = len(text)
        check.text_sha256 = text_digest(text)
        check.sources = sources
        check.cross_language = report.cross_language
        check.finished_at = timezone.now()
        check.save()
        _report_outcome(
            portfolio,
            status=outcome,
            similarity=similarity,
            # Stored as a msgid: the history shows it in the reader's language, and the
            # figures are in the event's data.
            reason=THRESHOLD_REASONS[outcome == PlagiarismStatus.SUSPECTED],
        )
    return check


def _check_in(
    session: IndexSession,
    portfolio: Portfolio,
    text: str,
    document: str,
    group: str,
    cross_language: bool,
) -> tuple[Any, list[dict[str, Any]]]:
    session.add_templates(_templates(portfolio.programme_id))
    report = session.index.check(text, doc_id=document, group=group, cross_language=cross_language)
    sources = _sources(report, session.index)
    session.add(document, text, group=group)
    return report, sources


# --- The officer's decision ---------------------------------------------------------------------


def decision_record(
    *, check: PlagiarismCheck, decision: str, comment: str, by: User
) -> PlagiarismDecision:
    """Cleared or plagiarism confirmed, with the reason; feeds certification at once."""

    _require_officer(by)
    if decision not in Decision.values:
        raise DomainError(
            "decision_invalid", _("Choose cleared or plagiarism confirmed."), field="decision"
        )
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(
            "comment_required", _("Give the reason for the decision."), field="comment"
        )
    with transaction.atomic():
        locked = (
            PlagiarismCheck.objects.select_for_update()
            .select_related("portfolio")
            .filter(pk=check.pk)
            .first()
        )
        if locked is None:
            raise NotFoundError("not_found", _("Not found."))
        portfolio = locked.portfolio
        if locked.attempt != portfolio.attempt or portfolio.status not in OPEN_OUTCOME:
            raise StateConflict(
                "outcome_settled",
                _(
                    "The outcome of this attempt is already settled (%(status)s): the decision "
                    "can no longer change it."
                )
                % {"status": portfolio.get_status_display()},
            )
        if locked.status not in (CheckStatus.DONE, CheckStatus.FAILED):
            raise StateConflict(
                "check_not_finished",
                _("The check is still running: decide when its report is ready."),
            )
        record = PlagiarismDecision.objects.create(
            plagiarism_check=locked, decision=decision, comment=comment, by=by
        )
        audit_record(
            actor=by,
            action="update",
            obj=locked,
            changes={"decision": decision, "portfolio": portfolio.pk},
            source="plagiarism decision",
        )
        status = (
            PlagiarismStatus.CLEARED if decision == Decision.CLEARED else PlagiarismStatus.CONFIRMED
        )
        portfolio_set_plagiarism(portfolio=portfolio, status=status, by=by, reason=comment)
    return record


def threshold_set(*, programme: Any, threshold_percent: Any, by: User) -> ProgrammeThreshold:
    """A programme's own threshold (officers and national administrators)."""
    _require_officer(by)
    try:
        value = Decimal(str(threshold_percent)).quantize(Decimal("0.01"))
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value > 100:
        raise DomainError(
            "threshold_invalid",
            _("The threshold must be a number above 0 and at most 100."),
            field="threshold_percent",
        )
    with transaction.atomic():
        row, _created = ProgrammeThreshold.objects.update_or_create(
            programme=programme, defaults={"threshold_percent": value}
        )
        audit_record(actor=by, action="update", obj=row, changes={"threshold_percent": str(value)})
    return row


# --- Bulk re-check ------------------------------------------------------------------------------


@dataclass
class RecheckFilters:
    programme_id: int | None = None
    cohort_id: int | None = None
    submitted_from: date | None = None
    submitted_until: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "programme_id": self.programme_id,
            "cohort_id": self.cohort_id,
            "submitted_from": self.submitted_from.isoformat() if self.submitted_from else None,
            "submitted_until": self.submitted_until.isoformat() if self.submitted_until else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecheckFilters:
        def day(value: Any) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            programme_id=data.get("programme_id"),
            cohort_id=data.get("cohort_id"),
            submitted_from=day(data.get("submitted_from")),
            submitted_until=day(data.get("submitted_until")),
        )


@dataclass
class RecheckResult:
    total: int = 0
    clear: int = 0
    suspected: int = 0
    failed: int = 0
    check_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "clear": self.clear,
            "suspected": self.suspected,
            "failed": self.failed,
        }

    def summary(self) -> str:
        return (
            gettext(
                "%(total)s portfolios re-checked: %(clear)s clear, %(suspected)s to review, "
                "%(failed)s failed."
            )
            % self.as_dict()
        )


def recheck_queryset(filters: RecheckFilters) -> QuerySet[Portfolio]:
    """The submitted portfolios of a session (programme, cohort, submission period)."""
    qs = Portfolio.objects.exclude(status__in=NOT_SUBMITTED).filter(submitted_at__isnull=False)
    if filters.programme_id:
        qs = qs.filter(programme_id=filters.programme_id)
    if filters.cohort_id:
        qs = qs.filter(enrolment__cohort_id=filters.cohort_id)
    tz = timezone.get_current_timezone()
    if filters.submitted_from:
        qs = qs.filter(
            submitted_at__gte=timezone.make_aware(
                datetime.combine(filters.submitted_from, time.min), tz
            )
        )
    if filters.submitted_until:
        qs = qs.filter(
            submitted_at__lte=timezone.make_aware(
                datetime.combine(filters.submitted_until, time.max), tz
            )
        )
    return qs.order_by("submitted_at", "id")


def recheck_bulk(
    *,
    filters: RecheckFilters,
    by: User | None,
    progress: ProgressCallback | None = None,
    job: Job | None = None,
    batch_size: int = RECHECK_BATCH,
) -> RecheckResult:
    """Re-check every submitted portfolio of a session.

    Two passes: first every text goes into the index (so a portfolio submitted first is
    compared with those submitted after it), then each is checked. The index lock is taken
    per batch, so single checks of newly submitted portfolios are not held up for the whole
    run. `by` None: an operator's management command.
    """
    if by is not None:
        _require_officer(by)
    rows = list(recheck_queryset(filters).values_list("pk", "attempt", "enrolment__person_id"))
    result = RecheckResult(total=len(rows))
    report = progress or (lambda stage, done, total: None)
    report(STAGE_INDEXING, 0, len(rows))
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        with index_session() as session:
            for pk, attempt, person_id in batch:
                text = portfolio_text(portfolio_id=pk, attempt=attempt)
                if text.strip():
                    session.add(doc_id(pk, attempt), text, group=group_of(person_id))
        report(STAGE_INDEXING, start + len(batch), len(rows))
    report(STAGE_CHECKING, 0, len(rows))
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        with index_session() as session:
            for pk, _attempt, _person in batch:
                try:
                    check = check_run(portfolio_id=pk, by=by, job=job, session=session)
                except DomainError:
                    result.failed += 1
                    continue
                result.check_ids.append(check.pk)
                if check.status != CheckStatus.DONE:
                    result.failed += 1
                elif check.similarity_percent is not None and (
                    check.threshold_percent is not None
                    and check.similarity_percent >= check.threshold_percent
                ):
                    result.suspected += 1
                else:
                    result.clear += 1
        report(STAGE_CHECKING, start + len(batch), len(rows))
    return result


def recheck_job_start(*, filters: RecheckFilters, by: User, language: str | None = None) -> Job:
    """Record a re-check Job and queue it once this transaction commits."""
    from kaskad.plagiarism.tasks import run_recheck

    _require_officer(by)
    language = language or getattr(by, "language", "") or translation.get_language() or ""
    with translation.override(language or settings.LANGUAGE_CODE):
        title = gettext("Plagiarism re-check")
        total = recheck_queryset(filters).count()
    with transaction.atomic():
        job = Job.objects.create(
            kind=RECHECK_JOB_KIND,
            created_by=by if getattr(by, "pk", None) else None,
            title=title[:200],
            total=total,
            params=filters.as_dict(),
            language=language[:8],
        )
        job_enqueue(job, run_recheck)
    return job


def run_recheck_job(job_id: int) -> dict[str, Any]:
    """Run a queued re-check (in the worker). A finished job is left alone and a running one
    is not started a second time."""
    kind = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    job = job_claim(job_id, stage=STAGE_INDEXING) if kind == RECHECK_JOB_KIND else None
    if job is None:
        return {"skipped": True}
    filters = RecheckFilters.from_dict(job.params if isinstance(job.params, dict) else {})
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            with JobProgress(job.pk) as progress:
                result = recheck_bulk(
                    filters=filters, by=job.created_by, progress=progress, job=job
                )
        except Exception:
            logger.exception("plagiarism re-check job %s failed", job.pk)
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED,
                result={
                    "ok": False,
                    "message": gettext(
                        "The re-check stopped because of an unexpected error. The portfolios "
                        "checked before it keep their new reports; run it again to finish."
                    ),
                },
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            raise
        outcome = {
            "ok": True,
            **result.as_dict(),
            "message": result.summary(),
            "url": reverse("plagiarism:queue"),
        }
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED,
            result=outcome,
            stage="",
            done=result.total,
            total=result.total,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return outcome
