import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0004_release"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="proposal",
            name="status",
            field=models.CharField(
                choices=[
                    ("proposed", "proposed"),
                    ("accepted", "accepted"),
                    ("declined", "declined"),
                    ("removed", "removed"),
                ],
                default="proposed",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="proposal",
            name="removed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="proposal",
            name="removed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
