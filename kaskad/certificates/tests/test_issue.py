from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest
from django.utils import timezone

from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import Portfolio, PortfolioEvent
from kaskad.certificates.models import Certificate, CertificateSequence
from kaskad.certificates.selectors import certificate_history
from kaskad.certificates.services import (
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
)
from kaskad.certificates.tests.factories import TITLES, certificate_cohort, certified_portfolio
from kaskad.core.errors import DomainError, NotFoundError
from kaskad.core.models import AuditEntry
from kaskad.delivery.tests.factories import coordinator_of, national_admin, teacher_user
from kaskad.registry.models import Person

pytestmark = pytest.mark.django_db


def test_issue_snapshots_the_portfolio_numbers_it_and_stores_the_pdf() -> None:
    admin = national_admin()
    cohort = certificate_cohort(branch_code="ALA", language="ru")
    portfolio = certified_portfolio(cohort=cohort, surname="Қасымова", given_name="Әлия")

    certificate = certificate_issue(portfolio=portfolio, by=admin)

    year = timezone.localdate().year
    assert re.fullmatch(rf"ALA-{year}-000001-[A-Z2-9]{{4}}", certificate.number)
    assert certificate.sequence == 1 and certificate.year == year
    assert certificate.language == "ru"  # the cohort's: the participant has no login
    assert certificate.full_name == "Қасымова Әлия"
    assert certificate.public_name == "Әлия Қ."
    assert certificate.programme_title == TITLES["ru"]
    assert certificate.hours == 72
    assert (certificate.starts_on, certificate.ends_on) == (cohort.starts_on, cohort.ends_on)
    assert certificate.result == "good"
    assert certificate.issued_on == timezone.localdate()
    assert certificate.issued_by == admin
    assert len(certificate.token) >= 20
    data = certificate.pdf.read()
    assert data.startswith(b"%PDF")
    assert certificate.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert AuditEntry.objects.filter(
        object_type="certificates.certificate", object_id=str(certificate.pk), action="create"
    ).exists()


def test_the_participants_own_language_wins_over_the_cohorts() -> None:
    portfolio = certified_portfolio(cohort=certificate_cohort(language="ru"))
    make_user(person=portfolio.enrolment.person, language="en")
    certificate = certificate_issue(portfolio=portfolio, by=national_admin())
    assert certificate.language == "en"
    assert certificate.programme_title == TITLES["en"]


def test_sequences_count_per_branch_and_year() -> None:
    admin = national_admin()
    ala = certificate_cohort(branch_code="ALA")
    ast = certificate_cohort(branch_code="AST")
    first = certificate_issue(portfolio=certified_portfolio(cohort=ala), by=admin)
    second = certificate_issue(portfolio=certified_portfolio(cohort=ala), by=admin)
    other = certificate_issue(portfolio=certified_portfolio(cohort=ast), by=admin)
    assert (first.sequence, second.sequence, other.sequence) == (1, 2, 1)
    assert other.number.startswith("AST-")
    assert CertificateSequence.objects.get(branch__code="ALA").last == 2


@pytest.mark.parametrize("status", ["submitted", "not_certified", "awaiting_plagiarism", "revoked"])
def test_only_a_certified_portfolio_gets_a_certificate(status: str) -> None:
    portfolio = certified_portfolio(status=status)
    with pytest.raises(DomainError) as caught:
        certificate_issue(portfolio=portfolio, by=national_admin())
    assert caught.value.code == "not_certified"
    assert "certified portfolio" in str(caught.value.message)
    assert not Certificate.objects.exists()
    assert not CertificateSequence.objects.filter(last__gt=0).exists()


def test_a_second_certificate_for_the_same_portfolio_is_refused(settings) -> None:
    admin = national_admin()
    portfolio = certified_portfolio()
    first = certificate_issue(portfolio=portfolio, by=admin)
    with pytest.raises(DomainError) as caught:
        certificate_issue(portfolio=portfolio, by=admin)
    assert caught.value.code == "certificate_exists"
    assert first.number in str(caught.value.message)
    assert Certificate.objects.count() == 1


def test_a_coordinator_issues_only_in_their_branch() -> None:
    portfolio = certified_portfolio(cohort=certificate_cohort(branch_code="ALA"))
    with pytest.raises(NotFoundError):
        certificate_issue(portfolio=portfolio, by=coordinator_of("AST"))
    with pytest.raises(NotFoundError):
        certificate_issue(portfolio=portfolio, by=teacher_user(portfolio.enrolment.person))
    assert not Certificate.objects.exists()
    assert certificate_issue(portfolio=portfolio, by=coordinator_of("ALA")).number.startswith(
        "ALA-"
    )


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        certificate_issue(portfolio=certified_portfolio(), by=national_admin(), language="de")
    assert caught.value.field == "language"
    assert not Certificate.objects.exists()


# --- Revocation -------------------------------------------------------------------------------


def test_revocation_needs_a_reason_and_writes_nothing_without_one() -> None:
    admin = national_admin()
    certificate = certificate_issue(portfolio=certified_portfolio(), by=admin)
    with pytest.raises(DomainError) as caught:
        certificate_revoke(certificate=certificate, reason="  ", by=admin)
    assert caught.value.field == "reason"
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    assert Portfolio.objects.get(pk=certificate.portfolio_id or 0).status == "certified"


def test_revocation_revokes_the_certification_and_is_final() -> None:
    admin = national_admin()
    certificate = certificate_issue(portfolio=certified_portfolio(), by=admin)
    revoked = certificate_revoke(
        certificate=certificate,
        reason="Plagiarism established after appeal, case 12/2026",
        category="misconduct",
        by=admin,
    )
    assert revoked.status == "revoked"
    assert revoked.revoked_by == admin and revoked.revoked_at is not None
    assert revoked.revoked_category == "misconduct"
    portfolio = Portfolio.objects.get(pk=certificate.portfolio_id or 0)
    assert portfolio.status == "revoked"
    assert PortfolioEvent.objects.filter(portfolio=portfolio, kind="revoked").exists()
    with pytest.raises(DomainError) as caught:
        certificate_revoke(certificate=revoked, reason="again", by=admin)
    assert caught.value.code == "certificate_not_valid"
    # A revoked portfolio gets no new certificate.
    with pytest.raises(DomainError):
        certificate_issue(portfolio=portfolio, by=admin)


def test_a_coordinator_of_another_branch_cannot_revoke() -> None:
    certificate = certificate_issue(portfolio=certified_portfolio(), by=national_admin())
    with pytest.raises(NotFoundError):
        certificate_revoke(certificate=certificate, reason="x", by=coordinator_of("AST"))
    certificate.refresh_from_db()
    assert certificate.status == "valid"


# --- Re-issue ---------------------------------------------------------------------------------


def test_reissue_after_a_change_of_name_keeps_the_history() -> None:
    admin = national_admin()
    portfolio = certified_portfolio(surname="Қасымова", given_name="Әлия")
    old = certificate_issue(portfolio=portfolio, by=admin)
    Person.objects.filter(pk=portfolio.enrolment.person_id).update(surname="Серікова")

    new = certificate_reissue(certificate=old, reason="Surname changed on marriage", by=admin)

    old.refresh_from_db()
    assert old.status == "superseded"
    assert new.status == "valid" and new.replaces == old
    assert new.number != old.number and new.sequence == old.sequence + 1
    assert new.full_name == "Серікова Әлия" and old.full_name == "Қасымова Әлия"
    assert new.reissue_reason == "Surname changed on marriage"
    assert new.language == old.language
    kinds = [entry.kind for entry in certificate_history(certificate=new)]
    assert kinds == ["issued", "superseded", "reissued"]
    # The portfolio stays certified; only one valid certificate.
    assert Portfolio.objects.get(pk=portfolio.pk).status == "certified"
    assert Certificate.objects.filter(portfolio=portfolio, status="valid").count() == 1


def test_reissue_of_a_revoked_certificate_is_refused() -> None:
    admin = national_admin()
    certificate = certificate_issue(portfolio=certified_portfolio(), by=admin)
    certificate_revoke(certificate=certificate, reason="issued by mistake", by=admin)
    with pytest.raises(DomainError) as caught:
        certificate_reissue(certificate=certificate, reason="name", by=admin)
    assert caught.value.code == "certificate_not_valid"
    assert Certificate.objects.count() == 1


def test_reissue_needs_a_reason() -> None:
    admin = national_admin()
    certificate = certificate_issue(portfolio=certified_portfolio(), by=admin)
    with pytest.raises(DomainError):
        certificate_reissue(certificate=certificate, reason="", by=admin)
    assert Certificate.objects.count() == 1


def test_issue_date_is_today(settings) -> None:
    certificate = certificate_issue(portfolio=certified_portfolio(), by=national_admin())
    assert isinstance(certificate.issued_on, date)
