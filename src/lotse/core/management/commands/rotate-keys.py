"""`lotse rotate-keys`: re-encrypt every encrypted value under the newest key of the ring."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction

from lotse.core.adapters import reseal_second_factors
from lotse.lib.crypto import EncryptedBinaryField, Sealed, key_id, key_ring
from lotse.lib.progress import ProgressBar


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedBinaryField]]]:
    """Every model with encrypted fields, and those fields."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedBinaryField)]
        if fields:
            found.append((model, fields))
    return found


class Command(BaseCommand):
    help = "Re-encrypt all encrypted values with the first key of LOTSE_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        current = key_ring().current
        for model, fields in encrypted_fields():
            names = [f.attname for f in fields]
            total = model._default_manager.count()
            done = changed = 0
            pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
            # The bar is this command's running output, so it shows also when not on a terminal.
            bar = ProgressBar(self.stdout, model._meta.label, total, enabled=True)
            for start in range(0, len(pks), options["batch"]):
                with transaction.atomic():
                    rows = model._default_manager.select_for_update().filter(
                        pk__in=pks[start : start + options["batch"]]
                    )
                    for row in rows:
                        stale = [
                            name
                            for name in names
                            if isinstance(row.__dict__.get(name), Sealed)
                            and key_id(bytes(row.__dict__[name])) != current
                        ]
                        if stale:
                            # Reading opens the value with its old key; setting the plain value
                            # makes save() seal it again under the current key.
                            for name in stale:
                                setattr(row, name, getattr(row, name))
                            row.save(update_fields=stale)
                            changed += 1
                        done += 1
                bar.update(done)
            self.stdout.write(
                f"\r{model._meta.label}: {changed} of {total} rows re-encrypted with key "
                f"{current!r}".ljust(78)
            )
        changed, total, unreadable = reseal_second_factors()
        self.stdout.write(
            f"mfa.Authenticator: {changed} of {total} second-factor secrets re-encrypted with "
            f"key {current!r}"
        )
        if unreadable:
            self.stderr.write(
                f"mfa.Authenticator: {unreadable} sealed with a key that is not in the ring; "
                "their people cannot log in until an admin deletes these authenticators."
            )
