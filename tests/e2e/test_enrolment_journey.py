"""From a new cohort to the first attendance, in a real browser: a coordinator creates a cohort
of two seats, adds a session and a trainer, opens it and enrols a list of IINs; a teacher
joins the waitlist by herself and is promoted when a participant withdraws; the trainer marks
attendance with the keyboard, on a desktop and on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import PASSWORD, make_user
from kaskad.delivery.models import Attendance, Cohort, Enrolment
from kaskad.delivery.tests.factories import accredit, make_version
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(browser: Any, base: str, username: str, *, width: int = 1280) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def test_enrolment_journey(live_server: Any, browser: Any, artifacts: Path) -> None:
    sync_reference_data(Branch, Area)
    base = live_server.url
    version = make_version(
        title="Criteria-based assessment", formats=["classroom"], languages=["kk", "ru"]
    )
    school = make_organisation(area=area_of("ALA"), name="№ 12 мектеп-гимназия")
    trainer_person = make_person(
        organisation=school, surname="Ахметов", given_name="Ерлан", sex="M", position="trainer"
    )
    accredit(trainer_person, version.programme)
    make_user(
        username="trainer",
        roles=[(Role.TRAINER, None)],
        person=trainer_person,
        language="en",
        first_name="Ерлан",
    )
    unaccredited = make_person(organisation=school, surname="Омарова", given_name="Гүлнар")
    first = make_person(organisation=school, surname="Нұрланов", given_name="Дәулет", sex="M")
    second = make_person(organisation=school, surname="Иванова", given_name="Мария")
    aliya = make_person(organisation=school, surname="Қасымова", given_name="Әлия")
    make_user(username="daulet", roles=[(Role.TEACHER, None)], person=first, language="en")
    make_user(
        username="aliya",
        roles=[(Role.TEACHER, None)],
        person=aliya,
        language="en",
        first_name="Әлия",
    )
    make_user(
        username="coordinator",
        roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))],
        language="en",
        first_name="Айгүл",
    )

    # --- The coordinator creates a cohort of two seats.
    page = sign_in(browser, base, "coordinator")
    page.click("nav.mainnav a[href='/delivery/cohorts/']")
    page.click("text=New cohort")
    page.select_option("#id_version", str(version.pk))
    page.select_option("#id_format", "classroom")
    page.select_option("#id_language", "kk")
    page.fill("#id_starts_on", "2026-03-02")
    page.fill("#id_ends_on", "2026-03-06")
    page.fill("#id_capacity", "2")
    page.screenshot(path=artifacts / "enrolment-1-new-cohort.png", full_page=True)
    page.click("button:has-text('Create the cohort')")
    page.wait_for_selector("text=Add its sessions and trainers")
    cohort = Cohort.objects.get()
    assert (cohort.capacity, cohort.status, cohort.branch.code) == (2, "planned", "ALA")

    # A session (the form is open while there is none).
    page.fill("#id_date", "2026-03-02")
    page.fill("#id_starts_at", "09:00")
    page.fill("#id_ends_at", "15:00")
    page.fill("#id_hours", "6")
    page.fill("#id_place", "Room 204")
    page.click("button:has-text('Add the session')")
    page.wait_for_selector("text=Session added.")
    assert cohort.sessions.count() == 1

    # A trainer: the unaccredited one cannot be assigned and the page says why; the
    # accredited one is assigned.
    page.fill("#id_trainer_q", "omarova gul")
    page.locator("#trainer-results").get_by_text("not accredited for this programme").wait_for()
    assert page.locator("#trainer-results button:has-text('Assign')").is_disabled()
    assert (
        "An accreditation for this programme is needed first."
        in page.locator("#trainer-results").inner_text()
    )
    page.fill("#id_trainer_q", "akhmetov erlan")
    page.locator("#trainer-results").get_by_text("accredited until").wait_for()
    page.click("#trainer-results button:has-text('Assign')")
    page.wait_for_selector("text=now trains this cohort")
    assert cohort.trainers.get().person == trainer_person
    assert unaccredited.pk != trainer_person.pk

    page.click("button[data-status='open']")
    page.wait_for_selector("text=is now open for enrolment")
    page.screenshot(path=artifacts / "enrolment-2-cohort-open.png", full_page=True)

    # --- A list of IINs: two seats, one typing error.
    page.click("text=Enrol a list")
    page.fill("#id_iins", f"{first.iin}\n{second.iin}\n871008401420\n")
    page.click("button:has-text('Enrol')")
    page.wait_for_selector("#results")
    outcomes = page.locator("#results tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.outcome)"
    )
    assert outcomes == ["enrolled", "enrolled", "refused"]
    assert "check digit is wrong" in page.locator("#results").inner_text()
    assert page.locator("a[download]").get_attribute("href").startswith("data:text/csv")
    page.screenshot(path=artifacts / "enrolment-3-list-results.png", full_page=True)

    # --- A teacher joins the waitlist by herself.
    teacher = sign_in(browser, base, "aliya")
    teacher.click("nav.mainnav a[href='/delivery/my-courses/']")
    teacher.click("text=Find a course")
    teacher.click("button:has-text('Join the waitlist')")
    teacher.wait_for_url(f"{base}/delivery/my-courses/")
    assert "number 1 on the waitlist" in teacher.locator(".messages").inner_text()
    assert teacher.get_by_text("No. 1 on the waitlist").is_visible()
    teacher.screenshot(path=artifacts / "enrolment-4-teacher-waitlisted.png", full_page=True)

    # --- A participant withdraws; the teacher is promoted and notified.
    leaver = sign_in(browser, base, "daulet")
    leaver.on("dialog", lambda dialog: dialog.accept())  # "Withdraw from …?"
    leaver.goto(f"{base}/delivery/my-courses/")
    leaver.click("button:has-text('Withdraw')")
    leaver.wait_for_selector("text=Withdrawn from")
    teacher.goto(f"{base}/delivery/my-courses/")
    assert teacher.locator("nav.mainnav").get_by_text("Notifications (1)").is_visible()
    assert Enrolment.objects.get(person=aliya).status == "enrolled"
    teacher.click("nav.mainnav >> text=Notifications (1)")
    assert f"A seat became free in cohort {cohort.code}" in teacher.locator("main").inner_text()
    teacher.screenshot(path=artifacts / "enrolment-5-teacher-promoted.png", full_page=True)

    # --- The coordinator starts the course and sees the roster.
    page.goto(f"{base}/delivery/cohorts/{cohort.pk}/")
    page.click("button[data-status='running']")
    # Starting cannot be undone: a page says what happens and asks for a ticked box.
    page.wait_for_selector("text=What will happen")
    assert "2 participants are enrolled." in page.locator("main").inner_text()
    page.check("#confirm")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=is now running")
    roster = page.locator("#roster").inner_text()
    assert "Қасымова Әлия" in roster and "Иванова Мария" in roster
    assert "Нұрланов Дәулет" not in roster

    # --- The trainer marks attendance with the keyboard.
    trainer = sign_in(browser, base, "trainer")
    trainer.click("nav.mainnav a[href='/delivery/cohorts/']")
    trainer.click(f"text={cohort.code}")
    trainer.click("#sessions a:has-text('Mark')")
    trainer.wait_for_selector("[data-attendance]")
    # The counts are written by the deferred script: wait for it rather than race it.
    trainer.wait_for_function("document.querySelector('[data-counts]').textContent.length > 0")
    counts = trainer.locator("[data-counts]")
    # The keyboard script fills the tally once it has run (it is deferred).
    trainer.wait_for_function("document.querySelector('[data-counts]').textContent !== ''")
    assert counts.inner_text().startswith("2 present")
    first_row = trainer.locator("[data-row]").nth(0)
    first_row.locator("input[value='present']").focus()
    trainer.keyboard.press("ArrowDown")  # the second person
    trainer.keyboard.press("Space")  # present -> absent
    assert trainer.locator("[data-row]").nth(1).get_attribute("data-status") == "absent"
    assert counts.inner_text().startswith("1 present · 1 absent")
    assert trainer.locator("[data-unsaved]").inner_text() == "Unsaved changes"
    # "Mark all present" resets everyone; then E on the first row marks her excused and
    # moves on, A marks the second absent.
    trainer.click("[data-all-present]")
    assert counts.inner_text().startswith("2 present · 0 absent")
    trainer.keyboard.press("e")
    trainer.keyboard.press("a")
    statuses = trainer.locator("[data-row]").evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert statuses == ["excused", "absent"]
    trainer.keyboard.press("ArrowUp")
    trainer.keyboard.press("Space")  # excused -> present
    assert counts.inner_text().startswith("1 present · 1 absent · 0 excused")
    trainer.screenshot(path=artifacts / "enrolment-6-attendance.png", full_page=True)
    trainer.click("button:has-text('Save attendance')")
    trainer.wait_for_selector("text=Attendance saved: 1 of 2 present.")
    marks = sorted(Attendance.objects.values_list("status", flat=True))
    assert marks == ["absent", "present"]

    # The same screen on a phone.
    phone = sign_in(browser, base, "trainer", width=390)
    session = cohort.sessions.get()
    phone.goto(f"{base}/delivery/sessions/{session.pk}/attendance/")
    assert phone.locator("[data-row]").nth(1).get_attribute("data-status") == "absent"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    phone.screenshot(path=artifacts / "enrolment-7-attendance-phone.png", full_page=True)
