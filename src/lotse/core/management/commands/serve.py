"""`lotse serve`: the production web server (gunicorn) on the given address."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from lotse.settings import base_url_of_bind, env_bool

# The longest path a Unix socket may have (sun_path holds 108 bytes on Linux, 104 on BSDs).
_SOCKET_PATH_MAX = 100


def control_socket_options() -> list[str]:
    """gunicorn 27's control socket (for `gunicornc`) in the data folder, not in the shared
    ~/.gunicorn/gunicorn.ctl where two instances of one user would take it from each other.
    Off when the folder's path is too long for a Unix socket."""
    path = Path(settings.DATA_DIR) / "gunicorn.ctl"
    if len(os.fsencode(path)) > _SOCKET_PATH_MAX:
        return ["--no-control-socket"]
    return ["--control-socket", str(path)]


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
            *control_socket_options(),
        ]
        # The server's processes (and their links in mails) see the address it binds to; see
        # BASE_URL in lotse.settings.
        os.environ["LOTSE_BIND"] = options["bind"]
        base_url = os.environ.get("LOTSE_BASE_URL") or base_url_of_bind(options["bind"])
        self.stdout.write(
            f"Lotse läuft auf http://{options['bind']}/ (Links in Mails: {base_url}/)"
        )
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
