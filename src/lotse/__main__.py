"""The `lotse` command: Django's manage.py, plus `serve` and `worker`.

A real installation (no `LOTSE_DEMO=true`) refuses to start without its own secret key and
encryption keys. That refusal is a system check (lotse.core.checks), which Django runs before
`serve`, `worker`, `migrate` and the other commands, whichever way they are started; not here
and not in settings.py, which pytest-django reads before any test can say it is one.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lotse", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
