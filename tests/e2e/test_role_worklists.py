"""Each role's main job started from the home page's work list, in Kazakh, in a real browser:
the trainer and the teacher on a phone (390 px), the coordinator and the assessor on a
desktop. Screenshots go to test-artifacts/ (and /tmp/ux-shots/ when it exists)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import AssignmentStatus
from kaskad.assessment.tests.factories import give_task, marking_world
from kaskad.delivery.models import Attendance, Cohort, Enrolment
from kaskad.delivery.services import cohort_set_status, enrolment_request, trainer_assign
from kaskad.delivery.tests.factories import (
    accredit,
    add_session,
    make_cohort,
    make_teacher,
    make_version,
    national_admin,
)
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person
from tests.e2e.test_enrolment_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/ux-shots")
PHONE = 390


def shot(page: Any, artifacts: Path, name: str) -> None:
    path = artifacts / f"worklist-{name}.png"
    page.screenshot(path=path, full_page=True)
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / path.name)


def no_sideways_scroll(page: Any, width: int) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page scrolls sideways ({scrolled}px > {width}px)"


def cards_hold_their_tables(page: Any) -> None:
    """Nothing runs past the right edge of its card, clipped or not, except inside a box that
    scrolls sideways on purpose (a wide table's wrapper)."""
    culprits = page.eval_on_selector_all(
        "main .card *",
        """els => els.filter(e => {
            const card = e.closest('.card');
            const past = e.getBoundingClientRect().right > card.getBoundingClientRect().right + 1;
            const style = getComputedStyle(e);
            // Text longer than its box (nowrap), visible or clipped.
            const spills = e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 1
                && !['INPUT', 'TEXTAREA', 'SELECT'].includes(e.tagName)
                && !e.closest('.visually-hidden')
                && !['auto', 'scroll'].includes(style.overflowX) && style.display !== 'inline';
            if (!past && !spills) {
                return false;
            }
            // A table laid out as cards (phones) must not need sideways scrolling either.
            const cardsLayout = window.innerWidth <= 704 && e.closest('table.table--cards');
            for (let a = e.parentElement; a && a !== card; a = a.parentElement) {
                const scrolls = ['auto', 'scroll'].includes(getComputedStyle(a).overflowX);
                if (scrolls && !cardsLayout) return false;
            }
            return true;
        }).slice(0, 5).map(e => e.tagName + '.' + e.className + ' '
            + Math.round(e.getBoundingClientRect().right - e.closest('.card')
                .getBoundingClientRect().right) + 'px')""",
    )
    width = page.evaluate("window.innerWidth")
    if culprits:
        page.screenshot(path=f"/tmp/ux-shots/overflow-{width}.png", full_page=True)
    assert culprits == [], f"past the card's edge at {width}px: {culprits}"


def key(page: Any, selector: str, letter: str, code: str) -> None:
    """A key as a Kazakh or Russian keyboard sends it: the letter typed and the physical key."""
    page.eval_on_selector(
        selector,
        "(el, k) => el.dispatchEvent(new KeyboardEvent('keydown', "
        "{key: k[0], code: k[1], bubbles: true, cancelable: true}))",
        [letter, code],
    )


def test_the_trainer_marks_attendance_from_the_work_list_on_a_phone(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    sync_reference_data(Branch, Area)
    admin = national_admin()
    today = timezone.localdate()
    version = make_version(title="Критериалды бағалау", formats=["classroom"], languages=["kk"])
    cohort = make_cohort(
        version=version, starts_on=today - timedelta(days=2), status="open", by=admin
    )
    session = add_session(cohort, day=0, by=admin, place="Алматы, 204-аудитория")
    add_session(cohort, day=9, by=admin)  # not yet
    school = make_organisation(area=area_of("ALA"), name="№ 12 мектеп-гимназия")
    erlan = make_person(organisation=school, surname="Ахметов", given_name="Ерлан", sex="M")
    accredit(erlan, version.programme)
    trainer_assign(cohort=cohort, person=erlan, by=admin)
    make_user(
        username="trainer",
        roles=[(Role.TRAINER, None)],
        person=erlan,
        language="kk",
        first_name="Ерлан",
    )
    for surname, given in (("Қасымова", "Әлия"), ("Әмірова", "Гүлнар")):
        person = make_person(organisation=school, surname=surname, given_name=given)
        enrolment_request(cohort=cohort, person=person, by=admin)
    cohort_set_status(cohort=cohort, status="running", by=admin)

    page = sign_in(browser, live_server.url, "trainer", width=PHONE)
    assert page.locator("html").get_attribute("lang") == "kk"
    work = page.locator("[data-kind='attendance_to_mark']")
    assert "Белгілеуді күтетін қатысу" in work.inner_text()
    no_sideways_scroll(page, PHONE)
    shot(page, artifacts, "1-trainer-home-kk-phone")

    work.locator("li a").first.click()
    page.wait_for_selector("[data-attendance]")
    page.wait_for_function("document.querySelector('[data-counts]').textContent.length > 0")
    assert page.url.endswith(f"/delivery/sessions/{session.pk}/attendance/")
    legend = page.locator(".kbd-help").inner_text()
    assert "Қ" in legend and "Ж" in legend and "С" in legend
    names = page.locator("[data-row] legend").all_inner_texts()
    assert names == ["Әмірова Гүлнар", "Қасымова Әлия"]  # Kazakh alphabetical order
    # With a Kazakh layout: "ж" (жоқ) marks the first absent and moves on; the physical A key
    # (which types "ф" there) marks the second absent too.
    page.locator("[data-row]").nth(0).locator("input[value='present']").focus()
    key(page, "[data-row]:nth-child(1) input[value='present']", "ж", "Semicolon")
    key(page, "[data-row]:nth-child(2) input[value='present']", "ф", "KeyA")
    statuses = page.locator("[data-row]").evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert statuses == ["absent", "absent"]
    key(page, "[data-row]:nth-child(2) input[value='absent']", "қ", "Digit9")
    statuses = page.locator("[data-row]").evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert statuses == ["absent", "present"]
    no_sideways_scroll(page, PHONE)
    shot(page, artifacts, "2-trainer-attendance-kk-phone")
    page.click("button[data-save]")
    page.wait_for_selector(".messages")
    assert sorted(Attendance.objects.values_list("status", flat=True)) == ["absent", "present"]

    page.goto(f"{live_server.url}/")
    assert page.locator("[data-kind='attendance_to_mark']").count() == 0
    shot(page, artifacts, "3-trainer-home-done-kk-phone")


def test_the_coordinator_starts_a_cohort_early_from_the_work_list(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    sync_reference_data(Branch, Area)
    admin = national_admin()
    today = timezone.localdate()
    version = make_version(title="Тиімді оқыту", formats=["classroom"], languages=["kk"])
    cohort = make_cohort(
        version=version, starts_on=today + timedelta(days=10), status="open", by=admin
    )
    for day in range(3):
        add_session(cohort, day=day, by=admin, place="Алматы, Абай даңғылы 10, 204-аудитория")
    school = make_organisation(
        area=area_of("ALA"), name="Алматы қаласы білім басқармасының № 12 мектеп-гимназиясы"
    )
    for surname in ("Яковлева", "Ғалымжанова", "Өтебаева"):
        person = make_teacher(organisation=school, surname=surname)
        enrolment_request(cohort=cohort, person=person, by=admin)
    make_user(
        username="coordinator",
        roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))],
        language="kk",
        first_name="Айгүл",
    )

    page = sign_in(browser, live_server.url, "coordinator")
    soon = page.locator("[data-kind='cohorts_starting_soon']")
    text = soon.inner_text()
    assert cohort.code in text and "тренер жоқ" in text
    shot(page, artifacts, "4-coordinator-home-kk")

    soon.locator("li a").first.click()
    page.wait_for_selector("#roster")
    roster = page.locator("#roster tbody").inner_text()
    assert roster.index("Ғалымжанова") < roster.index("Өтебаева") < roster.index("Яковлева")
    shot(page, artifacts, "5-coordinator-cohort-kk")
    # Wide tables scroll inside their card at every width, on the cohort and the list.
    for width in (1280, 1024, 900, 768, 600, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        cards_hold_their_tables(page)
    shot(page, artifacts, "5b-coordinator-cohort-kk-phone")
    page.goto(f"{live_server.url}/delivery/cohorts/")
    for width in (1280, 1024, 900, 768, 600, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        cards_hold_their_tables(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/delivery/cohorts/{cohort.pk}/")

    page.click("button[data-status='running']")
    page.wait_for_selector("#early_start_reason")
    main = page.locator("main").inner_text()
    assert "Не болады" in main
    shot(page, artifacts, "6-coordinator-start-confirm-kk")
    page.fill("#early_start_reason", "Облыстық әкімдіктің хаты бойынша ертерек басталады")
    page.check("#confirm")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".messages")
    assert Cohort.objects.get(pk=cohort.pk).status == "running"


def test_the_assessor_drafts_then_saves_marks_from_the_work_list(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    sync_reference_data(Branch, Area)
    world = marking_world(percent=0)
    task = give_task(world.portfolio, world.assessors[0])
    user = world.assessors[0][1]
    user.username, user.language = "assessor", "kk"
    user.save()

    page = sign_in(browser, live_server.url, "assessor")
    tasks = page.locator("[data-kind='tasks_to_mark']")
    assert f"P-{world.portfolio.pk}" in tasks.inner_text()
    shot(page, artifacts, "7-assessor-home-kk")
    tasks.locator("li a").first.click()
    page.wait_for_selector("form.marking-form")

    criteria = list(world.rubric.criteria.order_by("order"))
    page.check(f"input[name='level-{criteria[0].pk}'][value='3']")
    page.fill(f"#comment-{criteria[0].pk}", "Мақсаттар анық.")
    page.click("button[name=action][value=draft]")
    page.wait_for_selector(".messages")
    assert page.locator(f"#comment-{criteria[0].pk}").input_value() == "Мақсаттар анық."
    task.refresh_from_db()
    assert task.status == AssignmentStatus.ALLOCATED and task.draft_saved_at is not None

    # Saving without the confirmation: the problems are listed at the top, with links.
    page.click("button[name=action][value=final]")
    page.wait_for_selector("#error-summary")
    top = page.evaluate("document.getElementById('error-summary').getBoundingClientRect().top")
    assert top < 900, "the error summary is not on the first screen"
    shot(page, artifacts, "8-assessor-error-summary-kk")

    for criterion in criteria:
        page.check(f"input[name='level-{criterion.pk}'][value='3']")
        page.fill(f"#comment-{criterion.pk}", "Жақсы жасалған.")
    page.fill("#overall-comment", "Сабақтар сериясы жүйелі.")
    page.check("#confirm-final")
    page.click("button[name=action][value=final]")
    page.wait_for_selector(".messages")
    task.refresh_from_db()
    assert task.status == AssignmentStatus.MARKED


def test_the_teacher_enrols_on_a_phone(live_server: Any, browser: Any, artifacts: Path) -> None:
    sync_reference_data(Branch, Area)
    admin = national_admin()
    today = timezone.localdate()
    version = make_version(title="Цифрлық сауаттылық", formats=["classroom"], languages=["kk"])
    start = today + timedelta(days=20)
    cohort = make_cohort(version=version, starts_on=start, status="open", by=admin)
    school = make_organisation(area=area_of("ALA"), name="№ 12 мектеп-гимназия")
    aliya = make_teacher(organisation=school, surname="Қасымова", given_name="Әлия")
    make_user(username="aliya", roles=[(Role.TEACHER, None)], person=aliya, language="kk")

    page = sign_in(browser, live_server.url, "aliya", width=PHONE)
    no_sideways_scroll(page, PHONE)
    shot(page, artifacts, "9-teacher-home-kk-phone")
    page.goto(f"{live_server.url}/delivery/courses/")
    button = page.locator("button:has-text('Жазылу')")
    assert button.count() == 1
    no_sideways_scroll(page, PHONE)
    cards_hold_their_tables(page)  # a long period wraps instead of running out of the card
    shot(page, artifacts, "10-teacher-courses-kk-phone")
    button.click()
    page.wait_for_url(f"{live_server.url}/delivery/my-courses/")
    assert Enrolment.objects.get(person=aliya, cohort=cohort).status == "enrolled"
    body = page.locator("main").inner_text()
    assert f"{start.year} ж." in body  # a date range naming the year once
    no_sideways_scroll(page, PHONE)
    shot(page, artifacts, "11-teacher-my-courses-kk-phone")
