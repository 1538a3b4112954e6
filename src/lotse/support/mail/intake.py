"""Requests by e-mail: each mail is stored once and becomes a request, a timeline entry, a
recorded bounce, an ignored automatic reply, or a quarantine entry, all in one transaction."""

from __future__ import annotations

import email
import hashlib
import logging
from dataclasses import dataclass, replace
from email import policy
from email.utils import getaddresses

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lotse.core import outbox
from lotse.core.models import Organisation, OutboxMessage, Person, Role, School, Site
from lotse.lib import limits
from lotse.support import permissions
from lotse.support.mail.parse import (
    MSG_ID,
    ParsedMail,
    Part,
    Unreadable,
    parse,
    repair_header_bytes,
)
from lotse.support.models import Attachment, InboundMail, Mailbox, SupportRequest, Visibility
from lotse.support.services import requests as request_services
from lotse.support.workflow import WorkflowError

Outcome = InboundMail.Outcome
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Imported:
    mail: InboundMail
    created: bool


def _existing(
    *, sha256: str, mailbox: Mailbox | None, uidvalidity: int | None, uid: int | None
) -> InboundMail | None:
    key = Q(sha256=sha256)
    if mailbox is not None and uid is not None:
        key |= Q(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid)
    return InboundMail.objects.filter(key).first()


def _redelivered(site: Site, raw: bytes) -> InboundMail | None:
    """The same message delivered again, e.g. via a backup MX: its bytes differ by a
    `Received:` line, but Message-ID and sender are the same. One request, one notice."""
    try:
        sender, _subject, message_id = parse_headers(raw)
    except Exception:
        return None
    found = MSG_ID.search(message_id)
    if not sender or found is None:
        return None
    return (
        InboundMail.objects.filter(site=site, sender=sender, message_id=found.group(0))
        .order_by("pk")
        .first()
    )


def own_addresses() -> set[str]:
    """Addresses that are Lotse itself: a mail from them is a loop, never a request.

    Every address Lotse sends or receives with, of every organisation: each site's receiving
    address, each mailbox's address (its user name, where that is an address; it may differ
    from the site's), each organisation's sending address and the installation's own."""
    addresses = set(Site.objects.exclude(email="").values_list("email", flat=True))
    addresses.update(
        name
        for name in Mailbox.objects.filter(username__contains="@").values_list(
            "username", flat=True
        )
    )
    # The organisation's own sending address: Lotse's notices go out from it.
    addresses.update(Organisation.objects.exclude(mail_from="").values_list("mail_from", flat=True))
    for configured in (settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL):
        addresses.add(configured.rsplit("<", 1)[-1].rstrip(">"))
    return {a.strip().lower() for a in addresses if "@" in a}


def _is_own(parsed: ParsedMail) -> bool:
    """A mail from one of Lotse's addresses (also with a +tag), or one Lotse wrote itself (its
    Message-ID is in the outbox; a relay may have dropped the Auto-Submitted line)."""
    sender = parsed.sender.lower()
    local, _, domain = sender.partition("@")
    base = local.split("+", 1)[0]
    if {sender, f"{base}@{domain}"} & own_addresses():
        return True
    found = MSG_ID.search(parsed.message_id)
    return found is not None and OutboxMessage.objects.filter(message_id=found.group(0)).exists()


# Mail providers anyone can use: their domain says nothing about the school.
PUBLIC_DOMAINS = frozenset(
    {
        "gmx.de",
        "gmx.net",
        "gmx.at",
        "web.de",
        "t-online.de",
        "freenet.de",
        "arcor.de",
        "posteo.de",
        "mailbox.org",
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "outlook.de",
        "hotmail.com",
        "hotmail.de",
        "live.de",
        "live.com",
        "yahoo.com",
        "yahoo.de",
        "icloud.com",
        "me.com",
        "aol.com",
        "aol.de",
        "email.de",
        "online.de",
        "vodafone.de",
        "kabelmail.de",
        "ewe.net",
        "1und1.de",
    }
)


def match_school(*, site: Site, sender: str) -> School | None:
    """The sender's school: a known school contact, the school's address, then its domain."""
    organisation_id = site.organisation_id
    role = (
        Role.objects.filter(
            organisation_id=organisation_id,
            kind=Role.Kind.SCHOOL_CONTACT,
            person__email__iexact=sender,
        )
        .select_related("school")
        .first()
    )
    if role is not None and role.school is not None:
        return role.school
    schools = School.objects.filter(district__organisation_id=organisation_id)
    exact = list(schools.filter(email__iexact=sender)[:2])
    if len(exact) == 1:
        return exact[0]
    domain = sender.rpartition("@")[2]
    if not domain or domain in PUBLIC_DOMAINS:
        return None
    by_domain = list(schools.filter(email__iendswith=f"@{domain}")[:2])
    if len(by_domain) == 1:
        return by_domain[0]
    contacts = list(
        Role.objects.filter(
            organisation_id=organisation_id,
            kind=Role.Kind.SCHOOL_CONTACT,
            person__email__iendswith=f"@{domain}",
        )
        .values_list("school_id", flat=True)
        .distinct()[:2]
    )
    if len(contacts) == 1:
        return School.objects.filter(pk=contacts[0]).first()
    return None


def _request_for_reply(parsed: ParsedMail, site: Site) -> SupportRequest | None:
    """The request a reply answers: by the Message-IDs it refers to, then by its token.

    Only requests of the receiving site's organisation count: mail that reached another
    organisation must not land in (and be mailed on from) this one's request."""
    requests = SupportRequest.objects.filter(organisation_id=site.organisation_id)
    if parsed.references:
        sent = (
            OutboxMessage.objects.filter(message_id__in=parsed.references)
            .exclude(reference="")
            .values_list("reference", flat=True)
        )
        for reference in sent:
            label, _, pk = reference.partition(":")
            if label == "support.SupportRequest" and pk.isdigit():
                found = requests.filter(pk=int(pk)).first()
                if found is not None:
                    return found
    token = parsed.token()
    if token:
        return requests.filter(token=token).first()
    return None


def _attach(request: SupportRequest, mail: InboundMail, parsed: ParsedMail) -> None:
    for part in parsed.attachments:
        Attachment.objects.create(
            request=request,
            mail=mail,
            filename=part.filename,
            content_type=part.content_type[:255],
            size=len(part.content),
            inline=part.inline,
            content=part.content,
            # The school sent it to the site, like the request: the coordination reads it.
            visibility=Visibility.COORDINATION,
        )


def _quarantine(mail: InboundMail, reason: str) -> None:
    mail.outcome = Outcome.QUARANTINE
    mail.quarantine_reason = _no_nul(reason)


def _no_nul(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters; a mail (or a reason quoting it) can."""
    return text.replace("\x00", "")


def _without_nul(parsed: ParsedMail) -> ParsedMail:
    return replace(
        parsed,
        message_id=_no_nul(parsed.message_id),
        sender=_no_nul(parsed.sender),
        sender_name=_no_nul(parsed.sender_name),
        recipients=[_no_nul(r) for r in parsed.recipients],
        subject=_no_nul(parsed.subject),
        text=_no_nul(parsed.text),
        references=[_no_nul(r) for r in parsed.references],
        attachments=[
            replace(p, filename=_no_nul(p.filename), content_type=_no_nul(p.content_type))
            for p in parsed.attachments
        ],
        bounced_message_id=_no_nul(parsed.bounced_message_id),
        bounce_reason=_no_nul(parsed.bounce_reason),
        bounce_reports=[
            replace(
                r,
                recipient=_no_nul(r.recipient),
                original_recipient=_no_nul(r.original_recipient),
                action=_no_nul(r.action),
                status=_no_nul(r.status),
                reason=_no_nul(r.reason),
            )
            for r in parsed.bounce_reports
        ],
    )


# The file that holds the whole text of a mail whose text is longer than a request may be.
FULL_TEXT_NAME = "vollstaendiger-text.txt"


def shorten_text(text: str) -> tuple[str, bool]:
    """The text as a request or reply shows it: at most `limits.LONG_TEXT` characters (a form
    takes no more), with a note where it was cut; and whether it was cut."""
    if len(text) <= limits.LONG_TEXT:
        return text, False
    note = _(
        "[Shortened: the mail's text has %(length)s characters; the first %(limit)s are shown "
        "here. The whole text is attached as “%(name)s”.]"
    ) % {
        "length": formats.number_format(len(text), use_l10n=True, force_grouping=True),
        "limit": formats.number_format(limits.LONG_TEXT, use_l10n=True, force_grouping=True),
        "name": FULL_TEXT_NAME,
    }
    return f"{text[: limits.LONG_TEXT].rstrip()}\n\n{note}", True


def _shortened(parsed: ParsedMail) -> ParsedMail:
    """A mail with a huge text (a pasted log, a forwarded chain of years) becomes a request
    whose page stays light: the text is cut, the whole of it is attached as a file, and the
    raw mail is kept as it came."""
    text, cut = shorten_text(parsed.text)
    if not cut:
        return parsed
    whole = Part(FULL_TEXT_NAME, "text/plain; charset=utf-8", parsed.text.encode("utf-8"))
    return replace(parsed, text=text, attachments=[*parsed.attachments, whole])


def _header_part(raw: bytes) -> bytes:
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        end = raw.find(b"\n\n")
    return raw[: end if end >= 0 else 64 * 1024][: 64 * 1024]


def mail_import(
    *,
    site: Site,
    raw: bytes,
    mailbox: Mailbox | None = None,
    uidvalidity: int | None = None,
    uid: int | None = None,
    size: int | None = None,
) -> Imported:
    """Store one mail exactly once and act on it, in one transaction.

    The same bytes (by hash) or the same (mailbox, UIDVALIDITY, UID) are never imported twice;
    a second call returns the first import. `size` is the size the server reported, for mail
    too large to download, whose `raw` then holds only the header.
    """
    sha256 = hashlib.sha256(raw).hexdigest()
    existing = _existing(sha256=sha256, mailbox=mailbox, uidvalidity=uidvalidity, uid=uid)
    if existing is None:
        existing = _redelivered(site, raw)
    if existing is not None:
        return Imported(existing, created=False)
    try:
        with transaction.atomic():
            mail = _store(
                site=site,
                raw=raw,
                sha256=sha256,
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                uid=uid,
                size=size,
            )
    except IntegrityError:
        # Another reader stored it at the same moment; theirs counts.
        existing = _existing(sha256=sha256, mailbox=mailbox, uidvalidity=uidvalidity, uid=uid)
        if existing is None:
            raise
        return Imported(existing, created=False)
    return Imported(mail, created=True)


def _store(
    *,
    site: Site,
    raw: bytes,
    sha256: str,
    mailbox: Mailbox | None,
    uidvalidity: int | None,
    uid: int | None,
    size: int | None,
) -> InboundMail:
    real_size = size if size is not None else len(raw)
    mail = InboundMail(
        mailbox=mailbox,
        site=site,
        uidvalidity=uidvalidity,
        uid=uid,
        sha256=sha256,
        raw=raw,
        size=real_size,
        outcome=Outcome.QUARANTINE,
    )
    if real_size > settings.MAIL_MAX_SIZE:
        mail.raw = _header_part(raw)
        _quarantine(
            mail,
            _("Too large (size): %(size)s MB; at most %(limit)s MB are taken as a request.")
            % {"size": round(real_size / 1e6, 1), "limit": round(settings.MAIL_MAX_SIZE / 1e6, 1)},
        )
        _fill_headers(mail, raw)
        mail.save()
        return mail
    try:
        parsed = _shortened(_without_nul(parse(raw)))
    except Unreadable as exc:
        _quarantine(mail, str(exc))
        _fill_headers(mail, raw)
        mail.save()
        return mail
    except Exception as exc:
        # The parser itself tripped over the mail: quarantine it; never block the mailbox.
        logger.warning("mail parser failed: %s", type(exc).__name__, exc_info=True)
        _quarantine(mail, _("Broken MIME structure: %(defects)s") % {"defects": type(exc).__name__})
        _fill_headers(mail, raw)
        mail.save()
        return mail
    mail.message_id = parsed.message_id
    mail.sender = parsed.sender[:320]
    mail.subject = parsed.subject[:998]
    _act(mail, parsed, site)
    return mail


def _fill_headers(mail: InboundMail, raw: bytes) -> None:
    """Best-effort sender and subject for the quarantine list."""
    try:
        parsed_headers = parse_headers(raw)
    except Exception:
        return
    mail.sender, mail.subject, mail.message_id = parsed_headers


def parse_headers(raw: bytes) -> tuple[str, str, str]:
    """Sender, subject and Message-ID, read as leniently as possible."""
    headers = email.message_from_bytes(
        repair_header_bytes(_header_part(raw)) + b"\r\n\r\n", policy=policy.default
    )
    senders = getaddresses([str(headers.get("From", "") or "")])
    sender = senders[0][1].lower() if senders and senders[0][1] else ""
    subject = " ".join(str(headers.get("Subject", "") or "").split())
    message_id = str(headers.get("Message-ID", "") or "")
    return _no_nul(sender)[:320], _no_nul(subject)[:998], _no_nul(message_id)[:998]


def _act(mail: InboundMail, parsed: ParsedMail, site: Site) -> None:
    if parsed.bounce:
        mail.outcome = Outcome.BOUNCE
        if parsed.bounced_message_id:
            mail.bounced = outbox.record_bounce(
                message_id=parsed.bounced_message_id,
                reports=[
                    outbox.BounceReport(
                        recipient=r.recipient,
                        original_recipient=r.original_recipient,
                        action=r.action,
                        status=r.status,
                        reason=r.reason,
                    )
                    for r in parsed.bounce_reports
                ],
                text=parsed.bounce_reason,
                from_text=parsed.bounce_from_text,
                organisation=site.organisation,
            )
        mail.save()
        return
    if parsed.auto_reply or _is_own(parsed):
        mail.outcome = Outcome.AUTO_REPLY
        mail.save()
        return
    answered = _request_for_reply(parsed, site)
    received = timezone.now()
    if answered is not None:
        mail.outcome = Outcome.REPLY
        mail.request = answered
        mail.event = request_services.request_record_mail(
            request=answered, sender=parsed.sender, subject=parsed.subject, text=parsed.text
        )
        mail.save()
        _attach(answered, mail, parsed)
        return
    request = request_services.request_receive_mail(
        site=site,
        school=match_school(site=site, sender=parsed.sender),
        sender=parsed.sender,
        sender_name=parsed.sender_name,
        subject=parsed.subject,
        text=parsed.text,
        received=received,
    )
    mail.outcome = Outcome.REQUEST
    mail.request = request
    mail.save()
    _attach(request, mail, parsed)


# --- quarantine ---------------------------------------------------------------------------


def _check_quarantine(mail: InboundMail, by: Person) -> InboundMail:
    mail = InboundMail.objects.select_for_update().get(pk=mail.pk)
    if not permissions.coordinates_site(by, mail.site_id):
        raise WorkflowError(_("You may not do this for this mail."))
    if mail.outcome != Outcome.QUARANTINE:
        raise WorkflowError(_("This mail is no longer in quarantine."))
    return mail


@transaction.atomic
def quarantine_accept(*, mail: InboundMail, by: Person, school: School | None) -> SupportRequest:
    """Staff turn a quarantined mail into a request, with the text that could be read."""
    mail = _check_quarantine(mail, by)
    raw = bytes(mail.raw or b"")
    text, _cut = shorten_text(readable_text(raw))
    try:
        sender, subject, _message_id = parse_headers(raw) if raw else ("", "", "")
    except Exception:  # header lines the parser trips over: keep what the import found
        sender, subject = "", ""
    request = request_services.request_receive_mail(
        site=mail.site,
        school=school,
        sender=sender or mail.sender or "unbekannt@invalid",
        sender_name="",
        subject=subject or mail.subject,
        text=text or _("(The text of this mail could not be read; see the quarantine.)"),
        received=mail.received_at,
    )
    mail.outcome = Outcome.REQUEST
    mail.request = request
    mail.save(update_fields=["outcome", "request"])
    return request


@transaction.atomic
def quarantine_discard(*, mail: InboundMail, by: Person) -> InboundMail:
    """Staff delete a quarantined mail; its hash stays, so it is not imported again."""
    mail = _check_quarantine(mail, by)
    mail.outcome = Outcome.DISCARDED
    mail.raw = None
    mail.save(update_fields=["outcome", "raw"])
    return mail


def readable_text(raw: bytes) -> str:
    """As much text as can be got out of a broken mail, for staff to look at."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception:
        return _no_nul(raw[:20000].decode("utf-8", errors="replace"))
    texts: list[str] = []
    for part in msg.walk():
        if part.get_content_maintype() != "text":
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(payload.decode("utf-8", errors="replace"))
    return _no_nul("\n\n".join(texts)).strip()[:20000]


def header_text(raw: bytes) -> str:
    """The header lines of a mail, decoded as far as possible, for the quarantine view."""
    return _header_part(raw).decode("utf-8", errors="replace")[:20000]
