"""A real IMAP server for the tests of requests by e-mail: the private Dovecot on loopback.

scripts/dovecot.sh runs it (``make test`` starts it; the ``dovecot`` fixture does too). Every
user name logs in with the same password and a new name is a new, empty mailbox, so each test
takes a fresh ``mail_account``, delivers to it over LMTP and reads it over IMAP::

    def test_something(mail_account, deliver, imap):
        deliver(mail_account, b"Subject: Hallo\\r\\n\\r\\nText\\r\\n")
        client = imap(mail_account)
        client.select_folder(mail_account.folder)
        assert len(client.search()) == 1
"""

from __future__ import annotations

import contextlib
import os
import shutil
import smtplib
import ssl
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

ROOT = Path(__file__).resolve().parents[3]
DOVECOT_SCRIPT = ROOT / "scripts" / "dovecot.sh"
DOVECOT_DIR = Path(os.environ.get("LOTSE_DOVECOT_DIR") or "/tmp/lotse-dovecot")  # noqa: S108
TIMEOUT = 10  # seconds, for every connection to the server


@dataclass(frozen=True)
class Dovecot:
    """Where the test Dovecot listens: the LOTSE_DOVECOT_*_PORT variables, as scripts/dovecot.sh."""

    host: str = "127.0.0.1"
    # plaintext login allowed, STARTTLS offered
    imap_port: int = int(os.environ.get("LOTSE_DOVECOT_IMAP_PORT") or 10143)
    imaps_port: int = int(os.environ.get("LOTSE_DOVECOT_IMAPS_PORT") or 10993)  # implicit TLS
    lmtp_port: int = int(os.environ.get("LOTSE_DOVECOT_LMTP_PORT") or 10024)
    password: str = "lotse-test"  # for every user name
    cafile: Path = DOVECOT_DIR / "tls" / "cert.pem"  # the self-signed certificate

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts the server's self-signed certificate (and only it)."""
        return ssl.create_default_context(cafile=str(self.cafile))


@dataclass(frozen=True)
class MailAccount:
    """One mailbox on the test Dovecot: ``port`` is plain IMAP, ``tls_port`` is IMAPS."""

    host: str
    port: int
    tls_port: int
    username: str
    password: str
    folder: str = "INBOX"


Deliver = Callable[..., None]
"""``deliver(account, raw: bytes, *, sender="schule@example.org") -> None``"""

ConnectImap = Callable[..., IMAPClient]
"""``imap(account, *, tls=False) -> IMAPClient``, logged in; logged out at teardown."""


@pytest.fixture(scope="session")
def dovecot() -> Dovecot:
    """Make sure the test Dovecot runs (a no-op of a fraction of a second when it does)."""
    bash = shutil.which("bash") or "/bin/bash"
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [bash, str(DOVECOT_SCRIPT), "start"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(
            f"scripts/dovecot.sh start failed (exit {result.returncode}):\n"
            f"{result.stdout}{result.stderr}",
            pytrace=False,
        )
    return Dovecot()


@pytest.fixture
def mail_account(dovecot: Dovecot) -> MailAccount:
    """A new user name, so a mailbox of its own that no other test sees."""
    return MailAccount(
        host=dovecot.host,
        port=dovecot.imap_port,
        tls_port=dovecot.imaps_port,
        username=f"t-{uuid.uuid4().hex[:8]}",
        password=dovecot.password,
    )


@pytest.fixture
def deliver(dovecot: Dovecot) -> Deliver:
    """Deliver a raw message into an account's INBOX over LMTP, as a mail server would.

    The server answers only once the message is stored, so IMAP sees it right after.
    """

    def deliver(account: MailAccount, raw: bytes, *, sender: str = "schule@example.org") -> None:
        with smtplib.LMTP(dovecot.host, dovecot.lmtp_port, timeout=TIMEOUT) as lmtp:
            refused = lmtp.sendmail(sender, [account.username], raw)
        if refused:
            raise AssertionError(f"LMTP refused {account.username}: {refused}")

    return deliver


@pytest.fixture
def imap(dovecot: Dovecot) -> Iterator[ConnectImap]:
    """Open logged-in IMAP connections to an account; all are logged out at teardown.

    Plain IMAP by default; ``tls=True`` uses the IMAPS port and trusts the test certificate.
    """
    clients: list[IMAPClient] = []

    def connect(account: MailAccount, *, tls: bool = False) -> IMAPClient:
        if tls:
            client = IMAPClient(
                account.host,
                account.tls_port,
                ssl=True,
                ssl_context=dovecot.ssl_context(),
                timeout=TIMEOUT,
            )
        else:
            client = IMAPClient(account.host, account.port, ssl=False, timeout=TIMEOUT)
        clients.append(client)
        client.login(account.username, account.password)
        return client

    yield connect
    for client in clients:
        # A test may have logged out itself; logout() closes the socket either way.
        with contextlib.suppress(Exception):
            client.logout()
        with contextlib.suppress(Exception):
            client.shutdown()
