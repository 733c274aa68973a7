"""An online course in a real browser: the trainer who runs it builds a module, imports a GIFT
quiz and publishes; a teacher on a phone-sized screen works through it, fails a question,
retries, completes, downloads the certificate (printed on that first download) and verifies
it on the public page."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import PASSWORD, make_user
from kaskad.delivery.tests.factories import make_version
from kaskad.learning import services
from kaskad.learning.models import Attempt, Course, Enrolment
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GIFT = """::Capital::What is the capital of Kazakhstan? {=Astana ~Almaty ~Shymkent}

::Online::Online learning can be self-paced. {T}
"""


def sign_in(browser: Any, base: str, username: str, *, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


@pytest.mark.slow
def test_learning_journey(live_server: Any, browser: Any, artifacts: Path) -> None:
    sync_reference_data(Branch, Area)
    base = live_server.url
    version = make_version(title="Learning to teach online", formats=["self_paced"], hours=36)
    school = make_organisation(area=area_of("ALA"))
    trainer = make_user(
        username="trainer",
        roles=[(Role.TRAINER, None)],
        person=make_person(organisation=school, position="trainer"),
        language="en",
    )
    teacher = make_person(organisation=school, surname="Қасымова", given_name="Әлия")
    make_user(username="aliya", roles=[(Role.TEACHER, None)], person=teacher, language="en")
    course = services.course_create(
        programme_version=version,
        branch=branch("ALA"),
        data=services.CourseData(
            code="MOOC-E2E", title="Learning to teach online", language="kk", pass_percent=100
        ),
        by=trainer,
    )

    # --- The trainer builds the first module, imports the quiz and publishes.
    page = sign_in(browser, base, "trainer", width=1280)
    page.click("nav.mainnav a[href='/learning/']")
    page.click("text=Learning to teach online")
    page.fill("#m-title", "Planning teaching at a distance")
    page.click("button:has-text('Add the module')")
    page.fill("#l-title", "The shape of an online lesson")
    page.click("button:has-text('Add the lesson')")
    # A broken file first: nothing is imported, the line is named.
    page.fill("#id_text", "Q1 {=a ~b}\n\nQ2 {=a ~b\n")
    page.click("button:has-text('Import')")
    assert "line 3" in page.locator(".messages").inner_text()
    page.fill("#id_text", GIFT)
    page.click("button:has-text('Import')")
    assert "2 questions imported" in page.locator(".messages").inner_text()
    page.screenshot(path=artifacts / "learning-1-draft.png", full_page=True)
    page.click("button:has-text('Publish this version')")
    assert "published" in page.locator(".messages").inner_text()
    course.refresh_from_db()
    assert course.current_version is not None

    # --- The teacher, on a phone, enrols and works through it.
    phone = sign_in(browser, base, "aliya", width=390)
    phone.goto(f"{base}/learning/")
    phone.click("text=Learning to teach online")
    phone.click("button:has-text('Enrol and start')")
    phone.click("text=Start the course")
    phone.click("label:has-text('Almaty')")
    phone.click("button:has-text('Check my answer')")
    assert phone.locator(".lc-feedback--wrong").count() == 1
    phone.screenshot(path=artifacts / "learning-2-wrong.png", full_page=True)
    phone.click("label:has-text('Astana')")
    phone.click("button:has-text('Check my answer')")
    assert phone.locator(".lc-feedback--right").count() == 1
    phone.click("a:has-text('Next')")
    phone.click("label:has-text('True')")
    phone.click("button:has-text('Check my answer')")
    assert "completed the course" in phone.locator(".messages").inner_text()
    enrolment = Enrolment.objects.get(course=course, user__username="aliya")
    assert enrolment.status == "completed" and enrolment.hours == 36
    assert Attempt.objects.filter(progress__enrolment=enrolment).count() == 3

    phone.click("a:has-text('To the course')")
    phone.screenshot(path=artifacts / "learning-3-completed.png", full_page=True)
    with phone.expect_download(timeout=90_000) as download_info:
        phone.click("text=Download the certificate")
    pdf = Path(download_info.value.path()).read_bytes()
    enrolment.refresh_from_db()
    certificate = enrolment.certificate
    assert certificate is not None
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert certificate.number in text

    # --- Anyone verifies it.
    public = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    public.goto(f"{base}/certificates/verify/")
    public.fill("input[name='number']", certificate.number)
    public.click("button:has-text('Verify')")
    assert public.locator(".verdict").get_attribute("data-status") == "valid"
    assert "Әлия Қ." in public.locator(".verdict").inner_text()
    public.screenshot(path=artifacts / "learning-4-verified.png", full_page=True)
    assert Course.objects.count() == 1
