"""The pages of the mail intake: mailbox settings for admins, the quarantine for coordinators,
attachment downloads, the bounce on the outbox page and the "assign school" badge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lotse.core.models import OutboxMessage, Person
from lotse.support.mail import intake
from lotse.support.models import Attachment, InboundMail, Mailbox, State, SupportRequest
from tests.factories import Cast, bring_to_state
from tests.support.intake.conftest import Deliver, Dovecot, MailAccount
from tests.support.intake.corpus import build_corpus

Outcome = InboundMail.Outcome
ClientAs = Callable[[Person | None], Client]
MAX_SIZE = 2_000_000


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.MAIL_MAX_SIZE = MAX_SIZE
    settings.MAIL_IMAP_TIMEOUT = 10


def corpus_mail(name: str, **kwargs: Any) -> bytes:
    return next(m.raw for m in build_corpus(**kwargs) if m.name == name)


def mailbox_url(cast: Cast) -> str:
    return f"/organisation/{cast.organisation.slug}/postfaecher/{cast.site_a.pk}/"


def form_data(account: MailAccount, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "host": account.host,
        "port": account.port,
        "security": Mailbox.Security.PLAIN,
        "username": account.username,
        "password": account.password,
        "folder": "INBOX",
        "done_folder": "",
        "active": "on",
    }
    data.update(overrides)
    return data


# --- mailbox settings -------------------------------------------------------------------------


def test_admin_saves_the_mailbox_with_the_password_encrypted(
    cast: Cast, client_as: ClientAs, mail_account: MailAccount
) -> None:
    client = client_as(cast.admin)
    assert client.get(mailbox_url(cast)).status_code == 200

    response = client.post(mailbox_url(cast), {**form_data(mail_account), "save": ""})

    assert response.status_code == 302
    mailbox = Mailbox.objects.get(site=cast.site_a)
    assert mailbox.host == mail_account.host
    assert mailbox.username == mail_account.username
    assert mailbox.security == Mailbox.Security.PLAIN
    assert mailbox.active
    column = Mailbox.objects.filter(pk=mailbox.pk).values_list("password", flat=True).get()
    assert mail_account.password.encode() not in bytes(column)
    assert str(Mailbox.objects.get(pk=mailbox.pk).password) == mail_account.password

    # The form never shows the password; saving it empty keeps the stored one.
    page = client.get(mailbox_url(cast)).content.decode()
    assert mail_account.password not in page
    response = client.post(
        mailbox_url(cast),
        {**form_data(mail_account, password="", folder="Anfragen"), "save": ""},
    )
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(pk=mailbox.pk)
    assert mailbox.folder == "Anfragen"
    assert str(mailbox.password) == mail_account.password


def test_a_new_mailbox_needs_a_password(
    cast: Cast, client_as: ClientAs, mail_account: MailAccount
) -> None:
    response = client_as(cast.admin).post(
        mailbox_url(cast), {**form_data(mail_account, password=""), "save": ""}
    )
    assert response.status_code == 400
    assert not Mailbox.objects.exists()


def test_connection_test_reports_the_message_count_and_saves_nothing(
    cast: Cast,
    client_as: ClientAs,
    mail_account: MailAccount,
    deliver: Deliver,
) -> None:
    for number in range(2):
        deliver(mail_account, f"Subject: Test {number}\r\n\r\nHallo\r\n".encode())

    response = client_as(cast.admin).post(
        mailbox_url(cast), {**form_data(mail_account), "test": ""}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Verbindung erfolgreich: 2 Nachrichten im Ordner „INBOX“." in page
    assert "kern-alert--success" in page
    assert not Mailbox.objects.exists()


def test_connection_test_uses_the_stored_password_and_changes_nothing(
    cast: Cast,
    client_as: ClientAs,
    mail_account: MailAccount,
) -> None:
    Mailbox.objects.create(
        site=cast.site_a,
        host=mail_account.host,
        port=mail_account.port,
        security=Mailbox.Security.PLAIN,
        username=mail_account.username,
        password=mail_account.password,
    )
    response = client_as(cast.admin).post(
        mailbox_url(cast),
        {**form_data(mail_account, password="", folder="INBOX", done_folder="Fertig"), "test": ""},
    )
    assert "Verbindung erfolgreich: 0 Nachrichten" in response.content.decode()
    assert Mailbox.objects.get().done_folder == ""


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "falsch"}, "Anmeldung fehlgeschlagen"),
        ({"port": 1}, "Der Server ist nicht erreichbar"),
        ({"folder": "Gibt es nicht"}, "aber der Ordner „Gibt es nicht“ lässt sich nicht"),
    ],
    ids=["wrong-password", "unreachable-port", "missing-folder"],
)
def test_connection_test_reports_a_failure_in_german(
    cast: Cast,
    client_as: ClientAs,
    mail_account: MailAccount,
    overrides: dict[str, Any],
    message: str,
) -> None:
    response = client_as(cast.admin).post(
        mailbox_url(cast), {**form_data(mail_account, **overrides), "test": ""}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "kern-alert--danger" in page
    assert not Mailbox.objects.exists()


def test_connection_test_over_imaps_with_the_system_cas_reports_the_certificate(
    cast: Cast, client_as: ClientAs, mail_account: MailAccount, dovecot: Dovecot
) -> None:
    response = client_as(cast.admin).post(
        mailbox_url(cast),
        {
            **form_data(mail_account, port=dovecot.imaps_port, security=Mailbox.Security.SSL),
            "test": "",
        },
    )
    assert "Die verschlüsselte Verbindung ist fehlgeschlagen" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["coordinator", "school_contact_a", "supporter", "other_coordinator", "outsider"]
)
def test_mailbox_pages_are_for_admins_only(
    cast: Cast, client_as: ClientAs, mail_account: MailAccount, name: str
) -> None:
    client = client_as(getattr(cast, name))
    assert client.get(f"/organisation/{cast.organisation.slug}/postfaecher/").status_code == 404
    assert client.get(mailbox_url(cast)).status_code == 404
    response = client.post(mailbox_url(cast), {**form_data(mail_account), "save": ""})
    assert response.status_code == 404
    assert not Mailbox.objects.exists()


def test_mailbox_list_shows_the_sites_to_the_admin(cast: Cast, client_as: ClientAs) -> None:
    page = client_as(cast.admin).get(f"/organisation/{cast.organisation.slug}/postfaecher/")
    assert page.status_code == 200
    assert cast.site_a.name in page.content.decode()
    assert cast.site_b.name in page.content.decode()


# --- quarantine -------------------------------------------------------------------------------


@pytest.fixture
def quarantined(cast: Cast) -> InboundMail:
    result = intake.mail_import(
        site=cast.site_a,
        raw=corpus_mail("quarantine_unknown_charset", site_address=cast.site_a.email),
    )
    assert result.mail.outcome == Outcome.QUARANTINE
    return result.mail


def test_coordinators_see_the_quarantine_of_their_site(
    cast: Cast, client_as: ClientAs, quarantined: InboundMail
) -> None:
    listing = client_as(cast.coordinator).get("/koordination/quarantaene/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert quarantined.sender in page
    assert "Unbekannter Zeichensatz (charset)" in page
    assert f"/koordination/quarantaene/{quarantined.pk}/" in page

    detail = client_as(cast.coordinator).get(f"/koordination/quarantaene/{quarantined.pk}/")
    assert detail.status_code == 200
    assert "Unbekannter Zeichensatz (charset)" in detail.content.decode()


@pytest.mark.parametrize("name", ["other_coordinator", "school_contact_a", "supporter", "admin"])
def test_others_do_not_see_the_quarantine(
    cast: Cast, client_as: ClientAs, quarantined: InboundMail, name: str
) -> None:
    client = client_as(getattr(cast, name))
    listing = client.get("/koordination/quarantaene/")
    assert listing.status_code == 404 or quarantined.sender not in listing.content.decode()
    assert client.get(f"/koordination/quarantaene/{quarantined.pk}/").status_code == 404
    response = client.post(f"/koordination/quarantaene/{quarantined.pk}/", {"decision": "discard"})
    assert response.status_code == 404
    assert InboundMail.objects.get(pk=quarantined.pk).outcome == Outcome.QUARANTINE


@pytest.mark.parametrize("with_school", [True, False], ids=["with-school", "school-later"])
def test_taking_a_quarantined_mail_as_a_request(
    cast: Cast, client_as: ClientAs, quarantined: InboundMail, with_school: bool
) -> None:
    client = client_as(cast.coordinator)
    data = {"decision": "accept", "school": cast.school_a.pk if with_school else ""}

    response = client.post(f"/koordination/quarantaene/{quarantined.pk}/", data)

    mail = InboundMail.objects.get(pk=quarantined.pk)
    assert mail.outcome == Outcome.REQUEST
    sr = mail.request
    assert sr is not None
    assert response.status_code == 302
    assert response["Location"] == f"/anfragen/{sr.pk}/"
    assert sr.school == (cast.school_a if with_school else None)
    assert sr.site == cast.site_a
    assert sr.contact_email == quarantined.sender
    assert sr.channel == SupportRequest.Channel.EMAIL
    assert sr.text.strip()
    assert client.get(f"/anfragen/{sr.pk}/").status_code == 200
    # It left the quarantine.
    assert quarantined.sender not in client.get("/koordination/quarantaene/").content.decode()
    assert client.get(f"/koordination/quarantaene/{quarantined.pk}/").status_code == 404


def test_discarding_a_quarantined_mail_deletes_its_content_for_good(
    cast: Cast, client_as: ClientAs, quarantined: InboundMail
) -> None:
    raw = bytes(InboundMail.objects.get(pk=quarantined.pk).raw)
    client = client_as(cast.coordinator)

    response = client.post(f"/koordination/quarantaene/{quarantined.pk}/", {"decision": "discard"})

    assert response.status_code == 302
    mail = InboundMail.objects.get(pk=quarantined.pk)
    assert mail.outcome == Outcome.DISCARDED
    assert mail.raw is None
    assert InboundMail.objects.filter(pk=mail.pk).values_list("raw", flat=True).get() is None
    assert client.get(f"/koordination/quarantaene/{quarantined.pk}/").status_code == 404

    again = intake.mail_import(site=cast.site_a, raw=raw)
    assert not again.created
    assert again.mail.pk == mail.pk
    assert InboundMail.objects.get(pk=mail.pk).outcome == Outcome.DISCARDED
    assert InboundMail.objects.count() == 1


def test_an_oversize_mail_can_be_taken_as_a_request_with_what_was_kept(
    cast: Cast, client_as: ClientAs
) -> None:
    result = intake.mail_import(
        site=cast.site_a, raw=corpus_mail("quarantine_oversize", max_size=MAX_SIZE)
    )
    assert result.mail.outcome == Outcome.QUARANTINE
    client = client_as(cast.coordinator)
    assert "Zu groß (size)" in client.get("/koordination/quarantaene/").content.decode()

    client.post(f"/koordination/quarantaene/{result.mail.pk}/", {"decision": "accept"})

    sr = InboundMail.objects.get(pk=result.mail.pk).request
    assert sr is not None
    assert sr.subject == "Präsentation zur Schulentwicklung"


# --- attachments ------------------------------------------------------------------------------


ATTACHED_PDF = b"%PDF-1.4\n% Konzept Teamentwicklung\n%%EOF\n"


@pytest.fixture
def attachment(cast: Cast) -> Attachment:
    """A mail from school A's contact with a PDF, so the request belongs to school A."""
    import base64

    raw = (
        b"From: Sabine Schulz <leitung@schule-a.example>\r\nTo: dresden@lasub.example\r\n"
        b"Subject: Konzept\r\nMessage-ID: <konzept.1@schule-a.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAnbei unser Konzept.\r\n"
        b'--b1\r\nContent-Type: application/pdf; name="Konzept.pdf"\r\n'
        b'Content-Disposition: attachment; filename="Konzept \xc3\xbcberarbeitet.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(ATTACHED_PDF).replace(b"\n", b"\r\n")
        + b"--b1--\r\n"
    )
    result = intake.mail_import(site=cast.site_a, raw=raw)
    assert result.mail.request is not None
    assert result.mail.request.school == cast.school_a
    return Attachment.objects.get(mail=result.mail)


@pytest.mark.parametrize("name", ["school_contact_a", "coordinator"])
def test_attachment_download_for_the_school_and_the_coordination(
    cast: Cast, client_as: ClientAs, attachment: Attachment, name: str
) -> None:
    response = client_as(getattr(cast, name)).get(
        f"/anfragen/{attachment.request_id}/anhaenge/{attachment.pk}/"
    )
    assert response.status_code == 200
    assert response.content == ATTACHED_PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "berarbeitet.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name", ["school_contact_b", "other_coordinator", "supporter", "outsider", "admin"]
)
def test_attachment_download_is_404_for_others(
    cast: Cast, client_as: ClientAs, attachment: Attachment, name: str
) -> None:
    response = client_as(getattr(cast, name)).get(
        f"/anfragen/{attachment.request_id}/anhaenge/{attachment.pk}/"
    )
    assert response.status_code == 404


def test_an_attachment_is_not_reachable_through_another_request(
    cast: Cast, client_as: ClientAs, attachment: Attachment
) -> None:
    other = bring_to_state(cast, State.RECEIVED)
    response = client_as(cast.coordinator).get(f"/anfragen/{other.pk}/anhaenge/{attachment.pk}/")
    assert response.status_code == 404


def test_the_request_page_lists_the_attachment(
    cast: Cast, client_as: ClientAs, attachment: Attachment
) -> None:
    page = client_as(cast.school_contact_a).get(f"/anfragen/{attachment.request_id}/")
    assert f"/anfragen/{attachment.request_id}/anhaenge/{attachment.pk}/" in page.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(
    client_as: ClientAs, attachment: Attachment
) -> None:
    response = client_as(None).get(f"/anfragen/{attachment.request_id}/anhaenge/{attachment.pk}/")
    assert response.status_code == 302


# --- bounce and badge -------------------------------------------------------------------------


def test_the_outbox_page_shows_why_a_mail_bounced(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACKNOWLEDGED)
    sent = OutboxMessage.objects.filter(reference=f"support.SupportRequest:{sr.pk}").latest("pk")
    raw = corpus_mail(
        "bounce_dsn_rfc822_headers",
        site_address=cast.site_a.email,
        lotse_message_id=sent.message_id,
        request_token=sr.token,
    )
    intake.mail_import(site=cast.site_a, raw=raw)

    page = client_as(cast.coordinator).get(f"/postausgang/{sent.pk}/").content.decode()

    assert "nicht zugestellt" in page
    assert "Mailbox full - quota exceeded" in page


def test_the_inbox_asks_to_assign_the_school_of_an_unknown_sender(
    cast: Cast, client_as: ClientAs
) -> None:
    raw = corpus_mail("charset_utf8_8bit", site_address=cast.site_a.email)
    sr = intake.mail_import(site=cast.site_a, raw=raw).mail.request
    assert sr is not None
    assert sr.school is None

    page = client_as(cast.coordinator).get("/koordination/").content.decode()
    assert "Schule zuordnen" in page
    assert "schulleitung@125gs-dresden.example" in page
    assert f"/anfragen/{sr.pk}/" in page

    detail = client_as(cast.coordinator).get(f"/anfragen/{sr.pk}/").content.decode()
    assert "Schule zuordnen" in detail
    assert "/schritt/assign_school/" in detail
