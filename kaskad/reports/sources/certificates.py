"""Certificates' figures: issued in the year, and of those, revoked since."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaskad.certificates.models import Certificate, CertificateStatus
from kaskad.reports.figures import DrillRow, Metric, Source, register
from kaskad.reports.sources._common import label_of, years_of


def issued(year: int) -> QuerySet[Certificate]:
    return Certificate.objects.filter(issued_on__year=year).exclude(
        status=CertificateStatus.SUPERSEDED
    )


def revoked(year: int) -> QuerySet[Certificate]:
    return Certificate.objects.filter(issued_on__year=year, status=CertificateStatus.REVOKED)


def certificate_row(certificate: Certificate) -> DrillRow:
    return DrillRow(
        name=certificate.full_name,
        organisation=str(certificate.branch),
        # An online course's certificate has no portfolio: its programme is the printed title.
        programme=(
            certificate.portfolio.programme.code
            if certificate.portfolio is not None
            else certificate.programme_title
        ),
        on=certificate.issued_on,
        detail=f"{certificate.number} · {label_of(CertificateStatus, certificate.status)}",
    )


def changed_years(since: datetime) -> set[int]:
    return years_of(Certificate.objects.filter(updated_at__gt=since), "issued_on")


def _metric(code: str, label: object, records: object) -> Metric:
    return Metric(
        code=code,
        label=label,  # type: ignore[arg-type]
        records=records,  # type: ignore[arg-type]
        branch="branch_id",
        area="portfolio__enrolment__area_id",
        programme="portfolio__programme_id",
        describe=certificate_row,
        related=("person", "branch", "portfolio__programme"),
        person="person__",
    )


SOURCE = register(
    Source(
        name="certificates",
        metrics=[
            _metric("certificates_issued", _("Certificates issued"), issued),
            _metric("certificates_revoked", _("Certificates revoked"), revoked),
        ],
        changed_years=changed_years,
    )
)
