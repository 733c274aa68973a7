"""The pages: who sees what (out of scope is a 404, like a missing page), the import as a
background job with its errors, the bulk PDFs and their ZIP, the workbooks."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import Job
from kaskad.monitoring.models import Pupil, Response
from kaskad.monitoring.tests.factories import HEADER, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _commit_callbacks(django_capture_on_commit_callbacks):
    """Jobs are queued when the request's transaction commits: run them at once."""
    global _capture
    _capture = django_capture_on_commit_callbacks


_capture = None


def _normal(body: bytes, url: str) -> str:
    """The page without what differs on every answer (the CSRF token, the nonce, the path)."""
    text = body.decode().replace(url, "{url}")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", text)
    return re.sub(r'nonce="[^"]*"', "", text)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(rows: list[list[str]]) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "r.csv", ("\n".join(",".join(r) for r in rows) + "\n").encode(), "text/csv"
    )


def _import(world, client: Client, rows: list[list[str]]):
    assert _capture is not None
    with _capture(execute=True):
        return client.post(
            f"/monitoring/given/{world.test.pk}/import/", {"file": _csv(rows), "school": ""}
        )


def _rows(world, n: int = 12) -> list[list[str]]:
    rows = [HEADER]
    for i in range(n):
        school = world.school_a if i < n - 2 else world.school_b
        answers = ["A", "B", "C", "D", "A"] if i % 3 else ["B", "B", "A", "D", "C"]
        rows.append([school.code, "4A", f"P{i}", "", "kk", *answers, str(i % 3)])
    return rows


def test_import_runs_as_a_job_and_shows_its_result(tmp_path: Path) -> None:
    world = make_world()
    client = _client(world.monitor)
    response = _import(world, client, _rows(world))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert Response.objects.count() == 12
    page = client.get(job.result["url"])
    assert page.status_code == 200 and "12 responses imported" in page.content.decode()


def test_a_bad_file_shows_line_column_value_and_reason() -> None:
    world = make_world()
    client = _client(world.monitor)
    rows = _rows(world)
    rows[3][6] = "Z"
    _import(world, client, rows)
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    page = client.get(f"/monitoring/imports/{job.pk}/").content.decode()
    assert "nothing was written" in page
    assert '<td data-label="Line">4</td>' in page and "<code>Z</code>" in page
    assert Pupil.objects.count() == 0


def _seeded(world) -> None:
    _import(world, _client(world.monitor), _rows(world))


@pytest.mark.slow
def test_access_by_role() -> None:
    world = make_world()
    _seeded(world)
    test = world.test.pk
    pupil_a = Pupil.objects.filter(school=world.school_a).first()
    pupil_b = Pupil.objects.filter(school=world.school_b).first()
    assert pupil_a and pupil_b
    urls = {
        "study": f"/monitoring/studies/{world.study.pk}/",
        "test": f"/monitoring/given/{test}/",
        "items": f"/monitoring/given/{test}/items/",
        "compare": f"/monitoring/given/{test}/schools/",
        "school_a": f"/monitoring/given/{test}/schools/{world.school_a.pk}/",
        "school_b": f"/monitoring/given/{test}/schools/{world.school_b.pk}/",
        "pupil_a": f"/monitoring/given/{test}/pupils/{pupil_a.pk}/",
        "pupil_b": f"/monitoring/given/{test}/pupils/{pupil_b.pk}/",
        "entry": f"/monitoring/given/{test}/entry/",
        "form": f"/monitoring/tests/{world.test.form.pk}/",
    }
    expected = {
        "monitor": dict.fromkeys(urls, 200),
        "admin": dict.fromkeys(urls, 200),
        "analyst": {**dict.fromkeys(urls, 200), "pupil_a": 404, "pupil_b": 404, "entry": 404},
        "leader": {
            **dict.fromkeys(urls, 404),
            "study": 200,
            "test": 200,
            "school_a": 200,
            "pupil_a": 200,
        },
        "teacher": dict.fromkeys(urls, 404),
    }
    users = {
        "monitor": world.monitor,
        "admin": make_user(roles=[(Role.NATIONAL_ADMIN, None)]),
        "analyst": make_user(roles=[(Role.ANALYST, None)]),
        "leader": make_user(roles=[(Role.SCHOOL_LEADER, world.school_a)]),
        "teacher": make_user(roles=[(Role.TEACHER, None)]),
    }
    for role, user in users.items():
        client = _client(user)
        missing = _normal(
            client.get("/monitoring/given/987654/").content, "/monitoring/given/987654/"
        )
        got = {name: client.get(url).status_code for name, url in urls.items()}
        assert got == expected[role], role
        for name, url in urls.items():
            if expected[role][name] == 404:
                assert _normal(client.get(url).content, url) == missing, (role, name)


def test_nobody_but_runners_imports_or_prints() -> None:
    world = make_world()
    analyst = _client(make_user(roles=[(Role.ANALYST, None)]))
    assert _import(world, analyst, _rows(world)).status_code == 404
    assert analyst.post(f"/monitoring/given/{world.test.pk}/reports/").status_code == 404
    assert not Job.objects.exists()


def test_pupil_pages_show_codes_only_and_print_a_pdf() -> None:
    world = make_world()
    _seeded(world)
    client = _client(world.monitor)
    pupil = Pupil.objects.get(code="P1")
    page = client.get(f"/monitoring/given/{world.test.pk}/pupils/{pupil.pk}/").content.decode()
    assert "P1" in page and "Class average" in page
    pdf = client.get(f"/monitoring/given/{world.test.pk}/pupils/{pupil.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@pytest.mark.slow
def test_bulk_reports_job_and_zip() -> None:
    world = make_world()
    _seeded(world)
    client = _client(world.monitor)
    assert _capture is not None
    with _capture(execute=True):
        client.post(f"/monitoring/given/{world.test.pk}/reports/", {"language": "kk"})
    job = Job.objects.filter(kind="monitoring_reports").get()
    assert job.status == Job.Status.SUCCEEDED and job.result["files"] == 12
    download = client.get(job.result["url"])
    archive = zipfile.ZipFile(BytesIO(b"".join(download.streaming_content)))
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 12
    other = _client(make_user(roles=[(Role.MONITORING_OFFICER, None)]))
    assert other.get(job.result["url"]).status_code == 404


def test_item_analysis_page_and_workbooks() -> None:
    world = make_world()
    _seeded(world)
    client = _client(world.monitor)
    page = client.get(f"/monitoring/given/{world.test.pk}/items/").content.decode()
    assert "Cronbach" in page and "Rasch difficulty" in page
    xlsx = client.get(f"/monitoring/given/{world.test.pk}/items.xlsx")
    assert xlsx.content.startswith(b"PK")
    results = client.get(f"/monitoring/given/{world.test.pk}/results.xlsx")
    assert results.content.startswith(b"PK")
    pdf = client.get(f"/monitoring/given/{world.test.pk}/schools/{world.school_a.pk}/pdf/?class=4A")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    compare = client.get(f"/monitoring/given/{world.test.pk}/schools/").content.decode()
    assert "fewer than 10 pupils" in compare  # school B has 2 pupils


def test_study_and_test_creation_pages() -> None:
    world = make_world()
    client = _client(world.monitor)
    response = client.post(
        "/monitoring/tests/new/",
        {
            "code": "G8-EN",
            "title": "English 8",
            "subject": "english",
            "grade": "8",
            "minutes": "40",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/monitoring/studies/new/",
        {"name": "S2", "year": "2027", "grades": ["4"], "schools": [world.school_a.pk]},
    )
    assert response.status_code == 302
    key = SimpleUploadedFile("key.csv", b"item,key,strand\n1,A,N\n3,B,N\n", "text/csv")
    page = client.post(f"/monitoring/tests/{world.test.form.pk}/", {"file": key})
    assert page.status_code == 200 and "item 2 is missing" in page.content.decode()


@pytest.mark.slow
def test_comparison_of_schools_as_pdf_in_the_readers_language() -> None:
    from io import BytesIO as _Bytes

    from pypdf import PdfReader

    world = make_world()
    _seeded(world)  # school A: 10 pupils, school B: 2
    client = _client(world.monitor)
    url = f"/monitoring/given/{world.test.pk}/schools.pdf"
    for language, heading, hidden in (
        ("ru", "Сравнение школ", "менее 10 учеников: не показано"),
        ("kk", "Мектептерді салыстыру", "10 оқушыдан аз: көрсетілмейді"),
    ):
        client.cookies["django_language"] = language
        pdf = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        text = " ".join(
            (page.extract_text() or "") for page in PdfReader(_Bytes(pdf.content)).pages
        )
        text = " ".join(text.split())
        assert heading in text and hidden in text
        assert world.school_a.name in text and world.school_b.name in text
    # A test nobody can see, and a reader without aggregates: not found, as a missing one.
    assert client.get(f"/monitoring/given/{world.test.pk + 999}/schools.pdf").status_code == 404
    teacher = _client(make_user(roles=[(Role.TEACHER, None)]))
    assert teacher.get(url).status_code == 404
