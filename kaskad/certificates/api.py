"""Certificates' JSON API: the public verification (no authentication, rate-limited per
address like the page)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from kaskad.certificates.selectors import certificate_verify
from kaskad.certificates.services import verification_attempt
from kaskad.core.api import ApiError, ErrorOut
from kaskad.core.http import client_ip

router = Router(tags=["certificates"])


class VerifyQuery(Schema):
    number: str = Field(min_length=1, max_length=60)


class VerificationOut(Schema):
    status: str = Field(description="valid, revoked, superseded or not_found")
    number: str | None = None
    name: str | None = Field(None, description="given name and the initial of the surname")
    programme: str | None = None
    hours: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    issued_on: date | None = None
    revoked_on: date | None = None
    revocation: str | None = Field(None, description="the kind of revocation")
    branch: str | None = None


@router.get(
    "/certificates/verify",
    auth=None,
    response={200: VerificationOut, 422: ErrorOut, 429: ErrorOut},
    summary="Verify a certificate by its number (public)",
)
def verify(request: HttpRequest, query: Query[VerifyQuery]) -> VerificationOut:
    """What the certificate with this number says and whether it is valid. A number that
    does not exist answers `status: not_found` (200), never an error."""
    if not verification_attempt(ip=client_ip(request)):
        raise ApiError(
            "too_many_requests",
            _("Too many look-ups from your address. Please try again in a few minutes."),
            status=429,
        )
    return VerificationOut(**certificate_verify(number=query.number).as_dict())
