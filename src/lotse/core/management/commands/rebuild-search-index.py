"""`lotse rebuild-search-index`: build the search index anew from the indexed objects."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.core import search


class Command(BaseCommand):
    help = "Rebuild the search index of every registered kind of content (or of those named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kinds", nargs="*", help="kinds to rebuild, e.g. catalog.offer (default: all)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        known = {kind.key for kind in search.kinds()}
        unknown = sorted(set(options["kinds"]) - known)
        if unknown:
            raise CommandError(
                f"Unknown kind: {', '.join(unknown)} (registered: {', '.join(sorted(known))})"
            )
        for key, count in search.rebuild(options["kinds"]).items():
            self.stdout.write(f"{key}: {count} indexed")
