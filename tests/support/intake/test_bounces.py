"""Bounces as a coordinator needs them: every bounce of a Lotse mail is kept, each with the
address that failed, the status code and what the receiving server said, and the outbox shows
them all in German. Read from real-world reports: Postfix, Sendmail, Exchange and Gmail
(delivery status notifications, RFC 3464) and qmail and Exim (plain text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lotse.core import outbox, privacy, retention
from lotse.core.models import Bounce, OutboxMessage, Person
from lotse.support.mail import intake
from lotse.support.mail.parse import parse
from tests.factories import Cast
from tests.support.intake.corpus import CorpusMail, build_corpus

ClientAs = Callable[[Person | None], Client]
LOTSE_ID = "<20250303081502.terminvorschlag@lotse.localhost>"
BOUNCES = [m for m in build_corpus(lotse_message_id=LOTSE_ID) if m.expected.kind == "bounce"]
BY_NAME = {m.name: m for m in BOUNCES}


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.MAIL_MAX_SIZE = 2_000_000


def sent_mail(cast: Cast, *to: str) -> OutboxMessage:
    """The Lotse mail that comes back: written by site A to `to`, with the corpus's ID."""
    message = outbox.store(
        subject="Terminvorschlag Pädagogischer Tag",
        body="Wir schlagen den 12. März vor.",
        to=to,
        organisation=cast.organisation,
        site=cast.site_a,
    )
    assert message is not None
    OutboxMessage.objects.filter(pk=message.pk).update(message_id=LOTSE_ID)
    message.refresh_from_db()
    return message


def bounce_of(name: str) -> CorpusMail:
    return BY_NAME[name]


def test_the_corpus_has_dsn_and_text_bounces_of_every_kind() -> None:
    assert set(BY_NAME) >= {
        "bounce_dsn_postfix_message_rfc822",
        "bounce_dsn_rfc822_headers",
        "bounce_exchange_ndr",
        "bounce_gmail_dsn",
        "bounce_qmail_plain_text",
        "bounce_exim_plain_text",
    }


@pytest.mark.parametrize("mail", BOUNCES, ids=[m.name for m in BOUNCES])
def test_each_bounce_names_the_address_that_failed_with_status_and_reason(
    cast: Cast, mail: CorpusMail
) -> None:
    # A mail to two schools, of which one address fails.
    sent = sent_mail(cast, mail.expected.bounce_recipient, "info@andere-schule.example")

    imported = intake.mail_import(site=cast.site_a, raw=mail.raw).mail

    assert imported.bounced == sent
    bounce = Bounce.objects.get(message=sent)
    assert bounce.recipient == mail.expected.bounce_recipient
    assert bounce.status == mail.expected.bounce_status
    assert bounce.failed
    # The server's words, not the copy of the mail that came back.
    assert bounce.reason.strip()
    assert "pädagogischen Tag" not in bounce.reason
    assert "Sehr geehrte" not in bounce.reason


def test_the_servers_words_are_kept_unfolded(cast: Cast) -> None:
    sent = sent_mail(cast, "foerderverein.gs-coswig@gmail.example")

    intake.mail_import(site=cast.site_a, raw=bounce_of("bounce_gmail_dsn").raw)

    bounce = Bounce.objects.get(message=sent)
    assert bounce.action == Bounce.Action.FAILED
    assert bounce.reason.startswith("550-5.1.1 The email account that you tried to reach does")
    assert "\n" not in bounce.reason
    text_bounce = parse(bounce_of("bounce_qmail_plain_text").raw)
    assert text_bounce.bounce_from_text
    assert [r.reason for r in text_bounce.bounce_reports] == [
        "Sorry, no mailbox here by that name. (#5.1.1)"
    ]


def test_a_second_bounce_of_the_same_mail_is_kept_beside_the_first(
    cast: Cast, client_as: ClientAs
) -> None:
    """A mail to two addresses comes back twice, from two servers: both bounces stay, and the
    coordinator sees which address failed and why."""
    sent = sent_mail(cast, "schulleitung@43-os-dresden.example", "info@gs-wilsdruff.example")

    intake.mail_import(site=cast.site_a, raw=bounce_of("bounce_dsn_postfix_message_rfc822").raw)
    intake.mail_import(site=cast.site_a, raw=bounce_of("bounce_dsn_rfc822_headers").raw)

    rows = list(sent.bounce_records.values_list("recipient", "status"))
    assert rows == [
        ("schulleitung@43-os-dresden.example", "5.1.1"),
        ("info@gs-wilsdruff.example", "5.2.2"),
    ]
    page = client_as(cast.coordinator).get(f"/postausgang/{sent.pk}/").content.decode()
    assert "Die Mail kam 2-mal zurück." in page
    assert "schulleitung@43-os-dresden.example" in page
    assert "5.1.1: die Adresse existiert nicht" in page
    assert "User unknown in virtual mailbox table" in page
    assert "info@gs-wilsdruff.example" in page
    assert "5.2.2: das Postfach ist voll" in page
    assert "Mailbox full - quota exceeded" in page
    assert page.count("nicht zugestellt") >= 2
    listing = client_as(cast.coordinator).get("/postausgang/").content.decode()
    assert "schulleitung@43-os-dresden.example" in listing
    assert listing.count("nicht zugestellt") == 2


def test_the_same_bounce_delivered_twice_is_kept_once(cast: Cast) -> None:
    sent = sent_mail(cast, "schulleitung@43-os-dresden.example")
    raw = bounce_of("bounce_dsn_postfix_message_rfc822").raw

    intake.mail_import(site=cast.site_a, raw=raw)
    intake.mail_import(site=cast.site_a, raw=raw)

    assert sent.bounce_records.count() == 1


def test_a_text_bounce_naming_no_recipient_keeps_its_words_for_the_only_address(
    cast: Cast,
) -> None:
    """qmail names an address Lotse did not write to (a forward): the mail went to one address
    only, so that is the one that failed; the bounce's own words are the reason."""
    sent = sent_mail(cast, "sekretariat@os-weinboehla.example")

    intake.mail_import(site=cast.site_a, raw=bounce_of("bounce_qmail_plain_text").raw)

    bounce = Bounce.objects.get(message=sent)
    assert bounce.recipient == "sekretariat@os-weinboehla.example"
    assert "Sorry, no mailbox here by that name." in bounce.reason
    # Not the copy of the returned mail.
    assert "Below this line" not in bounce.reason


def test_a_delay_report_is_shown_as_delayed_not_as_undelivered(
    cast: Cast, client_as: ClientAs
) -> None:
    raw = bounce_of("bounce_dsn_rfc822_headers").raw
    raw = raw.replace(b"Action: failed\r\nStatus: 5.2.2", b"Action: delayed\r\nStatus: 4.2.2")
    raw = raw.replace(b"Message-ID: <", b"Message-ID: <delayed.", 1)
    sent = sent_mail(cast, "info@gs-wilsdruff.example")

    intake.mail_import(site=cast.site_a, raw=raw)

    bounce = Bounce.objects.get(message=sent)
    assert (bounce.action, bounce.status, bounce.failed) == ("delayed", "4.2.2", False)
    page = client_as(cast.coordinator).get(f"/postausgang/{sent.pk}/").content.decode()
    assert "verzögert" in page
    assert "nicht zugestellt" not in page


def test_a_forwarded_address_names_the_address_lotse_wrote_to(cast: Cast) -> None:
    raw = bounce_of("bounce_dsn_postfix_message_rfc822").raw.replace(
        b"Original-Recipient: rfc822;schulleitung@43-os-dresden.example",
        b"Original-Recipient: rfc822;leitung@43-os-dresden.example",
    )
    sent = sent_mail(cast, "leitung@43-os-dresden.example")

    intake.mail_import(site=cast.site_a, raw=raw)

    bounce = Bounce.objects.get(message=sent)
    assert bounce.recipient == "leitung@43-os-dresden.example"
    assert "schulleitung@43-os-dresden.example" in bounce.reason


def test_a_bounce_is_in_the_persons_export_and_leaves_with_the_erasure(cast: Cast) -> None:
    person = cast.person("school_contact_b")
    sent = sent_mail(cast, person.email, "info@andere-schule.example")
    outbox.record_bounce(
        message_id=LOTSE_ID,
        reports=[
            outbox.BounceReport(
                recipient=person.email,
                action="failed",
                status="5.2.2",
                reason=f"552 5.2.2 <{person.email}>: Mailbox full",
            )
        ],
    )

    exported = privacy.collect(person)["data"]["core.bounce"]
    assert [row["recipient"] for row in exported] == [person.email]

    privacy.person_erase(
        person=person,
        by=cast.person("admin"),
        organisation=cast.organisation,
        confirmation=person.email,
    )

    bounce = Bounce.objects.get(message=sent)
    assert bounce.recipient == ""
    assert person.email not in bounce.reason
    assert bounce.status == "5.2.2"


def test_anonymising_old_mails_removes_the_address_and_words_of_their_bounces(
    cast: Cast,
) -> None:
    sent = sent_mail(cast, "schulleitung@43-os-dresden.example")
    intake.mail_import(site=cast.site_a, raw=bounce_of("bounce_dsn_postfix_message_rfc822").raw)
    OutboxMessage.objects.filter(pk=sent.pk).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now() - dt.timedelta(days=400)
    )
    kind = next(k for k in retention.kinds() if k.slug == "core.outbox")
    cutoff = timezone.now() - dt.timedelta(days=200)

    due = kind.find(cast.organisation, cutoff, retention.Action.ANONYMISE)
    kind.apply(due, retention.Action.ANONYMISE)

    bounce = Bounce.objects.get(message=sent)
    assert (bounce.recipient, bounce.reason, bounce.status) == ("", "", "5.1.1")
    # A bounce that arrives later names the address again: the next run finds it.
    intake.mail_import(site=cast.site_a, raw=bounce_of("bounce_dsn_rfc822_headers").raw)
    due = kind.find(cast.organisation, cutoff, retention.Action.ANONYMISE)
    assert list(due) == [sent]


def test_the_bounce_mail_that_names_a_person_goes_with_her_erasure(cast: Cast) -> None:
    """The raw report names the address that failed: it is in her export, and her erasure
    removes its content (the key against a second import stays)."""
    person = cast.person("school_contact_b")
    sent_mail(cast, person.email)
    raw = bounce_of("bounce_dsn_postfix_message_rfc822").raw.replace(
        b"schulleitung@43-os-dresden.example", person.email.encode()
    )
    mail = intake.mail_import(site=cast.site_a, raw=raw).mail
    assert person.email.encode() in bytes(mail.raw)

    exported = privacy.collect(person)["data"]["support.inboundmail"]
    assert mail.pk in {row["id"] for row in exported}

    privacy.person_erase(
        person=person,
        by=cast.person("admin"),
        organisation=cast.organisation,
        confirmation=person.email,
    )

    mail.refresh_from_db()
    assert mail.raw is None
    assert mail.sha256
