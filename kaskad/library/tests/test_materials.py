"""Materials: the ways in (staff upload, a teacher's submission and its review, published
portfolios with consent), files and versions, bad uploads, duplicates, use."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.portfolios.services import publish_consent_set
from kaskad.assessment.publishing.services import portfolio_publish
from kaskad.assessment.tests.factories import national_admin
from kaskad.assessment.tests.publishing.test_publishing import good_portfolio
from kaskad.core.errors import DomainError, StateConflict
from kaskad.library.models import Download, Material, Origin, Status
from kaskad.library.search import SearchFilters, run_search
from kaskad.library.selectors import published
from kaskad.library.services.materials import (
    file_version_add,
    material_submit,
    submission_resubmit,
    submission_review,
)
from kaskad.library.services.portfolios import portfolio_materials_sync_all
from kaskad.library.services.use import download_count, downloads_aggregate, rating_set
from kaskad.library.tests.factories import data, editor, material, teacher, txt

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def found(q: str) -> list[str]:
    return [m.title for m in run_search(published(), SearchFilters(q=q)).materials]


def test_submission_is_reviewed_then_published() -> None:
    author, reviewer = teacher(), editor()
    submitted = material_submit(
        data=data("Бөлшектер тақырыбына қысқамерзімді жоспар"),
        upload=txt("plan.txt", "Оқушылар бөлшектерді салыстырады."),
        by=author,
    )
    assert submitted.status == Status.SUBMITTED
    assert found("бөлшек") == []  # not published yet
    with pytest.raises(DomainError) as error:
        submission_review(material=submitted, by=reviewer, publish=False, comment="")
    assert error.value.code == "comment_required"
    returned = submission_review(
        material=submitted, by=reviewer, publish=False, comment="Add the assessment criteria."
    )
    assert returned.status == Status.RETURNED
    again = submission_resubmit(
        material=returned,
        by=author,
        upload=txt("plan.txt", "Оқушылар бөлшектерді салыстырады. Бағалау критерийлері."),
        note="criteria added",
    )
    assert again.status == Status.SUBMITTED
    assert [f.version for f in again.files.all()] == [2, 1]  # the old version is kept
    done = submission_review(material=again, by=reviewer, publish=True)
    assert done.status == Status.PUBLISHED
    assert found("бөлшектердің") == ["Бөлшектер тақырыбына қысқамерзімді жоспар"]


def test_a_teacher_cannot_review_and_an_editor_sees_the_queue() -> None:
    author = teacher()
    submitted = material_submit(data=data("Жоспар"), upload=txt("a.txt", "мәтін"), by=author)
    with pytest.raises(DomainError) as error:
        submission_review(material=submitted, by=teacher(), publish=True)
    assert error.value.status == 404
    page = login(editor()).get(reverse("library:queue"))
    assert "Жоспар" in page.content.decode()
    assert login(author).get(reverse("library:queue")).status_code == 404


def test_a_material_submitted_twice_is_refused() -> None:
    author = teacher()
    material_submit(data=data("Жоспар"), upload=txt("a.txt", "бірдей мәтін"), by=author)
    with pytest.raises(StateConflict) as same_file:
        material_submit(data=data("Басқа атау"), upload=txt("b.txt", "бірдей мәтін"), by=teacher())
    assert same_file.value.code == "duplicate"
    with pytest.raises(StateConflict) as same_title:
        material_submit(data=data("жоспар"), upload=txt("c.txt", "басқа мәтін"), by=author)
    assert same_title.value.code == "duplicate"
    assert Material.objects.count() == 1


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Сабақ жоспары</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("plan.pdf", b"Just text, not a PDF", "file_mismatch"),
        ("plan.txt", _docx_bytes(), "file_mismatch"),
        ("lesson.mp4", b"%PDF-1.4 not a video", "file_mismatch"),
        ("page.txt", b"<html><script>alert(1)</script></html>", "file_markup"),
        ("plan.exe", b"MZ", "file_type"),
        ("empty.txt", b"", "file_empty"),
        ("broken.pdf", b"%PDF-1.4 broken", "file_corrupt"),
    ],
)
def test_an_upload_whose_content_does_not_match_is_refused(
    name: str, content: bytes, code: str
) -> None:
    with pytest.raises(DomainError) as error:
        material_submit(data=data("Жоспар"), upload=SimpleUploadedFile(name, content), by=teacher())
    assert error.value.code == code
    assert name in str(error.value.message)
    assert Material.objects.count() == 0


def test_a_docx_is_read_and_a_video_needs_the_video_type() -> None:
    docx = material_submit(
        data=data("Сабақ"), upload=SimpleUploadedFile("plan.docx", _docx_bytes()), by=teacher()
    )
    assert docx.files.get().text == "Сабақ жоспары"
    with pytest.raises(DomainError) as error:
        material_submit(
            data=data("Бейне", type="video"), upload=txt("v.txt", "мәтін"), by=teacher()
        )
    assert error.value.code == "file_not_video"
    video = material_submit(
        data=data("Бейнесабақ", type="video"),
        upload=SimpleUploadedFile("lesson.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64),
        by=teacher(),
    )
    assert video.searchable is False


def test_a_document_without_text_is_kept_but_not_searchable() -> None:
    by = editor()
    scan = material("Сканерленген құрал", "   \n\n  ", by=by)
    file = scan.files.get()
    assert scan.searchable is False and file.searchable is False
    assert file.not_searchable_reason
    assert found("құрал") == ["Сканерленген құрал"]  # by its title still
    page = login(teacher()).get(reverse("library:material_detail", args=[scan.pk]))
    assert "тек атауы мен сипаттамасы бойынша табады" in page.content.decode()


def test_a_new_version_keeps_the_old_and_search_follows_the_current() -> None:
    by = editor()
    item = material("Құрал", "алғашқы мәтін туралы", by=by)
    file_version_add(material=item, upload=txt("v2.txt", "жаңартылған мазмұн"), by=by, note="v2")
    assert [(f.version, f.current) for f in item.files.all()] == [(2, True), (1, False)]
    assert found("жаңартылған") == ["Құрал"]
    assert found("алғашқы") == []


def test_downloads_append_and_the_job_folds_them() -> None:
    item = material("Құрал", "мәтін", by=editor())
    client = login(teacher())
    file = item.files.get()
    for _ in range(3):
        response = client.get(reverse("library:download", args=[item.pk, file.pk]))
        assert response.status_code == 200
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert Download.objects.count() == 3
    item.refresh_from_db()
    assert item.downloads == 0 and download_count(item) == 3
    assert downloads_aggregate() == 3
    item.refresh_from_db()
    assert item.downloads == 3 and download_count(item) == 3 and Download.objects.count() == 0


def test_rating_favourite_and_ranking_tie_break() -> None:
    by = editor()
    first = material("Бағалау бірінші", "бірінші мәтін", by=by)
    second = material("Бағалау екінші", "екінші мәтін", by=by)
    reader = teacher()
    assert found("бағалау")[0] == "Бағалау екінші"  # newer first when equal
    rating_set(material=first, by=reader, stars=5, review="Өте пайдалы")
    assert found("бағалау")[0] == "Бағалау бірінші"  # better rated first
    with pytest.raises(DomainError):
        rating_set(material=first, by=reader, stars=6)
    client = login(reader)
    client.post(reverse("library:favourite", args=[second.pk]), {"on": "1"})
    assert "Бағалау екінші" in client.get(reverse("library:mine")).content.decode()
    page = client.get(reverse("library:material_detail", args=[first.pk])).content.decode()
    assert "Өте пайдалы" in page and "Бағалау екінші" in page  # similar materials


def test_published_portfolio_appears_and_consent_withdrawal_unpublishes_at_once() -> None:
    portfolio = good_portfolio(text="Жобалық оқыту бойынша портфолио мәтіні.")
    portfolio_publish(portfolio=portfolio, by=national_admin())
    mirrored = Material.objects.get(portfolio=portfolio)
    assert mirrored.origin == Origin.PORTFOLIO and mirrored.status == Status.PUBLISHED
    assert len(found("жобалық")) == 1
    participant = make_user(roles=[(Role.TEACHER, None)], person=portfolio.enrolment.person)
    publish_consent_set(portfolio=portfolio, consent=False, by=participant)
    assert found("жобалық") == []
    mirrored.refresh_from_db()
    assert mirrored.status == Status.WITHDRAWN


def test_portfolios_published_before_the_library_are_brought_in() -> None:
    portfolio = good_portfolio(text="Ерте жарияланған портфолио.")
    portfolio_publish(portfolio=portfolio, by=national_admin())
    Material.objects.all().delete()
    assert portfolio_materials_sync_all() == 1
    assert portfolio_materials_sync_all() == 0
    assert len(found("жарияланған")) == 1


def test_search_page_answers_hostile_queries(django_assert_max_num_queries: Any) -> None:
    material("Мектеп", "мәтін", by=editor())
    client = login(teacher())
    for q in ['"', "*", "'", "NEAR(", "я" * 2000, "!!!", "a" * 5000]:
        response = client.get(reverse("library:search"), {"q": q, "grade": "x", "subject": "??"})
        assert response.status_code == 200, q
    response = client.get(reverse("library:search"), {"q": "мектептер", "grade": "5"})
    assert "<mark>" in response.content.decode() or "Мектеп" in response.content.decode()


def test_someone_without_a_role_sees_nothing() -> None:
    item = material("Мектеп", "мәтін", by=editor())
    client = login(make_user())
    assert client.get(reverse("library:search")).status_code == 404
    assert client.get(reverse("library:material_detail", args=[item.pk])).status_code == 404
