"""`lotse import-mail --site NAME FILE.eml …`: import saved mails as if they had arrived."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.core.models import Site
from lotse.support.mail.intake import mail_import


class Command(BaseCommand):
    help = "Import saved mails (.eml) into a site's inbox, exactly as the mailbox reader does."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help=".eml files")
        parser.add_argument("--site", required=True, help="name or id of the receiving site")
        parser.add_argument(
            "--organisation", help="short name of the organisation, if site names repeat"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site = self._site(options["site"], options.get("organisation"))
        counts: dict[str, int] = {}
        for path in options["files"]:
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from exc
            result = mail_import(site=site, raw=raw, mailbox=getattr(site, "mailbox", None))
            key = result.mail.outcome if result.created else "duplicate"
            counts[key] = counts.get(key, 0) + 1
            if options["verbosity"] > 1:
                self.stdout.write(f"{path}: {key}")
        summary = ", ".join(f"{key}: {count}" for key, count in sorted(counts.items()))
        self.stdout.write(f"{sum(counts.values())} mails read ({summary})")

    def _site(self, value: str, organisation: str | None) -> Site:
        sites = Site.objects.select_related("organisation")
        if organisation:
            sites = sites.filter(organisation__slug=organisation)
        found = list(sites.filter(pk=int(value))) if value.isdigit() else []
        found = found or list(sites.filter(name__iexact=value))
        if len(found) != 1:
            raise CommandError(
                f"site {value!r} not found" if not found else f"site {value!r} is ambiguous"
            )
        return found[0]
