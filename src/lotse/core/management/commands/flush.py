"""`lotse flush`: Django's flush, which deletes every row, including the access log's.

The access log refuses deletes (see `lotse.core.audit`); emptying the whole database is the one
case where its rows may go, so this command lifts the triggers for its run and puts them back.
Django's test cases call it between tests."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from lotse.core import audit


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        audit.drop_triggers(connection)
        try:
            super().handle(**options)
        finally:
            audit.install_triggers(connection)
