"""The Dovecot fixtures themselves: LMTP delivery in, IMAP (plain, STARTTLS, IMAPS) out."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import socket
import subprocess
import tempfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from imapclient import SEEN, IMAPClient
from imapclient.exceptions import LoginError

from tests.support.intake.conftest import DOVECOT_SCRIPT, ConnectImap, Deliver, Dovecot, MailAccount

SUBJECTS = [
    "Anfrage: Fortbildung zur Gesprächsführung",
    "Bitte um Unterstützung – Klassenklima 7b",
    "Rückfrage zur Übergabe, Grüße aus Löbau",
]


def message(subject: str, body: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Schulleitung Süd <schule@example.org>"
    mail["To"] = "anfragen@lotse.example"
    mail["Subject"] = subject
    mail.set_content(body)
    return mail.as_bytes(policy=email.policy.SMTP)


def subject_of(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"])


def test_delivered_mails_have_uids_and_flags(
    mail_account: MailAccount, deliver: Deliver, imap: ConnectImap
) -> None:
    for number, subject in enumerate(SUBJECTS, start=1):
        deliver(mail_account, message(subject, f"Mail {number}: Schüler, Größe, Maß."))

    client = imap(mail_account)
    selected = client.select_folder(mail_account.folder)
    uidvalidity = selected[b"UIDVALIDITY"]
    assert uidvalidity > 0
    assert selected[b"EXISTS"] == 3

    uids = client.search(["ALL"])
    assert uids == sorted(uids)
    assert len(uids) == 3
    # BODY.PEEK[] reads without setting \Seen (RFC822 and BODY[] would set it).
    fetched = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"])
    assert [subject_of(fetched[uid][b"BODY[]"]) for uid in uids] == SUBJECTS
    body = email.message_from_bytes(fetched[uids[0]][b"BODY[]"], policy=email.policy.default)
    text_part = body.get_body()
    assert text_part is not None
    assert "Schüler, Größe, Maß" in text_part.get_content()
    assert all(SEEN not in fetched[uid][b"FLAGS"] for uid in uids)

    client.add_flags([uids[1]], [SEEN])
    assert client.search(["UNSEEN"]) == [uids[0], uids[2]]

    # A second connection sees the same UIDs, UIDVALIDITY and flag.
    again = imap(mail_account)
    assert again.folder_status(mail_account.folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"] == (
        uidvalidity
    )
    again.select_folder(mail_account.folder, readonly=True)
    assert again.search(["SEEN"]) == [uids[1]]


def test_fresh_account_is_empty_with_processed_folder(
    mail_account: MailAccount, deliver: Deliver, imap: ConnectImap, dovecot: Dovecot
) -> None:
    other = MailAccount(
        host=dovecot.host,
        port=dovecot.imap_port,
        tls_port=dovecot.imaps_port,
        username=mail_account.username + "-other",
        password=dovecot.password,
    )
    deliver(other, message("Nicht für dich", "Für das andere Postfach."))

    client = imap(mail_account)
    folders = {name for _flags, _delimiter, name in client.list_folders()}
    assert {"INBOX", "Lotse/Verarbeitet"} <= folders
    client.select_folder("INBOX")
    assert client.search(["ALL"]) == []

    # What the intake will do with a handled mail: move it to Lotse/Verarbeitet.
    deliver(mail_account, message("Erledigt", "Wird verschoben."))
    client.noop()
    [uid] = client.search(["ALL"])
    client.move([uid], "Lotse/Verarbeitet")
    assert client.search(["ALL"]) == []
    assert client.folder_status("Lotse/Verarbeitet", [b"MESSAGES"])[b"MESSAGES"] == 1


def test_tls_port_and_starttls(
    mail_account: MailAccount, deliver: Deliver, imap: ConnectImap, dovecot: Dovecot
) -> None:
    deliver(mail_account, message("Über TLS", "Verschlüsselt gelesen."))

    client = imap(mail_account, tls=True)
    status = client.folder_status(mail_account.folder, [b"MESSAGES", b"UIDVALIDITY"])
    assert status[b"MESSAGES"] == 1

    with IMAPClient(dovecot.host, mail_account.port, ssl=False, timeout=10) as plain:
        assert b"STARTTLS" in plain.capabilities()
        plain.starttls(dovecot.ssl_context())
        plain.login(mail_account.username, mail_account.password)
        plain.select_folder(mail_account.folder, readonly=True)
        [uid] = plain.search(["ALL"])
        raw = plain.fetch([uid], ["RFC822"])[uid][b"RFC822"]
        assert subject_of(raw) == "Über TLS"
        plain.logout()


def test_wrong_password_is_refused(mail_account: MailAccount, imap: ConnectImap) -> None:
    wrong = MailAccount(
        host=mail_account.host,
        port=mail_account.port,
        tls_port=mail_account.tls_port,
        username=mail_account.username,
        password="falsch",
    )
    with pytest.raises(LoginError):
        imap(wrong)


def test_the_ports_come_from_the_environment(tmp_path: Path) -> None:
    """Two runs on one machine each choose their own ports (and folder)."""
    env = {
        **os.environ,
        "LOTSE_DOVECOT_DIR": str(tmp_path / "dovecot"),
        "LOTSE_DOVECOT_IMAP_PORT": "20143",
        "LOTSE_DOVECOT_IMAPS_PORT": "20993",
        "LOTSE_DOVECOT_LMTP_PORT": "20024",
    }
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [shutil.which("bash") or "/bin/bash", str(DOVECOT_SCRIPT), "status"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert result.returncode == 3
    assert "127.0.0.1:20143" in result.stdout
    assert "127.0.0.1:20993" in result.stdout
    assert "127.0.0.1:20024" in result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _script(action: str, folder: Path, ports: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [shutil.which("bash") or "/bin/bash", str(DOVECOT_SCRIPT), action],
        capture_output=True,
        text=True,
        env={**os.environ, "LOTSE_DOVECOT_DIR": str(folder), **ports},
        check=False,
        timeout=300,
    )


def _ports() -> dict[str, str]:
    return {f"LOTSE_DOVECOT_{name}_PORT": str(_free_port()) for name in ("IMAP", "IMAPS", "LMTP")}


needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("dovecot") is None,
    reason="scripts/dovecot.sh start needs root and Dovecot (make test installs it)",
)


@needs_root
def test_a_second_dovecot_with_its_own_ports_and_folder_runs_beside_the_first(
    dovecot: Dovecot, mail_account: MailAccount, deliver: Deliver, imap: ConnectImap
) -> None:
    """Two test runs on one machine: each its own Dovecot; mail goes to the right one."""
    folder = Path(tempfile.mkdtemp(prefix="lotse-dovecot-second-", dir="/tmp"))
    folder.chmod(0o755)
    ports = _ports()
    try:
        started = _script("start", folder, ports)
        assert started.returncode == 0, started.stderr
        assert "not reachable" not in started.stderr
        status = _script("status", folder, ports)
        assert status.returncode == 0, status.stdout
        assert f"127.0.0.1:{ports['LOTSE_DOVECOT_IMAP_PORT']}" in status.stdout
        # The first one still answers, and still has its mail.
        deliver(mail_account, message("Anfrage an den ersten", "Hallo"))
        with imap(mail_account) as first:
            first.select_folder("INBOX")
            assert len(first.search()) == 1
        with IMAPClient(
            "127.0.0.1", port=int(ports["LOTSE_DOVECOT_IMAP_PORT"]), ssl=False, timeout=10
        ) as second:
            second.login(mail_account.username, dovecot.password)
            second.select_folder("INBOX")
            assert second.search() == []  # a mailbox of its own
    finally:
        _script("destroy", folder, ports)


@needs_root
def test_a_folder_dovecots_user_cannot_reach_gets_a_warning(tmp_path: Path) -> None:
    """pytest's own folders lie below a directory of mode 700, like a home directory."""
    closed = tmp_path / "zu"
    closed.mkdir(mode=0o700)
    folder = closed / "dovecot"
    ports = _ports()
    try:
        started = _script("start", folder, ports)
        assert "warning:" in started.stderr
        assert f"{folder}/mail is not reachable for Dovecot's user lotse-mail" in started.stderr
        assert "LOTSE_DOVECOT_DIR" in started.stderr
    finally:
        _script("destroy", folder, ports)
