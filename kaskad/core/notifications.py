"""Notifications: one home for sending, listing and reading them.

A notification is stored as a msgid plus parameters (`core.Notification`), so it is shown in
the reader's language whenever they read it; it is also e-mailed, in the recipient's interface
language, to a recipient who has an e-mail address, through Django's mail settings (the
console until an SMTP server is configured: docs/operations.md). The e-mail leaves only once
the transaction that created the notification commits: a rolled-back action sends nothing.
A mail server that is down loses the e-mail (logged), never the action or the stored
notification.

Apps mark their msgids with `gettext_noop` next to the code that sends them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext

from kaskad.core.models import Notification
from kaskad.core.public_url import public_url

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)


def notification_text(message: str, params: Mapping[str, Any] | None) -> str:
    """A stored notification in the active language."""
    text = gettext(message)
    try:
        return text % dict(params or {})
    except (KeyError, ValueError, TypeError):
        return text


def notification_send(
    *,
    to: AbstractBaseUser,
    message: str,
    params: Mapping[str, Any] | None = None,
    url: str = "",
) -> Notification:
    """Notify one user: stored for the interface, and e-mailed when they have an address."""
    return notification_send_many(to=[to], message=message, params=params, url=url)[0]


def notification_send_many(
    *,
    to: Iterable[AbstractBaseUser],
    message: str,
    params: Mapping[str, Any] | None = None,
    url: str = "",
) -> list[Notification]:
    """Notify several users of the same thing (one insert)."""
    recipients = list(to)
    notes = Notification.objects.bulk_create(
        Notification(recipient_id=user.pk, message=message, params=dict(params or {}), url=url)
        for user in recipients
    )
    for user, note in zip(recipients, notes, strict=True):
        address = str(getattr(user, "email", "") or "")
        if address:
            language = str(getattr(user, "language", "") or settings.LANGUAGE_CODE)
            transaction.on_commit(partial(_email, note, address, language))
    return notes


def _email(note: Notification, address: str, language: str) -> None:
    with translation.override(language):
        text = notification_text(note.message, note.params)
    # A subject is one line: the text itself, cut at a readable length.
    subject = text.splitlines()[0] if text else ""
    if len(subject) > 150:
        subject = subject[:149] + "…"
    body = text + (f"\n\n{public_url()}{note.url}" if note.url else "")
    try:
        EmailMessage(subject=subject, body=body, to=[address]).send()
    except OSError:
        logger.exception("Notification %s could not be e-mailed", note.pk)


def email_send_on_commit(*, to: str, subject: str, body: str) -> None:
    """An e-mail that is not a stored notification (a link to confirm an address): sent the
    same way, once the current transaction commits; a mail server that is down loses the
    e-mail (logged), never the action."""
    transaction.on_commit(partial(_email_plain, to, subject, body))


def _email_plain(address: str, subject: str, body: str) -> None:
    try:
        EmailMessage(subject=subject, body=body, to=[address]).send()
    except OSError:
        logger.exception("An e-mail could not be sent")


def notification_list(*, user: AbstractBaseUser) -> QuerySet[Notification]:
    """A user's notifications, newest first."""
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")


def notification_unread_count(*, user: AbstractBaseUser) -> int:
    # One indexed count (recipient, read_at).
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notifications_mark_read(*, user: AbstractBaseUser) -> int:
    """Mark every unread notification of `user` as read; returns how many."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
