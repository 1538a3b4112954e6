import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0003_visibility_of_existing_entries"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Release",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("purpose", models.CharField(max_length=300, verbose_name="purpose")),
                (
                    "previous_visibility",
                    models.CharField(
                        choices=[
                            ("participants", "Participants only"),
                            ("coordination", "Participants and regional coordination"),
                            ("released", "Released by the school"),
                        ],
                        max_length=12,
                    ),
                ),
                ("released_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="releases",
                        to="support.supportrequest",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="releases",
                        to="support.timelineevent",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="releases",
                        to="support.meeting",
                    ),
                ),
                (
                    "attachment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="releases",
                        to="support.attachment",
                    ),
                ),
                (
                    "released_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "release",
                "verbose_name_plural": "releases",
                "ordering": ["-released_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["request", "revoked_at"], name="support_rel_request_62b119_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("attachment__isnull", True),
                                ("event__isnull", False),
                                ("meeting__isnull", True),
                            ),
                            models.Q(
                                ("attachment__isnull", True),
                                ("event__isnull", True),
                                ("meeting__isnull", False),
                            ),
                            models.Q(
                                ("attachment__isnull", False),
                                ("event__isnull", True),
                                ("meeting__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="release_exactly_one_item",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("previous_visibility__in", ["participants", "coordination"])
                        ),
                        name="release_previous_is_choosable",
                    ),
                ],
            },
        ),
    ]
