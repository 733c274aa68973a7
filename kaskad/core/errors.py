"""Errors the domain raises. Each carries a stable machine code and a translated message."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the domain was broken: shown to the user, never a stack trace."""

    status = 400

    def __init__(self, code: str, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field


class NotFoundError(DomainError):
    """The record does not exist or is outside the caller's scope (the two look the same)."""

    status = 404


class PermissionDeniedError(DomainError):
    status = 403


class StateConflict(DomainError):
    """The request is valid but the record's state does not allow it (HTTP 409)."""

    status = 409
