"""Mail as real clients write it (issue 11): the request keeps every text part, survives a
malformed Content-Type and a wrong charset, and refuses a payload that cannot be decoded."""

from __future__ import annotations

import pytest
from django.utils import translation

from lotse.core.models import OutboxMessage
from lotse.support.mail import intake
from lotse.support.mail.intake import parse_headers
from lotse.support.mail.parse import Unreadable, parse
from lotse.support.models import InboundMail, SupportRequest
from tests.factories import Cast

HEAD = (
    "From: Schule Am Park <leitung@schule-am-park.example>\r\n"
    "To: dresden@lasub.example\r\n"
    "Subject: Bitte um Beratung\r\n"
    "Message-ID: <real-1@schule-am-park.example>\r\n"
    "Date: Mon, 07 Dec 2026 09:00:00 +0100\r\n"
    "MIME-Version: 1.0\r\n"
)


def mixed(*parts: str) -> bytes:
    body = "".join(f"--b1\r\n{part}\r\n" for part in parts)
    return (
        HEAD + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n' + body + "--b1--\r\n"
    ).encode()


def text_part(text: str) -> str:
    return f"Content-Type: text/plain; charset=us-ascii\r\n\r\n{text}\r\n"


PDF = (
    "Content-Type: application/pdf; name=Konzept.pdf\r\n"
    "Content-Disposition: inline; filename=Konzept.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
)


def test_text_after_an_inline_attachment_belongs_to_the_request() -> None:
    parsed = parse(mixed(text_part("Erster Teil."), PDF, text_part("Zweiter Teil nach dem PDF.")))
    assert parsed.text == "Erster Teil.\n\nZweiter Teil nach dem PDF."
    assert [a.filename for a in parsed.attachments] == ["Konzept.pdf"]
    assert parsed.attachments[0].content == b"%PDF-1.4\n"


def test_alternatives_count_once_and_later_text_follows() -> None:
    alternative = (
        'Content-Type: multipart/alternative; boundary="b2"\r\n\r\n'
        "--b2\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHallo als Text.\r\n"
        "--b2\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<p>Hallo als HTML.</p>\r\n"
        "--b2--"
    )
    parsed = parse(mixed(alternative, PDF, text_part("Gruss, Ute")))
    assert parsed.text == "Hallo als Text.\n\nGruss, Ute"
    assert [a.filename for a in parsed.attachments] == ["Konzept.pdf"]


def test_an_attached_text_file_stays_an_attachment() -> None:
    notes = (
        "Content-Type: text/plain; charset=us-ascii\r\n"
        'Content-Disposition: attachment; filename="Notizen.txt"\r\n\r\nNur Notizen\r\n'
    )
    parsed = parse(mixed(text_part("Anbei die Notizen."), notes))
    assert parsed.text == "Anbei die Notizen."
    assert [a.filename for a in parsed.attachments] == ["Notizen.txt"]


# --- a malformed Content-Type ------------------------------------------------------------------


def single(content_type: str, body: bytes, *, cte: str = "8bit") -> bytes:
    return (
        HEAD.encode()
        + f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n".encode()
        + body
        + b"\r\n"
    )


def test_a_content_type_without_semicolon_is_read_as_mail_clients_do() -> None:
    parsed = parse(single("text/plain charset=UTF-8", "Grüße aus Dresden".encode()))
    assert parsed.text == "Grüße aus Dresden"
    assert parsed.attachments == []


def test_missing_semicolons_in_a_part_and_between_parameters() -> None:
    part = (
        "Content-Type: text/plain charset=iso-8859-1 format=flowed\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe\r\n"
    )
    parsed = parse(mixed(part, PDF))
    assert parsed.text == "Grüße"
    assert [a.filename for a in parsed.attachments] == ["Konzept.pdf"]


def test_an_unrecoverable_content_type_goes_to_quarantine_not_into_a_fake_attachment() -> None:
    with pytest.raises(Unreadable, match="Content-Type"):
        parse(single("text/plain charset", b"Hallo"))


def test_the_quarantine_reason_is_german() -> None:
    with translation.override("de"), pytest.raises(Unreadable, match="Unlesbarer Inhaltstyp"):
        parse(single("text/plain charset", b"Hallo"))


# --- a wrong declared charset ------------------------------------------------------------------


def test_windows_1252_declared_as_utf8_keeps_its_umlauts() -> None:
    parsed = parse(
        single("text/plain; charset=utf-8", "Grüße „aus“ Görlitz – 5 €".encode("cp1252"))
    )
    assert parsed.text == "Grüße „aus“ Görlitz – 5 €"


def test_a_correct_declaration_is_still_decoded_as_declared() -> None:
    parsed = parse(single("text/plain; charset=koi8-r", "Привет".encode("koi8-r")))
    assert parsed.text == "Привет"
    parsed = parse(single("text/plain; charset=utf-8", "Grüße".encode()))
    assert parsed.text == "Grüße"


def test_header_lines_with_raw_latin1_bytes() -> None:
    raw = (
        b"From: J\xfcrgen M\xfcller <j.mueller@schule.example>\r\n"
        b"Subject: Gr\xfc\xdfe und Bitte um R\xfcckruf\r\n"
        b"Message-ID: <latin@schule.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nText\r\n"
    )
    parsed = parse(raw)
    assert parsed.subject == "Grüße und Bitte um Rückruf"
    assert parsed.sender_name == "Jürgen Müller"
    assert parsed.sender == "j.mueller@schule.example"


def test_header_lines_in_raw_utf8_stay_as_they_are() -> None:
    raw = HEAD.replace("Bitte um Beratung", "Grüße aus Görlitz").encode() + b"\r\nText\r\n"
    assert parse(raw).subject == "Grüße aus Görlitz"


def test_the_quarantine_list_shows_raw_latin1_headers_readably() -> None:
    raw = b"From: J\xfcrgen <j@schule.example>\r\nSubject: Gr\xfc\xdfe\r\n\r\n"
    assert parse_headers(raw) == ("j@schule.example", "Grüße", "")


# --- display names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "from_line",
    [
        "=?utf-8?q?Standort_Dresde?= =?utf-8?q?n?= <dresden@lasub.example>",
        "=?utf-8?b?U3RhbmRvcnQgRHJlc2Rl?=\r\n =?utf-8?b?bg==?= <dresden@lasub.example>",
        '"=?utf-8?q?Standort_Dresde?= =?utf-8?q?n?=" <dresden@lasub.example>',
    ],
)
def test_split_encoded_words_make_one_name(from_line: str) -> None:
    raw = f"From: {from_line}\r\nSubject: Hallo\r\n\r\nText\r\n".encode()
    parsed = parse(raw)
    assert parsed.sender_name == "Standort Dresden"
    assert parsed.sender == "dresden@lasub.example"


def test_encoded_words_separated_by_plain_words_keep_their_spaces() -> None:
    raw = b"From: =?utf-8?q?J=C3=BCrgen?= Meier <j@schule.example>\r\n\r\nText\r\n"
    assert parse(raw).sender_name == "Jürgen Meier"


# --- corrupt base64 -----------------------------------------------------------------------------


def pdf(encoded: str) -> str:
    return PDF.replace("JVBERi0xLjQK", encoded)


def test_undecodable_base64_in_an_attachment_goes_to_quarantine() -> None:
    with translation.override("de"), pytest.raises(Unreadable, match=r"Konzept\.pdf") as refused:
        parse(mixed(text_part("Anbei das Konzept."), pdf("JVBERi0xLjQKJ")))
    assert "base64" in str(refused.value)
    assert "kann nicht dekodiert werden" in str(refused.value)


def test_undecodable_base64_in_the_text_goes_to_quarantine() -> None:
    with pytest.raises(Unreadable, match="base64"):
        parse(single("text/plain; charset=utf-8", b"SGFsbG8gV2Vsd", cte="base64"))


def test_base64_with_missing_padding_or_line_breaks_is_still_decoded() -> None:
    parsed = parse(mixed(text_part("Anbei."), pdf("JVBERi0x\r\nLjQK"), text_part("Gruss")))
    assert parsed.attachments[0].content == b"%PDF-1.4\n"
    parsed = parse(mixed(text_part("Anbei."), pdf("JVBERi0xLjQ")))
    assert parsed.attachments[0].content == b"%PDF-1.4"


# --- the same message via a backup MX ------------------------------------------------------------


def test_a_redelivery_with_another_received_line_is_one_request_and_one_notice(
    cast: Cast,
) -> None:
    raw = HEAD.encode() + b"Content-Type: text/plain; charset=utf-8\r\n\r\nBitte um Hilfe.\r\n"
    first = intake.mail_import(site=cast.site_a, raw=raw)
    assert first.mail.outcome == InboundMail.Outcome.REQUEST
    requests, notices = SupportRequest.objects.count(), OutboxMessage.objects.count()

    again = b"Received: from backup-mx.lasub.example by mx.lasub.example\r\n" + raw
    second = intake.mail_import(site=cast.site_a, raw=again)

    assert not second.created
    assert second.mail.pk == first.mail.pk
    assert SupportRequest.objects.count() == requests
    assert OutboxMessage.objects.count() == notices
    assert InboundMail.objects.count() == 1


def test_the_same_message_id_from_another_sender_is_another_mail(cast: Cast) -> None:
    raw = HEAD.encode() + b"Content-Type: text/plain; charset=utf-8\r\n\r\nBitte um Hilfe.\r\n"
    intake.mail_import(site=cast.site_a, raw=raw)
    other = raw.replace(b"leitung@schule-am-park.example", b"sekretariat@schule-am-park.example")
    assert intake.mail_import(site=cast.site_a, raw=other).created


# --- Lotse's own addresses ----------------------------------------------------------------------


def test_mail_from_the_organisations_sending_address_is_lotses_own(cast: Cast) -> None:
    organisation = cast.site_a.organisation
    organisation.mail_from = "Lotse@LaSuB-Beratung.example"
    organisation.save()
    requests = SupportRequest.objects.count()
    raw = (
        b"From: LaSuB Beratung <lotse@lasub-beratung.example>\r\nTo: dresden@lasub.example\r\n"
        b"Subject: Neue Anfrage eingegangen\r\nMessage-ID: <own-1@lasub-beratung.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nEine neue Anfrage ist eingegangen.\r\n"
    )

    result = intake.mail_import(site=cast.site_a, raw=raw)

    assert result.mail.outcome == InboundMail.Outcome.AUTO_REPLY
    assert SupportRequest.objects.count() == requests
