"""The outbox delivers through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from lotse.core import outbox
from lotse.core.models import OutboxMessage


class Collector:
    """An SMTP handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def _smtp(port: int) -> dict[str, Any]:
    options = {"host": "127.0.0.1", "port": port, "timeout": 2}
    return {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Collector]:
    collector = Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.SMTP_HOST = "127.0.0.1"
    settings.MAILERS = _smtp(port)
    try:
        yield collector
    finally:
        controller.stop()


@pytest.mark.django_db
def test_queued_mail_is_delivered_once_with_its_fixed_message_id(smtp_server: Collector) -> None:
    message = outbox.queue(
        template="support/mail/completed",
        to=["Schulleitung@Schule.example"],
        context={"request": {"subject": "Teamentwicklung"}, "url": "http://lotse.example/x"},
    )
    assert message is not None

    assert outbox.send(message.pk) == OutboxMessage.Status.SENT
    assert outbox.send(message.pk) == OutboxMessage.Status.SENT  # a second run sends nothing

    assert len(smtp_server.messages) == 1
    recipients, received = smtp_server.messages[0]
    assert recipients == ["schulleitung@schule.example"]
    assert received["Message-ID"].strip() == message.message_id  # a long header is folded
    assert received["Auto-Submitted"] == "auto-generated"
    assert "http://lotse.example/x" in received.get_payload(decode=True).decode()
    message.refresh_from_db()
    assert message.sent_at is not None


@pytest.mark.django_db
def test_unreachable_server_marks_the_mail_failed_and_the_sweep_sends_it_later(
    smtp_server: Collector, settings: Any
) -> None:
    message = outbox.queue(
        template="support/mail/completed",
        to=["schule@schule.example"],
        context={"request": {"subject": "X"}, "url": "http://lotse.example/y"},
    )
    assert message is not None
    working = settings.MAILERS
    settings.MAILERS = _smtp(_free_port())  # nobody listens there

    assert outbox.send(message.pk) == OutboxMessage.Status.FAILED
    message.refresh_from_db()
    assert message.attempts == 1
    assert "Error" in message.last_error or "refused" in message.last_error.lower()

    settings.MAILERS = working
    assert outbox.send_pending(now=message.next_attempt_at) == 1
    assert len(smtp_server.messages) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
