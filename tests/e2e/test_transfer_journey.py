"""A transfer across a branch border, in a real browser: the Astana coordinator asks for a
teacher by IIN (learning nothing about where she works), the Almaty coordinator sees the
request, approves it, and the teacher's card shows the move."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import PASSWORD, make_user
from kaskad.registry.models import Area, Branch, Employment
from kaskad.registry.reference import sync_reference_data
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def test_transfer_journey(live_server: Any, browser: Any, artifacts: Path) -> None:
    sync_reference_data(Branch, Area)
    almaty_school = make_organisation(area=area_of("ALA"), name="№ 12 мектеп-гимназия")
    astana_school = make_organisation(area=area_of("AST"), name="Астана мектеп-лицейі")
    teacher = make_person(
        organisation=almaty_school,
        surname="Серікова",
        given_name="Дана",
        started_on=date(2016, 9, 1),
    )
    make_user(username="astana", roles=[(Role.BRANCH_COORDINATOR, branch("AST"))], language="en")
    make_user(username="almaty", roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))], language="en")
    base = live_server.url

    # Astana asks for her by IIN.
    page = sign_in(browser, base, "astana")
    page.click("nav.mainnav a[href='/registry/transfers/']")
    page.wait_for_url(f"{base}/registry/transfers/")
    page.click("a[href='/registry/transfers/new/']")
    page.fill("#id_iin", teacher.iin)
    page.select_option("#id_to_organisation", str(astana_school.pk))
    page.select_option("#id_position", "teacher")
    page.fill("#id_transfer_date", "2025-09-01")
    page.fill("#id_note", "Moving to Astana with her family.")
    page.screenshot(path=artifacts / "transfer-1-request.png", full_page=True)
    page.click("section.form-card form button[type=submit]")
    page.wait_for_url(f"{base}/registry/transfers/*/")
    content = page.content()
    assert teacher.iin in content and "Серікова" not in content
    assert almaty_school.name not in content
    page.screenshot(path=artifacts / "transfer-2-sent.png", full_page=True)
    detail_url = page.url
    page.context.close()

    # Almaty sees who is asked for, and approves.
    page = sign_in(browser, base, "almaty")
    page.goto(f"{base}/registry/transfers/")
    assert "Серікова Дана" in page.content()
    page.screenshot(path=artifacts / "transfer-3-incoming.png", full_page=True)
    page.goto(detail_url)
    page.click("form[action$='/approve/'] button[type=submit]")
    page.wait_for_url(detail_url)
    assert page.locator("[data-testid=status]").inner_text() == "approved"
    page.screenshot(path=artifacts / "transfer-4-approved.png", full_page=True)
    page.context.close()

    jobs = list(
        Employment.objects.filter(person=teacher)
        .order_by("started_on")
        .values_list("organisation_id", "ended_on")
    )
    assert jobs == [(almaty_school.pk, date(2025, 8, 31)), (astana_school.pk, None)]

    # Now she is Astana's: her card opens there, with the history.
    page = sign_in(browser, base, "astana")
    page.goto(f"{base}/registry/people/{teacher.pk}/")
    assert "Серікова Дана" in page.locator("h1").inner_text()
    assert almaty_school.name in page.content()  # the history is kept
    page.screenshot(path=artifacts / "transfer-5-card.png", full_page=True)
    page.context.close()
