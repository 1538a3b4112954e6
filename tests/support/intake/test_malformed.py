"""Whatever arrives, the importer never fails: every message ends as a request, a reply in a
timeline, a recorded bounce, an ignored automatic reply or a quarantine entry with a reason.

Hypothesis builds broken mail: random bytes, truncated corpus mails, mutated header lines,
wrong charsets, broken boundaries and nested multiparts of every kind. Each example runs in a
savepoint that is rolled back, so the examples do not see each other's rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lotse.core.models import OutboxMessage
from lotse.support.mail import intake
from lotse.support.models import InboundMail, State, SupportRequest, TimelineEvent
from tests.factories import Cast, bring_to_state
from tests.helpers import examples
from tests.support.intake.corpus import build_corpus

MAX_SIZE = 2_000_000
TOKEN = "K7M2P9QX"
LOTSE_ID = "<lotse.42.fuzz@lotse.localhost>"
# The corpus as seeds; the 2 MB mail is left out (mutating it would only be slow).
CORPUS = [
    mail
    for mail in build_corpus(request_token=TOKEN, lotse_message_id=LOTSE_ID, max_size=MAX_SIZE)
    if len(mail.raw) < 100_000
]
SEEDS = [mail.raw for mail in CORPUS]
# Replies and bounces are few among the seeds; mutate them on purpose, too.
ANSWERS = [mail.raw for mail in CORPUS if mail.expected.kind in {"reply", "bounce"}]
Outcome = InboundMail.Outcome
SETTLED = {Outcome.REQUEST, Outcome.REPLY, Outcome.AUTO_REPLY, Outcome.BOUNCE, Outcome.QUARANTINE}


# --- strategies -------------------------------------------------------------------------------

HEADER_NAMES = [
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Content-Disposition",
    "Auto-Submitted",
    "Precedence",
    "X-Autoreply",
    "Delivered-To",
]
TRICKY_VALUES = [
    "",
    " ",
    "<>",
    "@",
    '"',
    "\\",
    "=?utf-8?b?!!!?=",
    "=?utf-8?q?=ZZ=?=",
    "=?x-unknown?q?abc?=",
    "=?utf-8?b?w7w=?= =?iso-8859-1?q?=FC?=",
    "=?",
    "?=",
    "multipart/mixed",
    'multipart/mixed; boundary=""',
    'multipart/alternative; boundary="=="',
    "multipart/report; report-type=delivery-status",
    "message/rfc822",
    'text/plain; charset="x-unknown"',
    "text/plain; charset*=utf-8''%FF%FE",
    "text/html; charset=utf-16",
    "application/pdf; name*0*=utf-8''%C3; name*1*=%BC.pdf",
    "attachment; filename*=utf-8''%E2%82",
    'attachment; filename="../../etc/passwd"',
    "base64",
    "quoted-printable",
    "x-uuencode",
    "auto-replied",
    "bulk",
    "Sabine <leitung@schule-a.example>",
    "undisclosed-recipients:;",
    "a@b@c",
    "<" * 50,
    "Gruppe: a@b.example, <c@d.example>;",
    f"AW: Ihre Anfrage [#{TOKEN}]",
    LOTSE_ID,
    f"<x@y.example> {LOTSE_ID}",
    "x" * 1200,
    "Mon, 99 Foo 2025 25:61:61 +9999",
]
CHARSETS = [
    "utf-8",
    "us-ascii",
    "iso-8859-1",
    "windows-1252",
    "utf-16",
    "utf-32",
    "utf-7",
    "iso-2022-jp",
    "koi8-r",
    "x-unknown",
    "",
    '"',
    "utf-8\x00",
    "unicode-1-1-utf-7",
    "rot13",
    "base64",
    "hex",
    "zlib",
    "idna",
    "punycode",
    "uu",
    "bz2",
    "quopri",
    "undefined",
    "mbcs",
]

header_value = st.one_of(
    st.sampled_from(TRICKY_VALUES),
    st.text(max_size=120).map(lambda t: t.replace("\r", " ").replace("\n", " ")),
)
value_bytes = st.one_of(
    header_value.map(lambda v: v.encode("utf-8", "surrogatepass")),
    header_value.map(lambda v: v.encode("latin-1", "replace")),
    st.binary(max_size=80).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
)


def _split(raw: bytes) -> tuple[list[bytes], bytes, bytes]:
    """Header lines, the separator and the body of a raw mail."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        head, found, body = raw.partition(sep)
        if found:
            eol = sep[: len(sep) // 2]
            return head.split(eol), sep, body
    return raw.split(b"\r\n"), b"\r\n\r\n", b""


def _join(lines: list[bytes], sep: bytes, body: bytes) -> bytes:
    eol = sep[: len(sep) // 2]
    return eol.join(lines) + sep + body


@st.composite
def header_mutations(draw: st.DrawFn, seeds: list[bytes] = SEEDS) -> bytes:
    lines, sep, body = _split(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["drop", "duplicate", "replace", "insert", "cut", "fold"]))
        index = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == "drop" and lines:
            del lines[index]
        elif op == "duplicate" and lines:
            lines.insert(index, lines[index])
        elif op == "replace" and lines:
            name = lines[index].split(b":", 1)[0]
            lines[index] = name + b": " + draw(value_bytes)
        elif op == "insert":
            name = draw(st.sampled_from(HEADER_NAMES)).encode()
            lines.insert(index, name + b": " + draw(value_bytes))
        elif op == "cut" and lines:
            line = lines[index]
            lines[index] = line[: draw(st.integers(0, len(line)))]
        elif op == "fold" and lines:
            lines.insert(index + 1, b" " + draw(value_bytes))
    return _join(lines, sep, body)


@st.composite
def truncated(draw: st.DrawFn) -> bytes:
    raw = draw(st.sampled_from(SEEDS))
    return raw[: draw(st.integers(0, len(raw)))]


@st.composite
def byte_flips(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        if not raw:
            break
        raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
    return bytes(raw)


CHARSET_PARAM = re.compile(rb'charset="?[^";\r\n]*"?', re.IGNORECASE)


@st.composite
def wrong_charsets(draw: st.DrawFn) -> bytes:
    raw = draw(st.sampled_from([s for s in SEEDS if CHARSET_PARAM.search(s)]))
    charset = draw(st.one_of(st.sampled_from(CHARSETS), st.text(max_size=20)))
    quoted = charset.replace("\r", "").replace("\n", "").encode("utf-8", "surrogatepass")

    def swap(match: re.Match[bytes]) -> bytes:
        return b'charset="' + quoted + b'"' if draw(st.booleans()) else match.group(0)

    return CHARSET_PARAM.sub(swap, raw)


BOUNDARY_PARAM = re.compile(rb'boundary="?([^";\r\n]+)"?', re.IGNORECASE)


@st.composite
def broken_boundaries(draw: st.DrawFn) -> bytes:
    raw = draw(st.sampled_from([s for s in SEEDS if BOUNDARY_PARAM.search(s)]))
    match = BOUNDARY_PARAM.search(raw)
    assert match is not None
    boundary = match.group(1)
    op = draw(
        st.sampled_from(
            ["rename-declared", "drop-close", "drop-open", "unquote", "empty", "in-body", "same"]
        )
    )
    head, sep, body = raw.partition(b"\r\n\r\n")
    mutated = {
        "rename-declared": lambda: raw.replace(
            match.group(0), b'boundary="other-' + boundary + b'"', 1
        ),
        "drop-close": lambda: raw.replace(b"--" + boundary + b"--", b"", 1),
        "drop-open": lambda: raw.replace(b"--" + boundary + b"\r\n", b"", draw(st.integers(1, 3))),
        "unquote": lambda: raw.replace(match.group(0), b"boundary=" + boundary + b" x", 1),
        "empty": lambda: raw.replace(match.group(0), b'boundary=""', 1),
        "in-body": lambda: head + sep + b"--" + boundary + b"\r\n" + body[: len(body) // 2],
        # Every level of a nested mail gets the same boundary.
        "same": lambda: BOUNDARY_PARAM.sub(lambda _: b'boundary="' + boundary + b'"', raw),
    }
    return mutated[op]()


CTYPES = [
    "text/plain",
    "text/html",
    "text/calendar",
    "application/pdf",
    "application/octet-stream",
    "image/png",
    "message/rfc822",
    "message/delivery-status",
    "text/rfc822-headers",
    "application/ms-tnef",
    "",
]
CTES = ["7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "bogus", ""]


@st.composite
def leaf(draw: st.DrawFn) -> bytes:
    ctype = draw(st.sampled_from(CTYPES))
    headers = []
    if ctype:
        params = ""
        if draw(st.booleans()):
            params += f'; charset="{draw(st.sampled_from(CHARSETS))}"'
        if draw(st.booleans()):
            params += f'; name="{draw(st.text(max_size=30))}"'
        headers.append(f"Content-Type: {ctype}{params}")
    cte = draw(st.sampled_from(CTES))
    if cte:
        headers.append(f"Content-Transfer-Encoding: {cte}")
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["attachment", "inline", "bogus", ""]))
        headers.append(f'Content-Disposition: {kind}; filename="{draw(st.text(max_size=30))}"')
    if draw(st.booleans()):
        headers.append("Content-ID: <part@x>")
    body = draw(
        st.one_of(
            st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
            st.binary(max_size=300),
            st.sampled_from(SEEDS).map(lambda s: s[:400]),
        )
    )
    head = "\r\n".join(h.replace("\r", "").replace("\n", "") for h in headers)
    return head.encode("utf-8", "surrogatepass") + b"\r\n\r\n" + body


def multipart(children: st.SearchStrategy[list[bytes]]) -> st.SearchStrategy[bytes]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        subtype = draw(
            st.sampled_from(["mixed", "alternative", "related", "report", "digest", "signed"])
        )
        boundary = draw(
            st.text(alphabet="abcXYZ012=_-.", min_size=1, max_size=12)
            | st.sampled_from(["b", "=_", ""])
        ).encode()
        parts = draw(children)
        body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
        if draw(st.booleans()):
            body += b"--" + boundary + b"--\r\n"
        head = f'Content-Type: multipart/{subtype}; boundary="{boundary.decode()}"'.encode()
        if draw(st.booleans()):
            head = b"Content-Type: message/rfc822\r\n\r\nFrom: innen@x.example\r\n" + head
        return head + b"\r\n\r\n" + body

    return build()


mime_tree = st.recursive(leaf(), lambda inner: multipart(st.lists(inner, max_size=4)), max_leaves=8)


@st.composite
def nested_mails(draw: st.DrawFn) -> bytes:
    top: list[bytes] = []
    sender = draw(
        st.sampled_from(
            [
                "Schule <sekretariat@schule-x.example>",
                "leitung@schule-a.example",
                "MAILER-DAEMON@mx.example",
                "dresden@lasub.example",
                "",
                None,
            ]
        )
    )
    if sender is not None:
        top.append(b"From: " + sender.encode())
    top.append(b"Subject: " + draw(value_bytes))
    for name in draw(st.lists(st.sampled_from(HEADER_NAMES[4:8] + HEADER_NAMES[12:]), max_size=3)):
        top.append(name.encode() + b": " + draw(value_bytes))
    if draw(st.booleans()):
        top.append(b"MIME-Version: 1.0")
    return b"\r\n".join(top) + b"\r\n" + draw(mime_tree)


malformed = st.one_of(
    st.binary(max_size=2000),
    truncated(),
    byte_flips(),
    header_mutations(),
    header_mutations(ANSWERS),
    wrong_charsets(),
    broken_boundaries(),
    nested_mails(),
)


# --- the property -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    cast: Cast
    request: SupportRequest


@pytest.fixture
def target(cast: Cast, settings: Any) -> Target:
    settings.MAIL_MAX_SIZE = MAX_SIZE
    sr = bring_to_state(cast, State.ACKNOWLEDGED)
    SupportRequest.objects.filter(pk=sr.pk).update(token=TOKEN)
    sent = OutboxMessage.objects.filter(reference=f"support.SupportRequest:{sr.pk}").latest("pk")
    OutboxMessage.objects.filter(pk=sent.pk).update(message_id=LOTSE_ID)
    return Target(cast, SupportRequest.objects.get(pk=sr.pk))


class _Rollback(Exception):
    pass


def in_rollback(check: Callable[[], None]) -> None:
    """Run one example in a savepoint and throw its rows away."""
    try:
        with transaction.atomic():
            check()
            raise _Rollback
    except _Rollback:
        pass


def import_and_check(target: Target, raw: bytes) -> None:
    site = target.cast.site_a
    requests = SupportRequest.objects.count()
    outbox = OutboxMessage.objects.count()

    result = intake.mail_import(site=site, raw=raw)

    assert result.created
    mail = InboundMail.objects.get(pk=result.mail.pk)
    assert mail.outcome in SETTLED
    assert mail.site == site
    assert bytes(mail.raw or b"") == raw
    if mail.outcome == Outcome.REQUEST:
        assert mail.request is not None
        assert SupportRequest.objects.count() == requests + 1
        assert mail.request.subject.strip()
        assert mail.request.contact_email == mail.sender.strip()[:254]
    elif mail.outcome == Outcome.REPLY:
        assert mail.request == target.request
        assert mail.event is not None
        assert mail.event.kind == "mail_received"
        assert TimelineEvent.objects.filter(pk=mail.event.pk, request=target.request).exists()
        assert SupportRequest.objects.count() == requests
    elif mail.outcome in {Outcome.AUTO_REPLY, Outcome.BOUNCE}:
        assert mail.request is None
        assert SupportRequest.objects.count() == requests
        assert OutboxMessage.objects.count() == outbox
    else:
        assert mail.quarantine_reason.strip()
        assert SupportRequest.objects.count() == requests
        # What staff see of it can be shown, and it can be taken as a request.
        intake.readable_text(raw)
        intake.header_text(raw)
        taken = intake.quarantine_accept(mail=mail, by=target.cast.coordinator, school=None)
        assert taken.subject.strip()
        assert taken.text.strip()

    again = intake.mail_import(site=site, raw=raw)
    assert not again.created
    assert again.mail.pk == mail.pk


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=malformed)
@example(raw=b"")
@example(raw=b"\r\n\r\n")
@example(raw=b"From: \r\n\r\n")
@example(raw=b"From: a@b.example\r\nSubject: \xff\xfe\r\n\r\n\x00\x00")
@example(raw=b"From: a@b.example\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\n")
def test_every_mail_ends_somewhere_and_nothing_fails(target: Target, raw: bytes) -> None:
    in_rollback(lambda: import_and_check(target, raw))


def test_the_seeds_themselves_all_pass(target: Target) -> None:
    for raw in SEEDS:
        in_rollback(lambda raw=raw: import_and_check(target, raw))


def _text_mail(charset: str, body: bytes = b"Gr\xc3\xbc\xc3\x9fe aus der Schule\r\n") -> bytes:
    return (
        b"From: Schule <sekretariat@schule-x.example>\r\nTo: dresden@lasub.example\r\n"
        b"Subject: Anfrage\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="' + charset.encode() + b'"\r\n\r\n' + body
    )


@pytest.mark.parametrize(
    ("raw", "outcome", "reason"),
    [
        # Python knows these names, but they are no text encodings (or cannot decode mail).
        (_text_mail("bz2"), Outcome.QUARANTINE, "charset"),
        (_text_mail("hex"), Outcome.QUARANTINE, "charset"),
        (_text_mail("rot13"), Outcome.QUARANTINE, "charset"),
        (_text_mail("undefined"), Outcome.QUARANTINE, "charset"),
        (_text_mail("idna"), Outcome.QUARANTINE, "charset"),
        (_text_mail("punycode"), Outcome.QUARANTINE, "charset"),
        (_text_mail("utf-8\x00"), Outcome.QUARANTINE, "charset"),
        # Header lines the standard library's parser trips over.
        (b'From:"', Outcome.QUARANTINE, ""),
        (b"From: a@b.example\r\nMessage-ID: <>\r\n\r\n", Outcome.QUARANTINE, "text"),
        (b'From: a@b.example\r\nTo: "\r\n\r\nText\r\n', Outcome.REQUEST, ""),
        (b"From: a@b.example\r\nMessage-ID: <>\r\n\r\nText\r\n", Outcome.REQUEST, ""),
        # NUL characters, which PostgreSQL does not store in text.
        (
            b"From: a@b.example\r\nSubject: Hallo\x00Welt\r\n\r\nText\x00mit NUL\r\n",
            Outcome.REQUEST,
            "",
        ),
        (_text_mail("x-\x00unknown"), Outcome.QUARANTINE, "charset"),
        (b"Subject: Ohne\x00Absender\r\n\r\nText\r\n", Outcome.QUARANTINE, "sender"),
    ],
    ids=[
        "charset-bz2",
        "charset-hex",
        "charset-rot13",
        "charset-undefined",
        "charset-idna",
        "charset-punycode",
        "charset-nul",
        "from-lone-quote",
        "empty-message-id-no-text",
        "to-lone-quote",
        "empty-message-id",
        "nul-in-subject-and-text",
        "nul-in-unknown-charset",
        "nul-without-sender",
    ],
)
def test_known_troublemakers_are_settled(
    target: Target, raw: bytes, outcome: str, reason: str
) -> None:
    result = intake.mail_import(site=target.cast.site_a, raw=raw)
    mail = InboundMail.objects.get(pk=result.mail.pk)
    assert mail.outcome == outcome
    assert reason in mail.quarantine_reason
    assert "\x00" not in mail.subject + mail.sender + mail.quarantine_reason
    if mail.request is not None:
        assert "\x00" not in mail.request.subject + mail.request.text
    if outcome == Outcome.QUARANTINE:
        # The coordination can still take it as a request.
        taken = intake.quarantine_accept(mail=mail, by=target.cast.coordinator, school=None)
        assert taken.text.strip()
        assert "\x00" not in taken.subject + taken.text
