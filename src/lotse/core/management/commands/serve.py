"""`lotse serve`: the production web server (gunicorn) on the given address."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lotse.settings import env_bool


class Command(BaseCommand):
    help = "Serve Lotse with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("LOTSE_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("LOTSE_WEB_WORKERS", "2"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("LOTSE_WEB_THREADS", "4"))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "lotse.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-" if env_bool("LOTSE_ACCESS_LOG", False) else "/dev/null",
            "--graceful-timeout",
            "5",
        ]
        self.stdout.write(f"Lotse läuft auf http://{options['bind']}/")
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
