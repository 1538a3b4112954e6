"""The mail backend of an installation without SMTP (no `SMTP_HOST`), a supported mode.

Lotse's own mails never reach a backend then: `outbox.send` marks them held, and staff read them
under /postausgang/. What else Django might send (an error mail to LOTSE_ADMINS) is not kept in
memory, where it would vanish unseen, as with Django's locmem backend: each such mail is logged
as one line, so the operator sees that mail was due and that SMTP is missing."""

import logging
from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

logger = logging.getLogger("lotse.mail")


class HeldMailBackend(BaseEmailBackend):
    """Sends nothing; logs one line per message (recipients and subject, never the body)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            logger.warning(
                "mail not sent, no SMTP_HOST is set: to %s, subject %r",
                ", ".join(message.recipients()),
                message.subject,
            )
        return 0
