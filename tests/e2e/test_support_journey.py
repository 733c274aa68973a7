"""Post-course support in a real browser: the Astana coordinator imports the year's network
from a file; a teacher of a partner school asks for support, which goes to her leading school;
the school's leader assigns it to a colleague, who answers; the teacher closes it with a
rating."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import PASSWORD, make_user
from kaskad.networks.models import LeadingSchool, Partnership, RequestStatus, SupportRequest
from kaskad.networks.years import academic_year
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


def test_support_journey(
    live_server: Any, browser: Any, artifacts: Path, tmp_path: Path, settings: Any
) -> None:
    # The import runs as a background job; here the task runs as soon as it is queued.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    sync_reference_data(Branch, Area)
    area = area_of("AST")
    nis = make_organisation(area=area, kind="nis", name="Зияткерлік мектеп")
    lead = make_organisation(area=area, name="№ 7 жетекші мектеп")
    partners = [make_organisation(area=area, name=f"№ {20 + i} серіктес мектеп") for i in range(8)]
    teacher_person = make_person(organisation=partners[0], surname="Әлиева", given_name="Дана")
    mentor_person = make_person(organisation=lead, surname="Бекова", given_name="Сәуле")
    make_user(username="coord", roles=[(Role.BRANCH_COORDINATOR, branch("AST"))], language="en")
    make_user(username="head", roles=[(Role.SCHOOL_LEADER, lead)], language="en")
    make_user(username="dana", roles=[(Role.TEACHER, None)], person=teacher_person, language="en")
    make_user(username="saule", roles=[(Role.TEACHER, None)], person=mentor_person, language="en")
    year = academic_year()
    lines = [
        "role;bin;parent_bin;decision_number;decision_date",
        f"centre;{nis.bin};;;",
        f"leading;{lead.bin};{nis.bin};45-ө;25.08.{year}",
        *[f"partner;{p.bin};{lead.bin};;" for p in partners],
    ]
    network_file = tmp_path / "network.csv"
    network_file.write_text("\n".join(lines) + "\n", encoding="kz1048")  # Kazakh letters: KZ-1048
    base = live_server.url

    # The coordinator checks the file, then imports it.
    page = sign_in(browser, base, "coord")
    page.goto(f"{base}/networks/import/")
    page.fill("#id_year", str(year))
    page.set_input_files("#id_file", str(network_file))
    page.check("#id_dry_run")
    page.click("form[enctype] button[type=submit]")
    assert "a trial run" in page.content()
    assert not LeadingSchool.objects.exists()
    page.set_input_files("#id_file", str(network_file))
    page.uncheck("#id_dry_run")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(f"{base}/networks/import/?job=*")
    page.wait_for_selector("#job-progress[data-status='succeeded']")
    assert "10 rows imported" in page.content()
    page.screenshot(path=artifacts / "support-0-import.png", full_page=True)
    assert Partnership.objects.filter(year=year).count() == 8
    assert LeadingSchool.objects.get().decision_number == "45-ө"
    page.goto(f"{base}/networks/?year={year}")
    assert "№ 7 жетекші мектеп" in page.content()
    page.screenshot(path=artifacts / "support-1-network.png", full_page=True)
    page.context.close()

    # The teacher asks for help, on a phone.
    page = sign_in(browser, base, "dana", width=390)
    page.goto(f"{base}/networks/requests/new/")
    page.select_option("#id_topic", "assessment")
    page.fill("#id_text", "How do I write descriptors for a summative task?")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(f"{base}/networks/requests/*/")
    request = SupportRequest.objects.get()
    assert request.leading is not None and request.leading.school == lead
    page.screenshot(path=artifacts / "support-2-request.png", full_page=True)
    page.context.close()

    # The leading school's leader assigns it to a colleague, who answers.
    page = sign_in(browser, base, "head")
    page.goto(f"{base}/networks/requests/{request.pk}/")
    page.select_option("#f-assignee", label="Бекова Сәуле")
    page.click("form:has(input[value=assign]) button[type=submit]")
    page.wait_for_selector("text=assigned")
    page.context.close()
    page = sign_in(browser, base, "saule")
    page.goto(f"{base}/networks/requests/?queue=assigned")
    page.click(f"a[href='/networks/requests/{request.pk}/']")
    page.fill("#f-text", "Start from the learning objective; one descriptor per step.")
    page.click("button[value=answer]")
    page.wait_for_selector("text=one descriptor per step")
    page.screenshot(path=artifacts / "support-3-answered.png", full_page=True)
    page.context.close()

    # The teacher rates the answer and closes the request.
    page = sign_in(browser, base, "dana", width=390)
    page.goto(f"{base}/networks/requests/{request.pk}/")
    page.select_option("#f-rating", "5")
    page.click("form:has(input[value=close]) button[type=submit]")
    page.wait_for_selector("text=5 / 5")
    page.context.close()
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED and request.rating == 5
