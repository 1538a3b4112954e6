"""Benchmark the mail import against a raw IMAP fetch of the same messages.

    .venv/bin/python bench/mail_import.py [--messages 500] [--scans 0] [--profile]

1. Makes sure the private test Dovecot runs (scripts/dovecot.sh start) and delivers N request
   mails from the test corpus, each made unique (subject, Message-ID), to a fresh account.
2. Migrates a fresh SQLite database in a temporary folder and creates one organisation, site,
   district and the site's mailbox for that account.
3. Measures in the same run, after one untimed warm-up fetch:
   - floor: a raw IMAP read of all messages with imapclient (SELECT, SEARCH ALL, FETCH
     BODY.PEEK[] in batches of 50),
   - per message: the IMAP traffic of the importer alone (FETCH RFC822.SIZE per batch, then
     FETCH BODY.PEEK[] and STORE +FLAGS \\Seen one message at a time), on a copy of the mail
     in a second account, so the import still finds every message unread,
   - import: `imap.fetch_mailbox` in-process (Django set up once, before the clock starts).
4. Prints messages per second, milliseconds per message and the ratios to the floor, and
   checks that every message became exactly one request. Exit status 1 if not.

Only 127.0.0.1 is contacted. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from imapclient import IMAPClient  # noqa: E402
from tests.support.intake.test_fault_tolerance import (  # noqa: E402
    SETUP,
    SITE_ADDRESS,
    request_mails,
)

HOST = "127.0.0.1"
IMAP_PORT = 10143
LMTP_PORT = 10024
PASSWORD = "lotse-test"
BATCH = 50
ROUNDS = 3  # of the floor, the fastest counts


@dataclass
class Figure:
    name: str
    messages: int
    seconds: float
    queries: int = 0

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    @property
    def ms_per_message(self) -> float:
        return self.seconds / self.messages * 1000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def start_dovecot() -> None:
    bash = shutil.which("bash") or "/bin/bash"
    subprocess.run([bash, str(ROOT / "scripts" / "dovecot.sh"), "start"], check=True, timeout=600)


def deliver(username: str, mails: list[bytes]) -> None:
    """All mails into the account's INBOX over one LMTP connection."""
    with smtplib.LMTP(HOST, LMTP_PORT, timeout=60) as lmtp:
        for raw in mails:
            refused = lmtp.sendmail("schule@example.org", [username], raw)
            if refused:
                raise RuntimeError(f"LMTP refused {username}: {refused}")


def connect(username: str) -> IMAPClient:
    client = IMAPClient(HOST, IMAP_PORT, ssl=False, timeout=60)
    client.login(username, PASSWORD)
    return client


def floor(username: str) -> Figure:
    """SELECT, SEARCH ALL, FETCH BODY.PEEK[] in batches of 50: the bytes, no work."""
    started = time.perf_counter()
    client = connect(username)
    try:
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        total = 0
        for start in range(0, len(uids), BATCH):
            fetched = client.fetch(uids[start : start + BATCH], ["BODY.PEEK[]"])
            total += sum(len(data[b"BODY[]"]) for data in fetched.values())
    finally:
        client.logout()
    seconds = time.perf_counter() - started
    assert total > 0
    return Figure("floor", len(uids), seconds)


def per_message(username: str) -> Figure:
    """The importer's IMAP traffic without Lotse: one FETCH and one STORE per message."""
    started = time.perf_counter()
    client = connect(username)
    try:
        client.select_folder("INBOX")
        uids = client.search(["ALL"])
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            client.fetch(batch, ["RFC822.SIZE"])
            for uid in batch:
                fetched = client.fetch([uid], [b"BODY.PEEK[]"])
                assert fetched[uid][b"BODY[]"]
                client.add_flags([uid], [b"\\Seen"], silent=True)
    finally:
        client.logout()
    return Figure("imap_per_message", len(uids), time.perf_counter() - started)


def empty(username: str) -> None:
    """Delete the account's mail from the server again."""
    client = connect(username)
    try:
        client.select_folder("INBOX")
        uids = client.search(["ALL"])
        if uids:
            client.delete_messages(uids)
            client.expunge()
    finally:
        client.logout()


def lotse_env(folder: Path) -> dict[str, str]:
    from lotse.lib.crypto import new_key_spec

    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSE_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="lotse.settings",
        DATABASE_URL=f"sqlite:///{folder / 'lotse.sqlite3'}",
        LOTSE_DATA_DIR=str(folder),
        LOTSE_ENCRYPTION_KEYS=new_key_spec("bench"),
        LOTSE_LOG_LEVEL="WARNING",
        LOTSE_DEMO="true",  # no secret key of its own: `lotse migrate` would refuse otherwise
    )
    return env


def prepare(folder: Path, env: dict[str, str], username: str) -> None:
    lotse = [sys.executable, "-m", "lotse"]
    subprocess.run(
        [*lotse, "migrate", "--no-input", "--verbosity", "0"], env=env, check=True, timeout=600
    )
    subprocess.run(
        [sys.executable, "-c", SETUP, HOST, str(IMAP_PORT), username, PASSWORD, SITE_ADDRESS],
        env=env,
        check=True,
        timeout=120,
        stdout=subprocess.DEVNULL,
    )


def import_in_process(env: dict[str, str], messages: int, profile: bool) -> Figure:
    """Set up Django with the bench database, then time one `imap.fetch_mailbox`."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from lotse.support.mail import imap
    from lotse.support.models import InboundMail, Mailbox, SupportRequest

    mailbox = Mailbox.objects.select_related("site__organisation").get()
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        result = imap.fetch_mailbox(mailbox)
    seconds = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    if result.error:
        raise RuntimeError(f"import failed: {result.error}")
    counts = (result.imported, InboundMail.objects.count(), SupportRequest.objects.count())
    if counts != (messages,) * 3:
        raise RuntimeError(f"expected {messages} of each, got imported/mails/requests {counts}")
    return Figure("import", result.imported, seconds, queries)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500, help="messages to import (500)")
    parser.add_argument(
        "--scans",
        type=int,
        default=0,
        help="also attach 1..N scanned PDFs of 50–200 KB to each mail (0: corpus mails only)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the mail mix (1)")
    parser.add_argument("--profile", action="store_true", help="cProfile the import")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    start_dovecot()
    mails = request_mails(
        args.messages,
        seed=args.seed,
        attachment_size=(50_000, 200_000) if args.scans else None,
        scans=(1, max(args.scans, 1)),
    )
    raws = [m.raw for m in mails]
    size = sum(len(raw) for raw in raws)
    account = f"bench-{uuid.uuid4().hex[:8]}"
    log(f"delivering {len(raws)} mails ({size / 1e6:.1f} MB) to {account} and {account}-imap …")
    deliver(account, raws)
    deliver(f"{account}-imap", raws)

    folder = Path(tempfile.mkdtemp(prefix="lotse-bench-mail-"))
    try:
        env = lotse_env(folder)
        log(f"migrating a fresh database in {folder} …")
        prepare(folder, env, account)
        floor(account)  # warm-up: Dovecot's index and the page cache
        floor(f"{account}-imap")
        log(f"measuring (load average {load()}) …")
        base = min((floor(account) for _ in range(ROUNDS)), key=lambda f: f.seconds)
        imap_only = per_message(f"{account}-imap")
        imported = import_in_process(env, len(raws), args.profile)
        log(f"load average after: {load()}")
    finally:
        for username in (account, f"{account}-imap"):
            empty(username)
        if args.keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"{len(raws)} messages, {size / 1e6:.1f} MB, {size / len(raws) / 1e3:.1f} KB each")
    for figure in (base, imap_only, imported):
        ratio = figure.ms_per_message / base.ms_per_message
        print(
            f"{figure.name + ':':18s}{figure.seconds:7.2f} s, {figure.rate:7.0f} msg/s,"
            f" {figure.ms_per_message:6.2f} ms/msg, {ratio:5.1f}× floor"
        )
    print(
        f"import/floor rate: {imported.rate / base.rate:.3f};"
        f" SQL queries per message: {imported.queries / imported.messages:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
