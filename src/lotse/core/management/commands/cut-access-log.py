"""`lotse cut-access-log`: remove whole months of the access log older than its retention.

The access log is append-only (`lotse.core.audit`); this is the one way to shorten it, for the
operators of the installation: only whole calendar months, only before the start of the month
LOTSE_ACCESS_LOG_MONTHS months back, and each cut is recorded as a retention run
(kind "core.access_log")."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lotse.core import audit


class Command(BaseCommand):
    help = (
        "Remove the access log's rows before the start of a month older than "
        "LOTSE_ACCESS_LOG_MONTHS (default: the latest such month); --dry-run only counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--before",
            metavar="YYYY-MM",
            help="Cut the reads before the start of this month (default: the latest allowed).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        before = audit.earliest_cut()
        if options["before"]:
            match = re.fullmatch(r"(\d{4})-(\d{2})", options["before"])
            if not match or not 1 <= int(match[2]) <= 12:
                raise CommandError("--before takes a month as YYYY-MM")
            before = audit.month_start(int(match[1]), int(match[2]))
        try:
            count, run = audit.cut(before=before, dry_run=options["dry_run"])
        except audit.CutRefused as exc:
            raise CommandError(str(exc)) from exc
        day = f"{timezone.localtime(before):%Y-%m-%d}"
        if run is None:
            self.stdout.write(f"would remove {count} reads before {day}")
        else:
            self.stdout.write(f"removed {count} reads before {day}; recorded as run {run.pk}")
