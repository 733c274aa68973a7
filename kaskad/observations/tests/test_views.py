from __future__ import annotations

import io
import re
import uuid
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.observations.models import Observation
from kaskad.observations.tests.factories import (
    coordinator,
    elements,
    observe,
    school_in,
    seeded_version,
    teacher_in,
    teacher_user,
    trainer,
)
from kaskad.observations.workbook import COLUMNS, export_version

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _normalised(body: bytes, url: str) -> str:
    text = body.decode().replace(url, "{url}")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", text)


def _form_data(client_id: str | None = None, **change: str) -> dict[str, object]:
    data: dict[str, object] = {
        "client_id": client_id or str(uuid.uuid4()),
        "version": str(seeded_version().pk),
        "subject": "mathematics",
        "grade": "7",
        "observed_on": "2026-03-02",
        "focus": "Fractions",
        "strengths": "Clear objective.",
        "next_steps": "Hinge questions.",
        "priorities": [str(elements()[2].pk)],
    }
    for element in elements():
        data[f"score_{element.pk}"] = "4"
        data[f"evidence_{element.pk}"] = "Seen in pair work."
    data.update(change)
    return data


def test_the_form_saves_an_observation_and_shows_it() -> None:
    teacher = teacher_in(school_in("ALA"))
    client = _client(trainer("ALA"))
    url = f"/observations/new/{teacher.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "data-offline-form" in body
    # No inline script (the Content-Security-Policy allows none).
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    response = client.post(url, _form_data())
    assert response.status_code == 302
    observation = Observation.objects.get()
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert str(observation.client_id) in detail.content.decode()


def test_bad_input_on_the_form_is_shown_on_its_field_and_nothing_is_saved() -> None:
    teacher = teacher_in(school_in("ALA"))
    client = _client(coordinator("ALA"))
    first = elements()[0]
    data = _form_data(**{f"score_{first.pk}": "9", f"evidence_{elements()[1].pk}": ""})
    page = client.post(f"/observations/new/{teacher.pk}/", data)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Write the evidence: what was seen or heard." in body
    assert Observation.objects.count() == 0
    data = _form_data(**{f"score_{first.pk}": "9"})
    body = client.post(f"/observations/new/{teacher.pk}/", data).content.decode()
    assert "outside its scale 1–5" in body
    assert Observation.objects.count() == 0


def test_the_offline_sync_answers_in_json_and_saves_once() -> None:
    teacher = teacher_in(school_in("ALA"))
    client = _client(trainer("ALA"))
    url = f"/observations/new/{teacher.pk}/"
    data = _form_data()
    first = client.post(url, data, HTTP_X_KASKAD_SYNC="1")
    assert first.status_code == 201
    again = client.post(url, data, HTTP_X_KASKAD_SYNC="1")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Observation.objects.count() == 1
    bad = client.post(url, _form_data(focus=""), HTTP_X_KASKAD_SYNC="1")
    assert bad.status_code == 400 and "focus" in bad.json()["errors"]


def test_out_of_scope_looks_like_missing() -> None:
    teacher = teacher_in(school_in("ALA"))
    observation = observe(coordinator("ALA"), teacher)
    outsider = _client(coordinator("AST"))
    for url in (
        f"/observations/{observation.pk}/",
        f"/observations/new/{teacher.pk}/",
        f"/observations/teachers/{teacher.pk}/",
        f"/observations/change/schools/{teacher.current_organisation_id}/",
    ):
        missing = re.sub(r"/\d+/", "/987654321/", url)
        assert outsider.get(url).status_code == 404
        assert _normalised(outsider.get(url).content, url) == _normalised(
            outsider.get(missing).content, missing
        )


def test_the_teacher_acknowledges_on_the_page() -> None:
    teacher = teacher_in(school_in("ALA"))
    observation = observe(coordinator("ALA"), teacher)
    client = _client(teacher_user(teacher))
    page = client.get(f"/observations/{observation.pk}/").content.decode()
    assert 'name="reflection"' in page
    client.post(f"/observations/{observation.pk}/acknowledge/", {"reflection": "I will try."})
    observation.refresh_from_db()
    assert observation.reflection == "I will try." and observation.acknowledged_at


def test_change_and_agreement_pages_render() -> None:
    school = school_in("ALA")
    teacher = teacher_in(school)
    boss = coordinator("ALA")
    first = observe(boss, teacher, observed_on=date(2026, 1, 10), score=2)
    observe(boss, teacher, observed_on=date(2026, 3, 10), score=4, previous_id=first.pk)
    observe(
        trainer("ALA"), teacher, observed_on=date(2026, 1, 10), double_of_id=first.pk, priorities=()
    )
    client = _client(boss)
    page = client.get(f"/observations/teachers/{teacher.pk}/").content.decode()
    assert "<svg" in page and "improved" in page
    page = client.get(f"/observations/change/schools/{school.pk}/").content.decode()
    assert "+2.00" in page
    assert client.get(f"/observations/change/branches/{first.branch_id}/").status_code == 200
    assert client.get("/observations/change/").status_code == 200
    page = client.get("/observations/agreement/").content.decode()
    assert "ICC(2,1)" in page and "100%" in page


def test_instrument_pages_export_and_import() -> None:
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    client = _client(admin)
    version = seeded_version()
    assert client.get("/observations/instruments/").status_code == 200
    assert client.get(f"/observations/instruments/{version.pk}/").status_code == 200
    download = client.get(f"/observations/instruments/{version.pk}/xlsx/")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    assert [c.value for c in sheet[1]] == COLUMNS
    content = export_version(version)
    book = openpyxl.load_workbook(io.BytesIO(content))
    book.active["A2"] = "OTHER"
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("other.xlsx", buffer.getvalue())
    page = client.post("/observations/instruments/", {"file": upload})
    assert page.status_code == 200
    assert "A file holds one instrument version" in page.content.decode()
    # Only national administrators import.
    upload = SimpleUploadedFile("other.xlsx", content)
    assert (
        _client(coordinator()).post("/observations/instruments/", {"file": upload}).status_code
        == 404
    )


def test_the_service_worker_is_served_as_javascript() -> None:
    response = Client().get("/observations/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/static/observations/offline.js" in response.content.decode()


def test_the_list_costs_the_same_queries_for_one_observation_or_many(
    django_assert_max_num_queries: Any,
) -> None:
    school = school_in("ALA")
    boss = coordinator("ALA")
    observe(boss, teacher_in(school))
    client = _client(boss)
    client.get("/observations/")  # warm the session and the scope
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get("/observations/").status_code == 200
    for _ in range(4):
        observe(boss, teacher_in(school))
    with django_assert_max_num_queries(len(one)):
        assert client.get("/observations/").status_code == 200


def test_the_admin_shows_observations_read_only() -> None:
    teacher = teacher_in(school_in("ALA"))
    observation = observe(coordinator("ALA"), teacher)
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)], is_staff=True, is_superuser=True)
    client = _client(admin)
    assert client.get("/admin/observations/observation/").status_code == 200
    url = f"/admin/observations/observation/{observation.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    assert client.get("/admin/observations/observation/add/").status_code == 403
    assert client.get("/admin/observations/instrumentversion/").status_code == 200


def test_change_pages_filter_by_period() -> None:
    school = school_in("ALA")
    teacher = teacher_in(school)
    boss = coordinator("ALA")
    first = observe(boss, teacher, observed_on=date(2026, 1, 10), score=2)
    observe(boss, teacher, observed_on=date(2026, 3, 10), score=4, previous_id=first.pk)
    client = _client(boss)
    url = f"/observations/change/schools/{school.pk}/"
    assert "+2.00" in client.get(url, {"date_from": "2026-01-01"}).content.decode()
    narrowed = client.get(url, {"date_from": "2026-02-01"}).content.decode()
    assert "+2.00" not in narrowed
    bad = client.get(url, {"date_from": "yesterday"})
    assert bad.status_code == 200 and "+2.00" in bad.content.decode()
