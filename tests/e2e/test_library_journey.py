"""The library in a real browser: a teacher submits a lesson plan, the library editor reviews
and publishes it, another teacher finds it by a Kazakh word form typed with Russian letters
(«мугалимдердин» for «мұғалімдердің») and downloads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import PASSWORD, make_user
from kaskad.delivery.tests.factories import make_teacher
from kaskad.library.models import Download, Material, Status
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PLAN = (
    "Қысқа мерзімді жоспар. Сабақтың мақсаты: оқушылар мұғалімдердің кәсібі туралы "
    "әңгімелейді, сұрақ қояды және бір-бірін бағалайды."
)


def sign_in(browser: Any, base: str, username: str, *, width: int = 1280) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def test_submit_review_find_download(
    live_server: Any, browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    sync_reference_data(Branch, Area)
    base = live_server.url
    make_user(username="aigul", roles=[(Role.TEACHER, None)], person=make_teacher(), language="en")
    make_user(username="bolat", roles=[(Role.TEACHER, None)], person=make_teacher(), language="en")
    make_user(username="editor", roles=[(Role.LIBRARY_EDITOR, None)], language="en")
    plan = tmp_path / "mugalim.txt"
    plan.write_text(PLAN, encoding="utf-8")

    # A teacher submits a lesson plan.
    page = sign_in(browser, base, "aigul")
    page.goto(f"{base}/library/submit/")
    page.fill("#id_title", "Мамандықтар әлемі: сабақ жоспары")
    page.select_option("#id_language", "kk")
    page.select_option("#id_type", "short_term_plan")
    page.select_option("#id_subject", "kazakh_language")
    page.check("input[name=grades][value='4']")
    page.set_input_files("#id_file", str(plan))
    page.click("button[type=submit]:has-text('Send for review')")
    page.wait_for_selector("text=sent for review")
    material = Material.objects.get()
    assert material.status == Status.SUBMITTED
    page.context.close()

    # The editor reviews it and publishes it.
    page = sign_in(browser, base, "editor")
    page.goto(f"{base}/library/review/")
    page.click("text=Мамандықтар әлемі: сабақ жоспары")
    page.wait_for_selector("text=Plagiarism check against the portfolio index")
    page.click("button[value=publish]")
    page.wait_for_selector("text=The material is published.")
    page.screenshot(path=str(artifacts / "library-published.png"), full_page=True)
    page.context.close()
    material.refresh_from_db()
    assert material.status == Status.PUBLISHED

    # Another teacher finds it by a word form typed with Russian letters and downloads it.
    page = sign_in(browser, base, "bolat", width=390)
    page.goto(f"{base}/library/")
    page.fill("#id_q", "мугалимдердин")
    page.press("#id_q", "Enter")
    page.wait_for_selector("mark")
    assert "мұғалімдердің" in page.inner_text("mark")
    page.screenshot(path=str(artifacts / "library-search-phone.png"), full_page=True)
    page.click("text=Мамандықтар әлемі: сабақ жоспары")
    with page.expect_download() as info:
        page.click("a[download]")
    saved = tmp_path / "downloaded.txt"
    info.value.save_as(str(saved))
    assert saved.read_text(encoding="utf-8") == PLAN
    assert Download.objects.filter(material=material).count() == 1
    page.context.close()
