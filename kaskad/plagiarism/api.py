"""The plagiarism API: the report of a check (scoped as the page: officers and national
administrators everything, the portfolio's assessors blind, anyone else 404) and the
officer's decision.

Offsets (`start`/`end` in the checked text, `source_start`/`source_end` in the source's) are
character offsets into the texts as the check saw them: the attempt's files' extracted texts
joined by a blank line.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from kaskad.core.api import ERRORS, WRITE_ERRORS, RecordId, api_user
from kaskad.plagiarism import permissions, selectors
from kaskad.plagiarism.models import PlagiarismCheck
from kaskad.plagiarism.services import decision_record

router = Router(tags=["plagiarism"])


class ParticipantOut(Schema):
    name: str
    iin: str = Field(description="Masked unless the caller's role works with identities.")
    organisation: str


class SourceOut(Schema):
    number: int = Field(description='"Source 1", "Source 2"... by the share they cover.')
    programme: str
    year: int | None
    share_percent: Decimal
    cross_language: bool
    published: bool = Field(description="A published material whose author consented.")
    title: str = Field(description="Only for a published material.")
    author: str = Field(description="Only for a published material.")
    code: str = Field(description="The source portfolio's code; officers only.")


class MatchOut(Schema):
    number: int
    source: int
    kind: str = Field(description='"copy", "cross_language" or "quoted" (not counted).')
    start: int
    end: int
    source_start: int
    source_end: int
    similarity_percent: Decimal
    excerpt: str


class DecisionOut(Schema):
    decision: str
    label: str
    comment: str
    by: str
    at: datetime


class ReportOut(Schema):
    id: int
    portfolio: str = Field(description='The portfolio\'s code, "P-<id>".')
    programme: str
    attempt: int
    status: str = Field(description="Of the check: queued, running, done, failed.")
    plagiarism_status: str
    similarity_percent: Decimal | None
    threshold_percent: Decimal | None
    template_percent: Decimal
    quoted_percent: Decimal
    cross_language: str
    blind: bool
    participant: ParticipantOut | None = Field(description="Officers only.")
    sources: list[SourceOut]
    matches: list[MatchOut]
    quoted: list[MatchOut]
    decisions: list[DecisionOut] = Field(description="Officers only.")


class DecisionIn(Schema):
    decision: Literal["cleared", "confirmed"]
    comment: str = Field(max_length=4000)


def _report(user: Any, check: PlagiarismCheck) -> dict[str, Any]:
    view = selectors.report_view(user=user, check=check, with_texts=False)

    def match(m: selectors.MatchView) -> dict[str, Any]:
        return {
            "number": m.number,
            "source": m.source.number,
            "kind": m.kind,
            "start": m.start,
            "end": m.end,
            "source_start": m.source_start,
            "source_end": m.source_end,
            "similarity_percent": m.similarity_percent,
            "excerpt": m.excerpt,
        }

    return {
        "id": check.pk,
        "portfolio": view.code,
        "programme": view.programme_code,
        "attempt": view.attempt,
        "status": check.status,
        "plagiarism_status": view.plagiarism_status,
        "similarity_percent": view.similarity_percent,
        "threshold_percent": view.threshold_percent,
        "template_percent": view.template_percent,
        "quoted_percent": view.quoted_percent,
        "cross_language": view.cross_language,
        "blind": view.blind,
        "participant": vars(view.participant) if view.participant else None,
        "sources": [
            {
                "number": s.number,
                "programme": s.programme_code,
                "year": s.year,
                "share_percent": s.share_percent,
                "cross_language": s.cross_language,
                "published": s.published,
                "title": s.title,
                "author": s.author,
                "code": s.code,
            }
            for s in view.sources
        ],
        "matches": [match(m) for m in view.matches],
        "quoted": [match(m) for m in view.quoted],
        "decisions": [vars(d) for d in view.decisions],
    }


@router.get(
    "/plagiarism/checks/{check_id}",
    response={200: ReportOut, **ERRORS},
    summary="The report of a plagiarism check",
)
def check_report(request: HttpRequest, check_id: RecordId) -> dict[str, Any]:
    """Officers and national administrators see everything; the portfolio's assessors see it
    blind (no participant); sources are never identified except consented publications."""
    user = api_user(request)
    return _report(user, selectors.check_get(user=user, pk=check_id))


@router.get(
    "/plagiarism/portfolios/{portfolio_id}/report",
    response={200: ReportOut, **ERRORS},
    summary="The report of a portfolio's current attempt",
)
def portfolio_report(request: HttpRequest, portfolio_id: RecordId) -> dict[str, Any]:
    user = api_user(request)
    return _report(user, selectors.check_for_portfolio(user=user, portfolio_id=portfolio_id))


@router.post(
    "/plagiarism/checks/{check_id}/decision",
    response={201: DecisionOut, **WRITE_ERRORS},
    summary="Record the officer's decision: cleared or plagiarism confirmed",
)
def check_decision(
    request: HttpRequest, check_id: RecordId, payload: DecisionIn
) -> Status[dict[str, Any]]:
    """Plagiarism officers and national administrators. The comment is required
    (`comment_required`); a settled outcome answers 409 (`outcome_settled`)."""
    user = api_user(request)
    if not permissions.is_officer(user):
        raise Http404
    check = selectors.check_get(user=user, pk=check_id)
    record = decision_record(
        check=check, decision=payload.decision, comment=payload.comment, by=user
    )
    return Status(
        201,
        {
            "decision": record.decision,
            "label": str(record.get_decision_display()),
            "comment": record.comment,
            "by": (user.get_full_name() or user.username),
            "at": record.at,
        },
    )
