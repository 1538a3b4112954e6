"""Rules that keep mail from landing in the wrong place: public mail domains, senders without an
address, bounces of another organisation's mail."""

from __future__ import annotations

from lotse.core import outbox
from lotse.core.models import OutboxMessage
from lotse.support.mail import intake
from lotse.support.models import InboundMail
from tests.factories import Cast, OrganisationFactory
from tests.support.intake.test_import import import_request, simple_mail


def test_a_public_mail_domain_says_nothing_about_the_school(cast: Cast) -> None:
    # A school contact who writes from a webmail address …
    cast.school_contact_a.email = "sabine.schulz@web.de"
    cast.school_contact_a.save()
    assert import_request(cast, simple_mail("sabine.schulz@web.de")).school == cast.school_a
    # … does not make every other web.de sender one of her school.
    stranger = import_request(cast, simple_mail("k.mueller@web.de", subject="Andere Schule"))
    assert stranger.school is None


def test_a_sender_without_an_address_goes_to_quarantine(cast: Cast) -> None:
    result = intake.mail_import(site=cast.site_a, raw=simple_mail("ute weis"))
    assert result.mail.outcome == InboundMail.Outcome.QUARANTINE
    assert "Absender" in result.mail.quarantine_reason


def test_a_bounce_marks_only_its_own_organisations_mail(cast: Cast) -> None:
    foreign = outbox.queue(
        template="support/mail/completed",
        to=["schule@beispiel.example"],
        context={"request": {"subject": "X"}, "url": "http://lotse.example/"},
        organisation=OrganisationFactory(),
    )
    assert foreign is not None
    bounce = (
        "From: MAILER-DAEMON@mail.example\r\nTo: dresden@lasub.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nDie Zustellung ist fehlgeschlagen.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.example\r\n"
        "\r\nFinal-Recipient: rfc822; schule@beispiel.example\r\nAction: failed\r\n"
        "Status: 5.1.1\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {foreign.message_id}\r\nSubject: X\r\n\r\n--b--\r\n"
    ).encode()

    result = intake.mail_import(site=cast.site_a, raw=bounce)

    assert result.mail.outcome == InboundMail.Outcome.BOUNCE
    assert result.mail.bounced is None
    assert not OutboxMessage.objects.get(pk=foreign.pk).bounce_records.exists()
