"""Benchmark matching: ranking 5,000 supporters for one request, and the coordinator's
request page with its shortlist, against the trivial-view floor.

    .venv/bin/python bench/matching.py [--supporters N] [--repeat N] [--count N] [--quick]

1. Seeds a fresh SQLite database in a temporary folder (`lotse migrate`, then
   bench/matching_seed.py: 5,000 supporters with profiles, absences and accompaniments, the
   organisation, schools and request history of bench/seed.py, one clarified request), and a
   small one (50 supporters) to compare the number of queries against.
2. In-process, in each database's environment: loads the candidates through the selector
   (`support.selectors.matching_candidates`, timed, queries counted), then ranks them with the
   pure function (`catalog.matching.rank`) `--repeat` times; counts the queries of the page.
3. Starts `lotse serve` on a free loopback port, logs in as the coordinator of the request's
   site (allauth form and second factor), and measures /ping/ (the floor) and the request page
   with its shortlist in interleaved rounds – with the helpers of bench/run.py.
4. Prints the time per ranking, the selector's time and queries, and each page's median, p95
   and ratio to the floor. Exits 1 if a query count grows with the data or a request failed.

Only the standard library talks HTTP, and only to 127.0.0.1. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import (
    Database,
    Result,
    database_env,
    goal_line,
    log,
    lotse,
    measure_pages,
)

HERE = Path(__file__).resolve().parent


def prepare(folder: Path, *, supporters: int, schools: int, requests: int) -> Database:
    """Migrate a fresh database in `folder` and seed it for matching."""
    folder.mkdir(parents=True)
    env = database_env(folder)
    started = time.monotonic()
    subprocess.run(lotse("migrate", "--verbosity", "0", env=env), env=env, check=True)
    info_path = folder / "info.json"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "matching_seed.py"),
            "--supporters",
            str(supporters),
            "--schools",
            str(schools),
            "--requests",
            str(requests),
            "--out",
            str(info_path),
        ],
        env=env,
        check=True,
    )
    info = json.loads(info_path.read_text())
    info["total_seconds"] = round(time.monotonic() - started, 1)
    info["megabytes"] = round(sum(p.stat().st_size for p in folder.glob("lotse.sqlite3*")) / 1e6, 1)
    return Database(folder, env, info)


# --- in-process: the selector and the pure ranking --------------------------------------------


def _milliseconds(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": statistics.median(samples) * 1000, "p95": p95 * 1000}


def in_process(info: dict, repeat: int) -> dict:
    """Time the selector and the ranking, and count the queries of both and of the page."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lotse.catalog.matching import rank
    from lotse.catalog.selectors import weights_for
    from lotse.core.models import Person
    from lotse.support.models import SupportRequest
    from lotse.support.selectors import matching as matching_selectors

    sr = SupportRequest.objects.select_related("school").get(pk=info["request"])

    def load() -> tuple[object, list, object]:
        need = matching_selectors.matching_need(request=sr)
        candidates = matching_selectors.matching_candidates(request=sr, need=need)
        return need, candidates, weights_for(organisation_id=sr.organisation_id)

    load()  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        need, candidates, weights = load()
    selector_queries = len(ctx.captured_queries)
    selector_times = []
    for _ in range(max(3, repeat // 10)):
        started = time.perf_counter()
        load()
        selector_times.append(time.perf_counter() - started)

    rank(need, candidates, weights)  # warm-up
    rank_times = []
    for _ in range(repeat):
        started = time.perf_counter()
        ranking = rank(need, candidates, weights)
        rank_times.append(time.perf_counter() - started)

    client = Client()
    client.force_login(Person.objects.get(email=info["coordinator"]))
    path = f"/anfragen/{info['request']}/"
    client.get(path)  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return {
        "candidates": len(candidates),
        "ranked": len(ranking.ranked),
        "excluded": len(ranking.excluded),
        "selector": {**_milliseconds(selector_times), "queries": selector_queries},
        "rank": _milliseconds(rank_times),
        "repeat": repeat,
        "page": {"status": response.status_code, "queries": len(ctx.captured_queries)},
        "shortlist_rows": response.content.decode().count('id="rang-'),
    }


def run_in_process(db: Database, repeat: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--in-process", str(db.folder / "info.json"), str(repeat)],
        env=db.env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


# --- the run ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supporters", type=int, default=5_000, help="supporters (5,000)")
    parser.add_argument("--schools", type=int, default=3_000, help="schools (3,000)")
    parser.add_argument("--requests", type=int, help="requests of history (10,000)")
    parser.add_argument("--small-supporters", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=50, help="rankings timed in-process (50)")
    parser.add_argument("--quick", action="store_true", help="2,000 requests, 60 page samples")
    parser.add_argument("--count", type=int, help="measured requests per page (150)")
    parser.add_argument("--warmup", type=int, default=10, help="warm-up requests per page")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    parser.add_argument("--concurrency", type=int, default=2, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--time-limit", type=float, default=90, help="seconds per page (90)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    args.requests = args.requests or (2_000 if args.quick else 10_000)
    args.count = args.count or (60 if args.quick else 150)
    args.rounds = max(1, min(args.rounds, args.count))
    args.count -= args.count % args.rounds
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--in-process"]:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
        info = json.loads(Path(argv[1]).read_text())
        print(json.dumps(in_process(info, int(argv[2]))))
        return 0
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="lotse-bench-matching-"))
    try:
        return run(args, folder)
    finally:
        if args.keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def run(args: argparse.Namespace, folder: Path) -> int:
    log(f"seeding {args.supporters:,} supporters, {args.schools:,} schools …")
    big = prepare(
        folder / "big", supporters=args.supporters, schools=args.schools, requests=args.requests
    )
    log(f"  done in {big.info['total_seconds']} s ({big.info['megabytes']} MB)")
    log(f"seeding the small database ({args.small_supporters} supporters) …")
    small = prepare(folder / "small", supporters=args.small_supporters, schools=100, requests=500)
    log(f"ranking in-process ({args.repeat} times) …")
    measured_big = run_in_process(big, args.repeat)
    measured_small = run_in_process(small, 3)

    pages = {"ping": "/ping/", "shortlist": f"/anfragen/{big.info['request']}/"}
    results, args.load = measure_pages(big, pages, args)
    return report(
        args=args,
        big=big,
        results=results,
        measured=measured_big,
        small=measured_small,
    )


def report(
    *,
    args: argparse.Namespace,
    big: Database,
    results: list[Result],
    measured: dict,
    small: dict,
) -> int:
    info = big.info
    print()
    print(
        f"Lotse matching benchmark: {info['supporters']:,} supporters ({info['profiles']:,} "
        f"with a profile, {info['absences']:,} absences, {info['accompaniments']:,} "
        f"accompaniments), {info['schools']:,} schools, {info['requests']:,} requests; seeded "
        f"in {info['total_seconds']} s, {info['megabytes']} MB"
    )
    print(
        f"server: lotse serve, {args.workers} workers × 1 thread; client: {args.concurrency} "
        f"threads, closed loop, {args.warmup} warm-ups, {args.rounds} interleaved rounds, up "
        f"to {args.count} requests or {args.time_limit:.0f} s per page"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, 1-minute load average {args.load[0]:.1f} before and "
        f"{args.load[1]:.1f} after measuring"
    )
    print()
    failed = False
    rank, selector = measured["rank"], measured["selector"]
    print(
        f"ranking (pure, in-process): median {rank['median']:6.1f} ms, p95 {rank['p95']:6.1f} ms "
        f"per ranking of {measured['candidates']:,} candidates ({measured['ranked']:,} ranked, "
        f"{measured['excluded']:,} excluded), {measured['repeat']} rankings; "
        f"{rank['median'] * 1000 / max(measured['candidates'], 1):.1f} µs per candidate"
    )
    line = (
        f"selector (loads them):      median {selector['median']:6.1f} ms, p95 "
        f"{selector['p95']:6.1f} ms; queries: {selector['queries']} "
        f"(small DB, {small['candidates']} candidates: {small['selector']['queries']})"
    )
    if selector["queries"] > small["selector"]["queries"]:
        line += "  ← GROWS WITH DATA"
        failed = True
    print(line)
    print()
    floor = results[0].median_ms
    width = max(len(r.name) for r in results) + 1
    for r in results:
        line = (
            f"{r.name + ':':<{width}} median {r.median_ms:6.1f} ms, p95 {r.p95_ms:6.1f} ms, "
            f"{r.rps:5.0f} req/s, {r.median_ms / floor:5.1f}× floor"
        )
        if len(r.latencies) < args.count:
            line += f" ({len(r.latencies)} samples, time limit)"
        if r.errors:
            line += f" [{len(r.errors)} errors: {r.errors[0]}]"
            failed = True
        if r.name == "shortlist":
            n_big, n_small = measured["page"]["queries"], small["page"]["queries"]
            line += f"; queries: {n_big} (small DB: {n_small}); rows shown: "
            line += f"{measured['shortlist_rows']}"
            if n_big > n_small:
                line += "  ← GROWS WITH DATA"
                failed = True
            for counts in (measured, small):
                if counts["page"]["status"] != 200:
                    line += f"  ← in-process status {counts['page']['status']}"
                    failed = True
        print(line)
    print()
    print(goal_line("shortlist page (5,000 supporters)", results, "shortlist"))
    print("FAILED" if failed else "OK: query counts do not grow with the number of supporters")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
