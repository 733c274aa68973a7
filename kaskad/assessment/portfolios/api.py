"""The participant's portfolios in the JSON API: list, one portfolio (with the released result),
start one, upload a file (multipart), submit.

Thin on purpose: reads go through `portfolio_selectors` (someone else's portfolio answers 404
exactly like a missing one), writes through `portfolios`, whose refusals become 4xx answers
with a stable code and a message in the caller's language: a refused file is 422
(`file_unknown_type`, `file_markup`, `file_corrupt`, `file_encrypted`, `file_empty`,
`file_too_large`, `file_duplicate`, `file_required`), a state that does not allow it 409
(`deadline_passed`, `portfolio_not_editable`, `too_many_files`), a submission without files
400 (`no_files`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from kaskad.assessment.models import Portfolio
from kaskad.assessment.portfolios import selectors
from kaskad.assessment.portfolios.services import (
    FileRefused,
    portfolio_file_add,
    portfolio_for_enrolment,
    portfolio_submit,
    upload_too_large,
)
from kaskad.core.api import ERRORS, WRITE_ERRORS, RecordId, api_user
from kaskad.core.uploads import refused_uploads
from kaskad.delivery.selectors import enrolment_get_for

router = Router(tags=["assessment"])


# --- Output schemas -----------------------------------------------------------------------------


class MyPortfolioOut(Schema):
    portfolio_id: int | None
    enrolment_id: int
    cohort: str
    programme: str
    status: str
    status_label: str
    attempt: int | None
    deadline: datetime | None
    files: int


class FileOut(Schema):
    id: int
    name: str
    kind: str
    size: int
    words: int
    uploaded_at: datetime


class FeedbackOut(Schema):
    text: str
    created_at: datetime


class MarkOut(Schema):
    criterion: str
    level: int
    descriptor: str
    comment: str


class MarkingOut(Schema):
    role: str
    rating: str
    comment: str
    marks: list[MarkOut]


class ResultOut(Schema):
    attempt: int
    rating: str
    certified: bool
    plagiarism_confirmed: bool
    markings: list[MarkingOut]


class PortfolioOut(Schema):
    id: int
    enrolment_id: int
    cohort: str
    programme: str
    status: str
    status_label: str
    attempt: int
    deadline: datetime
    submitted_at: datetime | None
    max_files: int
    max_file_mb: int
    files: list[FileOut]
    feedback: list[FeedbackOut]
    results: list[ResultOut]
    publish_consent: bool


# --- Serialisation ------------------------------------------------------------------------------


def _portfolio(portfolio: Portfolio) -> dict[str, Any]:
    rubric = portfolio.rubric
    return {
        "id": portfolio.pk,
        "enrolment_id": portfolio.enrolment_id,
        "cohort": portfolio.enrolment.cohort.code,
        "programme": str(rubric.version.title),
        "status": portfolio.status,
        "status_label": str(portfolio.get_status_display()),
        "attempt": portfolio.attempt,
        "deadline": portfolio.deadline,
        "submitted_at": portfolio.submitted_at,
        "max_files": rubric.max_files,
        "max_file_mb": rubric.max_file_mb,
        "files": [_file(row) for row in selectors.portfolio_files(portfolio=portfolio)],
        "feedback": [
            {"text": f.text, "created_at": f.created_at}
            for f in selectors.portfolio_feedback(portfolio=portfolio)
        ],
        "results": [
            {
                "attempt": r.attempt,
                "rating": r.rating,
                "certified": r.certified,
                "plagiarism_confirmed": r.plagiarism_confirmed,
                # The role says which marking it was; nothing says who marked.
                "markings": [
                    {
                        "role": m.role,
                        "rating": m.rating,
                        "comment": m.comment,
                        "marks": [vars(mark) for mark in m.marks],
                    }
                    for m in r.markings
                ],
            }
            for r in selectors.portfolio_results(portfolio=portfolio)
        ],
        "publish_consent": portfolio.publish_consent_at is not None,
    }


def _file(row: selectors.FileRow) -> dict[str, Any]:
    f = row.file
    return {
        "id": f.pk,
        "name": f.original_name,
        "kind": f.kind,
        "size": f.size,
        "words": row.words,
        "uploaded_at": f.uploaded_at,
    }


# --- Endpoints ----------------------------------------------------------------------------------


@router.get(
    "/assessment/portfolios",
    response={200: list[MyPortfolioOut], **ERRORS},
    summary="My portfolios: one per enrolment in a course with a portfolio assessment",
)
def my_portfolios(request: HttpRequest) -> list[dict[str, Any]]:
    """`portfolio_id` is null until the portfolio is started (POST
    /assessment/enrolments/{id}/portfolio); `status` is then “not_started”."""
    rows = []
    for row in selectors.my_portfolios(user=api_user(request)):
        p = row.portfolio
        rows.append(
            {
                "portfolio_id": p.pk if p else None,
                "enrolment_id": row.enrolment.pk,
                "cohort": row.enrolment.cohort.code,
                "programme": str(row.enrolment.cohort.version.title),
                "status": p.status if p else "not_started",
                "status_label": str(p.get_status_display()) if p else "",
                "attempt": p.attempt if p else None,
                "deadline": row.deadline,
                "files": row.file_count,
            }
        )
    return rows


@router.post(
    "/assessment/enrolments/{enrolment_id}/portfolio",
    response={200: PortfolioOut, **WRITE_ERRORS},
    summary="Start (or get) the portfolio of an enrolment",
)
def portfolio_start(request: HttpRequest, enrolment_id: RecordId) -> dict[str, Any]:
    user = api_user(request)
    enrolment = enrolment_get_for(user=user, pk=enrolment_id)
    portfolio = portfolio_for_enrolment(enrolment=enrolment, by=user)
    return _portfolio(selectors.portfolio_get_for_participant(user=user, pk=portfolio.pk))


@router.get(
    "/assessment/portfolios/{portfolio_id}",
    response={200: PortfolioOut, **ERRORS},
    summary="One of my portfolios, with the result once released",
)
def portfolio_detail(request: HttpRequest, portfolio_id: RecordId) -> dict[str, Any]:
    portfolio = selectors.portfolio_get_for_participant(user=api_user(request), pk=portfolio_id)
    return _portfolio(portfolio)


@router.post(
    "/assessment/portfolios/{portfolio_id}/files",
    response={201: FileOut, **WRITE_ERRORS},
    summary="Upload a file (multipart form, field “file”)",
)
def portfolio_file_upload(
    request: HttpRequest, portfolio_id: RecordId, file: File[UploadedFile | None] = None
) -> Status[dict[str, Any]]:
    """PDF, DOCX, ODT or plain text, judged by the content; the text is extracted and the
    stored copy keeps only the document's content. A file larger than the rubric allows is cut
    off while it arrives (422 `file_too_large`). A refused file stores nothing."""
    user = api_user(request)
    portfolio = selectors.portfolio_get_for_participant(user=user, pk=portfolio_id)
    refused = refused_uploads(request)
    if refused:
        raise upload_too_large(name=refused[0].name, limit=refused[0].limit)
    if file is None:
        raise FileRefused(
            "file_required", _("Send the file in the form field “file”."), field="file"
        )
    record = portfolio_file_add(portfolio=portfolio, upload=file, by=user)
    return Status(201, _file(selectors.FileRow(file=record, words=len(record.text.split()))))


@router.post(
    "/assessment/portfolios/{portfolio_id}/submit",
    response={200: PortfolioOut, **WRITE_ERRORS},
    summary="Submit the portfolio for assessment",
)
def portfolio_submit_api(request: HttpRequest, portfolio_id: RecordId) -> dict[str, Any]:
    user = api_user(request)
    portfolio = selectors.portfolio_get_for_participant(user=user, pk=portfolio_id)
    portfolio_submit(portfolio=portfolio, by=user)
    return _portfolio(portfolio)
