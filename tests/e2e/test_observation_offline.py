"""A trainer records a lesson observation on a phone with no connection: the form opened
online keeps working offline (a reload shows it again, with what was typed), the observation
waits on the phone and is sent when the connection returns, exactly once. Then the teacher
acknowledges it with a reflection."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import PASSWORD, make_user
from kaskad.observations.instruments import seed_instrument
from kaskad.observations.models import InstrumentVersion, Observation
from kaskad.observations.services import instrument_version_save
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data
from kaskad.registry.tests.factories import area_of, make_organisation, make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def sign_in(browser: Any, base: str, username: str, **options: Any) -> tuple[Any, Any]:
    context = browser.new_context(**options)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/")
    return context, page


def test_an_observation_typed_offline_is_sent_once_when_the_connection_returns(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    sync_reference_data(Branch, Area)
    if not InstrumentVersion.objects.filter(instrument__code="KLO").exists():
        instrument_version_save(data=seed_instrument(), by=None, publish=True)
    version = InstrumentVersion.objects.get(instrument__code="KLO", number=1)
    school = make_organisation(area=area_of("ALA"), name="№ 7 мектеп-лицей")
    teacher = make_person(organisation=school, surname="Әлімова", given_name="Гүлнар")
    trainer_person = make_person(organisation=make_organisation(area=area_of("ALA")))
    make_user(
        username="trainer", roles=[(Role.TRAINER, None)], person=trainer_person, language="en"
    )
    make_user(username="teacher", roles=[(Role.TEACHER, None)], person=teacher, language="en")
    base = live_server.url
    elements = list(version.elements.order_by("domain__order", "order"))

    context, page = sign_in(browser, base, "trainer", **PHONE)
    page.goto(f"{base}/observations/new/{teacher.pk}/")
    page.wait_for_selector("html[data-offline-ready=yes]")

    context.set_offline(True)
    page.select_option("#id_subject", "mathematics")
    page.fill("#id_grade", "6")
    page.fill("#id_observed_on", date(2026, 3, 2).isoformat())
    page.fill("#id_focus", "Fractions with unlike denominators")
    for element in elements:
        page.select_option(f"#id_score_{element.pk}", "4" if element.code != "AFL1" else "2")
        page.fill(f"#id_evidence_{element.pk}", f"Seen: {element.code} in pair work.")
    page.check(f"input[name=priorities][value='{elements[2].pk}']")
    page.fill("#id_strengths", "Pupils explained their methods to each other.")
    page.fill("#id_next_steps", "Use exit tickets to check understanding.")

    # A reload without a connection shows the form again, with everything typed.
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector("form[data-offline-form]")
    assert page.input_value("#id_focus") == "Fractions with unlike denominators"
    assert page.input_value(f"#id_score_{elements[2].pk}") == "2"
    assert page.is_checked(f"input[name=priorities][value='{elements[2].pk}']")
    page.screenshot(path=artifacts / "observation-1-offline-form.png", full_page=True)

    page.click("form[data-offline-form] button[type=submit]")
    page.wait_for_selector("[data-outbox-status]:not([hidden])")
    page.reload()
    page.wait_for_selector("[data-outbox-status]:not([hidden])")
    page.screenshot(path=artifacts / "observation-2-waiting.png", full_page=False)
    assert Observation.objects.count() == 0

    context.set_offline(False)
    page.wait_for_selector("html[data-outbox-sent]")
    assert Observation.objects.count() == 1
    # Back online, a reload sends nothing a second time.
    page.reload()
    page.wait_for_selector("form[data-offline-form]")
    page.wait_for_timeout(500)
    assert Observation.objects.count() == 1
    observation = Observation.objects.get()
    assert observation.teacher == teacher and observation.grade == 6
    assert observation.scores.get(element=elements[2]).value == 2
    assert [e.pk for e in observation.priorities.all()] == [elements[2].pk]

    # Online, the form is sent at once and opens the saved record.
    page.select_option("#id_subject", "physics")
    page.fill("#id_grade", "8")
    page.fill("#id_focus", "Forces")
    for element in elements:
        page.select_option(f"#id_score_{element.pk}", "3")
        if element != elements[-1]:  # one evidence note forgotten
            page.fill(f"#id_evidence_{element.pk}", "Pupils predicted, then tested.")
    page.check(f"input[name=priorities][value='{elements[0].pk}']")
    page.fill("#id_strengths", "Predictions before experiments.")
    page.fill("#id_next_steps", "Ask every pupil for a prediction.")
    page.click("form[data-offline-form] button[type=submit]")
    page.wait_for_selector(".field__error")
    assert "Write the evidence" in page.content()
    assert Observation.objects.count() == 1
    page.fill(f"#id_evidence_{elements[-1].pk}", "Two pupils changed their prediction.")
    page.click("form[data-offline-form] button[type=submit]")
    page.wait_for_url(f"{base}/observations/*/")
    assert Observation.objects.count() == 2
    assert page.url.endswith(f"/{Observation.objects.exclude(pk=observation.pk).get().pk}/")
    context.close()

    # The teacher reads it and acknowledges with a reflection.
    context, page = sign_in(browser, base, "teacher", **PHONE)
    page.goto(f"{base}/observations/")
    page.click(f"a[href='/observations/{observation.pk}/']")
    page.fill("#id_reflection", "I will plan exit tickets for every lesson this month.")
    page.click(f"form[action='/observations/{observation.pk}/acknowledge/'] button")
    page.wait_for_selector("[data-testid=reflection]")
    page.screenshot(path=artifacts / "observation-3-acknowledged.png", full_page=True)
    context.close()
    observation.refresh_from_db()
    assert observation.acknowledged_at is not None
