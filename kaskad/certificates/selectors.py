"""Reads of certificates: staff lists (scoped), a participant's own certificates, the history
of a certificate, and the public verification.

Who sees which certificates:

* national administrators: all of them;
* analysts: none (a certificate is an individual result; they read the reports, ADR 0002);
* branch coordinators: those of their branches;
* a participant: their own;
* anyone else: none (a certificate out of scope answers 404 like a missing one).

The public verification answers every look-up with the same shape and the same one query,
whether the number exists or not, and says nothing about numbers near it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kaskad.accounts.scopes import user_scope
from kaskad.assessment.models import Portfolio
from kaskad.certificates.models import Certificate, CertificateStatus, RevocationCategory
from kaskad.certificates.numbers import normalise
from kaskad.delivery.models import Cohort

if TYPE_CHECKING:
    from kaskad.accounts.models import User

NOT_FOUND = "not_found"


def _base() -> QuerySet[Certificate]:
    return Certificate.objects.select_related("branch", "person")


def certificate_list_visible_to(user: User) -> QuerySet[Certificate]:
    scope = user_scope(user)
    qs = _base()
    if scope.national_write:
        return qs
    condition = Q(pk__in=[])
    if scope.branch_ids:
        condition |= Q(branch_id__in=scope.branch_ids)
    if scope.person_id:
        condition |= Q(person_id=scope.person_id)
    return qs.filter(condition)


def sees_certificate_lists(user: User) -> bool:
    """Staff who look after other people's certificates (the list page)."""
    scope = user_scope(user)
    return scope.national_write or bool(scope.branch_ids)


@dataclass(frozen=True)
class CertificateFilters:
    q: str = ""
    status: str = ""
    year: int | None = None


def certificate_list(
    *, user: User, filters: CertificateFilters | None = None
) -> QuerySet[Certificate]:
    filters = filters or CertificateFilters()
    qs = certificate_list_visible_to(user)
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(
            Q(number__iexact=normalise(text))
            | Q(full_name__icontains=text)
            | Q(programme_title__icontains=text)
        )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(year=filters.year)
    return qs.order_by("-issued_on", "-id")


def certificate_get(*, user: User, pk: int) -> Certificate:
    certificate = (
        certificate_list_visible_to(user)
        .select_related(
            "issued_by",
            "revoked_by",
            "replaces",
            "portfolio",
            "portfolio__enrolment__cohort",
        )
        .filter(pk=pk)
        .first()
    )
    if certificate is None:
        raise Http404
    return certificate


def my_certificates(*, user: User) -> QuerySet[Certificate]:
    person_id = user_scope(user).person_id
    if person_id is None:
        return Certificate.objects.none()
    return _base().filter(person_id=person_id).order_by("-issued_on", "-id")


@dataclass(frozen=True)
class HistoryEntry:
    at: date | datetime
    kind: str  # issued | revoked | superseded
    certificate: Certificate
    actor: User | None = None
    reason: str = ""


def certificate_chain(*, certificate: Certificate) -> list[Certificate]:
    """Every certificate of the same portfolio: the re-issue chain, oldest first (an online
    course's certificate has no portfolio: it is its own chain)."""
    if certificate.portfolio_id is None:
        return [certificate]
    return list(
        Certificate.objects.filter(portfolio_id=certificate.portfolio_id)
        .select_related("issued_by", "revoked_by", "replaces")
        .order_by("created_at", "id")
    )


def certificate_history(*, certificate: Certificate) -> list[HistoryEntry]:
    """Issued, re-issued (with the reason), revoked (with the reason) — for staff."""
    entries: list[HistoryEntry] = []
    chain = certificate_chain(certificate=certificate)
    successors = {c.replaces_id: c for c in chain if c.replaces_id}
    for item in chain:
        entries.append(
            HistoryEntry(
                at=item.created_at,
                kind="reissued" if item.replaces_id else "issued",
                certificate=item,
                actor=item.issued_by,
                reason=item.reissue_reason,
            )
        )
        if item.status == CertificateStatus.REVOKED and item.revoked_at:
            entries.append(
                HistoryEntry(
                    at=item.revoked_at,
                    kind="revoked",
                    certificate=item,
                    actor=item.revoked_by,
                    reason=item.revoked_reason,
                )
            )
        successor = successors.get(item.pk)
        if successor is not None:
            entries.append(
                HistoryEntry(
                    at=successor.created_at,
                    kind="superseded",
                    certificate=item,
                    actor=successor.issued_by,
                    reason=successor.reissue_reason,
                )
            )
    entries.sort(key=lambda e: (e.at, 0 if e.kind == "superseded" else 1))
    return entries


# --- Cohorts: what bulk generation would do -------------------------------------------------


@dataclass(frozen=True)
class CohortCertificates:
    certified: int
    with_certificate: int

    @property
    def missing(self) -> int:
        return max(0, self.certified - self.with_certificate)


def cohort_certificate_counts(*, cohort: Cohort) -> CohortCertificates:
    counts = Portfolio.objects.filter(enrolment__cohort=cohort, status="certified").aggregate(
        certified=Count("pk", distinct=True),
        with_certificate=Count(
            "certificates", filter=Q(certificates__status=CertificateStatus.VALID), distinct=True
        ),
    )
    return CohortCertificates(
        certified=counts["certified"] or 0, with_certificate=counts["with_certificate"] or 0
    )


# --- Public verification ----------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What the public may know of a certificate: enough to compare with the paper."""

    status: str  # valid | revoked | superseded | not_found
    number: str = ""
    name: str = ""  # masked: "Әлия Қ."
    programme_title: str = ""
    hours: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    issued_on: date | None = None
    revoked_on: date | None = None
    revoked_category: str = ""
    branch: str = ""

    @property
    def found(self) -> bool:
        return self.status != NOT_FOUND

    @property
    def revoked_category_label(self) -> str:
        if not self.revoked_category:
            return ""
        try:
            return str(RevocationCategory(self.revoked_category).label)
        except ValueError:
            return ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "number": self.number or None,
            "name": self.name or None,
            "programme": self.programme_title or None,
            "hours": self.hours,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            "issued_on": self.issued_on,
            "revoked_on": self.revoked_on,
            "revocation": self.revoked_category_label or None,
            "branch": self.branch or None,
        }


_PUBLIC_FIELDS = (
    "number",
    "status",
    "public_name",
    "programme_title",
    "hours",
    "starts_on",
    "ends_on",
    "issued_on",
    "revoked_at",
    "revoked_category",
    "branch__name",
    "branch__name_kk",
    "branch__name_ru",
    "branch__name_en",
)


def _verification_of(certificate: Certificate | None) -> Verification:
    if certificate is None:
        return Verification(status=NOT_FOUND)
    revoked = certificate.status == CertificateStatus.REVOKED
    return Verification(
        status=certificate.status,
        number=certificate.number,
        name=certificate.public_name,
        programme_title=certificate.programme_title,
        hours=certificate.hours,
        starts_on=certificate.starts_on,
        ends_on=certificate.ends_on,
        issued_on=certificate.issued_on,
        revoked_on=(
            timezone.localdate(certificate.revoked_at)
            if revoked and certificate.revoked_at
            else None
        ),
        revoked_category=certificate.revoked_category if revoked else "",
        branch=str(certificate.branch.name),
    )


def certificate_verify(*, number: str = "", token: str = "") -> Verification:
    """Look a certificate up by its number (as typed) or by the token of its QR code.

    One indexed query either way; a malformed or forged number costs the same as a real one
    and answers only "not found"."""
    qs = Certificate.objects.select_related("branch").only(*_PUBLIC_FIELDS)
    lookup = Q(token=token[:64]) if token else Q(number=normalise(number or ""))
    return _verification_of(qs.filter(lookup).first())
