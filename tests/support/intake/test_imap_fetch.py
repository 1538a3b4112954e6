"""Reading a site's mailbox on the real (test) Dovecot: what arrives becomes requests once.

Mail is delivered over LMTP as a mail server would, then `reader.fetch_mailbox` reads it. What a
user notices: the requests are there, the messages are marked read (or moved) on the server,
nothing is imported twice, not even after a crash, and a failure is reported in German.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from imapclient import SEEN, IMAPClient

from lotse.core.models import OutboxMessage
from lotse.support.mail import imap as reader
from lotse.support.models import InboundMail, Mailbox, State, SupportRequest, TimelineEvent
from lotse.support.tasks import fetch_all_mailboxes
from tests.factories import Cast, bring_to_state
from tests.support.intake.conftest import ConnectImap, Deliver, Dovecot, MailAccount
from tests.support.intake.corpus import CorpusMail, build_corpus

MAX_SIZE = 2_000_000
Outcome = InboundMail.Outcome
# One of each kind a mailbox sees, and a request with attachments.
MIX = [
    "charset_utf8_8bit",
    "charset_iso8859_1",
    "apple_mail_inline_image_and_pdf",
    "reply_in_reply_to",
    "reply_token_in_subject",
    "auto_auto_submitted",
    "bounce_dsn_postfix_message_rfc822",
    "quarantine_unknown_charset",
]


@pytest.fixture
def corpus(cast: Cast, settings: Any) -> dict[str, CorpusMail]:
    settings.MAIL_MAX_SIZE = MAX_SIZE
    settings.MAIL_IMAP_TIMEOUT = 10
    answered = bring_to_state(cast, State.ACKNOWLEDGED)
    sent = OutboxMessage.objects.filter(reference=f"support.SupportRequest:{answered.pk}").latest(
        "pk"
    )
    mails = build_corpus(
        site_address=cast.site_a.email,
        lotse_message_id=sent.message_id,
        request_token=answered.token,
        max_size=MAX_SIZE,
    )
    return {mail.name: mail for mail in mails}


@pytest.fixture
def make_mailbox(cast: Cast, mail_account: MailAccount) -> Callable[..., Mailbox]:
    def make(**overrides: Any) -> Mailbox:
        values: dict[str, Any] = {
            "site": cast.site_a,
            "host": mail_account.host,
            "port": mail_account.port,
            "security": Mailbox.Security.PLAIN,
            "username": mail_account.username,
            "password": mail_account.password,
        }
        values.update(overrides)
        return Mailbox.objects.create(**values)

    return make


@pytest.fixture
def fetched_items(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every data item the reader asks the server for (e.g. b"BODY.PEEK[]"), from now on."""
    items: list[Any] = []
    real_fetch = IMAPClient.fetch

    def spy(self: IMAPClient, messages: Any, data: Any, modifiers: Any = None) -> Any:
        items.extend(data)
        return real_fetch(self, messages, data, modifiers)

    monkeypatch.setattr(IMAPClient, "fetch", spy)
    return items


@pytest.fixture
def crash_once(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The first marking of a message on the server fails, as if the connection broke."""
    real_done = reader._done
    crashes: list[list[int]] = []

    def done(client: IMAPClient, box: Mailbox, uids: Any) -> None:
        if not crashes:
            crashes.append(list(uids))
            raise ConnectionResetError("connection lost")
        real_done(client, box, uids)

    monkeypatch.setattr(reader, "_done", done)
    return crashes


@dataclass(frozen=True)
class Inbox:
    """The test account on the server: deliver to it, look at it as a mail client would."""

    account: MailAccount
    deliver: Deliver
    imap: ConnectImap

    def put(self, raw: bytes) -> None:
        self.deliver(self.account, raw)

    def connect(self) -> IMAPClient:
        return self.imap(self.account)

    def flags(self, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        client = self.connect()
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        if not uids:
            return {}
        return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()}


@pytest.fixture
def inbox(mail_account: MailAccount, deliver: Deliver, imap: ConnectImap) -> Inbox:
    return Inbox(mail_account, deliver, imap)


def test_new_mail_becomes_requests_and_is_marked_read(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    inbox: Inbox,
) -> None:
    for name in MIX:
        inbox.put(corpus[name].raw)
    mailbox = make_mailbox()
    requests_before = SupportRequest.objects.count()

    result = reader.fetch_mailbox(mailbox)

    assert result.error == ""
    assert result.imported == len(MIX)
    mails = list(InboundMail.objects.filter(mailbox=mailbox).order_by("uid"))
    assert [m.outcome for m in mails] == [corpus[name].expected.kind for name in MIX]
    assert [m.sender for m in mails] == [corpus[name].expected.sender for name in MIX]
    assert len({m.uid for m in mails}) == len(MIX)
    assert all(m.uidvalidity for m in mails)
    assert SupportRequest.objects.count() == requests_before + 3
    apple = mails[MIX.index("apple_mail_inline_image_and_pdf")]
    assert apple.request is not None
    assert sorted(a.filename for a in apple.request.attachments.all()) == [
        "Anfrage Schulentwicklung.pdf",
        "Lernraum.png",
    ]
    flags = inbox.flags()
    assert len(flags) == len(MIX)
    assert all(SEEN in f for f in flags.values())
    mailbox.refresh_from_db()
    assert mailbox.last_checked_at is not None
    assert mailbox.last_error == ""
    assert mailbox.locked_until is None

    again = reader.fetch_mailbox(mailbox)
    assert again.imported == 0
    assert again.error == ""
    assert InboundMail.objects.filter(mailbox=mailbox).count() == len(MIX)
    assert SupportRequest.objects.count() == requests_before + 3


def test_with_a_done_folder_imported_mail_is_moved(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    inbox: Inbox,
) -> None:
    for name in MIX[:3]:
        inbox.put(corpus[name].raw)
    mailbox = make_mailbox(done_folder="Lotse/Verarbeitet")

    result = reader.fetch_mailbox(mailbox)

    assert result.error == ""
    assert result.imported == 3
    assert inbox.flags() == {}
    assert len(inbox.flags("Lotse/Verarbeitet")) == 3
    assert reader.fetch_mailbox(mailbox).imported == 0
    assert InboundMail.objects.filter(mailbox=mailbox).count() == 3


def test_a_crash_between_import_and_marking_neither_loses_nor_doubles_mail(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    crash_once: list[list[int]],
    inbox: Inbox,
) -> None:
    for name in MIX[:2]:
        inbox.put(corpus[name].raw)
    mailbox = make_mailbox()

    first = reader.fetch_mailbox(mailbox)

    assert len(crash_once) == 1
    assert first.error  # reported, not raised
    assert InboundMail.objects.filter(mailbox=mailbox).count() == 1
    assert not any(SEEN in f for f in inbox.flags().values())
    mailbox.refresh_from_db()
    assert mailbox.last_error == first.error
    assert mailbox.locked_until is None

    second = reader.fetch_mailbox(mailbox)

    assert second.error == ""
    assert second.already_known == 1
    assert second.imported == 1
    mails = InboundMail.objects.filter(mailbox=mailbox)
    assert mails.count() == 2
    assert SupportRequest.objects.filter(mails__mailbox=mailbox).count() == 2
    assert all(SEEN in f for f in inbox.flags().values())
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_mail_a_person_already_read_is_still_imported(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    inbox: Inbox,
) -> None:
    for name in MIX[:2]:
        inbox.put(corpus[name].raw)
    human: IMAPClient = inbox.connect()
    human.select_folder("INBOX")
    human.add_flags(human.search(["ALL"]), [SEEN])

    result = reader.fetch_mailbox(make_mailbox())

    assert result.imported == 2
    assert InboundMail.objects.filter(outcome=Outcome.REQUEST).count() == 2


def test_oversize_mail_goes_to_quarantine_without_its_body_being_downloaded(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    fetched_items: list[Any],
    inbox: Inbox,
) -> None:
    big = corpus["quarantine_oversize"]
    inbox.put(big.raw)

    result = reader.fetch_mailbox(make_mailbox())

    assert result.imported == 1
    mail = InboundMail.objects.get()
    assert mail.outcome == Outcome.QUARANTINE
    assert "size" in mail.quarantine_reason
    assert "Zu groß" in mail.quarantine_reason
    assert mail.size > MAX_SIZE
    assert len(bytes(mail.raw)) < 10_000  # the header only
    assert mail.sender == big.expected.sender
    assert mail.subject == big.expected.subject
    items = set(fetched_items)
    assert b"BODY.PEEK[HEADER]" in items
    assert b"BODY.PEEK[]" not in items
    assert "BODY.PEEK[]" not in items
    assert not SupportRequest.objects.filter(mails=mail).exists()
    assert all(SEEN in f for f in inbox.flags().values())


def test_imaps_on_the_tls_port_works_with_the_servers_certificate(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    dovecot: Dovecot,
    inbox: Inbox,
) -> None:
    inbox.put(corpus["charset_utf8_8bit"].raw)
    mailbox = make_mailbox(security=Mailbox.Security.SSL, port=dovecot.imaps_port)

    result = reader.fetch_mailbox(mailbox, ssl_context=dovecot.ssl_context())

    assert result.error == ""
    assert result.imported == 1


def test_imaps_with_an_untrusted_certificate_reports_the_failure(
    make_mailbox: Callable[..., Mailbox], dovecot: Dovecot
) -> None:
    mailbox = make_mailbox(security=Mailbox.Security.SSL, port=dovecot.imaps_port)

    result = reader.fetch_mailbox(mailbox)  # the system's CAs do not know the test certificate

    assert result.imported == 0
    assert result.error.startswith("Die verschlüsselte Verbindung ist fehlgeschlagen")
    assert "CERTIFICATE_VERIFY_FAILED" in result.error


def test_starttls_on_the_plain_port_works(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    dovecot: Dovecot,
    inbox: Inbox,
) -> None:
    inbox.put(corpus["charset_utf8_8bit"].raw)
    mailbox = make_mailbox(security=Mailbox.Security.STARTTLS)

    result = reader.fetch_mailbox(mailbox, ssl_context=dovecot.ssl_context())

    assert result.error == ""
    assert result.imported == 1


def test_a_wrong_password_is_reported_in_german(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    inbox: Inbox,
) -> None:
    inbox.put(corpus["charset_utf8_8bit"].raw)
    mailbox = make_mailbox(password="falsches-passwort")

    result = reader.fetch_mailbox(mailbox)

    assert result.imported == 0
    assert result.error.startswith("Anmeldung fehlgeschlagen")
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.error
    assert mailbox.locked_until is None
    assert not InboundMail.objects.exists()


def test_a_mailbox_claimed_by_another_reader_is_left_alone(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    inbox: Inbox,
) -> None:
    from django.utils import timezone

    inbox.put(corpus["charset_utf8_8bit"].raw)
    mailbox = make_mailbox(locked_until=timezone.now() + reader.LEASE)

    assert reader.fetch_mailbox(mailbox).imported == 0
    assert not InboundMail.objects.exists()


def test_the_periodic_task_imports_every_active_mailbox(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    inbox: Inbox,
) -> None:
    for name in MIX[:2]:
        inbox.put(corpus[name].raw)
    mailbox = make_mailbox()

    assert fetch_all_mailboxes.call() == 2

    assert InboundMail.objects.filter(mailbox=mailbox).count() == 2
    assert (
        TimelineEvent.objects.filter(kind="received", request__mails__mailbox=mailbox).count() == 2
    )
    assert fetch_all_mailboxes.call() == 0


def test_an_inactive_mailbox_is_not_read(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    inbox: Inbox,
) -> None:
    inbox.put(corpus["charset_utf8_8bit"].raw)
    make_mailbox(active=False)

    assert fetch_all_mailboxes.call() == 0
    assert not InboundMail.objects.exists()


def test_after_the_server_renumbers_the_folder_nothing_is_imported_or_downloaded_again(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    fetched_items: list[Any],
    inbox: Inbox,
) -> None:
    """A new UIDVALIDITY (the folder rebuilt or migrated) gives the same mails new UIDs."""
    client: IMAPClient = inbox.connect()
    client.create_folder("Anfragen")
    for name in MIX[:2]:
        client.append("Anfragen", corpus[name].raw)
    mailbox = make_mailbox(folder="Anfragen")
    assert reader.fetch_mailbox(mailbox).imported == 2
    old = client.select_folder("Anfragen", readonly=True)[b"UIDVALIDITY"]
    client.close_folder()

    client.delete_folder("Anfragen")
    client.create_folder("Anfragen")
    for name in MIX[:2]:
        client.append("Anfragen", corpus[name].raw, flags=[SEEN])
    assert client.select_folder("Anfragen", readonly=True)[b"UIDVALIDITY"] != old
    client.close_folder()

    renumbered = reader.fetch_mailbox(mailbox)
    assert renumbered.error == ""
    assert renumbered.imported == 0
    assert InboundMail.objects.count() == 2

    fetched_items.clear()
    later = reader.fetch_mailbox(mailbox)
    assert later.imported == 0
    assert [item for item in fetched_items if "BODY" in str(item)] == []


def test_a_done_folder_that_does_not_exist_yet_is_created(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    inbox: Inbox,
) -> None:
    """Mail must keep arriving when the admin names a folder nobody created on the server."""
    for name in MIX[:2]:
        inbox.put(corpus[name].raw)
    mailbox = make_mailbox(done_folder="Erledigt")

    first = reader.fetch_mailbox(mailbox)
    inbox.put(corpus[MIX[2]].raw)
    second = reader.fetch_mailbox(mailbox)

    assert (first.error, second.error) == ("", "")
    assert first.imported + second.imported == 3
    assert InboundMail.objects.filter(mailbox=mailbox).count() == 3
    assert inbox.flags() == {}
    assert len(inbox.flags("Erledigt")) == 3


def test_fetch_mail_command_reads_the_mailbox_and_reports_failures(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    dovecot: Dovecot,
    inbox: Inbox,
) -> None:
    inbox.put(corpus["charset_utf8_8bit"].raw)
    mailbox = make_mailbox(security=Mailbox.Security.SSL, port=dovecot.imaps_port)

    out = io.StringIO()
    call_command("fetch-mail", "--cafile", str(dovecot.cafile), stdout=out)
    assert f"{mailbox.site.name}: 1 imported" in out.getvalue()

    mailbox.refresh_from_db()
    mailbox.password = "falsches-passwort"
    mailbox.save()
    out = io.StringIO()
    with pytest.raises(SystemExit) as failed:
        call_command("fetch-mail", "--cafile", str(dovecot.cafile), stdout=out)
    assert failed.value.code == 1
    assert "0 imported – Anmeldung fehlgeschlagen" in out.getvalue()


def test_an_identical_copy_in_the_folder_is_downloaded_once_only(
    corpus: dict[str, CorpusMail],
    make_mailbox: Callable[..., Mailbox],
    fetched_items: list[Any],
    inbox: Inbox,
) -> None:
    """The same bytes twice (a scan delivered twice): one request; neither copy comes again."""
    raw = corpus[MIX[0]].raw
    client: IMAPClient = inbox.connect()
    client.append("INBOX", raw)  # LMTP would add a header line of its own to each copy
    client.append("INBOX", raw)
    mailbox = make_mailbox()

    first = reader.fetch_mailbox(mailbox)
    assert first.error == ""
    assert (first.imported, first.already_known) == (1, 1)
    assert InboundMail.objects.filter(mailbox=mailbox).count() == 1

    fetched_items.clear()
    later = reader.fetch_mailbox(mailbox)
    assert later.error == ""
    assert later.imported == 0
    assert [item for item in fetched_items if "BODY" in str(item)] == []
