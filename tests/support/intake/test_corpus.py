"""The mail corpus checked against the standard library alone (no Lotse code).

This shows the expectations in corpus.py are honest: whatever a mail is expected to yield can be
read out of it with `email` + `html.parser`, and every quarantine mail is broken the way it says.

Decoding rules used here (what any careful reader must do, too):
* a text part without charset (or labelled us-ascii) holding 8-bit bytes: UTF-8, else cp1252;
* the label iso-8859-1 is read as windows-1252 (WHATWG Encoding Standard; Outlook relies on it);
* subjects are compared with whitespace collapsed (Python's own folder can produce a double
  space when it re-folds a long subject, see corpus.subject_very_long).
"""

from __future__ import annotations

import codecs
import email
import re
from collections import Counter
from collections.abc import Iterator
from email import errors, policy
from email.message import EmailMessage, Message
from html.parser import HTMLParser

import pytest

from tests.support.intake.corpus import KINDS, UMLAUTE, CorpusMail, build_corpus

SITE = "dresden@lasub.example"
LOTSE_ID = "<lotse.1.abc@lotse.localhost>"
TOKEN = "A7K2M9"
MAX_SIZE = 2_000_000

CORPUS = build_corpus()
BY_NAME = {mail.name: mail for mail in CORPUS}


def _parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _norm(text: str) -> str:
    return " ".join(text.split())


def _leaves(part: Message) -> Iterator[Message]:
    """Leaf parts; message/* (forwarded mail, delivery status) counts as one leaf."""
    if part.get_content_maintype() == "message" or not part.is_multipart():
        yield part
        return
    payload = part.get_payload()
    assert isinstance(payload, list)
    for sub in payload:
        yield from _leaves(sub)


def _is_body(part: Message) -> bool:
    return (
        part.get_content_type() in {"text/plain", "text/html"}
        and part.get_content_disposition() != "attachment"
        and not part.get_filename()
    )


def _decode(part: Message) -> str:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    charset = part.get_content_charset() or ""
    if charset in {"", "us-ascii", "ascii"}:
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252")
    if codecs.lookup(charset).name in {"latin-1", "iso8859-1"}:
        charset = "cp1252"
    return payload.decode(charset)


class _HTMLText(HTMLParser):
    SKIP = frozenset({"style", "script", "title"})
    BLOCK = frozenset({"br", "p", "div", "td", "tr", "li", "table", "h1", "h2", "h3"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping -= 1
        elif tag in self.BLOCK:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.chunks.append(data)


def _html_text(html: str) -> str:
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    return "".join(parser.chunks)


def _readable(msg: Message) -> str:
    """All readable text of the message itself: its text parts, HTML without tags and styles."""
    texts = []
    for part in _leaves(msg):
        if _is_body(part):
            text = _decode(part)
            texts.append(_html_text(text) if part.get_content_subtype() == "html" else text)
    return _norm("\n".join(texts))


def _attachments(msg: Message) -> list[str]:
    names = []
    for part in _leaves(msg):
        if part is msg or _is_body(part):
            continue
        filename = part.get_filename()
        assert filename, f"attachment without a name: {part.get_content_type()}"
        names.append(filename)
    return sorted(names)


def _sender(msg: Message) -> str:
    return msg["From"].addresses[0].addr_spec.lower()


def _headers_referring(msg: Message) -> str:
    return " ".join(str(msg.get(name, "")) for name in ("In-Reply-To", "References"))


def _auto_markers(msg: Message) -> list[str]:
    found = []
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        found.append("Auto-Submitted")
    if str(msg.get("Precedence", "")).strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
        found.append("Precedence")
    for name in ("X-Autoreply", "X-Auto-Response-Suppress"):
        if name in msg:
            found.append(name)
    return found


def _returned_message_id(msg: Message) -> str:
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            return str(part.get_payload()[0]["Message-ID"])
        if ctype == "text/rfc822-headers":
            return str(_parse(part.get_payload(decode=True))["Message-ID"])
    found = re.search(r"^Message-ID:\s*(<[^>]+>)", _readable_lines(msg), re.MULTILINE)
    return found.group(1) if found else ""


def _readable_lines(msg: Message) -> str:
    return "\n".join(_decode(p) for p in _leaves(msg) if _is_body(p))


def _all_part_defects(msg: Message) -> list[str]:
    return [type(d).__name__ for part in msg.walk() for d in part.defects]


# --------------------------------------------------------------------------- the corpus itself


def test_size_names_ids_and_kinds() -> None:
    assert len(CORPUS) >= 36
    assert len(BY_NAME) == len(CORPUS)
    # strip(): Python folds a long Message-ID onto the next line and keeps the leading space.
    ids = [str(_parse(m.raw)["Message-ID"]).strip() for m in CORPUS]
    assert all(re.fullmatch(r"<[^<>\s]+@[^<>\s]+>", i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert LOTSE_ID not in ids
    kinds = Counter(m.expected.kind for m in CORPUS)
    assert set(kinds) == set(KINDS)
    assert all(m.expected.kind in KINDS for m in CORPUS)


def test_every_mail_has_date_and_is_small() -> None:
    for mail in CORPUS:
        assert _parse(mail.raw)["Date"].datetime is not None, mail.name
        if mail.expected.reason_contains != "size":
            assert len(mail.raw) < 16_000, mail.name
    assert sum(len(m.raw) for m in CORPUS if m.expected.reason_contains != "size") < 100_000


def test_deterministic() -> None:
    assert [m.raw for m in build_corpus()] == [m.raw for m in CORPUS]


def test_arguments_flow_into_the_mails() -> None:
    other = build_corpus(
        site_address="leipzig@lasub.example",
        lotse_message_id="<x.9@lotse.test>",
        request_token="QX7R2P9B",
        max_size=50_000,
    )
    names = {m.name: m for m in other}
    assert names["auto_loop_from_site"].expected.sender == "leipzig@lasub.example"
    assert names["reply_in_reply_to"].expected.refers_to == "<x.9@lotse.test>"
    assert names["reply_token_in_subject"].expected.subject == "AW: Ihre Anfrage [#QX7R2P9B]"
    assert 50_000 < len(names["quarantine_oversize"].raw) < 80_000
    for mail in other:
        assert b"A7K2M9" not in mail.raw
        assert b"lotse.1.abc" not in mail.raw
        assert mail.expected.kind != "bounce" or mail.expected.refers_to == "<x.9@lotse.test>"
    assert _returned_message_id(_parse(names["bounce_exchange_ndr"].raw)) == "<x.9@lotse.test>"


# --------------------------------------------------------------------------- mail by mail

READABLE = [m for m in CORPUS if m.expected.kind != "quarantine"]


@pytest.mark.parametrize("mail", READABLE, ids=[m.name for m in READABLE])
def test_readable_mail_yields_what_is_expected(mail: CorpusMail) -> None:
    msg = _parse(mail.raw)
    expected = mail.expected
    assert _all_part_defects(msg) == []
    assert _sender(msg) == expected.sender
    assert _norm(str(msg.get("Subject", ""))) == expected.subject
    text = _readable(msg)
    for fragment in expected.body_contains:
        assert _norm(fragment) in text, fragment
    for fragment in expected.body_excludes:
        assert fragment not in text, fragment
    if expected.kind in {"request", "reply"}:
        assert _attachments(msg) == sorted(expected.attachments)
    else:
        assert expected.attachments == ()


REQUESTS = [m for m in CORPUS if m.expected.kind == "request"]


@pytest.mark.parametrize("mail", REQUESTS, ids=[m.name for m in REQUESTS])
def test_request_carries_no_sign_of_anything_else(mail: CorpusMail) -> None:
    msg = _parse(mail.raw)
    assert _auto_markers(msg) == []
    assert msg.get_content_type() != "multipart/report"
    assert LOTSE_ID not in _headers_referring(msg)
    assert f"[#{TOKEN}]" not in str(msg.get("Subject", ""))
    assert _sender(msg) != SITE
    assert mail.expected.refers_to == ""


def test_charset_mails_carry_every_umlaut() -> None:
    charset_mails = [m for m in CORPUS if m.name.startswith(("charset_", "html_"))]
    assert len(charset_mails) >= 10
    for mail in charset_mails:
        assert UMLAUTE in mail.expected.body_contains, mail.name
        assert all(letter in _readable(_parse(mail.raw)) for letter in "äöüßÄÖÜ"), mail.name


def test_encodings_are_really_used() -> None:
    def raw(name: str) -> bytes:
        return BY_NAME[name].raw

    assert b"Content-Transfer-Encoding: quoted-printable" in raw("charset_utf8_quoted_printable")
    assert b"=\n" in raw("charset_utf8_quoted_printable").replace(b"\r\n", b"\n")
    assert b"Content-Transfer-Encoding: base64" in raw("charset_utf8_base64")
    assert b"\xe4" in raw("charset_iso8859_1")  # ä as a Latin-1 byte
    assert b"=A4" in raw("charset_iso8859_15_euro")  # € in ISO-8859-15
    assert b"=80" in raw("charset_windows_1252")  # € in Windows-1252
    assert b"=84" in raw("charset_windows_1252")  # „
    no_charset = _parse(raw("charset_missing_latin1_bytes"))
    assert str(no_charset["Content-Type"]) == "text/plain"
    assert b"\xfc" in no_charset.get_payload(decode=True)
    subject = raw("subject_encoded_words_b_q_mixed_folded").split(b"Subject: ", 1)[1]
    subject = subject.split(b"\r\nDate:", 1)[0]
    for marker in (b"=?UTF-8?B?", b"=?ISO-8859-1?Q?", b"=?windows-1252?Q?", b"\r\n "):
        assert marker in subject
    assert b"filename*0*=UTF-8''" in raw("attachment_rfc2231_utf8_continuation")
    assert b'filename="=?UTF-8?B?' in raw("attachment_encoded_word_filename_docx")
    assert b"filename*=ISO-8859-1''" in raw("attachment_iso8859_1_filenames_image")


def test_apple_mail_structure() -> None:
    msg = _parse(BY_NAME["apple_mail_inline_image_and_pdf"].raw)
    assert msg.get_content_type() == "multipart/mixed"
    alternative = msg.get_payload()[0]
    assert alternative.get_content_type() == "multipart/alternative"
    image = next(p for p in msg.walk() if p.get_content_type() == "image/png")
    cid = str(image["Content-Id"]).strip("<>")
    html = msg.get_body(preferencelist=("html",))
    assert html is not None
    assert f"cid:{cid}" in html.get_content()


def test_forwarded_message_is_an_attachment_not_the_text() -> None:
    msg = _parse(BY_NAME["forward_as_message_rfc822"].raw)
    forwarded = next(p for p in msg.walk() if p.get_content_type() == "message/rfc822")
    assert str(forwarded.get_payload()[0]["Subject"]) == "Konflikt Klasse 6b"
    assert "machen uns große Sorgen" not in _readable(msg)


REPLIES = [m for m in CORPUS if m.expected.kind == "reply"]


@pytest.mark.parametrize("mail", REPLIES, ids=[m.name for m in REPLIES])
def test_reply_refers_to_lotse(mail: CorpusMail) -> None:
    msg = _parse(mail.raw)
    assert _auto_markers(msg) == []
    if mail.expected.refers_to:
        assert mail.expected.refers_to == LOTSE_ID
        assert LOTSE_ID in _headers_referring(msg)
    else:
        assert _headers_referring(msg).strip() == ""
        assert f"[#{TOKEN}]" in mail.expected.subject


def test_reply_variants() -> None:
    only_refs = _parse(BY_NAME["reply_references_only"].raw)
    assert "In-Reply-To" not in only_refs
    assert len(str(only_refs["References"]).split()) == 3


AUTO = [m for m in CORPUS if m.expected.kind == "auto_reply"]


@pytest.mark.parametrize("mail", AUTO, ids=[m.name for m in AUTO])
def test_auto_reply_has_a_marker(mail: CorpusMail) -> None:
    msg = _parse(mail.raw)
    markers = _auto_markers(msg)
    if mail.name == "auto_loop_from_site":
        assert markers == []
        assert _sender(msg) == SITE
    else:
        assert len(markers) == 1, markers


def test_each_auto_marker_is_covered() -> None:
    found = Counter(marker for m in AUTO for marker in _auto_markers(_parse(m.raw)))
    assert set(found) == {"Auto-Submitted", "Precedence", "X-Autoreply", "X-Auto-Response-Suppress"}
    precedences = {str(_parse(m.raw).get("Precedence", "")) for m in AUTO}
    assert {"bulk", "auto_reply"} <= precedences


BOUNCES = [m for m in CORPUS if m.expected.kind == "bounce"]


@pytest.mark.parametrize("mail", BOUNCES, ids=[m.name for m in BOUNCES])
def test_bounce_returns_the_lotse_mail(mail: CorpusMail) -> None:
    msg = _parse(mail.raw)
    assert mail.expected.refers_to == LOTSE_ID
    assert _returned_message_id(msg) == LOTSE_ID
    is_report = msg.get_content_type() == "multipart/report"
    if is_report:
        assert msg.get_param("report-type") == "delivery-status"
        assert any(p.get_content_type() == "message/delivery-status" for p in msg.walk())
    local = _sender(msg).split("@", 1)[0]
    assert is_report or local == "mailer-daemon"


# --------------------------------------------------------------------------- quarantine

QUARANTINE = [m for m in CORPUS if m.expected.kind == "quarantine"]


def test_quarantine_reasons_are_covered() -> None:
    reasons = Counter(m.expected.reason_contains for m in QUARANTINE)
    assert reasons == Counter({"charset": 1, "MIME": 2, "size": 1, "sender": 1, "text": 1})


@pytest.mark.parametrize("mail", QUARANTINE, ids=[m.name for m in QUARANTINE])
def test_quarantine_mail_is_broken_as_stated(mail: CorpusMail) -> None:
    msg = _parse(mail.raw)  # never raises: the stdlib parser registers defects instead
    expected = mail.expected
    assert _norm(str(msg.get("Subject", ""))) == expected.subject
    reason = expected.reason_contains
    if reason != "sender":
        assert _sender(msg) == expected.sender
    if reason != "size":
        assert len(mail.raw) < MAX_SIZE // 100
    defects = _all_part_defects(msg)
    if reason == "charset":
        charsets = [p.get_content_charset() for p in msg.walk() if p.get_content_charset()]
        assert charsets == ["x-unknown-8bit-foo"]
        with pytest.raises(LookupError):
            codecs.lookup(charsets[0])
        with pytest.raises(LookupError):
            msg.get_content()
        assert defects == []
    elif reason == "MIME":
        assert isinstance(
            msg.defects[0], errors.NoBoundaryInMultipartDefect | errors.StartBoundaryNotFoundDefect
        )
        assert any(isinstance(d, errors.MultipartInvariantViolationDefect) for d in msg.defects)
    elif reason == "size":
        assert len(mail.raw) > MAX_SIZE
        assert len(mail.raw) < MAX_SIZE * 1.1
        assert defects == []
        assert _attachments(msg) == sorted(expected.attachments)
        for fragment in expected.body_contains:
            assert fragment in _readable(msg)
    elif reason == "sender":
        assert "From" not in msg
        assert "Sender" not in msg
        assert "Reply-To" not in msg
        assert defects == []
    elif reason == "text":
        assert defects == []
        assert _readable(msg) == ""
        assert _attachments(msg) == []
        # The base64 defect only appears once the payload is decoded.
        assert [type(d).__name__ for p in msg.walk() for d in p.defects] == [
            "InvalidBase64CharactersDefect"
        ]
    else:  # pragma: no cover - a new reason needs a check here
        pytest.fail(f"unchecked reason {reason!r}")
