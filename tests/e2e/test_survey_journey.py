"""A parent answers a survey on a phone by its public link, in Kazakh, with no account; the
monitoring officer sees the results, with every small cell hidden."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data
from kaskad.surveys.models import Response
from kaskad.surveys.services import response_submit_public
from kaskad.surveys.tests.factories import GOOD_ANSWERS, public_survey
from tests.e2e.test_enrolment_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_parent_answers_on_a_phone_and_results_are_suppressed(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    sync_reference_data(Branch, Area)
    officer = make_user(username="survey-officer", roles=[(Role.MONITORING_OFFICER, None)])
    survey = public_survey(by=officer)
    base = live_server.url

    # A parent on a phone, in Kazakh (the default language), no account.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="kk-KZ")
    page = phone.new_page()
    page.goto(f"{base}/surveys/s/{survey.link}/")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.get_by_text("Балаңыздың жасы").count() == 1
    # Skip logic in the browser: the school group appears only after "yes".
    group = page.locator("fieldset.survey-group")
    assert group.is_hidden()
    page.check("input[name=_group][value=parent]")
    page.check("input[name=has_child][value=yes]")
    assert group.is_visible()
    # The constraint, checked in the browser with the form's Kazakh message.
    page.fill("input[name=age]", "40")
    page.locator("input[name=age]").blur()
    assert page.get_by_text("6 мен 18 аралығында").is_visible()
    page.fill("input[name=age]", "9")
    page.locator("input[name=age]").blur()
    for name, value in (("safe", "4"), ("teachers", "5"), ("food", "3")):
        page.check(f"input[name={name}][value='{value}']")
    page.check("input[name=topics][value=maths]")
    page.fill("textarea[name=comment]", "Мектеп жақсы")
    page.screenshot(path=str(artifacts / "survey-phone-kk.png"), full_page=True)
    # A double tap: the same form posted twice at once, then once more by the button.
    statuses = page.evaluate(
        """async () => {
            const form = document.querySelector("[data-survey-form]");
            const send = () => fetch(location.href, {method: "POST", body: new FormData(form)});
            const answers = await Promise.all([send(), send()]);
            return answers.map((a) => a.status);
        }"""
    )
    assert statuses == [200, 200]
    page.click("button.button--block")
    page.wait_for_selector("[data-done]")
    assert "бір рет есептеледі" in page.content()  # "counted once"
    phone.close()
    assert Response.objects.count() == 1
    stored = Response.objects.get()
    assert stored.answers["age"] == 9.0 and stored.group == "parent"

    # Five more answers: six in all; "1" chosen once hides itself and the next smallest cell.
    for index in range(5):
        response_submit_public(
            survey=survey,
            raw={**GOOD_ANSWERS, "safe": "1" if index == 0 else "4"},
            token=f"t{index}",
            group="parent",
        )
    desk = sign_in(browser, base, officer.username)
    desk.goto(f"{base}/surveys/{survey.pk}/results/")
    assert desk.locator("[data-total]").inner_text() == "6"
    safe = desk.locator("section.survey-result", has_text="safe")
    assert safe.locator("td[data-suppressed]").count() == 2
    assert desk.locator("canvas").count() >= 1
    desk.screenshot(path=str(artifacts / "survey-results.png"), full_page=True)
    # Groups under five are not even offered as filters (no pupil answered).
    assert desk.locator("select[name=group] option[value=parent]").count() == 1
    assert desk.locator("select[name=group] option[value=pupil]").count() == 0
