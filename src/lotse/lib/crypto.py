"""Encryption at rest: AES-GCM with a key ring, bound to the row and field it belongs to.

A sealed value is `b"L1" | len(key id) | key id | nonce (12) | ciphertext+tag`. The associated
data is "<app>.<model>.<field>|<row key>", so a value copied into another row or field does not
decrypt. Keys come from `LOTSE_ENCRYPTION_KEYS` ("id:base64key,id2:base64key2"; the first one
encrypts, all decrypt) or from a file in that form named by `LOTSE_ENCRYPTION_KEY_FILE`.
Without either, the demo keeps one generated key in `<LOTSE_DATA_DIR>/encryption.key`; a real
installation refuses to start so (lotse.core.checks), as a backup of the data folder would then
hold the key beside the ciphertext.
"""

from __future__ import annotations

import base64
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver

MAGIC = b"L1"
GENERATED_KEY_FILE = "encryption.key"


class DecryptionError(Exception):
    """A sealed value could not be opened: wrong key, wrong row, or tampered with."""


class KeyMissing(DecryptionError):
    """The value was sealed with a key that is not in the ring."""

    def __init__(self, kid: str) -> None:
        super().__init__(f"key {kid!r} is not in the key ring")
        self.kid = kid


class NotThisRow(DecryptionError):
    """The key is there, but the value belongs to another row or field, or was altered."""


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict[str, bytes]


def parse_keys(spec: str, source: str = "LOTSE_ENCRYPTION_KEYS") -> KeyRing:
    """The keys in "id:base64key,..." form; `source` names where they came from in errors."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        kid, _, b64 = item.partition(":")
        try:
            key = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{source}: key {kid!r} is not base64") from exc
        if not kid or len(key) != 32:
            raise ImproperlyConfigured(
                f"{source}: key {kid!r} must be 32 bytes (base64), as id:key"
            )
        keys[kid] = key
        order.append(kid)
    if not order:
        raise ImproperlyConfigured(f"{source} holds no key")
    return KeyRing(current=order[0], keys=keys)


def parse_key_file(path: Path) -> KeyRing:
    """The keys in a key file (the form of LOTSE_ENCRYPTION_KEYS)."""
    return parse_keys(path.read_text().strip(), source=str(path))


def new_key_spec(kid: str = "k1") -> str:
    """A fresh key in the form LOTSE_ENCRYPTION_KEYS expects."""
    return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"


def generated_key_file() -> Path:
    """Where the demo keeps its generated key: beside the data, so never for a real
    installation (lotse.core.checks refuses its start then)."""
    return Path(settings.DATA_DIR) / GENERATED_KEY_FILE


def configured_key_file() -> Path | None:
    """The key file named by LOTSE_ENCRYPTION_KEY_FILE, if any."""
    name = getattr(settings, "LOTSE_ENCRYPTION_KEY_FILE", "")
    return Path(name).expanduser() if name else None


@cache
def key_ring() -> KeyRing:
    """The configured key ring: LOTSE_ENCRYPTION_KEYS, else the file LOTSE_ENCRYPTION_KEY_FILE,
    else the demo's key file, generated on first use."""
    spec = getattr(settings, "LOTSE_ENCRYPTION_KEYS", "")
    if spec:
        return parse_keys(spec)
    configured = configured_key_file()
    if configured is not None:
        try:
            return parse_key_file(configured)
        except OSError as exc:
            raise ImproperlyConfigured(
                f"LOTSE_ENCRYPTION_KEY_FILE: cannot read {configured}: {exc.strerror}"
            ) from exc
    path = generated_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(new_key_spec("local1") + "\n")
    return parse_key_file(path)


@receiver(setting_changed)
def _forget_key_ring(*, setting: str, **kwargs: Any) -> None:
    """Tests and key rotation change the keys at run time."""
    if setting in {"LOTSE_ENCRYPTION_KEYS", "LOTSE_ENCRYPTION_KEY_FILE", "DATA_DIR"}:
        key_ring.cache_clear()


def seal(plain: bytes, *, aad: bytes) -> bytes:
    """Encrypt with the current key."""
    ring = key_ring()
    kid = ring.current.encode()
    nonce = secrets.token_bytes(12)
    return (
        MAGIC
        + bytes([len(kid)])
        + kid
        + nonce
        + AESGCM(ring.keys[ring.current]).encrypt(nonce, plain, aad)
    )


def key_id(sealed: bytes) -> str:
    """The id of the key a value was sealed with."""
    if not sealed.startswith(MAGIC):
        raise DecryptionError("not a sealed value")
    return sealed[3 : 3 + sealed[2]].decode()


def unseal(sealed: bytes, *, aad: bytes) -> bytes:
    """Decrypt with whichever key of the ring sealed it."""
    kid = key_id(sealed)
    start = 3 + len(kid)
    key = key_ring().keys.get(kid)
    if key is None:
        raise KeyMissing(kid)
    try:
        return AESGCM(key).decrypt(sealed[start : start + 12], sealed[start + 12 :], aad)
    except InvalidTag as exc:
        raise NotThisRow("the value does not belong to this row or was altered") from exc


# --- reading on although one value is unreadable ----------------------------------------------


class Unreadable(str):
    """What a text field reads as while reads are tolerant (`tolerant()`) and its value cannot
    be opened: a German sentence for the page, with the reason for admins. It is never written
    back: saving it raises (the sealed value stays as it is)."""

    reason: str

    def __new__(cls, text: str, reason: str) -> Unreadable:
        value = super().__new__(cls, text)
        value.reason = reason
        return value


@dataclass(frozen=True)
class _Tolerance:
    # Asked only when a value is unreadable: whether the reader may see the reason.
    show_reason: Callable[[], bool]
    # Called once per unreadable value a read meets: (field label, row pk, sealed, error).
    report: Callable[[str, Any, bytes, DecryptionError], None]


_TOLERANCE: ContextVar[_Tolerance | None] = ContextVar("lotse_crypto_tolerance", default=None)


@contextmanager
def tolerant(
    *,
    show_reason: Callable[[], bool],
    report: Callable[[str, Any, bytes, DecryptionError], None],
) -> Iterator[None]:
    """Within this block an encrypted text that cannot be opened reads as `Unreadable`
    instead of raising, and is reported. Only for reading pages: whatever writes must see the
    error (a placeholder must never replace the sealed value)."""
    token = _TOLERANCE.set(_Tolerance(show_reason=show_reason, report=report))
    try:
        yield
    finally:
        _TOLERANCE.reset(token)


def _unreadable(field_label: str, pk: Any, sealed: bytes, error: DecryptionError) -> Unreadable:
    from django.utils.translation import gettext as _

    tolerance = _TOLERANCE.get()
    assert tolerance is not None
    tolerance.report(field_label, pk, sealed, error)
    text = _("This entry cannot be read.")
    if isinstance(error, KeyMissing):
        reason = _(
            "It was encrypted with the key “%(key)s”, which is not in the key ring of this "
            "installation."
        ) % {"key": error.kid}
    else:
        reason = _(
            "The stored value does not belong to this entry (copied from another row) or was "
            "altered."
        )
    if tolerance.show_reason():
        text = _("%(text)s Reason for admins: %(reason)s") % {"text": text, "reason": reason}
    return Unreadable(text, reason)


class Sealed(bytes):
    """Ciphertext as loaded from the database, not yet opened."""


class _Descriptor:
    """Holds the sealed value as loaded or the plain value as set; opens on first read."""

    def __init__(self, field: EncryptedBinaryField) -> None:
        self.field = field
        self.cache = f"_{field.attname}_opened"

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname)
        if not isinstance(value, Sealed):
            return value
        opened = instance.__dict__.get(self.cache)
        if opened is None or opened[0] is not value:
            try:
                plain = unseal(bytes(value), aad=self.field.aad(instance))
            except DecryptionError as error:
                if _TOLERANCE.get() is None or not self.field.tolerates_unreadable:
                    raise
                label = f"{self.field.model._meta.label}.{self.field.name}"
                placeholder = _unreadable(label, instance.pk, bytes(value), error)
                instance.__dict__[self.cache] = (value, placeholder)
                return placeholder
            opened = (value, self.field.from_plain_bytes(plain))
            instance.__dict__[self.cache] = opened
        return opened[1]

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedBinaryField(models.BinaryField):
    """Bytes encrypted at rest with AES-GCM, bound to the row's `row_key` and this field."""

    # Text may read as `Unreadable` in tolerant reads; bytes (files) always raise.
    tolerates_unreadable = False

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, _Descriptor(self))

    def aad(self, instance: models.Model) -> bytes:
        row_key = getattr(instance, "row_key", None)
        if not isinstance(row_key, uuid.UUID):
            raise TypeError(f"{type(instance).__name__} needs a row_key UUID field to encrypt")
        return f"{self.model._meta.label}.{self.name}|{row_key.hex}".encode()

    def from_plain_bytes(self, plain: bytes) -> Any:
        return plain

    def to_plain_bytes(self, value: Any) -> bytes:
        return bytes(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Sealed | None:
        if value is None:
            return None
        return Sealed(bytes(value))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if value is None or isinstance(value, Sealed):
            return value
        if isinstance(value, Unreadable):
            raise DecryptionError("an unreadable value cannot be written back")
        return Sealed(seal(self.to_plain_bytes(value), aad=self.aad(model_instance)))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is not None and not isinstance(value, Sealed):
            raise TypeError("encrypted fields are written by save(), not by queries")
        return super().get_db_prep_value(
            None if value is None else bytes(value), connection, prepared
        )

    def value_to_string(self, obj: models.Model) -> str:
        # Fixtures and dumps carry the ciphertext, never the plain text.
        raw = obj.__dict__.get(self.attname)
        return "" if raw is None else base64.b64encode(bytes(raw)).decode()


if TYPE_CHECKING:
    # To the type checker the attribute is text, as the descriptor returns it.
    EncryptedTextField = models.TextField
else:

    class EncryptedTextField(EncryptedBinaryField):
        """Text encrypted at rest."""

        tolerates_unreadable = True

        def _check_str_default_value(self) -> list[Any]:
            # A text default ("") is right here: it is encrypted like any other value.
            return []

        def from_plain_bytes(self, plain: bytes) -> str:
            return plain.decode("utf-8")

        def to_plain_bytes(self, value: Any) -> bytes:
            return str(value).encode("utf-8")


def row_key_field() -> models.UUIDField:
    """The per-row key that binds encrypted values to their row."""
    return models.UUIDField(default=uuid.uuid4, editable=False)
