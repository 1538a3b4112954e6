"""What a real installation needs before it may start: its own secret key, encryption keys
that a backup of the data folder does not hold, and the public address its links lead to.

These are Django system checks. Django runs them before `lotse serve`, `lotse worker`,
`lotse migrate` and every other command that does not opt out, and stops with the messages
below. They live here and not in settings.py because pytest-django imports the settings and
builds the test database with an in-process `migrate` (whose `call_command` skips the checks)
before any fixture can say "this is a test": a plain `pytest` must keep working, and a real
installation must not. The demo (`LOTSE_DEMO=true`) needs none of this.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from lotse.lib import crypto

DEMO_HINT = "For the demo on this machine, set LOTSE_DEMO=true (`make run` does)."
MOVE_KEY_HINT = (
    "Copy the line in {path} into LOTSE_ENCRYPTION_KEYS (or move the file out of the data "
    "folder and point LOTSE_ENCRYPTION_KEY_FILE at it), then delete {path}. "
    "See docs/operations.md, 'Encryption keys'."
)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


@checks.register(checks.Tags.security)
def secret_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A real installation signs sessions and links with its own key, never the published one."""
    if settings.LOTSE_DEMO:
        return []
    if settings.LOTSE_SECRET_KEY_GIVEN and settings.SECRET_KEY != settings.DEVELOPMENT_SECRET_KEY:
        return []
    return [
        checks.Error(
            "LOTSE_SECRET_KEY is not set (or is the published development key): a real "
            "installation does not start without its own secret key.",
            hint="Set LOTSE_SECRET_KEY to a long random value, e.g. from "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'. " + DEMO_HINT,
            id="lotse.E001",
        )
    ]


@checks.register(checks.Tags.security)
def encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The key ring of a real installation lies outside the data folder that is backed up, so
    a backup never holds ciphertext and key together."""
    if settings.LOTSE_DEMO:
        return []
    data_dir = Path(settings.DATA_DIR)
    generated = crypto.generated_key_file()
    key_file = crypto.configured_key_file()
    errors: list[checks.CheckMessage] = []
    ring: crypto.KeyRing | None = None
    if not settings.LOTSE_ENCRYPTION_KEYS and key_file is None:
        if generated.exists():
            return [
                checks.Error(
                    f"The only encryption key is the generated file {generated}, inside the "
                    "data folder: every backup of the folder would hold the key beside the "
                    "data it opens.",
                    hint=MOVE_KEY_HINT.format(path=generated),
                    id="lotse.E002",
                )
            ]
        return [
            checks.Error(
                "No encryption keys: a real installation needs LOTSE_ENCRYPTION_KEYS or "
                "LOTSE_ENCRYPTION_KEY_FILE (a file outside LOTSE_DATA_DIR).",
                hint='Make a key with `lotse shell -c "from lotse.lib.crypto import '
                "new_key_spec; print(new_key_spec('k1'))\"` and set "
                "LOTSE_ENCRYPTION_KEYS=<that line>. " + DEMO_HINT,
                id="lotse.E002",
            )
        ]
    try:
        if settings.LOTSE_ENCRYPTION_KEYS:
            ring = crypto.parse_keys(settings.LOTSE_ENCRYPTION_KEYS)
        elif key_file is not None:
            if _inside(key_file, data_dir):
                errors.append(
                    checks.Error(
                        f"LOTSE_ENCRYPTION_KEY_FILE ({key_file}) lies inside the data folder "
                        f"{data_dir}: every backup of the folder would hold the key beside the "
                        "data it opens.",
                        hint="Move the file outside LOTSE_DATA_DIR (e.g. to /etc/lotse/) and "
                        "point LOTSE_ENCRYPTION_KEY_FILE there.",
                        id="lotse.E003",
                    )
                )
            ring = crypto.parse_key_file(key_file)
    except OSError as exc:
        errors.append(
            checks.Error(
                f"LOTSE_ENCRYPTION_KEY_FILE: cannot read {key_file}: {exc.strerror}.",
                id="lotse.E004",
            )
        )
    except ImproperlyConfigured as exc:
        errors.append(checks.Error(str(exc), id="lotse.E004"))
    if generated.exists():
        # Left over from before the keys were configured: a copy of a key in every backup, or,
        # if its key is missing from the ring, the only way to open what it sealed.
        try:
            missing = set(crypto.parse_key_file(generated).keys) - set(ring.keys if ring else ())
        except (OSError, ImproperlyConfigured):
            missing = set()
        errors.append(
            checks.Error(
                f"The generated key file {generated} is still inside the data folder."
                + (
                    f" Its key {', '.join(sorted(missing))} is not in the configured ring, so "
                    "what it sealed could no longer be read."
                    if missing
                    else ""
                ),
                hint=(
                    f"Add the line in {generated} behind the configured keys, then delete "
                    f"{generated}."
                    if missing
                    else f"The configured keys hold its key: delete {generated}."
                ),
                id="lotse.E005",
            )
        )
    return errors


@checks.register(checks.Tags.security)
def base_url(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Links in mails and calendar files lead to the installation's public address; a real
    installation says which it is. Only the demo derives it from the address it binds to."""
    if settings.LOTSE_DEMO:
        return []
    if not settings.LOTSE_BASE_URL_GIVEN:
        return [
            checks.Error(
                "LOTSE_BASE_URL is not set: links in mails and calendar files would point to "
                f"{settings.BASE_URL}, not to the address people reach this installation at.",
                hint="Set LOTSE_BASE_URL to the public address, with scheme and without a "
                "trailing slash, e.g. https://lotse.example.org. " + DEMO_HINT,
                id="lotse.E006",
            )
        ]
    parsed = urlsplit(settings.BASE_URL)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        return [
            checks.Error(
                f"LOTSE_BASE_URL ({settings.BASE_URL}) is not an address with http:// or "
                "https:// and a host name.",
                hint="e.g. LOTSE_BASE_URL=https://lotse.example.org",
                id="lotse.E006",
            )
        ]
    return []
