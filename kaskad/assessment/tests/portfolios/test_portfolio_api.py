"""The portfolios API: scoped reads, multipart upload, submission, errors in the standard
shape, and nothing written when a request is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kaskad.accounts.tokens import api_token_create
from kaskad.assessment.models import PortfolioFile, PortfolioStatus
from kaskad.assessment.tests.portfolio_documents import AUTHOR, make_docx, make_pdf
from kaskad.assessment.tests.portfolio_helpers import (
    TEXT,
    add_text_file,
    cohort_trainer,
    participant_case,
    stored_files,
)
from kaskad.delivery.tests.factories import coordinator_of, make_teacher, teacher_user

pytestmark = pytest.mark.django_db

KAZAKH = "Қазақ тілі сабағындағы әғқңөұүһі әріптері."


def api(user: Any) -> Client:
    _token, raw = api_token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field", "details"}
    return body["error"]


def upload(client: Client, pk: int, name: str, data: bytes) -> Any:
    return client.post(
        f"/api/assessment/portfolios/{pk}/files", {"file": SimpleUploadedFile(name, data)}
    )


def test_my_portfolios_lists_started_and_not_started() -> None:
    case = participant_case()
    started = api(case.user).get("/api/assessment/portfolios")
    assert started.status_code == 200
    [row] = started.json()
    assert row["portfolio_id"] == case.portfolio.pk and row["status"] == "draft"
    assert row["attempt"] == 1 and row["files"] == 0 and row["deadline"]
    assert api(teacher_user(make_teacher())).get("/api/assessment/portfolios").json() == []


def test_one_portfolio_and_its_scope() -> None:
    case = participant_case()
    add_text_file(case)
    mine = api(case.user).get(f"/api/assessment/portfolios/{case.portfolio.pk}")
    assert mine.status_code == 200
    body = mine.json()
    assert body["status"] == "draft" and body["results"] == []
    assert body["files"][0]["name"] == "portfolio.txt" and body["files"][0]["words"] > 10
    for outsider in (teacher_user(make_teacher()), coordinator_of("AST")):
        response = api(outsider).get(f"/api/assessment/portfolios/{case.portfolio.pk}")
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert (
        api(coordinator_of("ALA"))
        .get(f"/api/assessment/portfolios/{case.portfolio.pk}")
        .status_code
        == 200
    )


def test_starting_a_portfolio_through_the_api() -> None:
    case = participant_case()
    client = api(case.user)
    response = client.post(f"/api/assessment/enrolments/{case.enrolment.pk}/portfolio")
    assert response.status_code == 200 and response.json()["id"] == case.portfolio.pk
    other = api(teacher_user(make_teacher()))
    assert (
        other.post(f"/api/assessment/enrolments/{case.enrolment.pk}/portfolio").status_code == 404
    )


def test_uploading_files_by_multipart() -> None:
    case = participant_case()
    client = api(case.user)
    pdf = upload(client, case.portfolio.pk, "work.pdf", make_pdf([KAZAKH], author=AUTHOR))
    assert pdf.status_code == 201
    assert pdf.json()["kind"] == "pdf" and pdf.json()["name"] == "work.pdf"
    docx = upload(client, case.portfolio.pk, "plan.bin", make_docx([TEXT], author=AUTHOR))
    assert docx.status_code == 201 and docx.json()["kind"] == "docx"
    assert PortfolioFile.objects.filter(portfolio=case.portfolio).count() == 2
    assert PortfolioFile.objects.get(kind="pdf").text == KAZAKH


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, 422, "file_unknown_type"),
        ("broken.pdf", b"%PDF-1.4\n garbage", 422, "file_corrupt"),
        ("blank.txt", b"  \n  ", 422, "file_empty"),
    ],
)
def test_a_refused_upload_answers_in_the_standard_shape(
    name: str, data: bytes, status: int, code: str
) -> None:
    case = participant_case()
    response = upload(api(case.user), case.portfolio.pk, name, data)
    assert response.status_code == status
    error = error_of(response)
    assert error["code"] == code and error["field"] == "file" and name in error["message"]
    assert not PortfolioFile.objects.exists() and stored_files() == []


def test_an_encrypted_or_oversized_upload_is_refused() -> None:
    case = participant_case(max_file_mb=1)
    client = api(case.user)
    locked = upload(client, case.portfolio.pk, "locked.pdf", make_pdf([TEXT], password="pw"))
    assert locked.status_code == 422 and error_of(locked)["code"] == "file_encrypted"
    big = upload(client, case.portfolio.pk, "big.txt", b"words " * 200_000)
    assert big.status_code == 422 and error_of(big)["code"] == "file_too_large"
    assert not PortfolioFile.objects.exists()


def test_an_upload_without_a_file_is_a_validation_error() -> None:
    case = participant_case()
    response = api(case.user).post(f"/api/assessment/portfolios/{case.portfolio.pk}/files")
    assert response.status_code == 422 and error_of(response)["field"] == "file"


def test_someone_else_s_portfolio_takes_no_files() -> None:
    case = participant_case()
    for outsider in (teacher_user(make_teacher()), cohort_trainer(case.cohort)):
        response = upload(api(outsider), case.portfolio.pk, "x.txt", TEXT.encode())
        assert response.status_code == 404
    assert not PortfolioFile.objects.exists()


def test_submitting_through_the_api() -> None:
    case = participant_case()
    client = api(case.user)
    empty = client.post(f"/api/assessment/portfolios/{case.portfolio.pk}/submit")
    assert empty.status_code == 400 and error_of(empty)["code"] == "no_files"
    add_text_file(case)
    outsider = api(teacher_user(make_teacher()))
    assert (
        outsider.post(f"/api/assessment/portfolios/{case.portfolio.pk}/submit").status_code == 404
    )
    done = client.post(f"/api/assessment/portfolios/{case.portfolio.pk}/submit")
    assert done.status_code == 200 and done.json()["status"] == PortfolioStatus.SUBMITTED
    again = client.post(f"/api/assessment/portfolios/{case.portfolio.pk}/submit")
    assert again.status_code == 409 and error_of(again)["code"] == "portfolio_not_editable"
    late = upload(client, case.portfolio.pk, "late.txt", b"late words")
    assert late.status_code == 409


def test_unauthenticated_calls_are_refused() -> None:
    case = participant_case()
    response = Client().get(f"/api/assessment/portfolios/{case.portfolio.pk}")
    assert response.status_code == 401 and error_of(response)["code"] == "not_authenticated"
