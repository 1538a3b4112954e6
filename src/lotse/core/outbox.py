"""The mail outbox: write mails in the transaction of the change; send them after the commit."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.message import MIMEPart
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lotse.core.models import Bounce, Organisation, OutboxMessage, Site

logger = logging.getLogger(__name__)


def queue(
    *,
    template: str,
    to: Iterable[str],
    context: Mapping[str, Any],
    organisation: Organisation | None = None,
    site: Site | None = None,
    reference: str = "",
    reply_to: str = "",
    language: str = "de",
    subject_tag: str = "",
    calendar: str = "",
) -> OutboxMessage | None:
    """Render a mail from `<template>_subject.txt` and `<template>.txt` and store it for sending."""
    recipients = sorted({address.strip().lower() for address in to if address and address.strip()})
    if not recipients:
        return None
    with translation.override(language):
        subject: str = render_to_string(f"{template}_subject.txt", dict(context), using="text")
        body = render_to_string(f"{template}.txt", dict(context), using="text")
    if subject_tag:
        # Replies keep the tag in their subject, so they find what they answer.
        subject = f"{' '.join(subject.split())} [{subject_tag}]"
    from_email = (
        f"{organisation.name} <{organisation.mail_from}>"
        if organisation and organisation.mail_from
        else settings.DEFAULT_FROM_EMAIL
    )
    return store(
        subject=subject,
        body=body,
        to=recipients,
        from_email=from_email,
        template=template,
        organisation=organisation,
        site=site,
        reference=reference,
        reply_to=reply_to,
        calendar=calendar,
    )


def store(
    *,
    subject: str,
    body: str,
    to: Iterable[str],
    from_email: str = "",
    template: str = "",
    organisation: Organisation | None = None,
    site: Site | None = None,
    reference: str = "",
    reply_to: str = "",
    calendar: str = "",
) -> OutboxMessage | None:
    """Store an already rendered mail for sending after the commit."""
    recipients = sorted({address.strip().lower() for address in to if address and address.strip()})
    if not recipients:
        return None
    message = OutboxMessage.objects.create(
        organisation=organisation,
        site=site,
        # make_msgid draws on the seedable `random` module; the token keeps the IDs unique even
        # when something reseeds it (Hypothesis does, per example).
        message_id=make_msgid(idstring=secrets.token_hex(8), domain=settings.MAIL_DOMAIN),
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=reply_to,
        subject=" ".join(subject.split())[:255],
        body=body,
        calendar=calendar,
        template=template,
        reference=reference,
    )
    transaction.on_commit(lambda: _enqueue_send(message.pk))
    return message


def _enqueue_send(pk: int) -> None:
    from lotse.core.tasks import send_outbox_message

    try:
        send_outbox_message.enqueue(pk)
    except Exception:
        # The periodic sweep of `lotse worker` picks the message up later; nothing is lost.
        logger.exception("could not enqueue outbox message %s", pk)


MAX_ATTEMPTS = 10
# A worker that died while sending leaves its row "sending"; after this the row is retried.
SENDING_TIMEOUT = dt.timedelta(minutes=15)


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try: 1, 2, 4 … minutes, at most six hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def send(pk: int, *, now: dt.datetime | None = None) -> OutboxMessage.Status:
    """Send one outbox message if it is due; safe to call twice and again after a crash."""
    now = now or timezone.now()
    Status = OutboxMessage.Status
    if not settings.SMTP_HOST:
        OutboxMessage.objects.filter(pk=pk, status__in=[Status.PENDING, Status.FAILED]).update(
            status=Status.HELD
        )
        return Status(OutboxMessage.objects.values_list("status", flat=True).get(pk=pk))
    # Claim the row: only one worker gets past this update.
    claimed = OutboxMessage.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=pk,
        status__in=[Status.PENDING, Status.FAILED],
        attempts__lt=MAX_ATTEMPTS,
    ).update(status=Status.SENDING, claimed_at=now)
    message = OutboxMessage.objects.get(pk=pk)
    if not claimed:
        return Status(message.status)
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email,
        to=list(message.to),
        reply_to=[message.reply_to] if message.reply_to else None,
        # The fixed Message-ID makes a resend after a crash recognisable as the same mail, and
        # lets replies and bounces find their request.
        headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"},
    )
    if message.calendar:
        _attach_calendar(email, message.calendar)
    try:
        email.send(using="default")
    except Exception as exc:
        attempts = message.attempts + 1
        OutboxMessage.objects.filter(pk=pk).update(
            status=Status.FAILED,
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=now + backoff(attempts),
        )
        return Status.FAILED
    OutboxMessage.objects.filter(pk=pk).update(
        status=Status.SENT, attempts=message.attempts + 1, sent_at=timezone.now(), last_error=""
    )
    return Status.SENT


def _attach_calendar(email: EmailMessage, calendar: str) -> None:
    """An invitation as calendar programs expect it: a text/calendar part with its METHOD
    (Outlook, Thunderbird and Apple Mail offer to accept it) and the same file to open."""
    method = next(
        (
            line.split(":", 1)[1].strip()
            for line in calendar.splitlines()
            if line.upper().startswith("METHOD:")
        ),
        "PUBLISH",
    )
    part = MIMEPart()
    part.set_content(
        calendar,
        subtype="calendar",
        charset="utf-8",
        params={"method": method},
        disposition="attachment",
        filename="einladung.ics",
    )
    email.attach(part)


def reap(*, now: dt.datetime | None = None) -> int:
    """Give rows back whose worker died while sending them."""
    now = now or timezone.now()
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    ).update(
        status=OutboxMessage.Status.FAILED,
        last_error=_("Sending was interrupted; it will be tried again."),
        next_attempt_at=now,
    )


def send_pending(*, limit: int = 200, now: dt.datetime | None = None) -> int:
    """The periodic sweep behind the per-mail task: reap, then send whatever is due."""
    now = now or timezone.now()
    reap(now=now)
    pks = list(
        OutboxMessage.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED],
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pks:
        send(pk, now=now)
    return len(pks)


@dataclass(frozen=True)
class BounceReport:
    """What a bounce says about one recipient of a Lotse mail."""

    recipient: str = ""
    original_recipient: str = ""
    action: str = ""
    status: str = ""
    reason: str = ""


def record_bounce(
    *,
    message_id: str,
    reports: Sequence[BounceReport] = (),
    text: str = "",
    from_text: bool = False,
    organisation: Organisation | None = None,
) -> OutboxMessage | None:
    """Keep a bounce of a Lotse mail: one row per recipient it reports, beside the earlier ones.

    `reports` come from the delivery status notification; with `from_text` they were read from
    a bounce written as plain text, and only the mail's own recipients count (the text also
    names servers and postmasters). A bounce that names none of them still counts, with the
    address if the mail had only one, and `text` as the reason. With an organisation, only its
    own mails (and those of no organisation) are considered."""
    messages = OutboxMessage.objects.filter(message_id=message_id.strip())
    if organisation is not None:
        messages = messages.filter(Q(organisation=organisation) | Q(organisation__isnull=True))
    message = messages.first()
    if message is None:
        return None
    ours = {str(a).strip().lower() for a in message.to}
    rows: list[Bounce] = []
    now = timezone.now()
    for report in reports:
        final = report.recipient.strip().lower()
        original = report.original_recipient.strip().lower()
        # The address Lotse wrote to; a forward is named in the reason.
        recipient = original if original in ours or not final else final
        if from_text and recipient not in ours:
            continue
        reason = report.reason.strip()
        if final and recipient != final:
            reason = " – ".join(
                r for r in (reason, _("forwarded to %(address)s") % {"address": final}) if r
            )
        rows.append(
            Bounce(
                message=message,
                recipient=recipient[:320],
                action=report.action if report.action in Bounce.Action.values else "",
                status=report.status[:20],
                reason=reason[:2000],
                received_at=now,
            )
        )
    if not rows:
        rows.append(
            Bounce(
                message=message,
                recipient=next(iter(ours)) if len(ours) == 1 else "",
                reason=(" ".join(text.split()) or _("The mail could not be delivered."))[:2000],
                received_at=now,
            )
        )
    Bounce.objects.bulk_create(rows)
    return message
