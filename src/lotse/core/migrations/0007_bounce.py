"""Every bounce of an outgoing mail as a row of its own (recipient, action, status, reason).

The one bounce an outgoing mail could hold so far (`bounced_at`, `bounce_reason`) becomes a
row; with one recipient that is the address that failed."""

import re

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")


def keep_bounces(apps, schema_editor):
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    Bounce = apps.get_model("core", "Bounce")
    rows = []
    for message in OutboxMessage.objects.filter(bounced_at__isnull=False).iterator():
        recipients = list(message.to or [])
        found = STATUS.search(message.bounce_reason or "")
        rows.append(
            Bounce(
                message_id=message.pk,
                recipient=recipients[0] if len(recipients) == 1 else "",
                action="failed" if found and found.group(1).startswith("5") else "",
                status=found.group(1) if found else "",
                reason=message.bounce_reason or "",
                received_at=message.bounced_at,
            )
        )
    Bounce.objects.bulk_create(rows, batch_size=500)


def restore_bounces(apps, schema_editor):
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    Bounce = apps.get_model("core", "Bounce")
    for bounce in Bounce.objects.order_by("received_at", "pk").iterator():
        OutboxMessage.objects.filter(pk=bounce.message_id).update(
            bounced_at=bounce.received_at, bounce_reason=bounce.reason[:2000]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_search_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="Bounce",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "recipient",
                    models.EmailField(blank=True, max_length=320, verbose_name="recipient"),
                ),
                (
                    "action",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("failed", "not delivered"),
                            ("delayed", "delayed, the server keeps trying"),
                            ("", "returned"),
                        ],
                        max_length=20,
                        verbose_name="action",
                    ),
                ),
                (
                    "status",
                    models.CharField(blank=True, max_length=20, verbose_name="status code"),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                (
                    "received_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="received"
                    ),
                ),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bounce_records",
                        to="core.outboxmessage",
                    ),
                ),
            ],
            options={
                "verbose_name": "bounce",
                "verbose_name_plural": "bounces",
                "ordering": ["received_at", "pk"],
            },
        ),
        migrations.RunPython(keep_bounces, restore_bounces),
        migrations.RemoveField(model_name="outboxmessage", name="bounce_reason"),
        migrations.RemoveField(model_name="outboxmessage", name="bounced_at"),
    ]
