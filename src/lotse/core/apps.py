from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lotse.core"
    label = "core"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        from lotse.core import (
            checks,  # noqa: F401 - registers the system checks
            privacy,
            receivers,  # noqa: F401 - connects the receivers
            retention,
        )

        retention.register_core_kinds()
        privacy.register_core()
        _register_navigation()

        post_migrate.connect(_create_cache_table, sender=self)


def _register_navigation() -> None:
    from lotse.core import navigation
    from lotse.core.models import Role

    Kind = Role.Kind
    navigation.register(
        "core.outbox",
        label=_("Outgoing mail"),
        url_name="core:outbox",
        order=80,
        kinds=(Kind.COORDINATOR, Kind.ADMIN),
    )
    navigation.register(
        "core.settings",
        label=_("Settings of %(name)s"),
        short_label=_("Settings"),
        url_name="core:organisation_settings",
        order=900,
        kinds=(Kind.ADMIN,),
        per_organisation=True,
        menu=navigation.ADMINISTRATION,
    )


def _create_cache_table(using: str = "default", **kwargs: Any) -> None:
    """The shared cache lives in the database (see settings.CACHES); `lotse migrate` creates
    its table, so no setup step can be forgotten. Existing tables are left alone."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
