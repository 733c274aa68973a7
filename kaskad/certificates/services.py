"""Writes of certificates: issue, revoke, re-issue, bulk generation, and the public look-up's
rate limit.

Numbers are taken under a row lock on the (branch, year) sequence, so two workers never print
the same number; the partial unique constraint `one_valid_certificate_per_portfolio` is the
backstop for one valid certificate per portfolio. Each issue is one transaction: the row, the
stored PDF, its SHA-256 and the audit entry appear together or not at all (a PDF written for
a transaction that then fails is deleted again).

`by` is the user acting; None means the system (the management command acting for the whole
country). Staff act within their scope: national administrators everywhere, branch
coordinators in their branches; anything else answers "not found".
"""

from __future__ import annotations

import csv
import io
import logging
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.scopes import user_scope
from kaskad.assessment.certification.services import certification_revoke
from kaskad.assessment.models import Portfolio, PortfolioStatus
from kaskad.catalogue.models import Programme
from kaskad.certificates.models import (
    Certificate,
    CertificateSequence,
    CertificateStatus,
    RevocationCategory,
    VerificationCount,
)
from kaskad.certificates.numbers import format_number, random_check
from kaskad.certificates.pdf import render_certificate_pdf, sha256_of
from kaskad.certificates.permissions import manages_branch
from kaskad.core.audit import audit_record
from kaskad.core.collation import name_order
from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.core.jobs import job_claim, job_enqueue
from kaskad.core.models import Job
from kaskad.core.progress import JobProgress, ProgressCallback
from kaskad.delivery.models import Cohort, Enrolment
from kaskad.registry.models import Branch

if TYPE_CHECKING:
    from kaskad.accounts.models import User

logger = logging.getLogger(__name__)

LANGUAGES = ("kk", "ru", "en")
BULK_JOB_KIND = "certificates_bulk"
# Stage codes double as msgids: the job page translates them.
STAGE_ISSUING = "issuing certificates"
STAGE_PACKING = "packing the ZIP file"
STAGE_LABELS = {STAGE_ISSUING: _("issuing certificates"), STAGE_PACKING: _("packing the ZIP file")}


# --- Who may act ----------------------------------------------------------------------------


def _require_manager(by: User | None, branch_id: int) -> None:
    if by is None:  # the system
        return
    if not manages_branch(by, branch_id):
        raise NotFoundError("not_found", _("Not found."))


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError("reason_required", _("Give the reason."), field="reason")
    if len(text) > 500:
        raise DomainError(
            "reason_too_long", _("The reason is too long (500 characters at most)."), field="reason"
        )
    return text


# --- Issue ----------------------------------------------------------------------------------


def public_name_of(*, given_name: str, surname: str) -> str:
    """The name as the public verification page shows it: "Әлия Қ." (given name, initial)."""
    given = given_name.strip()
    initial = surname.strip()[:1]
    if given and initial:
        return f"{given} {initial}."
    return given or (f"{initial}." if initial else "")


def language_for(enrolment: Enrolment) -> str:
    """The participant's interface language if set, else the cohort's, else Kazakh."""
    user = getattr(enrolment.person, "user", None)
    for candidate in (getattr(user, "language", ""), enrolment.cohort.language):
        if candidate in LANGUAGES:
            return str(candidate)
    return "kk"


def _next_sequence(branch_id: int, year: int) -> int:
    # get_or_create retries its read when a concurrent insert wins the unique constraint;
    # the row lock then serialises every issuer of this branch and year.
    CertificateSequence.objects.get_or_create(branch_id=branch_id, year=year)
    sequence = CertificateSequence.objects.select_for_update().get(branch_id=branch_id, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def _lock_portfolio(portfolio: Portfolio) -> Portfolio:
    return (
        Portfolio.objects.select_for_update(of=("self",))
        .select_related(
            "branch",
            "enrolment",
            "enrolment__person",
            "enrolment__cohort",
            "enrolment__cohort__version",
        )
        .get(pk=portfolio.pk)
    )


def _require_certified(portfolio: Portfolio) -> None:
    if portfolio.status != PortfolioStatus.CERTIFIED:
        raise StateConflict(
            "not_certified",
            _("A certificate is issued only for a certified portfolio; this one is %(status)s.")
            % {"status": portfolio.get_status_display()},
        )
    if not portfolio.rating:
        raise StateConflict("no_rating", _("The portfolio has no final rating yet."))


def _issue_locked(
    *,
    portfolio: Portfolio,
    by: User | None,
    language: str | None,
    replaces: Certificate | None = None,
    reason: str = "",
    written: list[str],
) -> Certificate:
    """Inside a transaction that holds the portfolio's lock: snapshot, number, PDF, audit."""
    enrolment = portfolio.enrolment
    person = enrolment.person
    cohort = enrolment.cohort
    version = cohort.version
    language = language if language in LANGUAGES else language_for(enrolment)
    issued_on = timezone.localdate()
    branch = portfolio.branch
    sequence = _next_sequence(branch.pk, issued_on.year)
    number = format_number(
        branch_code=branch.code, year=issued_on.year, sequence=sequence, check=random_check()
    )
    title = getattr(version, f"title_{language}", "") or version.title
    certificate = Certificate(
        number=number,
        portfolio=portfolio,
        person=person,
        branch=branch,
        year=issued_on.year,
        sequence=sequence,
        token=secrets.token_urlsafe(18),
        language=language,
        full_name=person.full_name[:300],
        public_name=public_name_of(given_name=person.given_name, surname=person.surname)[:120],
        programme_title=str(title)[:300],
        hours=version.hours,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        result=portfolio.rating,
        issued_on=issued_on,
        issued_by=by if getattr(by, "pk", None) else None,
        replaces=replaces,
        reissue_reason=reason[:500],
    )
    certificate.save()
    data = render_certificate_pdf(certificate)
    certificate.pdf.save(f"{number}.pdf", ContentFile(data), save=False)
    written.append(certificate.pdf.name or "")
    certificate.pdf_sha256 = sha256_of(data)
    certificate.save(update_fields=["pdf", "pdf_sha256", "updated_at"])
    audit_record(
        actor=by,
        action="create",
        obj=certificate,
        changes={
            "number": number,
            "portfolio": portfolio.pk,
            "language": language,
            "pdf_sha256": certificate.pdf_sha256,
            "replaces": replaces.number if replaces else None,
        },
        source=reason,
    )
    return certificate


def _remove_files(names: Iterable[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - a file we cannot delete is only clutter
            logger.warning("could not delete %s", name, exc_info=True)


def certificate_issue(
    *, portfolio: Portfolio, by: User | None, language: str | None = None
) -> Certificate:
    """Issue the certificate of a certified portfolio (one valid certificate per portfolio)."""
    _require_manager(by, portfolio.branch_id)
    if language is not None and language not in LANGUAGES:
        raise DomainError("language_unknown", _("Unknown language."), field="language")
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = _lock_portfolio(portfolio)
            _require_certified(locked)
            existing = Certificate.objects.filter(
                portfolio=locked, status=CertificateStatus.VALID
            ).first()
            if existing is not None:
                raise StateConflict(
                    "certificate_exists",
                    _("This portfolio already has a valid certificate, No. %(number)s.")
                    % {"number": existing.number},
                )
            return _issue_locked(portfolio=locked, by=by, language=language, written=written)
    except BaseException:
        _remove_files(written)
        raise


def certificate_revoke(
    *,
    certificate: Certificate,
    reason: str,
    by: User,
    category: str = RevocationCategory.OTHER,
) -> Certificate:
    """VALID -> REVOKED with a reason (staff only) and a category (shown publicly); the
    portfolio's certification is revoked with it."""

    _require_manager(by, certificate.branch_id)
    text = _reason(reason)
    if category not in RevocationCategory.values:
        raise DomainError("category_unknown", _("Choose the kind of revocation."), field="category")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status != CertificateStatus.VALID:
            raise StateConflict(
                "certificate_not_valid",
                _("Certificate No. %(number)s is %(status)s: only a valid one can be revoked.")
                % {"number": locked.number, "status": locked.get_status_display()},
            )
        locked.status = CertificateStatus.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_reason = text
        locked.revoked_category = category
        locked.revoked_by = by if getattr(by, "pk", None) else None
        locked.save(
            update_fields=[
                "status",
                "revoked_at",
                "revoked_reason",
                "revoked_category",
                "revoked_by",
                "updated_at",
            ]
        )
        if locked.portfolio_id is not None:  # an online course's certificate has none
            portfolio = Portfolio.objects.get(pk=locked.portfolio_id)
            if portfolio.status == PortfolioStatus.CERTIFIED:
                certification_revoke(portfolio=portfolio, by=by, reason=text)
        audit_record(
            actor=by,
            action="update",
            obj=locked,
            changes={
                "status": [CertificateStatus.VALID, CertificateStatus.REVOKED],
                "category": category,
            },
            source=text,
        )
    return locked


def certificate_reissue(
    *, certificate: Certificate, reason: str, by: User, language: str | None = None
) -> Certificate:
    """Replace a valid certificate (after a change of name, a wrong language...): the old one
    becomes SUPERSEDED, the new one has a new number, `replaces` the old one, and shows the
    registry's data as it is now. The chain of certificates is the history."""
    _require_manager(by, certificate.branch_id)
    text = _reason(reason)
    if language is not None and language not in LANGUAGES:
        raise DomainError("language_unknown", _("Unknown language."), field="language")
    written: list[str] = []
    try:
        with transaction.atomic():
            old = Certificate.objects.select_for_update().get(pk=certificate.pk)
            if old.status != CertificateStatus.VALID:
                raise StateConflict(
                    "certificate_not_valid",
                    _(
                        "Certificate No. %(number)s is %(status)s: only a valid one can be "
                        "re-issued."
                    )
                    % {"number": old.number, "status": old.get_status_display()},
                )
            if old.portfolio is None:
                raise StateConflict(
                    "course_certificate",
                    _("A certificate of an online course is not re-issued here."),
                )
            portfolio = _lock_portfolio(old.portfolio)
            _require_certified(portfolio)
            old.status = CertificateStatus.SUPERSEDED
            old.save(update_fields=["status", "updated_at"])
            new = _issue_locked(
                portfolio=portfolio,
                by=by,
                language=language or old.language,
                replaces=old,
                reason=text,
                written=written,
            )
            audit_record(
                actor=by,
                action="update",
                obj=old,
                changes={
                    "status": [CertificateStatus.VALID, CertificateStatus.SUPERSEDED],
                    "replaced_by": new.number,
                },
                source=text,
            )
            return new
    except BaseException:
        _remove_files(written)
        raise


# --- Bulk generation ------------------------------------------------------------------------


@dataclass
class BulkResult:
    issued: int = 0
    existing: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    zip_name: str = ""  # relative to MEDIA_ROOT
    files: int = 0

    def summary(self) -> str:
        text = gettext(
            "%(files)s certificates in the ZIP file: %(issued)s newly issued, %(existing)s "
            "issued before."
        ) % {"files": self.files, "issued": self.issued, "existing": self.existing}
        if self.failed:
            text += " " + gettext("%(n)s could not be issued: %(first)s") % {
                "n": len(self.failed),
                "first": self.failed[0]["message"],
            }
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "issued": self.issued,
            "existing": self.existing,
            "failed": self.failed[:50],
            "failed_count": len(self.failed),
            "files": self.files,
            "zip": self.zip_name,
            "ok": not self.failed,
        }


def certified_portfolios(
    *,
    by: User | None,
    portfolios: QuerySet[Portfolio] | None = None,
    cohort: Cohort | None = None,
    programme: Any = None,
    period: tuple[date, date] | None = None,
) -> QuerySet[Portfolio]:
    """The certified portfolios of a selection (a cohort, or a programme's cohorts ending in a
    period: an assessment session), within what `by` manages."""
    qs = portfolios if portfolios is not None else Portfolio.objects.all()
    qs = qs.filter(status=PortfolioStatus.CERTIFIED)
    if cohort is not None:
        _require_manager(by, cohort.branch_id)
        qs = qs.filter(enrolment__cohort=cohort)
    if programme is not None:
        qs = qs.filter(programme=programme)
    if period is not None:
        qs = qs.filter(enrolment__cohort__ends_on__range=period)
    if by is not None:
        scope = user_scope(by)
        if not scope.national_write:
            qs = qs.filter(branch_id__in=scope.branch_ids)
    return qs.annotate(
        has_certificate=Exists(
            Certificate.objects.filter(portfolio=OuterRef("pk"), status=CertificateStatus.VALID)
        )
    ).order_by("enrolment__cohort__code", *name_order("enrolment__person__"), "pk")


def bulk_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "certificates" / "bulk"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def certificates_generate_bulk(
    *,
    by: User | None,
    portfolios: QuerySet[Portfolio] | None = None,
    cohort: Cohort | None = None,
    programme: Any = None,
    period: tuple[date, date] | None = None,
    progress: ProgressCallback | None = None,
) -> BulkResult:
    """Issue the missing certificates of a selection (each in its own transaction: one
    failure stops no one else) and pack every valid certificate's PDF into one ZIP file."""
    report = progress or (lambda stage, done, total: None)
    selection = certified_portfolios(
        by=by, portfolios=portfolios, cohort=cohort, programme=programme, period=period
    )
    rows = list(selection.values_list("pk", "branch_id", "has_certificate"))  # type: ignore[misc]
    result = BulkResult()
    total = len(rows)
    report(STAGE_ISSUING, 0, total)
    for done, (pk, branch_id, has_certificate) in enumerate(rows, start=1):
        if has_certificate:
            result.existing += 1
        else:
            try:
                certificate_issue(portfolio=Portfolio(pk=pk, branch_id=branch_id), by=by)
                result.issued += 1
            except DomainError as error:
                if error.code == "certificate_exists":
                    result.existing += 1
                else:
                    result.failed.append({"portfolio": str(pk), "message": str(error.message)})
        report(STAGE_ISSUING, done, total)
    certificates = (
        Certificate.objects.filter(portfolio_id__in=selection.order_by().values("pk"))
        .filter(status=CertificateStatus.VALID)
        .select_related("branch")
        .order_by("number")
    )
    result.zip_name, result.files = _pack(list(certificates), report)
    return result


def _safe_part(text: str) -> str:
    """Letters (any script) and digits kept, everything else one "_": safe on every system."""
    cleaned = "".join(c if c.isalnum() else "_" for c in unicodedata.normalize("NFC", text))
    return "_".join(part for part in cleaned.split("_") if part)


def pdf_file_name(certificate: Certificate) -> str:
    """`Қасымова_Әлия_ALA-2026-000123-K7QX.pdf`: found by the person's name in a folder of a
    thousand, unique by the number."""
    name = "_".join(_safe_part(word) for word in certificate.full_name.split()[:2])
    name = name[:80].strip("_")
    return f"{name}_{certificate.number}.pdf" if name else f"{certificate.number}.pdf"


def _pack(certificates: list[Certificate], report: ProgressCallback) -> tuple[str, int]:
    target = bulk_dir() / f"{secrets.token_hex(16)}.zip"
    total = len(certificates)
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(["number", "name", "programme", "hours", "result", "issued_on", "file"])
    files = 0
    report(STAGE_PACKING, 0, total)
    # PDFs are compressed already: storing them is as small and much faster.
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, certificate in enumerate(certificates, start=1):
            if certificate.pdf:
                name = pdf_file_name(certificate)
                with certificate.pdf.open("rb") as handle:
                    archive.writestr(name, handle.read())
                writer.writerow(
                    [
                        certificate.number,
                        certificate.full_name,
                        certificate.programme_title,
                        certificate.hours,
                        certificate.result,
                        certificate.issued_on.isoformat(),
                        name,
                    ]
                )
                files += 1
            report(STAGE_PACKING, done, total)
        archive.writestr(
            "certificates.csv", manifest.getvalue().encode("utf-8-sig"), zipfile.ZIP_DEFLATED
        )
    return str(target.relative_to(Path(settings.MEDIA_ROOT))), files


def bulk_job_start(
    *,
    by: User | None,
    cohort: Cohort | None = None,
    programme: Any = None,
    period: tuple[date, date] | None = None,
    language: str | None = None,
) -> Job:
    """Record a bulk run, for a cohort or for an assessment session (a programme's cohorts
    ending in a period, within what `by` manages), and queue it once this commits."""
    from kaskad.certificates.tasks import generate_certificates

    language = language or getattr(by, "language", "") or translation.get_language() or ""
    if cohort is not None:
        _require_manager(by, cohort.branch_id)
        params: dict[str, Any] = {"cohort_id": cohort.pk}
        with translation.override(language or settings.LANGUAGE_CODE):
            title = gettext("Certificates of cohort %(code)s") % {"code": cohort.code}
    else:
        scope = user_scope(by)
        if not (scope.national_write or scope.branch_ids):
            raise NotFoundError("not_found", gettext("Not found."))
        if programme is None or period is None:
            raise DomainError(
                "session_incomplete",
                gettext("Choose the programme and the period of the session."),
            )
        if period[0] > period[1]:
            raise DomainError(
                "period_reversed",
                gettext("The period ends (%(end)s) before it starts (%(start)s).")
                % {"start": period[0].isoformat(), "end": period[1].isoformat()},
                field="date_to",
            )
        params = {
            "programme_id": programme.pk,
            "from": period[0].isoformat(),
            "to": period[1].isoformat(),
        }
        with translation.override(language or settings.LANGUAGE_CODE):
            title = gettext("Certificates of %(programme)s, cohorts ending %(start)s–%(end)s") % {
                "programme": programme.code,
                "start": period[0].isoformat(),
                "end": period[1].isoformat(),
            }
    with transaction.atomic():
        job = Job.objects.create(
            kind=BULK_JOB_KIND,
            created_by=by if getattr(by, "pk", None) else None,
            title=title[:200],
            params=params,
            language=language[:8],
        )
        job_enqueue(job, generate_certificates)
    return job


def run_bulk_job(job_id: int) -> dict[str, Any]:
    """Run a queued bulk generation (in the worker). Safe to run twice: a finished job is left
    alone, a running one is not started a second time, and issuing skips portfolios that
    have a certificate already (so a restart after a lost worker finishes the rest)."""
    kind = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    job = job_claim(job_id, stage=STAGE_ISSUING) if kind == BULK_JOB_KIND else None
    if job is None:
        return {"skipped": True}
    params = job.params if isinstance(job.params, dict) else {}
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            selection: dict[str, Any] = {}
            if params.get("cohort_id"):
                selection["cohort"] = Cohort.objects.get(pk=int(params["cohort_id"]))
            else:
                selection["programme"] = Programme.objects.get(pk=int(params["programme_id"]))
                selection["period"] = (
                    date.fromisoformat(params["from"]),
                    date.fromisoformat(params["to"]),
                )
            with JobProgress(job.pk) as progress:
                result = certificates_generate_bulk(
                    by=job.created_by, progress=progress, **selection
                )
            outcome = {
                **result.as_dict(),
                "message": result.summary(),
                "url": reverse("certificates:bulk_download", kwargs={"pk": job.pk}),
            }
            status = Job.Status.SUCCEEDED
        except Exception:
            logger.exception("certificate job %s failed", job.pk)
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED,
                result={
                    "ok": False,
                    "message": gettext(
                        "The certificates could not be generated because of an unexpected "
                        "error. Please tell the administrators."
                    ),
                },
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            raise
        Job.objects.filter(pk=job.pk).update(
            status=status,
            result=outcome,
            stage="",
            done=result.files,
            total=result.files,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return {"ok": True, "files": result.files}


# --- Rate limit of the public look-up ------------------------------------------------------


def verify_limit() -> tuple[int, int]:
    """(look-ups allowed, window in seconds) per address."""
    return (
        int(getattr(settings, "KASKAD_CERTIFICATE_VERIFY_LIMIT", 30)),
        int(getattr(settings, "KASKAD_CERTIFICATE_VERIFY_WINDOW", 600)),
    )


def verification_attempt(*, ip: str | None) -> bool:
    """Count one public look-up from `ip`; False if the address is over its limit (then
    nothing is counted: a blocked client cannot extend its own ban).

    Fixed windows of `window` seconds, one counter row per address and window: the row is
    created if missing (a conflict-ignoring insert), then raised by one conditional UPDATE
    (`count < limit`), which the database runs atomically, so parallel requests get exactly
    the limit between them, on SQLite and PostgreSQL alike."""
    limit, window = verify_limit()
    now = timezone.now()
    start = datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=UTC)
    key = ip or ""
    VerificationCount.objects.bulk_create(
        [VerificationCount(ip=key, window_start=start)], ignore_conflicts=True
    )
    counted = VerificationCount.objects.filter(ip=key, window_start=start, count__lt=limit).update(
        count=F("count") + 1
    )
    # Keep the table small: now and then, drop the windows that are over.
    if secrets.randbelow(50) == 0:
        VerificationCount.objects.filter(window_start__lt=start).delete()
    return counted == 1


# --- Certificates of online courses (kaskad.learning) -----------------------------------------


@dataclass(frozen=True)
class CourseCompletion:
    """What a certificate of an online course says, given by the course app (which sits above
    this one): the learner, the course and the result, frozen at issue."""

    branch_id: int
    full_name: str
    given_name: str
    surname: str
    programme_title: str
    hours: int
    starts_on: date
    ends_on: date
    result: str  # "passed" or "distinction"
    language: str
    person_id: int | None = None


def certificate_issue_for_course(*, completion: CourseCompletion) -> Certificate:
    """Issue the certificate of a completed online course: the number under the branch's
    sequence lock, no PDF yet (printed on the first download, `certificate_pdf_ensure`), so
    that 350,000 completions cost a row each and no printing. Called by the course app's
    background task; the caller keeps one certificate per enrolment (its one-to-one link)."""
    language = completion.language if completion.language in LANGUAGES else "kk"
    with transaction.atomic():
        branch = Branch.objects.get(pk=completion.branch_id)
        issued_on = timezone.localdate()
        sequence = _next_sequence(branch.pk, issued_on.year)
        number = format_number(
            branch_code=branch.code, year=issued_on.year, sequence=sequence, check=random_check()
        )
        certificate = Certificate.objects.create(
            number=number,
            portfolio=None,
            person_id=completion.person_id,
            branch=branch,
            year=issued_on.year,
            sequence=sequence,
            token=secrets.token_urlsafe(18),
            language=language,
            full_name=completion.full_name[:300],
            public_name=public_name_of(
                given_name=completion.given_name, surname=completion.surname
            )[:120],
            programme_title=completion.programme_title[:300],
            hours=completion.hours,
            starts_on=completion.starts_on,
            ends_on=completion.ends_on,
            result=completion.result,
            issued_on=issued_on,
            issued_by=None,
        )
        audit_record(
            actor=None,
            action="create",
            obj=certificate,
            changes={"number": number, "language": language, "result": completion.result},
            source="online course",
        )
    return certificate


def certificate_pdf_ensure(*, certificate: Certificate) -> Certificate:
    """Print and store the PDF if it is not there yet (the first download of a lazily issued
    certificate); a concurrent first download waits for the row and finds the file."""
    if certificate.pdf:
        return certificate
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = (
                Certificate.objects.select_for_update()
                .select_related("branch")
                .get(pk=certificate.pk)
            )
            if not locked.pdf:
                data = render_certificate_pdf(locked)
                locked.pdf.save(f"{locked.number}.pdf", ContentFile(data), save=False)
                written.append(locked.pdf.name or "")
                locked.pdf_sha256 = sha256_of(data)
                locked.save(update_fields=["pdf", "pdf_sha256", "updated_at"])
            return locked
    except BaseException:
        _remove_files(written)
        raise
