"""From a submitted portfolio to a verified certificate, in a real browser: a teacher uploads a
DOCX whose metadata names her and submits it; the plagiarism check runs; the national
administrator allocates; the assessor marks it blind; the coordinator generates the cohort's
certificates; anyone verifies the number without signing in, and the certificate's QR link
and a forged number are checked too."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import Portfolio
from kaskad.assessment.tests.factories import enrol, make_assessor, make_rubric
from kaskad.assessment.tests.portfolio_documents import make_docx
from kaskad.certificates.models import Certificate
from kaskad.delivery.services import cohort_set_status
from kaskad.delivery.tests.factories import make_cohort, make_version, national_admin
from kaskad.plagiarism.models import PlagiarismCheck
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person
from tests.e2e.test_enrolment_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LESSONS = (
    "Серия из трёх уроков по математике в 6 классе была посвящена теме «Десятичные дроби». "
    "На первом уроке ученики сравнивали цены в двух магазинах и сами вывели правило. "
    "Я использовала приём «Думай — работай в паре — делись», а в конце урока — «светофор». "
    "Арман мен Дәулет өз шешімдерін тақтада түсіндірді, сыныптың көбі тапсырманы орындады."
)


def test_portfolio_to_verified_certificate(
    live_server: Any, browser: Any, artifacts: Path, settings: Any, tmp_path: Path
) -> None:
    # Background jobs (plagiarism check, allocation, certificates) run as they are queued.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.KASKAD_PUBLIC_URL = live_server.url
    sync_reference_data(Branch, Area)
    base = live_server.url

    version = make_version(title="Effective learning", formats=["classroom"], languages=["kk"])
    make_rubric(version=version, second_marking_percent=0)
    cohort = make_cohort(
        version=version,
        status="open",
        starts_on=timezone.localdate() - timedelta(days=12),
        code="EL-ALA-E2E",
    )
    school = make_organisation(area=area_of("ALA"), name="№ 12 мектеп-гимназия")
    aliya = make_person(organisation=school, surname="Қасымова", given_name="Әлия")
    make_user(username="aliya", roles=[(Role.TEACHER, None)], person=aliya, language="en")
    enrol(cohort, aliya)
    admin = national_admin()
    for status in ("running", "finished"):
        cohort = cohort_set_status(cohort=cohort, status=status, by=admin)
    assessor, _user = make_assessor(programme=version.programme, branch_code="SHY")
    assessor_user = assessor.user
    assessor_user.username = "assessor"
    assessor_user.language = "en"
    assessor_user.save()
    make_user(username="admin", roles=[(Role.NATIONAL_ADMIN, None)], language="en")
    make_user(
        username="coordinator", roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))], language="en"
    )

    # --- The teacher starts her portfolio, uploads a DOCX and submits it.
    teacher = sign_in(browser, base, "aliya")
    teacher.on("dialog", lambda dialog: dialog.accept())  # "Submit the portfolio now?"
    teacher.click("nav.mainnav >> text=My portfolios")
    teacher.click("button:has-text('Start the portfolio')")
    teacher.wait_for_selector("#id_files")
    docx = tmp_path / "Kasymova_portfolio.docx"
    docx.write_bytes(make_docx([LESSONS], author="Қасымова Әлия"))
    teacher.set_input_files("#id_files", str(docx))
    teacher.click("button:has-text('Upload')")
    teacher.wait_for_selector("text=Kasymova_portfolio.docx")
    teacher.screenshot(path=artifacts / "certification-1-portfolio-draft.png", full_page=True)
    teacher.click("button:has-text('Submit the portfolio')")
    teacher.wait_for_selector("text=submitted")
    portfolio = Portfolio.objects.get(enrolment__person=aliya)
    assert portfolio.status == "submitted"
    # The check ran when the submission committed: nothing similar, so it is clear.
    assert PlagiarismCheck.objects.get(portfolio=portfolio).status == "done"
    assert portfolio.plagiarism_status == "clear"

    # --- The national administrator allocates the submitted portfolios.
    office = sign_in(browser, base, "admin")
    office.click("nav.mainnav >> text=Assessment")
    office.click("button:has-text('Allocate now')")
    office.wait_for_selector("text=100")  # the job's progress reaches 100 percent
    portfolio.refresh_from_db()
    assert portfolio.status == "in_assessment"
    task = portfolio.assignments.get()
    assert task.assessor == assessor

    # --- The assessor marks it, criterion by criterion, without seeing who wrote it.
    marker = sign_in(browser, base, "assessor")
    marker.click("nav.mainnav >> text=Assessment tasks")
    marker.click(f"text=P-{portfolio.pk}")
    marker.wait_for_selector("form.marking-form")
    page_text = marker.locator("main").inner_text()
    for secret in ("Қасымова", "Әлия", aliya.iin, "№ 12", "Kasymova"):
        assert secret not in page_text, f"the assessor's page shows {secret!r}"
    # Saving with nothing filled in shows what is missing and saves nothing.
    marker.click("button:has-text('Save the marks')")
    marker.wait_for_selector(".field__error, .errorlist, [role=alert]")
    task.refresh_from_db()
    assert task.status == "allocated"
    for criterion in portfolio.rubric.criteria.all():
        marker.check(f"input[name='level-{criterion.pk}'][value='3']")
        marker.fill(f"#comment-{criterion.pk}", "Clear goals, well-chosen assessment.")
    marker.fill("#overall-comment", "A coherent series of lessons with honest reflection.")
    marker.check("#confirm-final")
    marker.screenshot(path=artifacts / "certification-2-marking.png", full_page=True)
    marker.click("button:has-text('Save the marks')")
    marker.wait_for_selector("text=marked")
    portfolio.refresh_from_db()
    assert (portfolio.status, portfolio.rating) == ("certified", "good")

    # --- The coordinator generates the cohort's certificates.
    coordinator = sign_in(browser, base, "coordinator")
    coordinator.goto(f"{base}/delivery/cohorts/{cohort.pk}/")
    coordinator.click(".cohort-links a:has-text('Certificates')")
    coordinator.click("button:has-text('Generate certificates')")
    coordinator.wait_for_url(f"{base}/jobs/**")  # the job's progress page
    coordinator.screenshot(path=artifacts / "certification-3-bulk-job.png", full_page=True)
    coordinator.goto(f"{base}/certificates/cohorts/{cohort.pk}/")
    certificate = Certificate.objects.get(portfolio=portfolio)
    with coordinator.expect_download() as download_info:
        coordinator.click("text=Download the ZIP")
    archive = zipfile.ZipFile(download_info.value.path())
    pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert len(pdfs) == 1
    text = PdfReader(io.BytesIO(archive.read(pdfs[0]))).pages[0].extract_text()
    assert "Қасымова Әлия" in text and certificate.number in text

    # --- Anyone verifies the number, without signing in.
    public = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    public.goto(f"{base}/certificates/verify/")
    public.fill("input[name='number']", certificate.number.lower())
    public.click("button:has-text('Verify')")
    verdict = public.locator(".verdict")
    assert verdict.get_attribute("data-status") == "valid"
    shown = verdict.inner_text()
    assert "Әлия Қ." in shown and "Қасымова" not in shown
    public.screenshot(path=artifacts / "certification-4-verified.png", full_page=True)
    # The QR code's link lands on the same verdict.
    public.goto(f"{base}/certificates/v/{certificate.token}/")
    assert public.locator(".verdict").get_attribute("data-status") == "valid"
    # A forged number is not found.
    forged = certificate.number[:-4] + ("AAAA" if certificate.number[-4:] != "AAAA" else "BBBB")
    public.goto(f"{base}/certificates/verify/?number={forged}")
    assert public.locator(".verdict").get_attribute("data-status") != "valid"
