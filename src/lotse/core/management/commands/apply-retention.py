"""`lotse apply-retention`: apply every organisation's retention rules now.

The worker does this once per night by itself (`lotse.core.tasks.apply_retention`). Run by hand,
it applies the rules at once and records the runs; `--dry-run` only counts what is due."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lotse.core import retention
from lotse.core.models import Organisation


class Command(BaseCommand):
    help = "Delete or anonymise what the retention rules say is due (--dry-run: only count)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due; change nothing."
        )
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help="Only this organisation (otherwise all, and data of no organisation).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = None
        if options["organisation"]:
            organisations = Organisation.objects.filter(slug=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"no organisation {options['organisation']!r}")
        dry_run = options["dry_run"]
        outcomes = retention.apply(organisations=organisations, dry_run=dry_run)
        verb = "due" if dry_run else "done"
        total = 0
        for outcome in outcomes:
            where = outcome.organisation.slug if outcome.organisation else "(no organisation)"
            self.stdout.write(
                f"{where}\t{outcome.rule.kind.slug}\t{outcome.rule.action} after "
                f"{outcome.rule.months} months\tended before "
                f"{timezone.localtime(outcome.cutoff):%Y-%m-%d %H:%M}\t{verb}: {outcome.count}"
            )
            total += outcome.count
        self.stdout.write(f"{'would change' if dry_run else 'changed'} {total} in all")
