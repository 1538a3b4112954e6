"""Reading a raw mail: sender, subject, readable text, attachments, and what kind of mail it is.

Pure functions over bytes; no database. `parse()` raises `Unreadable` with a German reason for
mail that must go to quarantine instead of becoming a request.
"""

from __future__ import annotations

import codecs
import email
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import errors, policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

from django.utils.translation import gettext as _
from inscriptis import get_text

# Defects that mean the structure itself is broken, not just sloppy.
FATAL_DEFECTS = (
    errors.NoBoundaryInMultipartDefect,
    errors.StartBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
)
AUTO_SUBJECT = re.compile(
    r"^\s*(automatische antwort|automatic reply|abwesenheitsnotiz|out of office|"
    r"abwesend|auto(matic)?[- ]?reply)\b",
    re.IGNORECASE,
)
MSG_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")
TOKEN_IN_SUBJECT = re.compile(r"\[#([2-9A-HJ-NP-Z]{8})\]")
STATUS_CODE = re.compile(r"(?<![\d.])[245]\.\d{1,3}\.\d{1,3}(?![\d.])")
ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
ADDRESS_IN_TEXT = re.compile(r"<?[^@\s<>()\[\],;:\"']+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}>?")
# Where a text bounce starts quoting the returned mail (qmail, Exim, Sendmail, Courier).
COPY_MARKER = re.compile(
    r"^.*(below this line is a copy of the message|this is a copy of the message"
    r"|original message follows|returned message follows|undelivered message follows"
    r"|^-+\s*original message\s*-+|^content-type: message/rfc822).*$",
    re.IGNORECASE | re.MULTILINE,
)
TOKEN_IN_ADDRESS = re.compile(r"^[^@+]+\+([2-9A-HJ-NP-Z]{8})@", re.IGNORECASE)


# A Content-Type header line with its folded continuation lines.
CONTENT_TYPE_LINE = re.compile(rb"(?im)^(content-type:)((?:[^\r\n]*)(?:\r?\n[ \t][^\r\n]*)*)")
PARAMETER_START = re.compile(rb"[A-Za-z0-9!#$%&'*+.^_`|~-]+=")


class Unreadable(Exception):
    """A mail that cannot be read; the message says why, in German."""


@dataclass
class Part:
    filename: str
    content_type: str
    content: bytes
    inline: bool = False


@dataclass(frozen=True)
class DeliveryReport:
    """What a bounce says about one recipient: the address, what happened (failed, delayed),
    the status code (RFC 3463, e.g. 5.1.1) and the receiving server's words."""

    recipient: str
    original_recipient: str = ""
    action: str = ""
    status: str = ""
    reason: str = ""


@dataclass
class ParsedMail:
    message_id: str
    sender: str
    sender_name: str
    recipients: list[str]
    subject: str
    text: str
    date: object | None
    references: list[str] = field(default_factory=list)
    attachments: list[Part] = field(default_factory=list)
    auto_reply: bool = False
    bounce: bool = False
    bounced_message_id: str = ""
    # The bounce's own words (its notification text, without the returned copy).
    bounce_reason: str = ""
    # One report per recipient that failed; read from the text when `bounce_from_text`.
    bounce_reports: list[DeliveryReport] = field(default_factory=list)
    bounce_from_text: bool = False

    def token(self) -> str:
        """The request token from the subject or a plus address, if any."""
        match = TOKEN_IN_SUBJECT.search(self.subject)
        if match:
            return match.group(1)
        for address in self.recipients:
            found = TOKEN_IN_ADDRESS.match(address)
            if found:
                return found.group(1).upper()
        return ""


def _add_semicolons(value: bytes) -> bytes:
    """`text/plain charset=UTF-8` → `text/plain; charset=UTF-8`, as mail clients read it.

    Outside quotes, a `name=` that follows white space without a `;` before it starts a
    parameter; quoted values (a file name with spaces and `=`) stay as they are."""
    out = bytearray()
    quoted = False
    last = b""  # the last character outside white space
    i = 0
    while i < len(value):
        char = value[i : i + 1]
        if char == b'"' and (i == 0 or value[i - 1 : i] != b"\\"):
            quoted = not quoted
        elif (
            not quoted
            and char in b" \t\r\n"
            and last not in {b"", b";", b"="}
            and PARAMETER_START.match(value, i + len(value[i:]) - len(value[i:].lstrip()))
        ):
            out += b";"
            last = b";"
        if char not in b" \t\r\n":
            last = char
        out += char
        i += 1
    return bytes(out)


def repair_header_bytes(raw: bytes) -> bytes:
    """Header lines with raw 8-bit bytes that are not UTF-8 are Windows-1252 (a superset of
    Latin-1), as old clients wrote them; pass them on as UTF-8, which the parser reads."""
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        end = raw.find(b"\n\n")
    if end < 0:
        end = len(raw)
    head = raw[:end]
    if head.isascii():
        return raw
    lines = head.split(b"\n")
    for index, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            lines[index] = line.decode("cp1252", errors="replace").encode("utf-8")
    return b"\n".join(lines) + raw[end:]


def _repair_content_types(raw: bytes) -> bytes:
    """Recover the parameters of Content-Type lines that lack the `;` before them."""
    return CONTENT_TYPE_LINE.sub(lambda m: m.group(1) + _add_semicolons(m.group(2)), raw)


def _all_defects(msg: Message) -> list[errors.MessageDefect]:
    found = list(msg.defects)
    if msg.is_multipart():
        for part in msg.walk():
            if part is not msg:
                found.extend(part.defects)
    return found


NOT_MAIL_CODECS = frozenset({"idna", "punycode", "undefined"})


def decode_text(part: Message) -> str:
    """The text of a text part in its charset; guess sensibly where none is declared."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 encoded parameter
        charset = email.utils.collapse_rfc2231_value(charset)
    charset = (charset or "").strip().strip('"').lower()
    if charset and charset not in {"us-ascii", "ascii"}:
        reason = _("Unknown character set (charset) “%(charset)s”") % {"charset": charset}
        try:
            codec = codecs.lookup(charset)
        except (LookupError, ValueError) as exc:  # ValueError: a NUL in the name
            raise Unreadable(reason) from exc
        # Python also knows byte codecs (bz2, hex, rot13 …) and codecs for domain names (idna,
        # punycode) by name; no mail is written in them. (Python 3.13's punycode decodes any
        # bytes to "" with errors="replace", so it must be refused by name, not by its error.)
        if not getattr(codec, "_is_text_encoding", True) or codec.name in NOT_MAIL_CODECS:
            raise Unreadable(reason)
        # Mail labelled Latin-1 is nearly always Windows-1252 (€, „“ …); cp1252 is a superset.
        name = "cp1252" if codec.name in {"latin-1", "iso8859-1"} else codec.name
        try:
            return payload.decode(name)
        except UnicodeDecodeError:
            pass  # declared wrongly, e.g. UTF-8 for Windows-1252 bytes: try those first
        except (UnicodeError, LookupError, ValueError) as exc:  # e.g. idna, punycode, undefined
            raise Unreadable(reason) from exc
        try:
            return payload.decode("cp1252")
        except UnicodeDecodeError:
            return payload.decode(name, errors="replace")
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace")


def html_to_text(html: str) -> str:
    """Readable text from HTML: paragraphs and lines kept, styles and scripts dropped."""
    text = get_text(html)
    lines = [line.rstrip() for line in text.replace("\xa0", " ").splitlines()]
    return _tidy("\n".join(lines))


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _header_text(msg: Message, name: str) -> str:
    """A header's value; its raw text where the parser trips over it (e.g. `Message-ID: <>`)."""
    try:
        return str(msg.get(name, "") or "")
    except Exception:
        for key, value in msg.raw_items():
            if key.lower() == name.lower():
                return " ".join(str(value).split())
        return ""


def _recipients(msg: Message) -> list[str]:
    """Where the mail went (for a token in a plus address); nothing if unreadable."""
    try:
        return _address_list(msg, "To", "Cc", "Delivered-To", "X-Original-To")
    except Exception:
        return []


def _address_list(msg: Message, *names: str) -> list[str]:
    values: list[str] = []
    for name in names:
        for header in msg.get_all(name, []) or []:
            values.append(str(header))
    return [addr.lower() for _, addr in getaddresses(values) if addr]


def _attachment_name(part: Message, index: int) -> str:
    try:
        name = part.get_filename()
    except (LookupError, ValueError):
        name = None
    if name:
        return name.replace("/", "_").replace("\\", "_").strip()[:255]
    if part.get_content_type() == "message/rfc822":
        return f"weitergeleitete-nachricht-{index}.eml"
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"anhang-{index}{extension}"


def _subparts(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _part_bytes(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = _subparts(part)
        return inner[0].as_bytes(policy=policy.compat32) if inner else b""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _field(block: Message, name: str) -> str:
    """A delivery-status field without its type prefix ("rfc822; a@b" → "a@b"), unfolded."""
    value = " ".join(_header_text(block, name).split())
    kind, sep, rest = value.partition(";")
    if sep and re.fullmatch(r"[A-Za-z0-9-]+", kind.strip()):
        value = rest.strip()
    return value


def _address(value: str) -> str:
    value = value.strip().strip("<>").strip().lower()
    return value if ADDRESS.fullmatch(value) else ""


def _delivery_reports(msg: Message) -> list[DeliveryReport]:
    """One report per recipient from the delivery-status part (RFC 3464) of a bounce.

    Reports of successful delivery (delivered, relayed, expanded) are not bounces."""
    reports: list[DeliveryReport] = []
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in _subparts(part):
            final = _address(_field(block, "Final-Recipient"))
            original = _address(_field(block, "Original-Recipient"))
            action = _field(block, "Action").lower()
            if not (final or original) or action in {"delivered", "relayed", "expanded"}:
                continue
            status = STATUS_CODE.search(_field(block, "Status"))
            reports.append(
                DeliveryReport(
                    recipient=final or original,
                    original_recipient=original,
                    action=action if action in {"failed", "delayed"} else "",
                    status=status.group(0) if status else "",
                    reason=_field(block, "Diagnostic-Code")[:2000],
                )
            )
    return reports


def _notification(text: str) -> str:
    """The bounce's own words, without the copy of the returned mail that follows them."""
    cut = COPY_MARKER.search(text)
    return (text[: cut.start()] if cut else text).strip()


def _text_reports(notification: str) -> list[DeliveryReport]:
    """Recipients and reasons from a bounce written as plain text (qmail, Exim, older
    servers): each address on a line of its own, followed by what the server said, up to the
    next empty line."""
    reports: dict[str, DeliveryReport] = {}
    lines = notification.splitlines()
    for index, line in enumerate(lines):
        for found in ADDRESS_IN_TEXT.finditer(line):
            address = found.group(0).lower().strip("<>")
            if address in reports:
                continue
            said = [line[found.end() :].strip(" :>\t")]
            for following in lines[index + 1 :]:
                if not following.strip():
                    break
                said.append(following.strip())
            reason = " ".join(" ".join(said).split())[:2000]
            status = STATUS_CODE.search(reason)
            reports[address] = DeliveryReport(
                recipient=address,
                status=status.group(0) if status else "",
                reason=reason,
            )
    return list(reports.values())


def _returned_message_id(msg: Message) -> str:
    """The Message-ID of the mail that came back, from the returned headers."""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = _subparts(part)
            if inner and _header_text(inner[0], "Message-ID"):
                return _header_text(inner[0], "Message-ID")
        elif ctype == "text/rfc822-headers":
            headers = email.message_from_bytes(_part_bytes(part), policy=policy.default)
            if _header_text(headers, "Message-ID"):
                return _header_text(headers, "Message-ID")
    # Exchange-style reports quote the returned headers as text.
    for part in msg.walk():
        if part.get_content_maintype() != "text":
            continue
        try:
            text = decode_text(part)
        except Unreadable:
            continue
        found = re.search(r"Message-ID:\s*(<[^<>\s]+>)", text, re.IGNORECASE)
        if found:
            return found.group(1)
    return ""


def _bounce_details(msg: Message, text: str) -> tuple[str, list[DeliveryReport], str, bool]:
    """The Message-ID of the returned mail, a report per failed recipient, the bounce's own
    words, and whether the reports were read from that text (no delivery-status part)."""
    original = _returned_message_id(msg)
    match = MSG_ID.search(original)
    message_id = match.group(0) if match else original.strip()
    notification = _notification(text)
    reports = _delivery_reports(msg)
    if reports:
        return message_id, reports, notification, False
    reports = _text_reports(notification)
    # Exim names the failed addresses in a header line, too.
    named = {r.recipient for r in reports}
    for address in _address_list(msg, "X-Failed-Recipients"):
        if address not in named:
            reports.append(DeliveryReport(recipient=address, reason=notification[:2000]))
    return message_id, reports, notification, True


def _leaves(part: Message) -> Iterator[Message]:
    """The leaf parts; a forwarded mail (message/rfc822) counts as one leaf, kept whole."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    for sub in _subparts(part):
        yield from _leaves(sub)


def _is_text_body(part: Message) -> bool:
    """A further text part of the message itself (not a file), e.g. a footer part."""
    return (
        part.get_content_type() in {"text/plain", "text/html"}
        and part.get_content_disposition() != "attachment"
        and not part.get_filename()
    )


def _check_content_type(part: Message) -> None:
    """A Content-Type that stays unreadable after the repair: the body must not pass for a
    nameless attachment (and the mail for one with content)."""
    ctype = part.get_content_type()
    if (
        not re.fullmatch(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+", ctype)
        and not part.get_filename()
    ):
        raise Unreadable(
            _("Unreadable content type (Content-Type): %(type)s") % {"type": ctype[:100]}
        )


def _text_of(part: Message) -> str:
    _check_payload(part)
    if part.get_content_subtype() == "html":
        return html_to_text(decode_text(part))
    return _tidy(decode_text(part))


def _collect_texts(part: Message, texts: list[str], body_parts: set[int]) -> None:
    """Every text part of the message itself, in order: text, an inline PDF, more text (as
    Apple Mail lays it out) all belong to the request. Of alternatives only one counts."""
    if part.get_content_type() == "multipart/alternative":
        assert isinstance(part, EmailMessage)
        best = part.get_body(preferencelist=("plain", "html"))
        if best is None:
            for sub in _subparts(part):
                _collect_texts(sub, texts, body_parts)
            return
        texts.append(_text_of(best))
        # The other alternatives say the same; images of an HTML alternative stay attachments.
        body_parts.update(id(p) for p in _leaves(part) if _is_text_body(p))
        body_parts.add(id(best))
        return
    if part.get_content_type() != "message/rfc822" and part.is_multipart():
        for sub in _subparts(part):
            _collect_texts(sub, texts, body_parts)
        return
    if _is_text_body(part):
        texts.append(_text_of(part))
        body_parts.add(id(part))


def _display_name(msg: Message) -> str:
    """The sender's name from encoded words, decoded as one: the address parser keeps the
    space between adjacent encoded words ("Standort Dresde n"), RFC 2047 drops it."""
    raw = next((str(v) for k, v in msg.raw_items() if k.lower() == "from"), "")
    if "=?" not in raw:
        return ""
    try:
        found = email.utils.getaddresses([" ".join(raw.split())])
        name = found[0][0] if found else ""
        return " ".join(str(make_header(decode_header(name))).split()) if "=?" in name else ""
    except Exception:  # best effort: the parser's own reading of the name remains
        return ""


def _check_payload(part: Message) -> None:
    """Refuse a part whose base64 cannot be decoded.

    Python then hands back the still-encoded text, which would be stored as if it were the
    file (a "PDF" of base64 letters). We quarantine the whole mail rather than keep the raw
    part with a warning: the quarantine already shows its reason to the coordination, who can
    accept the mail as a request or ask the school to send it again, while a broken file
    among a request's attachments would look real until someone tries to open it.
    """
    if part.is_multipart() or part.get_content_type() == "message/rfc822":
        return
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() != "base64":
        return
    payload = part.get_payload(decode=False)
    if not isinstance(payload, str):
        return
    letters = re.sub(r"[^A-Za-z0-9+/]", "", payload)
    if len(letters) % 4 == 1:
        raise Unreadable(
            _("An attachment cannot be decoded (broken base64): %(name)s")
            % {"name": _attachment_name(part, 0)}
        )


def _is_auto_reply(msg: Message, subject: str) -> bool:
    auto = str(msg.get("Auto-Submitted", "") or "").strip().lower()
    if auto and auto != "no":
        return True
    precedence = str(msg.get("Precedence", "") or "").strip().lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return True
    if any(msg.get(h) for h in ("X-Autoreply", "X-Autorespond", "X-Autoresponder")):
        return True
    if msg.get("X-Auto-Response-Suppress") and AUTO_SUBJECT.search(subject):
        return True
    return bool(AUTO_SUBJECT.search(subject))


def _is_bounce(msg: Message, sender: str) -> bool:
    if msg.get_content_type() == "multipart/report":
        report = str(msg.get_param("report-type") or "").lower()
        if report in {"delivery-status", ""}:
            return True
    local = sender.split("@", 1)[0].lower()
    return local in {"mailer-daemon", "postmaster"}


def parse(raw: bytes) -> ParsedMail:
    """Read a raw mail, or raise `Unreadable` with the reason."""
    msg = email.message_from_bytes(
        _repair_content_types(repair_header_bytes(raw)), policy=policy.default
    )
    assert isinstance(msg, EmailMessage)
    fatal = [d for d in _all_defects(msg) if isinstance(d, FATAL_DEFECTS)]
    if fatal:
        raise Unreadable(
            _("Broken MIME structure: %(defects)s")
            % {"defects": ", ".join(sorted({type(d).__name__ for d in fatal}))}
        )
    try:
        # Only real addresses: a From line like "ute weis" gives nobody to answer to.
        senders = [a for a in _address_list(msg, "From") if "@" in a.strip("@")]
        subject = " ".join(str(msg.get("Subject", "") or "").split())
    except (ValueError, LookupError, IndexError) as exc:
        raise Unreadable(_("The header lines cannot be read: %(error)s") % {"error": exc}) from exc
    if not senders:
        raise Unreadable(_("No sender: the mail has no From line"))
    from_header = getaddresses([str(msg.get("From", ""))])
    sender_name = _display_name(msg) or (from_header[0][0] if from_header else "")
    bounce = _is_bounce(msg, senders[0])
    auto = not bounce and _is_auto_reply(msg, subject)

    texts: list[str] = []
    body_parts: set[int] = set()
    _collect_texts(msg, texts, body_parts)
    text = _tidy("\n\n".join(t for t in texts if t))
    attachments: list[Part] = []
    if not bounce:
        for index, part in enumerate(
            (p for p in _leaves(msg) if id(p) not in body_parts),
            start=1,
        ):
            _check_content_type(part)
            _check_payload(part)
            attachments.append(
                Part(
                    filename=_attachment_name(part, index),
                    content_type=part.get_content_type(),
                    content=_part_bytes(part),
                    inline=part.get_content_disposition() == "inline"
                    or bool(part.get("Content-ID")),
                )
            )
    if not text and not attachments and not bounce and not auto:
        raise Unreadable(_("No readable text and no attachments"))
    bounced_id, reports, reason, from_text = (
        _bounce_details(msg, text) if bounce else ("", [], "", False)
    )
    try:
        date = parsedate_to_datetime(str(msg["Date"])) if msg.get("Date") else None
    except (TypeError, ValueError, IndexError):
        date = None
    references = MSG_ID.findall(
        " ".join(str(msg.get(h, "") or "") for h in ("In-Reply-To", "References"))
    )
    return ParsedMail(
        message_id=_header_text(msg, "Message-ID").strip()[:998],
        sender=senders[0],
        sender_name=sender_name,
        recipients=_recipients(msg),
        subject=subject[:998],
        text=text,
        date=date,
        references=references,
        attachments=attachments,
        auto_reply=auto,
        bounce=bounce,
        bounced_message_id=bounced_id,
        bounce_reason=reason[:2000],
        bounce_reports=reports,
        bounce_from_text=from_text,
    )
