"""The mail outbox: write mails in the transaction of the change; send them after the commit."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from lotse.core.models import Organisation, OutboxMessage, Site

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
) -> OutboxMessage | None:
    """Render a mail from `<template>_subject.txt` and `<template>.txt` and store it for sending."""
    recipients = sorted({address.strip().lower() for address in to if address and address.strip()})
    if not recipients:
        return None
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", dict(context), using="text")
        body = render_to_string(f"{template}.txt", dict(context), using="text")
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


def send(pk: int) -> OutboxMessage.Status:
    """Send one outbox message once; idempotent, safe to call again after a crash."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=pk)
        if message.status in {OutboxMessage.Status.SENT, OutboxMessage.Status.HELD}:
            return OutboxMessage.Status(message.status)
        if not settings.SMTP_HOST:
            message.status = OutboxMessage.Status.HELD
            message.save(update_fields=["status"])
            return OutboxMessage.Status.HELD
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email,
        to=list(message.to),
        reply_to=[message.reply_to] if message.reply_to else None,
        # The fixed Message-ID makes a resend after a crash recognisable as the same mail.
        headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"},
    )
    try:
        email.send(using="default")
    except Exception as exc:
        OutboxMessage.objects.filter(pk=pk).update(
            status=OutboxMessage.Status.FAILED,
            attempts=message.attempts + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return OutboxMessage.Status.FAILED
    OutboxMessage.objects.filter(pk=pk).update(
        status=OutboxMessage.Status.SENT, attempts=message.attempts + 1, sent_at=timezone.now()
    )
    return OutboxMessage.Status.SENT


def send_pending(*, limit: int = 200) -> int:
    """Send whatever is waiting or failed; the periodic sweep behind the per-mail task."""
    pks = list(
        OutboxMessage.objects.filter(
            status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED], attempts__lt=10
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pks:
        send(pk)
    return len(pks)
