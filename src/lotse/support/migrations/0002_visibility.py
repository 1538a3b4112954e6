import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LEVELS = [
    ("participants", "Participants only"),
    ("coordination", "Participants and regional coordination"),
    ("released", "Released by the school"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="timelineevent",
            name="visibility",
            field=models.CharField(
                blank=True, choices=LEVELS, max_length=12, null=True, verbose_name="visible to"
            ),
        ),
        migrations.AddField(
            model_name="timelineevent",
            name="addressee",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="timelineevent",
            constraint=models.CheckConstraint(
                condition=models.Q(("visibility__isnull", True))
                | models.Q(("visibility__in", ["participants", "coordination", "released"])),
                name="event_known_visibility",
            ),
        ),
        migrations.AddField(
            model_name="meeting",
            name="visibility",
            field=models.CharField(
                choices=LEVELS, default="participants", max_length=12, verbose_name="visible to"
            ),
        ),
        migrations.AddField(
            model_name="attachment",
            name="visibility",
            field=models.CharField(
                choices=LEVELS, default="participants", max_length=12, verbose_name="visible to"
            ),
        ),
        migrations.AddField(
            model_name="attachment",
            name="uploaded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
