"""`lotse worker`: runs background tasks and enqueues the periodic jobs."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def enqueue_periodic(due: dict[str, float] | None = None, now: float | None = None) -> None:
    """Enqueue each periodic job whose time has come; the jobs themselves are idempotent."""
    now = time.monotonic() if now is None else now
    for path, interval in settings.LOTSE_PERIODIC_TASKS.items():
        if due is not None and due.get(path, 0.0) > now:
            continue
        try:
            import_string(path).enqueue()
        except Exception:
            logger.exception("could not enqueue periodic task %s", path)
        if due is not None:
            due[path] = now + interval
    close_old_connections()


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs (mail in and out, deadline reminders)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            enqueue_periodic()
            call_command("db_worker", batch=True, verbosity=0)
            return
        stop = threading.Event()
        tick = max(1, min(settings.LOTSE_PERIODIC_TASKS.values(), default=60) // 4)

        def periodic() -> None:
            due: dict[str, float] = {}
            while not stop.is_set():
                enqueue_periodic(due)
                stop.wait(tick)

        thread = threading.Thread(target=periodic, name="lotse-periodic", daemon=True)
        thread.start()
        try:
            call_command("db_worker", interval=1)
        finally:
            stop.set()
