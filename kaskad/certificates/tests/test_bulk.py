from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from kaskad.certificates.models import Certificate
from kaskad.certificates.services import (
    BULK_JOB_KIND,
    bulk_job_start,
    certificate_issue,
    certificates_generate_bulk,
    run_bulk_job,
)
from kaskad.certificates.tests.factories import certificate_cohort, certified_portfolio
from kaskad.core.errors import NotFoundError
from kaskad.core.models import Job
from kaskad.delivery.tests.factories import coordinator_of, national_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    """Three certified participants (one already holding a certificate), one not certified,
    and a certified participant of another cohort."""
    cohort = certificate_cohort(branch_code="ALA")
    admin = national_admin()
    certified = [certified_portfolio(cohort=cohort) for _ in range(3)]
    certificate_issue(portfolio=certified[0], by=admin)
    certified_portfolio(cohort=cohort, status="not_certified", rating="unsatisfactory")
    certified_portfolio(cohort=certificate_cohort(branch_code="ALA"))
    return cohort


def _zip(name: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(Path(settings.MEDIA_ROOT) / name)


def test_bulk_issues_the_missing_and_packs_one_pdf_per_certified_participant(cohort) -> None:
    calls: list[tuple[str, int, int]] = []
    result = certificates_generate_bulk(
        by=coordinator_of("ALA"), cohort=cohort, progress=lambda *a: calls.append(a)
    )
    assert (result.issued, result.existing, result.failed, result.files) == (2, 1, [], 3)
    numbers = set(
        Certificate.objects.filter(portfolio__enrolment__cohort=cohort).values_list(
            "number", flat=True
        )
    )
    with _zip(result.zip_name) as archive:
        pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
        # Named by the person, then the number: Surname_Name_<number>.pdf.
        assert {n.removesuffix(".pdf").rsplit("_", 1)[-1] for n in pdfs} == numbers
        issued = Certificate.objects.filter(portfolio__enrolment__cohort=cohort)
        expected = {
            f"{c.full_name.split()[0]}_{c.full_name.split()[1]}_{c.number}.pdf" for c in issued
        }
        assert set(pdfs) == expected
        assert all(archive.read(n).startswith(b"%PDF") for n in pdfs)
        rows = list(
            csv.DictReader(io.StringIO(archive.read("certificates.csv").decode("utf-8-sig")))
        )
        assert {r["number"] for r in rows} == numbers
    assert ("issuing certificates", 3, 3) in calls
    assert ("packing the ZIP file", 3, 3) in calls
    assert calls[0] == ("issuing certificates", 0, 3)

    again = certificates_generate_bulk(by=national_admin(), cohort=cohort)
    assert (again.issued, again.existing, again.files) == (0, 3, 3)


def test_bulk_for_a_cohort_of_another_branch_is_not_found(cohort) -> None:
    with pytest.raises(NotFoundError):
        certificates_generate_bulk(by=coordinator_of("AST"), cohort=cohort)
    assert Certificate.objects.count() == 1


def test_the_background_job_records_progress_and_offers_the_zip(
    cohort, django_capture_on_commit_callbacks
) -> None:
    coordinator = coordinator_of("ALA")
    with django_capture_on_commit_callbacks() as callbacks:
        job = bulk_job_start(by=coordinator, cohort=cohort)
    assert len(callbacks) == 1  # queued once the transaction commits
    assert job.kind == BULK_JOB_KIND and job.status == "queued"

    run_bulk_job(job.pk)

    job.refresh_from_db()
    assert job.status == "succeeded"
    assert (job.done, job.total) == (3, 3)
    assert job.result["issued"] == 2 and job.result["files"] == 3
    assert "3 certificates in the ZIP file" in job.result["message"]
    assert run_bulk_job(job.pk) == {"skipped": True}

    client = Client()
    client.force_login(coordinator)
    page = client.get(f"/jobs/{job.pk}/")
    assert job.result["url"] in page.content.decode()
    download = client.get(job.result["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.getvalue())) as archive:
        assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 3

    other = Client()
    other.force_login(coordinator_of("ALA"))  # not the one who started it
    assert other.get(job.result["url"]).status_code == 404


def test_the_command_generates_a_zip_with_a_progress_bar(cohort, tmp_path, capsys) -> None:
    target = tmp_path / "out.zip"
    call_command("certificates_generate", cohort=cohort.code, output=target)
    out, err = capsys.readouterr()
    assert "3 certificates in the ZIP file" in out
    assert "issuing certificates" in err
    with zipfile.ZipFile(target) as archive:
        assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 3


def test_the_command_for_a_programme_and_period(cohort, tmp_path, capsys) -> None:
    call_command(
        "certificates_generate",
        programme=cohort.version.programme.code,
        date_from=cohort.ends_on.isoformat(),
        date_to=cohort.ends_on.isoformat(),
        no_progress=True,
    )
    assert "3 certificates in the ZIP file" in capsys.readouterr().out


def test_the_command_refuses_unknown_cohorts() -> None:
    with pytest.raises(CommandError):
        call_command("certificates_generate", cohort="NOPE")
    with pytest.raises(CommandError):
        call_command("certificates_generate")
    assert not Job.objects.exists()


def test_pdf_names_are_safe_and_keep_kazakh_letters() -> None:
    from kaskad.certificates.services import pdf_file_name

    certificate = Certificate(
        full_name="Қасымова-Ли Әлия Нұрланқызы", number="ALA-2026-000123-K7QX"
    )
    assert pdf_file_name(certificate) == "Қасымова_Ли_Әлия_ALA-2026-000123-K7QX.pdf"
    odd = Certificate(full_name='../"Smith" <John>', number="AST-2026-000001-ABCD")
    assert pdf_file_name(odd) == "Smith_John_AST-2026-000001-ABCD.pdf"
