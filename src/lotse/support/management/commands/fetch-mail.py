"""`lotse fetch-mail`: read the sites' mailboxes once (what the worker does every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lotse.support.mail import imap
from lotse.support.models import Mailbox


class Command(BaseCommand):
    help = "Import new mail from every active site mailbox, or from one site's."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", type=int, help="id of one site")
        parser.add_argument("--cafile", help="trust the certificates of this CA file")

    def handle(self, *args: Any, **options: Any) -> None:
        context = None
        if options.get("cafile"):
            import ssl

            context = ssl.create_default_context(cafile=options["cafile"])
        mailboxes = Mailbox.objects.filter(active=True).select_related("site")
        if options.get("site"):
            mailboxes = mailboxes.filter(site_id=options["site"])
        failed = False
        for mailbox in mailboxes:
            result = imap.fetch_mailbox(mailbox, ssl_context=context)
            line = f"{mailbox.site.name}: {result.imported} imported"
            if result.already_known:
                line += f", {result.already_known} already known"
            if result.busy:
                line += " – busy: another reader holds this mailbox (at most 2 minutes)"
            if result.error:
                failed = True
                line += f" – {result.error}"
            self.stdout.write(line)
        if failed:
            raise SystemExit(1)
