"""Mail from any address Lotse sends or receives with is Lotse's own, never a request: each
site's receiving address, each mailbox's address (also when it differs from the site's), each
organisation's sending address, with or without a +tag; and a mail Lotse wrote itself, also
when a relay dropped its Auto-Submitted line. The demo's addresses fit together."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from lotse.core import outbox
from lotse.core.models import Organisation, Site
from lotse.demo.seed import seed
from lotse.support.mail import intake
from lotse.support.models import InboundMail, Mailbox, SupportRequest
from tests.factories import Cast

Outcome = InboundMail.Outcome


def mail_from(sender: str, to: str, message_id: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Ihre Anfrage ist eingegangen"
    message["Message-ID"] = message_id or f"<{abs(hash(sender))}.loop@mail.example>"
    message.set_content("Vielen Dank, Ihre Anfrage ist bei uns eingegangen.\n")
    return message.as_bytes()


def test_mail_from_a_mailbox_address_that_differs_from_the_site_address_is_own(
    cast: Cast,
) -> None:
    Mailbox.objects.create(
        site=cast.site_b,
        host="imap.lasub.example",
        username="postfach.leipzig@lasub.example",
        password="geheim",
    )
    before = SupportRequest.objects.count()

    result = intake.mail_import(
        site=cast.site_a,
        raw=mail_from("Standort Leipzig <Postfach.Leipzig+ABCD2345@lasub.example>", "x@y.example"),
    )

    assert result.mail.outcome == Outcome.AUTO_REPLY
    assert SupportRequest.objects.count() == before


def test_a_mailbox_user_name_that_is_no_address_is_not_an_address(cast: Cast) -> None:
    Mailbox.objects.create(
        site=cast.site_b,
        host="imap.lasub.example",
        username="leipzig",
        password="geheim",
    )
    assert "leipzig" not in intake.own_addresses()


def test_a_mail_lotse_wrote_itself_is_own_even_without_its_auto_submitted_line(
    cast: Cast,
) -> None:
    sent = outbox.store(
        subject="Neue Anfrage", body="…", to=[cast.site_a.email], organisation=cast.organisation
    )
    assert sent is not None
    raw = mail_from("Jemand <weiterleitung@relay.example>", cast.site_a.email, sent.message_id)

    result = intake.mail_import(site=cast.site_a, raw=raw)

    assert result.mail.outcome == Outcome.AUTO_REPLY
    assert result.mail.request is None


def test_mail_from_someone_else_still_becomes_a_request(cast: Cast) -> None:
    result = intake.mail_import(
        site=cast.site_a, raw=mail_from("Schulleitung <leitung@schule.example>", "x@y.example")
    )
    assert result.mail.outcome == Outcome.REQUEST


@pytest.fixture
def demo(empty_database: None) -> None:
    seed(with_requests=False)


def test_the_demo_sites_read_the_mailbox_of_the_address_they_receive_at(demo: None) -> None:
    sites = list(Site.objects.select_related("mailbox"))
    assert sites
    for site in sites:
        assert site.email
        assert site.mailbox.username == site.email, site.name
        assert not site.mailbox.active  # no mail server in the demo until an admin says so
    own = intake.own_addresses()
    assert {s.email for s in sites} <= own
    assert set(Organisation.objects.values_list("mail_from", flat=True)) <= own


def test_in_the_demo_mail_from_any_of_lotses_addresses_is_no_request(demo: None) -> None:
    dresden = Site.objects.get(name="Dresden")
    senders = [
        *Site.objects.values_list("email", flat=True),
        *Mailbox.objects.values_list("username", flat=True),
        *Organisation.objects.values_list("mail_from", flat=True),
        "dresden+K7M2P9QX@lasub.example",  # the reply address of a request
    ]
    for sender in senders:
        result = intake.mail_import(site=dresden, raw=mail_from(sender, dresden.email))
        assert result.mail.outcome == Outcome.AUTO_REPLY, sender
    assert not SupportRequest.objects.exists()
