"""A branch coordinator's day, in a real browser: sign in, switch to Kazakh, find a teacher
by name and by IIN, open the card, and meet a 404 outside the branch."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import PASSWORD, make_user
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_coordinator_journey(live_server: Any, browser: Any, artifacts: Path) -> None:
    # A transactional test starts from an empty database after other transactional tests
    # (each one flushes), so the reference areas and branches are loaded here again.
    sync_reference_data(Branch, Area)
    school = make_organisation(area=area_of("ALA"), name="№ 12 мектеп-гимназия")
    teacher = make_person(organisation=school, surname="Қасымова", given_name="Әлия")
    elsewhere = make_organisation(area=area_of("AST"), name="Астана мектеп-лицейі")
    stranger = make_person(organisation=elsewhere, surname="Ахметов", given_name="Нұрлан")
    coordinator = make_user(
        username="coordinator",
        roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))],
        first_name="Айгүл",
        language="en",
    )

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = live_server.url

    # Sign in.
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", PASSWORD)
    page.screenshot(path=artifacts / "journey-1-login.png", full_page=True)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert page.locator("h1").inner_text().startswith("Hello, Айгүл")

    # Switch the interface to Kazakh. The Kazakh wording itself is checked by the
    # translation tests; here the page must declare Kazakh and the switcher must show it.
    page.click("button[data-language='kk']")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.locator("button[data-language='kk']").get_attribute("aria-pressed") == "true"
    assert page.locator("button[data-language='en']").get_attribute("aria-pressed") == "false"
    coordinator_after = User.objects.get(pk=coordinator.pk)
    assert coordinator_after.language == "kk"
    page.screenshot(path=artifacts / "journey-2-home-kk.png", full_page=True)

    # Find the teacher by name as you type (htmx replaces only the results).
    page.click("nav.mainnav a[href='/registry/people/']")
    page.wait_for_url(f"{base}/registry/people/")
    page.locator("#id_q").press_sequentially("kasym", delay=30)
    card_link = page.locator(f"#person-results a[href='/registry/people/{teacher.pk}/']")
    card_link.wait_for()
    assert re.search(r"[?&]q=kasym", page.url)  # the search is in the address bar
    page.screenshot(path=artifacts / "journey-3-search-name.png", full_page=True)

    # ... and by IIN, with the plain form.
    page.fill("#id_q", teacher.iin)
    page.press("#id_q", "Enter")
    page.wait_for_url(re.compile(rf".*q={teacher.iin}"))
    rows = page.locator("#person-results tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    assert teacher.iin in rows.first.inner_text()
    page.screenshot(path=artifacts / "journey-4-search-iin.png", full_page=True)

    # Open the card: the coordinator works with identities, so the IIN is whole.
    page.click(f"#person-results a[href='/registry/people/{teacher.pk}/']")
    page.wait_for_url(f"{base}/registry/people/{teacher.pk}/")
    assert page.locator("[data-testid=iin]").inner_text() == teacher.iin
    assert "Қасымова Әлия" in page.locator("h1").inner_text()
    page.screenshot(path=artifacts / "journey-5-card.png", full_page=True)

    # A person of another branch does not exist as far as this coordinator can tell.
    response = page.goto(f"{base}/registry/people/{stranger.pk}/")
    assert response is not None
    assert response.status == 404
    assert page.locator(".error-page__code").inner_text() == "404"
    assert stranger.iin not in page.content()
    assert "Ахметов" not in page.content()
    page.screenshot(path=artifacts / "journey-6-not-found.png", full_page=True)

    context.close()
