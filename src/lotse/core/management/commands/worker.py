"""`lotse worker`: runs background tasks and enqueues the periodic jobs."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def enqueue_periodic() -> None:
    """Enqueue each periodic job once; the jobs themselves are idempotent."""
    for path in settings.LOTSE_PERIODIC_TASKS:
        try:
            import_string(path).enqueue()
        except Exception:
            logger.exception("could not enqueue periodic task %s", path)
    close_old_connections()


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs (mail outbox, deadline reminders)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            enqueue_periodic()
            call_command("db_worker", batch=True, verbosity=0)
            return
        stop = threading.Event()

        def periodic() -> None:
            while not stop.is_set():
                enqueue_periodic()
                stop.wait(settings.WORKER_PERIODIC_INTERVAL)

        thread = threading.Thread(target=periodic, name="lotse-periodic", daemon=True)
        thread.start()
        try:
            call_command("db_worker", interval=1)
        finally:
            stop.set()
