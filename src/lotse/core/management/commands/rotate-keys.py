"""`lotse rotate-keys`: re-encrypt every encrypted value under the newest key of the ring.

It may run while the web server and the worker are up, once every one of them runs with the
new ring (the new key first): each batch of rows is read and written in one transaction that
locks them (row locks on PostgreSQL, the write lock of an IMMEDIATE transaction on SQLite), so
a concurrent write either waits for the batch or is seen by it, and rotation never changes
what a value says, only the key that seals it. A process still running with the old ring (not
restarted after the key was added) would go on sealing under the old key; so would a save of a
row it loaded before the rotation. Hence the command checks again after its pass, seals what
was written in the meantime, and fails when values under an old key remain. `--check` only
counts them: remove an old key only when it reports none.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from lotse.core.adapters import reseal_second_factors
from lotse.lib.crypto import DecryptionError, EncryptedBinaryField, Sealed, key_id, key_ring
from lotse.lib.progress import ProgressBar

# Rows per transaction for models that hold files (up to LOTSE_DOCUMENT_MAX_SIZE each): a batch
# holds the write lock, and the web server waits for it at most its busy timeout (5 s).
FILE_BATCH = 10


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedBinaryField]]]:
    """Every model with encrypted fields, and those fields."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedBinaryField)]
        if fields:
            found.append((model, fields))
    return found


def _stale_names(values: dict[str, Any], current: str) -> list[str]:
    """The fields whose value is sealed under another key than the current one."""
    return [
        name
        for name, value in values.items()
        if isinstance(value, Sealed) and key_id(bytes(value)) != current
    ]


def stale_rows(
    model: type[models.Model], fields: list[EncryptedBinaryField], skip: Collection[Any] = ()
) -> list[Any]:
    """The primary keys of the model's rows with a value sealed under another key of the ring
    than the current one (read without decrypting); rows in `skip` (found unreadable) and
    values under a key no longer in the ring (nothing can open them) do not count."""
    ring = key_ring()
    names = [f.attname for f in fields]
    stale = []
    rows = model._default_manager.order_by("pk").values_list("pk", *names)
    # In chunks: a model with files would otherwise be held in memory whole.
    for pk, *values in rows.iterator(chunk_size=FILE_BATCH * 10):
        if pk in skip:
            continue
        old = _stale_names(dict(zip(names, values, strict=True)), ring.current)
        if any(key_id(bytes(values[names.index(n)])) in ring.keys for n in old):
            stale.append(pk)
    return stale


class Command(BaseCommand):
    help = (
        "Re-encrypt all encrypted values with the first key of the ring; --check only counts "
        "the values still sealed under another key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Count values under an old key; change nothing (exit 1 if there are any).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        current = key_ring().current
        if options["check"]:
            self._check(current)
            return
        unreadable: dict[str, set[Any]] = {}
        for model, fields in encrypted_fields():
            batch = FILE_BATCH if self._holds_files(fields) else options["batch"]
            pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
            lost = unreadable.setdefault(model._meta.label, set())
            changed = self._reseal(
                model, fields, pks, batch=batch, current=current, unreadable=lost, progress=True
            )
            # Rows written meanwhile under an old key (a process with the old ring, or a save
            # of a row loaded before its batch): seal them too.
            again = self._reseal(
                model,
                fields,
                stale_rows(model, fields, lost),
                batch=batch,
                current=current,
                unreadable=lost,
                progress=False,
            )
            self.stdout.write(
                f"\r{model._meta.label}: {changed + again} of {len(pks)} rows re-encrypted with "
                f"key {current!r}".ljust(78)
            )
        factors, total, lost_factors = reseal_second_factors()
        self.stdout.write(
            f"mfa.Authenticator: {factors} of {total} second-factor secrets re-encrypted with "
            f"key {current!r}"
        )
        if lost_factors:
            self.stderr.write(
                f"mfa.Authenticator: {lost_factors} sealed with a key that is not in the ring; "
                "their people cannot log in until an admin deletes these authenticators."
            )
        for label, rows in unreadable.items():
            if rows:
                self.stderr.write(
                    f"{label}: {len(rows)} rows hold a value that no key of the ring opens (a "
                    "missing key, or a value copied from another row); left as they are."
                )
        remaining = sum(
            len(stale_rows(model, fields, unreadable.get(model._meta.label, set())))
            for model, fields in encrypted_fields()
        )
        if remaining:
            raise CommandError(
                f"{remaining} rows still hold values under an old key: a process seals with the "
                "old ring. Restart the web server and the worker with the new key first, run "
                "lotse rotate-keys again, and remove the old key only when "
                "`lotse rotate-keys --check` reports none."
            )

    @staticmethod
    def _holds_files(fields: list[EncryptedBinaryField]) -> bool:
        return any(not f.tolerates_unreadable for f in fields)

    def _reseal(
        self,
        model: type[models.Model],
        fields: list[EncryptedBinaryField],
        pks: list[Any],
        *,
        batch: int,
        current: str,
        unreadable: set[Any],
        progress: bool,
    ) -> int:
        """Seal the rows' stale values under the current key; return how many rows changed
        and add the rows that cannot be opened to `unreadable`."""
        names = [f.attname for f in fields]
        changed = done = 0
        # The bar is this command's running output, so it shows also when not on a terminal.
        bar = ProgressBar(self.stdout, model._meta.label, len(pks), enabled=progress)
        for start in range(0, len(pks), batch):
            with transaction.atomic():
                rows = model._default_manager.select_for_update().filter(
                    pk__in=pks[start : start + batch]
                )
                for row in rows:
                    done += 1
                    stale = _stale_names({n: row.__dict__.get(n) for n in names}, current)
                    if not stale:
                        continue
                    try:
                        # Reading opens the value with its old key; setting the plain value
                        # makes save() seal it again under the current key.
                        for name in stale:
                            setattr(row, name, getattr(row, name))
                    except DecryptionError:
                        unreadable.add(row.pk)
                        continue
                    row.save(update_fields=stale)
                    changed += 1
            bar.update(done)
        return changed

    def _check(self, current: str) -> None:
        """Count the values under an old key of the ring, and those under a key the ring does
        not hold (nothing opens them: a key id typed differently, a key left out)."""
        ring = key_ring()
        old = missing = 0
        for model, fields in encrypted_fields():
            names = [f.attname for f in fields]
            rows_old = rows_missing = 0
            for values in model._default_manager.values_list(*names).iterator(
                chunk_size=FILE_BATCH * 10
            ):
                kids = {key_id(bytes(v)) for v in values if isinstance(v, Sealed)} - {current}
                rows_missing += bool(kids - ring.keys.keys())
                rows_old += bool(kids & ring.keys.keys())
            if rows_old:
                self.stdout.write(f"{model._meta.label}: {rows_old} rows under an old key")
            if rows_missing:
                self.stdout.write(
                    f"{model._meta.label}: {rows_missing} rows under a key not in the ring"
                )
            old += rows_old
            missing += rows_missing
        if old or missing:
            raise CommandError(
                f"{old + missing} rows hold values not sealed with key {current!r} "
                f"({missing} of them under a key that is not in the ring)"
            )
        self.stdout.write(f"every encrypted value is sealed with key {current!r}")
