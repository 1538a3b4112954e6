"""Reading a site's mailbox over IMAP: fetch what is new, import it, then mark it on the server.

The database is the record of what was handled: a message counts as new when its
(mailbox, UIDVALIDITY, UID) is neither stored with a mail nor recorded as handled (a copy of a
mail already stored), whatever its flags. It is flagged \\Seen (or
moved) only after its import committed; a crash in between leaves it unflagged, and the next
run finds it stored and only flags it.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from lotse.support.mail.intake import mail_import
from lotse.support.models import HandledUid, InboundMail, Mailbox

logger = logging.getLogger(__name__)

# A reader holds its mailbox this long and renews it after every message; a reader that was
# killed blocks the mailbox at most this long.
LEASE = dt.timedelta(minutes=2)
BATCH = 50


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    security: str
    username: str
    password: str
    folder: str = "INBOX"


@dataclass
class FetchResult:
    imported: int = 0
    already_known: int = 0
    error: str = ""
    busy: bool = False  # another reader holds the mailbox


def connect(config: Settings, *, ssl_context: ssl.SSLContext | None = None) -> IMAPClient:
    """Log in to the server as configured."""
    timeout = settings.MAIL_IMAP_TIMEOUT
    context = ssl_context or ssl.create_default_context()
    if config.security == Mailbox.Security.SSL:
        client = IMAPClient(
            config.host, port=config.port, ssl=True, ssl_context=context, timeout=timeout
        )
    else:
        client = IMAPClient(config.host, port=config.port, ssl=False, timeout=timeout)
        if config.security == Mailbox.Security.STARTTLS:
            client.starttls(context)
    try:
        client.login(config.username, config.password)
    except Exception:
        client.shutdown()
        raise
    return client


def describe_error(exc: BaseException) -> str:
    """A German sentence for what went wrong while talking to the server."""
    if isinstance(exc, LoginError):
        return _("Login failed: user name or password is wrong.")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return _("The secure connection failed: %(error)s") % {"error": exc}
    if isinstance(exc, socket.timeout | TimeoutError):
        return _("The server did not answer in time.")
    if isinstance(exc, ConnectionRefusedError | socket.gaierror | OSError) and not isinstance(
        exc, IMAPClientError
    ):
        return _("The server cannot be reached: %(error)s") % {"error": exc}
    return _("The server reported an error: %(error)s") % {"error": exc}


def check_connection(
    config: Settings, *, ssl_context: ssl.SSLContext | None = None
) -> tuple[bool, str]:
    """Log in and open the folder; say in German what happened."""
    try:
        client = connect(config, ssl_context=ssl_context)
    except Exception as exc:
        return False, describe_error(exc)
    try:
        info = client.select_folder(config.folder, readonly=True)
    except Exception as exc:
        return False, _("Login worked, but the folder “%(folder)s” cannot be opened: %(error)s") % {
            "folder": config.folder,
            "error": exc,
        }
    finally:
        _logout(client)
    count = int(info.get(b"EXISTS", 0))
    return True, _("Connection works: %(count)s messages in the folder “%(folder)s”.") % {
        "count": count,
        "folder": config.folder,
    }


def _logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:
        client.shutdown()


def _claim(mailbox: Mailbox, now: dt.datetime) -> bool:
    return bool(
        Mailbox.objects.filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now), pk=mailbox.pk, active=True
        ).update(locked_until=now + LEASE)
    )


def _done(client: IMAPClient, mailbox: Mailbox, uids: Iterable[int]) -> None:
    """Mark imported messages on the server: move them, or flag them \\Seen."""
    uids = list(uids)
    if not uids:
        return
    if mailbox.done_folder:
        try:
            client.move(uids, mailbox.done_folder)
        except IMAPClientError as exc:
            # RFC 3501: TRYCREATE says the folder does not exist yet; create it and try again
            # (else every later run would stop at the first message, importing nothing new).
            if "TRYCREATE" not in str(exc):
                raise
            client.create_folder(mailbox.done_folder)
            client.move(uids, mailbox.done_folder)
    else:
        client.add_flags(uids, [b"\\Seen"], silent=True)


def fetch_mailbox(
    mailbox: Mailbox, *, ssl_context: ssl.SSLContext | None = None, limit: int | None = None
) -> FetchResult:
    """Import what is new in one mailbox. Safe to run twice at once and after a crash."""
    result = FetchResult()
    now = timezone.now()
    if not _claim(mailbox, now):
        result.busy = True
        return result
    mailbox.refresh_from_db()
    try:
        client = connect(
            Settings(
                mailbox.host,
                mailbox.port,
                mailbox.security,
                mailbox.username,
                str(mailbox.password),  # decrypted text; the stubs only know bytes
                mailbox.folder,
            ),
            ssl_context=ssl_context,
        )
        try:
            _fetch(client, mailbox, result, limit)
        finally:
            _logout(client)
    except Exception as exc:
        logger.warning("mailbox %s: %s", mailbox.pk, type(exc).__name__)
        result.error = describe_error(exc)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        locked_until=None, last_checked_at=timezone.now(), last_error=result.error
    )
    return result


def _fetch(client: IMAPClient, mailbox: Mailbox, result: FetchResult, limit: int | None) -> None:
    info = client.select_folder(mailbox.folder)
    uidvalidity = int(info[b"UIDVALIDITY"])
    on_server = client.search(["ALL"])
    known = set(
        InboundMail.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity).values_list(
            "uid", flat=True
        )
    ) | set(
        HandledUid.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity).values_list(
            "uid", flat=True
        )
    )
    # Stored before but not marked yet (the last run stopped in between): only mark them.
    leftover = [uid for uid in on_server if uid in known]
    if leftover:
        unseen = set(client.search(["UNSEEN"])) if not mailbox.done_folder else set(leftover)
        _done(client, mailbox, [uid for uid in leftover if uid in unseen])
        result.already_known = len(leftover)
    on_server_set = set(on_server)
    new = sorted(uid for uid in on_server if uid not in known)
    if limit is not None:
        new = new[:limit]
    for start in range(0, len(new), BATCH):
        batch = new[start : start + BATCH]
        sizes = client.fetch(batch, ["RFC822.SIZE"])
        for uid in batch:
            size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
            part = b"BODY.PEEK[HEADER]" if size > settings.MAIL_MAX_SIZE else b"BODY.PEEK[]"
            fetched = client.fetch([uid], [part])
            data = fetched.get(uid, {})
            raw = data.get(b"BODY[HEADER]") or data.get(b"BODY[]")
            if raw is None:
                continue  # deleted on the server meanwhile
            imported = mail_import(
                site=mailbox.site,
                raw=bytes(raw),
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                uid=uid,
                size=size or None,
            )
            stored = imported.mail
            if (
                not imported.created
                and stored.mailbox_id == mailbox.pk
                and (stored.uidvalidity != uidvalidity or stored.uid not in on_server_set)
            ):
                # The same mail under a new UID (the server renumbered the folder): remember
                # the new one, or it would be downloaded again on every run.
                InboundMail.objects.filter(pk=imported.mail.pk).update(
                    uidvalidity=uidvalidity, uid=uid
                )
            # Every message handled is recorded, whatever its outcome: an identical copy
            # (bytes already stored) would otherwise be downloaded again on every run.
            HandledUid.objects.get_or_create(
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                uid=uid,
                defaults={"mail": stored},
            )
            # Only now, after the commit, the server learns the message is done.
            _done(client, mailbox, [uid])
            if imported.created:
                result.imported += 1
            else:
                result.already_known += 1
            Mailbox.objects.filter(pk=mailbox.pk).update(locked_until=timezone.now() + LEASE)


def fetch_all(*, ssl_context: ssl.SSLContext | None = None) -> dict[int, FetchResult]:
    """Read every active mailbox once."""
    return {
        mailbox.pk: fetch_mailbox(mailbox, ssl_context=ssl_context)
        for mailbox in Mailbox.objects.filter(active=True).select_related("site__organisation")
    }
