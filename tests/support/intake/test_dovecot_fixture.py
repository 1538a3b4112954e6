"""The Dovecot fixtures themselves: LMTP delivery in, IMAP (plain, STARTTLS, IMAPS) out."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import subprocess
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
