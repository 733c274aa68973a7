"""A monitoring officer, in a real browser: imports a test's key and a school's responses,
reads the item analysis with its flags, and prints every pupil's individual report into a
ZIP; one of the PDFs is rendered to an image and kept with the screenshots."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pypdf import PdfReader

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.monitoring.models import Response
from kaskad.monitoring.services import form_create, study_create
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data
from kaskad.registry.tests.factories import area_of, make_organisation
from tests.e2e.test_enrolment_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KEY = "BCADBCDAAB"


def _responses(school_code: str) -> bytes:
    """30 pupils; item 7's answers are random (a flawed item), the rest follow a Rasch model."""
    rng = np.random.default_rng(7)
    lines = ["school,class,pupil,sex,language," + ",".join(str(n) for n in range(1, 11))]
    for i in range(30):
        ability = rng.normal()
        answers = []
        for j, key in enumerate(KEY):
            if j == 6:
                right = rng.random() < 0.25
            else:
                right = rng.random() < 1 / (1 + np.exp(-(ability - (j - 5) * 0.5)))
            answers.append(key if right else ("A" if key != "A" else "D"))
        label = "4A" if i < 15 else "4B"
        lines.append(f"{school_code},{label},{label}-{i + 1:02d},F,kk," + ",".join(answers))
    return ("\n".join(lines) + "\n").encode()


def test_officer_imports_reads_flags_and_prints_reports(
    live_server: Any, browser: Any, artifacts: Path, settings: Any, tmp_path: Path
) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    sync_reference_data(Branch, Area)
    base = live_server.url
    officer = make_user(username="monitor", roles=[(Role.MONITORING_OFFICER, None)], language="en")
    school = make_organisation(area=area_of("AST"), name="Береке ауылының мектебі")
    form = form_create(
        by=officer, code="G4-MATH", title="Mathematics 4", subject="mathematics", grade=4
    )
    study = study_create(
        by=officer, name="Rural School", year=2026, grades=[4], schools=[school], forms=[form]
    )
    test = study.tests.get()

    page = sign_in(browser, base, "monitor")
    page.click("nav.mainnav >> text=Monitoring")
    page.click(f"text={study.name}")

    # --- The key: first with an item missing (refused, nothing saved), then complete.
    page.goto(f"{base}/monitoring/tests/{form.pk}/")
    bad_key = "item,key,strand,skill\n" + "\n".join(
        f"{n},{k},{'Numbers' if n < 6 else 'Geometry'},Knowing"
        for n, k in enumerate(KEY, start=1)
        if n != 4
    )
    page.set_input_files(
        "#id_file", {"name": "key.csv", "mimeType": "text/csv", "buffer": bad_key.encode()}
    )
    page.click("button:has-text('Import the key')")
    page.wait_for_selector("text=item 4 is missing from the key")
    assert form.items.count() == 0
    key = "item,key,strand,skill,difficulty\n" + "\n".join(
        f"{n},{k},{'Numbers' if n < 6 else 'Geometry'},{'Knowing' if n % 2 else 'Applying'},medium"
        for n, k in enumerate(KEY, start=1)
    )
    page.set_input_files(
        "#id_file", {"name": "key.csv", "mimeType": "text/csv", "buffer": key.encode()}
    )
    page.click("button:has-text('Import the key')")
    page.wait_for_selector("text=The key of 10 items has been saved.")
    page.screenshot(path=artifacts / "monitoring-1-blueprint.png", full_page=True)

    # --- The responses, as a background job with its progress page.
    page.goto(f"{base}/monitoring/given/{test.pk}/")
    page.set_input_files(
        "#id_file",
        {"name": "school.csv", "mimeType": "text/csv", "buffer": _responses(school.code)},
    )
    page.click("button:has-text('Import the responses')")
    page.wait_for_url(f"{base}/jobs/**")
    page.wait_for_selector("#job-progress[data-status='succeeded']")
    assert Response.objects.filter(study_test=test).count() == 30
    page.click("text=Open the result")

    # --- The item analysis flags the item with random answers.
    page.goto(f"{base}/monitoring/given/{test.pk}/items/")
    row = page.locator("#item-table tbody tr").nth(6)
    assert "low discrimination" in row.inner_text()
    assert "Cronbach" in page.locator("main").inner_text()
    page.screenshot(path=artifacts / "monitoring-2-item-analysis.png", full_page=True)

    # --- Every pupil's report, printed in the background into one ZIP.
    page.goto(f"{base}/monitoring/given/{test.pk}/")
    page.select_option("#id_language", "kk")
    page.click("button:has-text('Generate the PDFs')")
    page.wait_for_url(f"{base}/jobs/**")
    page.wait_for_selector("#job-progress[data-status='succeeded']")
    page.screenshot(path=artifacts / "monitoring-3-bulk-job.png", full_page=True)
    with page.expect_download() as download_info:
        page.click("text=Open the result")
    archive = zipfile.ZipFile(download_info.value.path())
    pdfs = sorted(name for name in archive.namelist() if name.endswith(".pdf"))
    assert len(pdfs) == 30
    first = archive.read(pdfs[0])
    text = PdfReader(io.BytesIO(first)).pages[0].extract_text()
    assert "4A-01" in text
    # Looked at: the first report as an image beside the screenshots.
    pdf_path = artifacts / "monitoring-4-individual.pdf"
    pdf_path.write_bytes(first)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-singlefile",
            str(pdf_path),
            str(artifacts / "monitoring-4-individual"),
        ],
        check=True,
    )
    assert (artifacts / "monitoring-4-individual.png").stat().st_size > 10_000
