"""Count the SQL queries of the benchmarked pages, in-process, against a seeded database.

Run it in the environment of the database (DATABASE_URL, LOTSE_DATA_DIR) with the JSON that
bench/seed.py wrote:

    DJANGO_SETTINGS_MODULE=lotse.settings python bench/queries.py info.json [--sql]

It logs the coordinator in with django.test.Client.force_login, requests each page once to
warm up, then once more inside CaptureQueriesContext, and prints a JSON object
{page: {"status": ..., "queries": ..., "sql": [...]}} on stdout. The count includes
everything the request does: session, user, roles, the page's own reads.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path


def pages(info: dict) -> dict[str, str]:
    """The benchmarked pages, by name; the server run uses the same paths."""
    return {
        "inbox": "/koordination/",
        "inbox_overdue": "/koordination/?state=open&overdue=on",
        "detail": f"/anfragen/{info['special_request']}/",
        # Issue 6: the shared library of concepts, the review queue and the evaluation report.
        "library": "/konzepte/",
        "review_queue": f"/organisation/{info['organisation']}/konzepte/pruefen/",
        "evaluation": f"/organisation/{info['organisation']}/auswertung/",
    }


def count(info: dict, *, with_sql: bool = False) -> dict[str, dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lotse.core.models import Person

    client = Client()
    client.force_login(Person.objects.get(email=info["coordinator"]))
    result: dict[str, dict] = {}
    for name, path in pages(info).items():
        client.get(path)  # warm-up: first-use caches must not count
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        entry: dict = {"status": response.status_code, "queries": len(ctx.captured_queries)}
        if with_sql:
            entry["sql"] = [q["sql"] for q in ctx.captured_queries]
        result[name] = entry
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("info", type=Path, help="the JSON bench/seed.py wrote")
    parser.add_argument("--sql", action="store_true", help="include the SQL of each query")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
    import django

    django.setup()
    info = json.loads(args.info.read_text())
    print(json.dumps(count(info, with_sql=args.sql), indent=2))


if __name__ == "__main__":
    main()
