"""Notifications: stored for the interface and e-mailed through a real SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import Notification
from kaskad.core.notifications import (
    notification_send,
    notification_send_many,
    notification_text,
    notification_unread_count,
    notifications_mark_read,
)
from kaskad.delivery.messages import PROMOTED_NOTIFICATION

PARAMS = {"cohort": "AST-2025-001", "programme": "Digital literacy"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[_Inbox]:
    """A real SMTP server on a free localhost port, and Django's SMTP backend pointed at it."""
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            DEFAULT_FROM_EMAIL="kaskad@example.kz",
        ):
            yield inbox
    finally:
        controller.stop()


def _subject(raw: bytes) -> str:
    return str(make_header(decode_header(message_from_bytes(raw)["Subject"])))


@pytest.mark.django_db
def test_a_notification_is_stored_and_emailed_in_the_recipients_language(
    smtp: _Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user(language="kk", email="aigerim@example.kz")
    with django_capture_on_commit_callbacks(execute=True):
        note = notification_send(
            to=user, message=PROMOTED_NOTIFICATION, params=PARAMS, url="/delivery/my/"
        )
    assert Notification.objects.get(pk=note.pk).recipient_id == user.pk
    assert len(smtp.messages) == 1
    recipients, raw = smtp.messages[0]
    assert recipients == ["aigerim@example.kz"]
    with translation.override("kk"):
        kazakh = notification_text(PROMOTED_NOTIFICATION, PARAMS)
    with translation.override("en"):
        english = notification_text(PROMOTED_NOTIFICATION, PARAMS)
    assert kazakh != english  # the Kazakh translation exists, so the check below means something
    assert _subject(raw) == kazakh
    assert b"/delivery/my/" in raw


@pytest.mark.django_db
def test_no_address_no_email_and_a_rolled_back_action_sends_nothing(
    smtp: _Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    silent = make_user(email="")
    loud = make_user(email="dana@example.kz")
    with django_capture_on_commit_callbacks(execute=True):
        notification_send_many(to=[silent, loud], message=PROMOTED_NOTIFICATION, params=PARAMS)
    assert [r for r, _raw in smtp.messages] == [["dana@example.kz"]]
    assert Notification.objects.filter(recipient=silent).count() == 1

    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notification_send(to=loud, message=PROMOTED_NOTIFICATION, params=PARAMS)
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
    assert smtp.messages == []
    assert Notification.objects.filter(recipient=loud).count() == 1


@pytest.mark.django_db
def test_a_mail_server_that_is_down_loses_the_email_not_the_notification(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_user(email="aigerim@example.kz")
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=_free_port(),  # nothing listens there
            EMAIL_TIMEOUT=2,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification_send(to=user, message=PROMOTED_NOTIFICATION, params=PARAMS)
    assert notification_unread_count(user=user) == 1
    assert notifications_mark_read(user=user) == 1
    assert notification_unread_count(user=user) == 0
