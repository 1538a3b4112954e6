"""Fault tolerance of the mail import: the importer is SIGKILLed at random moments and restarted.

The issue's test: "200 messages, the importer process killed (SIGKILL) at random moments at
least 20 times and restarted: exactly 200 requests, none twice."

It runs outside pytest-django's test database, the way production runs: a fresh database
(an SQLite file in WAL mode, or a database of its own on the PostgreSQL server when
DATABASE_URL points there), `lotse migrate` and `lotse fetch-mail` as real processes, and the
real Dovecot of the other intake tests. The mailbox's lease (`imap.LEASE`, 10 minutes) outlives
a killed reader; since the test waits for each killed process to be gone, it expires the lease
right away instead of waiting for it (a reader that finds the lease taken imports nothing).

The mails are the corpus's requests, made unique (subject, Message-ID, one header line) and
each given 2–4 scanned PDFs of 50–200 KB (about 100 MB in all), so that the import takes long
enough for most kills to land in the middle of it. A kill between an import's commit and its
STORE \\Seen is rare by chance, so that state is also made by hand (stored mail unread again)
before the last runs.
"""

from __future__ import annotations

import email
import email.base64mime
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

import pytest

from tests.support.intake.conftest import ConnectImap, Deliver, MailAccount
from tests.support.intake.corpus import build_corpus

ROOT = Path(__file__).resolve().parents[3]
LOTSE = Path(sys.executable).with_name("lotse")

MAILS = 200
MIN_KILLS = 20
MAX_RUNS = 120  # runs that end on their own before the kill do not count as kills
SEED = 20250303
# When to kill: after this many more mails were committed in the run (chosen at random), plus a
# random pause of up to JITTER seconds, so the kill lands in any phase of the next mail (reading,
# parsing, storing, flagging). Counted from the importer's progress, not from the clock, so the
# test means the same on a fast machine and on a loaded one.
KILL_AFTER_MAILS = (1, 8)
JITTER = 0.05  # seconds
POLL = 0.01  # seconds between two looks at the database
ATTACHMENT_SIZE = (50_000, 200_000)  # bytes of each scanned PDF
SCANS = (2, 4)  # scanned PDFs per mail
TIMEOUT = 60  # seconds, for each subprocess that is not killed on purpose
SITE_ADDRESS = "dresden@lasub.example"


# --- mails ---------------------------------------------------------------------------------


def _fields(header_block: bytes, eol: bytes) -> list[bytes]:
    """The header block as logical fields, each with its folded continuation lines."""
    fields: list[bytes] = []
    for line in header_block.split(eol):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += eol + line
        else:
            fields.append(line)
    return fields


def _name(header_field: bytes) -> str:
    return header_field.split(b":", 1)[0].strip().decode("ascii", "replace").lower()


def _pdf(size: int, rng: random.Random) -> bytes:
    """A scanned document: a PDF head and incompressible image data."""
    head = b"%PDF-1.4\n1 0 obj << /Type /XObject /Subtype /Image /Filter /DCTDecode >>\nstream\n"
    return head + rng.randbytes(size) + b"\nendstream\nendobj\n%%EOF\n"


def make_unique(
    raw: bytes,
    *,
    number: int,
    subject: str,
    domain: str,
    attachments: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    """The mail with a new subject ("Nr. 007 – …"), Message-ID and X-header line; with
    `attachments` (PDF files), wrapped in multipart/mixed with the original content first."""
    eol = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
    head, sep, body = raw.partition(eol + eol)
    if not sep:
        head, body = raw, b""
    smtp = policy.SMTP.clone(linesep=eol.decode())
    new_subject = f"Nr. {number:03d} – {subject or 'Anfrage'}"
    added = [
        smtp.header_factory("Subject", new_subject).fold(policy=smtp).encode().rstrip(b"\r\n"),
        f"Message-ID: <{number:03d}.{uuid.uuid4().hex}@{domain}>".encode(),
        f"X-Lotse-Test-Mail: {number:03d}".encode(),
    ]
    fields = [f for f in _fields(head, eol) if _name(f) not in {"subject", "message-id"}]
    if not attachments:
        return eol.join(fields + added) + eol + eol + body
    content = {"content-type", "content-transfer-encoding", "content-disposition"}
    outer = [f for f in fields if _name(f) not in content | {"mime-version"}]
    inner = [f for f in fields if _name(f) in content]
    if not any(_name(f) == "content-type" for f in inner):
        # RFC 2045's default, but stated: the part may hold 8-bit text like the original.
        inner = [b'Content-Type: text/plain; charset="utf-8"', *inner]
    boundary = f"----=_Part_{number:03d}_{uuid.uuid4().hex[:12]}".encode()
    parts = [b"--" + boundary, eol.join(inner) + eol, body.rstrip(eol) + eol if body else b""]
    for filename, data in attachments:
        encoded = email.base64mime.body_encode(data, maxlinelen=76, eol=eol.decode()).encode()
        parts += [
            b"--" + boundary,
            f'Content-Type: application/pdf; name="{filename}"'.encode(),
            b"Content-Transfer-Encoding: base64",
            f'Content-Disposition: attachment; filename="{filename}"'.encode() + eol,
            encoded.rstrip(eol),
        ]
    parts.append(b"--" + boundary + b"--")
    top = [
        *outer,
        *added,
        b"MIME-Version: 1.0",
        b'Content-Type: multipart/mixed; boundary="' + boundary + b'"',
    ]
    return eol.join(top) + eol + eol + eol.join(p for p in parts if p != b"") + eol


@dataclass(frozen=True)
class FaultMail:
    number: int
    raw: bytes
    subject: str  # the request's subject, as Lotse should store it
    attachments: int  # attachments Lotse should store for it


def request_mails(
    count: int,
    *,
    seed: int,
    attachment_size: tuple[int, int] | None,
    scans: tuple[int, int] = SCANS,
) -> list[FaultMail]:
    """`count` distinct request mails from the corpus, in a shuffled but fixed order; with
    `attachment_size`, each carries `scans` (a range) scanned PDFs of that size."""
    rng = random.Random(seed)
    corpus = [m for m in build_corpus(site_address=SITE_ADDRESS) if m.expected.kind == "request"]
    mails = []
    for number in range(1, count + 1):
        mail = corpus[(number - 1) % len(corpus)]
        pages = rng.randint(*scans) if attachment_size else 0
        attachments = [
            (f"Scan_{number:03d}_Seite_{page}.pdf", _pdf(rng.randint(*attachment_size), rng))
            for page in range(1, pages + 1)
        ]
        domain = mail.expected.sender.rpartition("@")[2] or "schule.example"
        raw = make_unique(
            mail.raw,
            number=number,
            subject=mail.expected.subject,
            domain=domain,
            attachments=attachments,
        )
        subject = f"Nr. {number:03d} – {mail.expected.subject or 'Anfrage'}"[:200]
        mails.append(FaultMail(number, raw, subject, len(mail.expected.attachments) + pages))
    rng.shuffle(mails)
    return mails


# --- a database of its own ------------------------------------------------------------------


@dataclass
class Database:
    """A fresh database for `lotse` subprocesses, readable from here without Django."""

    url: str
    path: Path | None = None  # the SQLite file
    admin_url: str = ""  # PostgreSQL: where to drop it from
    name: str = ""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.path is not None:
            connection = sqlite3.connect(self.path, timeout=30)
            try:
                rows = connection.execute(sql, params).fetchall()
                connection.commit()
                return rows
            finally:
                connection.close()
        import psycopg

        with psycopg.connect(self.url, connect_timeout=10) as connection:
            cursor = connection.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def count(self, table: str) -> int:
        return int(self.rows(f"SELECT COUNT(*) FROM {table}")[0][0])  # noqa: S608 - fixed names

    def drop(self) -> None:
        if not self.name:
            return
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as connection:
            # A killed process's backend may still finish its statement; wait for it to go.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                others = connection.execute(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s", (self.name,)
                ).fetchone()
                if not others or not others[0]:
                    break
                time.sleep(0.2)
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _with_path(url: str, name: str) -> str:
    base, _, rest = url.partition("://")
    authority, _, path = rest.partition("/")
    query = path.partition("?")[2]
    return f"{base}://{authority}/{name}" + (f"?{query}" if query else "")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """An SQLite file in tmp_path, or a new PostgreSQL database if DATABASE_URL is one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        path = tmp_path / "db.sqlite3"
        yield Database(url=f"sqlite:///{path}", path=path)
        return
    import psycopg

    name = f"lotse_fault_{uuid.uuid4().hex[:10]}"
    admin_url = url.replace("pgsql://", "postgres://", 1)
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    db = Database(url=_with_path(admin_url, name), admin_url=admin_url, name=name)
    try:
        yield db
    finally:
        db.drop()


# --- lotse as a subprocess ------------------------------------------------------------------

SETUP = """
import django, sys
django.setup()
from lotse.core.models import District, Organisation, Site
from lotse.support.models import Mailbox
host, port, username, password, address = sys.argv[1:6]
organisation = Organisation.objects.create(
    slug="lasub", name="Landesamt für Schule und Bildung", kind="support_system", state="SN",
    mail_from="lotse@lasub.example",
)
site = Site.objects.create(organisation=organisation, name="Standort Dresden", email=address)
District.objects.create(organisation=organisation, name="Dresden", site=site)
Mailbox.objects.create(
    site=site, host=host, port=int(port), security="plain", username=username,
    password=password,
)
print(site.pk)
"""


def lotse_env(database: Database, data_dir: Path, key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSE_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="lotse.settings",
        DATABASE_URL=database.url,
        LOTSE_DATA_DIR=str(data_dir),
        LOTSE_ENCRYPTION_KEYS=key,
        LOTSE_LOG_LEVEL="WARNING",
        LOTSE_MAIL_IMAP_TIMEOUT="20",
        LOTSE_DEMO="true",  # no secret key of its own: `lotse migrate` would refuse otherwise
    )
    return env


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 - our own command
        args, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False, cwd=ROOT
    )
    if result.returncode != 0:
        pytest.fail(f"{args[:3]} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def setup_lotse(env: dict[str, str], account: MailAccount) -> None:
    run([str(LOTSE), "migrate", "--no-input", "--verbosity", "0"], env)
    run(
        [
            sys.executable,
            "-c",
            SETUP,
            account.host,
            str(account.port),
            account.username,
            account.password,
            SITE_ADDRESS,
        ],
        env,
    )


def imported(output: str) -> int:
    """The number `lotse fetch-mail` reports for the one site."""
    found = re.findall(r": (\d+) imported", output)
    assert len(found) == 1, output
    return int(found[0])


# --- the test -------------------------------------------------------------------------------


@pytest.fixture
def account(mail_account: MailAccount, imap: ConnectImap) -> Iterator[MailAccount]:
    """A fresh account whose (large) mail is deleted from the server after the test."""
    yield mail_account
    client = imap(mail_account)
    client.select_folder(mail_account.folder)
    uids = client.search(["ALL"])
    if uids:
        client.delete_messages(uids)
        client.expunge()


def _kill_after_progress(
    process: subprocess.Popen[bytes], database: Database, *, target: int, jitter: float
) -> bool:
    """Wait until `target` mails are stored in all (or the process ends by itself), wait
    `jitter` seconds more, then SIGKILL the process. Whether it was killed."""
    deadline = time.monotonic() + TIMEOUT
    while process.poll() is None and database.count("support_inboundmail") < target:
        if time.monotonic() > deadline:
            pytest.fail(f"the importer committed fewer than {target} mails in {TIMEOUT} s")
        time.sleep(POLL)
    time.sleep(jitter)
    if process.poll() is not None:
        return False
    process.kill()  # SIGKILL
    process.wait(timeout=TIMEOUT)
    return True


@dataclass
class KillLog:
    lines: list[str] = field(default_factory=list)
    kills: int = 0
    mid_import: int = 0  # kills while the importer had stored some, but not all, mails
    before_flag: int = 0  # kills that left a stored mail not yet flagged \Seen

    def add(self, line: str) -> None:
        self.lines.append(line)
        print(line, flush=True)


def test_importer_killed_at_random_imports_every_mail_once(
    tmp_path: Path,
    database: Database,
    account: MailAccount,
    deliver: Deliver,
    imap: ConnectImap,
) -> None:
    from lotse.lib.crypto import new_key_spec

    started = time.monotonic()
    env = lotse_env(database, tmp_path, new_key_spec("fault"))
    setup_lotse(env, account)
    mails = request_mails(MAILS, seed=SEED, attachment_size=ATTACHMENT_SIZE)
    for mail in mails:
        deliver(account, mail.raw, sender=f"schule-{mail.number:03d}@example.org")
    print(
        f"\n{database.url.split('://')[0]}: {MAILS} mails delivered"
        f" ({sum(len(m.raw) for m in mails) / 1e6:.1f} MB) after"
        f" {time.monotonic() - started:.1f} s",
        flush=True,
    )
    watcher = imap(account)

    def seen() -> int:
        watcher.select_folder(account.folder, readonly=True)
        return len(watcher.search(["SEEN"]))

    rng = random.Random(SEED)
    log = KillLog()
    command = [str(LOTSE), "fetch-mail"]
    runs = 0
    process: subprocess.Popen[bytes] | None = None
    try:
        while log.kills < MIN_KILLS:
            runs += 1
            assert runs <= MAX_RUNS, f"only {log.kills} kills in {MAX_RUNS} runs"
            target = rng.randint(*KILL_AFTER_MAILS)
            jitter = rng.uniform(0, JITTER)
            output = tmp_path / f"run-{runs:03d}.log"
            before = database.count("support_supportrequest")
            stored_before = database.count("support_inboundmail")
            with output.open("wb") as sink:
                process = subprocess.Popen(  # noqa: S603 - our own command
                    command, env=env, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT
                )
                begin = time.monotonic()
                killed = _kill_after_progress(
                    process, database, target=stored_before + target, jitter=jitter
                )
                elapsed = time.monotonic() - begin
                status = process.returncode
                process = None
            requests = database.count("support_supportrequest")
            inbound = database.count("support_inboundmail")
            flagged = seen()
            state = f"requests={requests} inbound={inbound} seen={flagged}"
            if not killed:
                text = output.read_text(errors="replace").strip()
                log.add(f"       (run {runs:3d}) ended by itself after {elapsed:5.3f} s: {state}")
                assert status == 0, text
                imported(text)
                continue
            log.kills += 1
            if before < requests < MAILS:
                log.mid_import += 1  # it was importing and had more to do
            if flagged < requests:
                log.before_flag += 1  # killed between a commit and its STORE \Seen
            log.add(f"kill {log.kills:2d} (run {runs:3d}) after {elapsed:5.3f} s: {state}")
            # The killed reader's lease would keep the next ones out for imap.LEASE.
            database.rows("UPDATE support_mailbox SET locked_until = NULL")
        kills_done = time.monotonic()

        # The window between a commit and its STORE is too short for a random kill to hit
        # often; make that state by hand: stored mails that are unread again on the server.
        stored_uids = [uid for (uid,) in database.rows("SELECT uid FROM support_inboundmail")]
        unflag = sorted(rng.sample(stored_uids, min(10, len(stored_uids))))
        watcher.select_folder(account.folder)
        watcher.remove_flags(unflag, [b"\\Seen"])
        log.add(f"unflagged {len(unflag)} stored mails: seen={seen()}")

        # Then read to completion, until a run finds nothing new.
        for final in range(1, 6):
            text = run(command, env)
            log.add(f"final run {final}: {text.strip()}")
            if imported(text) == 0:
                break
        else:
            pytest.fail("fetch-mail still imports after 5 runs")
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT)
    print(
        f"{log.kills} kills in {runs} runs ({log.mid_import} mid-import, {log.before_flag}"
        f" between commit and flag) in {kills_done - started:.1f} s;"
        f" total {time.monotonic() - started:.1f} s",
        flush=True,
    )

    # Some kills must have hit the import itself, not only the start or the idle end.
    assert log.mid_import >= 5, "\n".join(log.lines)

    # Exactly one request and one stored mail per message; nothing twice.
    assert database.count("support_supportrequest") == MAILS
    assert database.count("support_inboundmail") == MAILS
    assert database.rows("SELECT COUNT(DISTINCT sha256) FROM support_inboundmail")[0][0] == MAILS
    assert (
        database.rows(
            "SELECT uidvalidity, uid, COUNT(*) FROM support_inboundmail"
            " GROUP BY uidvalidity, uid HAVING COUNT(*) > 1"
        )
        == []
    )
    outcomes = database.rows(
        "SELECT outcome, COUNT(*), COUNT(DISTINCT request_id) FROM support_inboundmail"
        " GROUP BY outcome"
    )
    assert outcomes == [("request", MAILS, MAILS)]
    subjects = [row[0] for row in database.rows("SELECT subject FROM support_supportrequest")]
    assert len(set(subjects)) == MAILS
    assert sorted(subjects) == sorted(m.subject for m in mails)
    assert database.count("support_attachment") == sum(m.attachments for m in mails)
    # Each request's creation was recorded once: every request has the same number of events.
    events = database.rows(
        "SELECT r.id, COUNT(e.id) FROM support_supportrequest r"
        " LEFT JOIN support_timelineevent e ON e.request_id = r.id GROUP BY r.id"
    )
    assert len({n for _, n in events}) == 1, events
    mailbox = database.rows("SELECT locked_until, last_error FROM support_mailbox")
    assert mailbox == [(None, "")]

    # On the server every message is marked done, and the UIDs are the stored ones.
    client = imap(account)
    info = client.select_folder(account.folder, readonly=True)
    on_server = client.search(["ALL"])
    assert len(on_server) == MAILS
    assert client.search(["UNSEEN"]) == []
    stored = database.rows("SELECT uidvalidity, uid FROM support_inboundmail")
    assert sorted(stored) == [(int(info[b"UIDVALIDITY"]), uid) for uid in sorted(on_server)]
