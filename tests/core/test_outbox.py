"""The mail outbox: queued in the transaction, sent once after it, kept when there is no SMTP."""

from __future__ import annotations

import datetime as dt
import re
import socket
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from lotse.core import outbox
from lotse.core.models import OutboxMessage, Person
from tests.factories import Cast, OrganisationFactory

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def _queue(**overrides: Any) -> OutboxMessage:
    values: dict[str, Any] = {
        "template": "support/mail/forwarded",
        "to": ["Schule@Beispiel.example", "schule@beispiel.example ", "", "b@beispiel.example"],
        "context": {"recipient": "Jugendamt Dresden", "url": "http://lotse.example/anfragen/7/"},
        "reference": "support.SupportRequest:7",
        "reply_to": "standort@lasub.example",
    }
    values.update(overrides)
    message = outbox.queue(**values)
    assert message is not None
    return message


@pytest.fixture
def smtp_configured(settings: Any) -> None:
    """An SMTP host is configured; the mailer is Django's in-memory one."""
    settings.SMTP_HOST = "smtp.lasub.example"
    settings.MAILERS = LOCMEM


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_queue_writes_one_row_with_a_fixed_message_id() -> None:
    organisation = OrganisationFactory(name="LaSuB", mail_from="lotse@lasub.example")
    message = _queue(organisation=organisation)

    row = OutboxMessage.objects.get()
    assert row == message
    assert re.fullmatch(r"<[^<>@\s]+@lotse\.localhost>", row.message_id)
    assert row.to == ["b@beispiel.example", "schule@beispiel.example"]
    assert row.from_email == "LaSuB <lotse@lasub.example>"
    assert row.reply_to == "standort@lasub.example"
    assert row.reference == "support.SupportRequest:7"
    assert row.template == "support/mail/forwarded"
    assert row.status == OutboxMessage.Status.PENDING
    assert row.attempts == 0
    assert "\n" not in row.subject
    assert row.subject.strip()
    assert "Jugendamt Dresden" in row.body
    assert "http://lotse.example/anfragen/7/" in row.body


def test_every_mail_gets_its_own_message_id() -> None:
    ids = {_queue().message_id for _ in range(20)}
    assert len(ids) == 20


def test_mail_without_organisation_comes_from_the_default_sender(settings: Any) -> None:
    assert _queue().from_email == settings.DEFAULT_FROM_EMAIL


def test_queue_without_recipients_writes_nothing() -> None:
    assert outbox.queue(template="support/mail/forwarded", to=["", "  "], context={}) is None
    assert not OutboxMessage.objects.exists()


def test_nothing_is_sent_before_the_transaction_commits(
    smtp_configured: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _queue()
    assert len(callbacks) == 1
    assert mail.outbox == []
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING


def test_commit_enqueues_the_send_task(
    smtp_configured: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1


def test_without_smtp_host_the_mail_is_held_in_the_app(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.HELD
    assert message.sent_at is None
    assert mail.outbox == []
    # A held mail stays held: the sweep does not pick it up again.
    assert outbox.send(message.pk) == OutboxMessage.Status.HELD
    assert outbox.send_pending() == 0


def test_send_with_smtp_sends_once_with_the_fixed_message_id(smtp_configured: None) -> None:
    message = _queue()

    assert outbox.send(message.pk) == OutboxMessage.Status.SENT
    assert outbox.send(message.pk) == OutboxMessage.Status.SENT

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["b@beispiel.example", "schule@beispiel.example"]
    assert sent.subject == message.subject
    assert sent.reply_to == ["standort@lasub.example"]
    mime = sent.message()
    assert mime["Message-ID"] == message.message_id
    assert mime["Auto-Submitted"] == "auto-generated"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert outbox.send_pending() == 0


def test_failure_is_recorded_and_retried_by_the_sweep(settings: Any) -> None:
    settings.SMTP_HOST = "127.0.0.1"
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _closed_port(), "timeout": 2},
        }
    }
    message = _queue()

    assert outbox.send(message.pk) == OutboxMessage.Status.FAILED
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.sent_at is None

    settings.MAILERS = LOCMEM
    # The retry waits: nothing is sent before the back-off has passed.
    assert message.next_attempt_at is not None
    assert outbox.send_pending() == 0
    assert outbox.send_pending(now=message.next_attempt_at) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 2
    assert len(mail.outbox) == 1


def test_sweep_sends_waiting_mail_oldest_first_and_gives_up_after_ten_attempts(
    smtp_configured: None,
) -> None:
    first = _queue(to=["erste@beispiel.example"])
    second = _queue(to=["zweite@beispiel.example"])
    hopeless = _queue(to=["dritte@beispiel.example"])
    OutboxMessage.objects.filter(pk=hopeless.pk).update(
        status=OutboxMessage.Status.FAILED, attempts=10
    )

    assert outbox.send_pending(limit=1) == 1
    assert [m.to for m in mail.outbox] == [first.to]
    assert outbox.send_pending() == 1
    assert [m.to for m in mail.outbox] == [first.to, second.to]
    hopeless.refresh_from_db()
    assert hopeless.status == OutboxMessage.Status.FAILED


def test_retries_wait_longer_each_time(settings: Any) -> None:
    settings.SMTP_HOST = "127.0.0.1"
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _closed_port(), "timeout": 2},
        }
    }
    message = _queue()
    now = timezone.now()
    waits = []
    for _attempt in range(4):
        assert outbox.send(message.pk, now=now) == OutboxMessage.Status.FAILED
        message.refresh_from_db()
        waits.append(message.next_attempt_at - now)
        # Before the wait is over, the mail is not tried again.
        assert outbox.send(message.pk, now=now) == OutboxMessage.Status.FAILED
        assert OutboxMessage.objects.get(pk=message.pk).attempts == _attempt + 1
        now = message.next_attempt_at
    assert waits == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]


def test_a_mail_left_sending_by_a_dead_worker_is_sent_again(smtp_configured: None) -> None:
    message = _queue()
    started = timezone.now()
    # A worker claimed the row and died before it could record the result.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, claimed_at=started
    )
    # While it might still be working, nobody else sends the mail.
    assert outbox.send_pending(now=started + dt.timedelta(minutes=5)) == 0
    assert mail.outbox == []

    assert outbox.send_pending(now=started + dt.timedelta(minutes=16)) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == message.message_id


def test_a_claimed_mail_is_not_sent_by_a_second_worker(smtp_configured: None) -> None:
    message = _queue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING, claimed_at=timezone.now()
    )
    assert outbox.send(message.pk) == OutboxMessage.Status.SENDING
    assert mail.outbox == []


# --- the outbox pages for staff --------------------------------------------------------------


@pytest.fixture
def mails(cast: Cast) -> tuple[OutboxMessage, OutboxMessage]:
    own = _queue(organisation=cast.organisation, context={"recipient": "Eigenes Amt"})
    foreign = _queue(organisation=OrganisationFactory(), context={"recipient": "Fremdes Amt"})
    return own, foreign


def test_admins_see_their_organisations_own_mails(
    cast: Cast, client: Client, mails: tuple[OutboxMessage, OutboxMessage]
) -> None:
    own, foreign = mails
    client.force_login(cast.admin)

    response = client.get("/postausgang/")
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [own]

    response = client.get(f"/postausgang/{own.pk}/")
    assert response.status_code == 200
    assert "Eigenes Amt" in response.content.decode()
    assert client.get(f"/postausgang/{foreign.pk}/").status_code == 404
    assert client.get("/postausgang/999999/").status_code == 404


def test_coordinators_see_only_the_mails_about_their_sites_requests(
    cast: Cast, client: Client
) -> None:
    site_a = _queue(organisation=cast.organisation, site=cast.site_a, context={"recipient": "A"})
    site_b = _queue(organisation=cast.organisation, site=cast.site_b, context={"recipient": "B"})
    _queue(organisation=cast.organisation, context={"recipient": "Amt"})  # the organisation's own

    client.force_login(cast.coordinator)
    assert list(client.get("/postausgang/").context["page"].object_list) == [site_a]
    assert client.get(f"/postausgang/{site_a.pk}/").status_code == 200
    assert client.get(f"/postausgang/{site_b.pk}/").status_code == 404

    client.force_login(cast.other_coordinator)
    assert list(client.get("/postausgang/").context["page"].object_list) == [site_b]
    assert client.get(f"/postausgang/{site_a.pk}/").status_code == 404

    client.force_login(cast.admin)
    assert client.get(f"/postausgang/{site_a.pk}/").status_code == 404


@pytest.mark.parametrize(
    "name", ["school_contact_a", "school_contact_b", "supporter", "other_supporter", "outsider"]
)
def test_others_do_not_learn_that_the_outbox_exists(
    cast: Cast, client: Client, mails: tuple[OutboxMessage, OutboxMessage], name: str
) -> None:
    own, _ = mails
    person: Person = getattr(cast, name)
    client.force_login(person)
    assert client.get("/postausgang/").status_code == 404
    assert client.get(f"/postausgang/{own.pk}/").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(
    client: Client, mails: tuple[OutboxMessage, OutboxMessage]
) -> None:
    response = client.get("/postausgang/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")
