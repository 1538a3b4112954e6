"""Benchmark the coordinator inbox and a long request page against a trivial view.

    .venv/bin/python bench/run.py [--requests N] [--schools N] [--quick]

1. Seeds a fresh SQLite database in a temporary folder (`lotse migrate`, then bench/seed.py),
   and a small one (1,000 requests) to compare the number of queries against.
2. Counts the SQL queries of each page in-process (bench/queries.py) in both databases.
3. Starts the real server (`lotse serve`, gunicorn) on a free loopback port, logs in as the
   coordinator of the first site like a browser would, and runs a bounded closed loop of
   requests against /ping/ (the floor), the inbox, the filtered inbox and the detail page of
   the request with 200 timeline events.
4. Prints median and p95 latency, requests per second, the ratio of each page's median to the
   floor's median, and the query counts. Exits 1 if a page needs more queries in the big
   database than in the small one, or if a page does not answer 200.

Only the standard library talks HTTP, and only to 127.0.0.1. See bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import hmac
import http.client
import json
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import queries  # bench/queries.py: the benchmarked pages, shared with the query count

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"


@dataclass
class Database:
    folder: Path
    env: dict[str, str]
    info: dict


@dataclass
class Result:
    name: str
    path: str
    latencies: list[float]  # seconds
    elapsed: float
    errors: list[str]

    def merge(self, other: Result) -> Result:
        return Result(
            self.name,
            self.path,
            self.latencies + other.latencies,
            self.elapsed + other.elapsed,
            self.errors + other.errors,
        )

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95_ms(self) -> float:
        if len(self.latencies) < 2:
            return self.median_ms
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[94] * 1000

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="lotse.settings",
        LOTSE_DATA_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{folder / 'lotse.sqlite3'}",
        LOTSE_ALLOWED_HOSTS=f"{HOST},localhost,testserver",
        LOTSE_DEBUG="false",
        # The demo: the real server starts without a secret key and encryption keys of its own.
        LOTSE_DEMO="true",
    )
    env.pop("LOTSE_ACCESS_LOG", None)
    return env


def lotse(*args: str, env: dict[str, str]) -> list[str]:
    return [sys.executable, "-m", "lotse", *args]


def prepare(folder: Path, *, requests: int, schools: int, special_events: int) -> Database:
    """Migrate a fresh database in `folder` and seed it."""
    folder.mkdir(parents=True)
    env = database_env(folder)
    started = time.monotonic()
    subprocess.run(lotse("migrate", "--verbosity", "0", env=env), env=env, check=True)
    info_path = folder / "info.json"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "seed.py"),
            "--requests",
            str(requests),
            "--schools",
            str(schools),
            "--special-events",
            str(special_events),
            "--out",
            str(info_path),
        ],
        env=env,
        check=True,
    )
    info = json.loads(info_path.read_text())
    info["total_seconds"] = round(time.monotonic() - started, 1)
    size = sum(p.stat().st_size for p in folder.glob("lotse.sqlite3*"))
    info["megabytes"] = round(size / 1e6, 1)
    return Database(folder, env, info)


def count_queries(db: Database) -> dict[str, dict]:
    out = subprocess.run(
        [sys.executable, str(HERE / "queries.py"), str(db.folder / "info.json")],
        env=db.env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


def wait_for_server(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with code {server.returncode}")
        try:
            if get(port, "/ping/").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /ping/ within {timeout:.0f} s")


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie = SimpleCookie()
        cookie.load(header)
        jar.update({key: morsel.value for key, morsel in cookie.items()})


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _post(
    port: int, path: str, fields: dict[str, str], jar: dict[str, str]
) -> http.client.HTTPResponse:
    """POST a form like a browser (cookies, CSRF token, Referer); keep the cookies it sets."""
    body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": jar["csrftoken"]})
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": _cookie_header(jar),
                "Referer": f"http://{HOST}:{port}{path}",
            },
        )
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    _cookies(response, jar)
    return response


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""
    counter = int(time.time() if at is None else at) // 30
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def login(port: int, email: str, password: str, totp_secret: str) -> str:
    """Log in through the allauth form and its code step like a browser; return the Cookie
    header to send."""
    jar: dict[str, str] = {}
    page = get(port, "/konto/login/")
    if page.status != 200:
        raise RuntimeError(f"GET /konto/login/ answered {page.status}")
    _cookies(page, jar)
    if "csrftoken" not in jar:
        raise RuntimeError("the login page set no csrftoken cookie")
    response = _post(port, "/konto/login/", {"login": email, "password": password}, jar)
    if response.status == 302 and response.headers["Location"] == "/konto/2fa/authenticate/":
        response = _post(port, "/konto/2fa/authenticate/", {"code": totp_code(totp_secret)}, jar)
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login as {email} failed: {response.status}")
    return _cookie_header(jar)


def warm_up(port: int, path: str, cookie: str, count: int) -> None:
    """Fill the workers' caches (templates, translations, connections) before measuring."""
    for _ in range(count):
        response = get(port, path, {"Cookie": cookie})
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status} during warm-up")


def measure(
    port: int,
    name: str,
    path: str,
    cookie: str,
    *,
    count: int,
    concurrency: int,
    time_limit: float,
) -> Result:
    """A closed loop: `concurrency` clients each send a request when the previous one ended."""
    headers = {"Cookie": cookie}

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    issued = 0
    deadline = time.monotonic() + time_limit

    def client() -> None:
        nonlocal issued
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        try:
            while True:
                with lock:
                    if issued >= count or time.monotonic() > deadline:
                        return
                    issued += 1
                started = time.perf_counter()
                try:
                    # http.client reopens the connection when the server closed it.
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    with lock:
                        errors.append(repr(exc))
                    continue
                took = time.perf_counter() - started
                with lock:
                    if response.status == 200:
                        latencies.append(took)
                    else:
                        errors.append(f"HTTP {response.status}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client, name=f"client-{i}") for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if not latencies:
        raise RuntimeError(f"{path}: no successful request ({errors[:3]})")
    return Result(name, path, latencies, elapsed, errors)


def start_server(db: Database, port: int, workers: int) -> subprocess.Popen:
    server_log = (db.folder / "server.log").open("w")
    return subprocess.Popen(
        lotse(
            "serve",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "1",
            env=db.env,
        ),
        env=db.env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()  # gunicorn's master (lotse serve exec'd into it) stops its workers
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, help="support requests to seed (100,000)")
    parser.add_argument("--schools", type=int, help="schools to seed (3,000)")
    parser.add_argument(
        "--quick", action="store_true", help="10,000 requests, 500 schools, 99 samples per page"
    )
    parser.add_argument("--small-requests", type=int, default=1_000)
    parser.add_argument("--small-schools", type=int, default=100)
    parser.add_argument("--count", type=int, help="measured requests per page (300)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up requests per page")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds over the pages (3)"
    )
    parser.add_argument("--concurrency", type=int, default=2, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--time-limit", type=float, default=60, help="seconds at most per page (60)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder with the databases"
    )
    args = parser.parse_args(argv)
    args.requests = args.requests or (10_000 if args.quick else 100_000)
    args.schools = args.schools or (500 if args.quick else 3_000)
    args.count = args.count or (99 if args.quick else 300)
    args.rounds = max(1, min(args.rounds, args.count))
    args.count -= args.count % args.rounds  # the same number of requests in every round
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="lotse-bench-"))
    try:
        return run(args, folder)
    finally:
        if args.keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def run(args: argparse.Namespace, folder: Path) -> int:
    log(f"seeding {args.requests:,} requests over {args.schools:,} schools …")
    big = prepare(folder / "big", requests=args.requests, schools=args.schools, special_events=200)
    log(f"  done in {big.info['total_seconds']} s ({big.info['megabytes']} MB)")
    log(f"seeding the small database ({args.small_requests:,} requests) …")
    small = prepare(
        folder / "small",
        requests=args.small_requests,
        schools=args.small_schools,
        special_events=5,
    )
    log("counting queries in-process …")
    queries_big = count_queries(big)
    queries_small = count_queries(small)

    pages = {"ping": "/ping/", **queries.pages(big.info)}
    results, args.load = measure_pages(big, pages, args)

    return report(
        args=args,
        big=big,
        small=small,
        results=results,
        queries_big=queries_big,
        queries_small=queries_small,
    )


def measure_pages(
    db: Database, pages: dict[str, str], args: argparse.Namespace
) -> tuple[list[Result], tuple[float, float]]:
    """Serve `db` with `lotse serve`, log in as its coordinator (with the second factor) and
    measure each page in interleaved rounds; the results and the load average before/after."""
    load_before = os.getloadavg()[0]
    port = free_port()
    log(f"starting lotse serve on {HOST}:{port} ({args.workers} workers, 1 thread) …")
    server = start_server(db, port, args.workers)
    try:
        wait_for_server(port, server)
        cookie = login(port, db.info["coordinator"], db.info["password"], db.info["totp_secret"])
        for path in pages.values():
            warm_up(port, path, cookie, args.warmup)
        # Rounds interleave the pages, so a change in the machine's load during the run
        # (other processes, CPU frequency) affects the floor and the pages alike.
        per_round = args.count // args.rounds
        merged: dict[str, Result] = {}
        for number in range(1, args.rounds + 1):
            log(f"round {number}/{args.rounds}: {per_round} requests per page …")
            for name, path in pages.items():
                result = measure(
                    port,
                    name,
                    path,
                    cookie,
                    count=per_round,
                    concurrency=args.concurrency,
                    time_limit=args.time_limit / args.rounds,
                )
                merged[name] = merged[name].merge(result) if name in merged else result
        return list(merged.values()), (load_before, os.getloadavg()[0])
    except Exception:
        server_log = db.folder / "server.log"
        if server_log.exists():
            log("--- server log ---\n" + server_log.read_text()[-4000:])
        raise
    finally:
        stop_server(server)


def report(
    *,
    args: argparse.Namespace,
    big: Database,
    small: Database,
    results: list[Result],
    queries_big: dict[str, dict],
    queries_small: dict[str, dict],
) -> int:
    info = big.info
    print()
    print(
        f"Lotse benchmark: {info['requests']:,} requests, {info['schools']:,} schools, "
        f"{info['events']:,} timeline events; seeded in {info['total_seconds']} s, "
        f"{info['megabytes']} MB"
    )
    print(
        f"server: lotse serve, {args.workers} workers × 1 thread; client: "
        f"{args.concurrency} threads, closed loop, {args.warmup} warm-ups, "
        f"{args.rounds} interleaved rounds, up to {args.count} requests or "
        f"{args.time_limit:.0f} s per page"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, 1-minute load average {args.load[0]:.1f} before and "
        f"{args.load[1]:.1f} after measuring (this benchmark's server and client add about "
        f"{args.concurrency + 1})"
    )
    print(f"small DB for the query counts: {small.info['requests']:,} requests, 5-event request")
    print()
    floor = results[0].median_ms
    failed = False
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
        if r.name in queries_big:
            n_big = queries_big[r.name]["queries"]
            n_small = queries_small[r.name]["queries"]
            line += f"; queries: {n_big} (small DB: {n_small})"
            if n_big > n_small:
                line += "  ← GROWS WITH DATA"
                failed = True
            for counts in (queries_big, queries_small):
                if counts[r.name]["status"] != 200:
                    line += f"  ← in-process status {counts[r.name]['status']}"
                    failed = True
        print(line)
    print()
    print(goal_line("request page (detail)", results, "detail"))
    print("FAILED" if failed else "OK: query counts do not grow with the data")
    return 1 if failed else 0


# Issue 11: a page a user waits for costs at most this many trivial requests.
GOAL_FLOOR_RATIO = 10.0


def goal_line(label: str, results: list[Result], name: str) -> str:
    """The page's median against the floor and the goal; informational, as the ratio depends
    on the machine's load (see bench/README.md)."""
    floor = results[0].median_ms
    page = next(r for r in results if r.name == name)
    ratio = page.median_ms / floor
    verdict = "met" if ratio <= GOAL_FLOOR_RATIO else "NOT met"
    return (
        f"goal: {label} at most {GOAL_FLOOR_RATIO:.0f}× the floor – {ratio:.1f}× "
        f"({page.median_ms:.1f} ms against {floor:.1f} ms): {verdict}"
    )


if __name__ == "__main__":
    sys.exit(main())
