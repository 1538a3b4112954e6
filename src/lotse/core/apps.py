from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lotse.core"
    label = "core"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        from lotse.core import privacy, retention

        retention.register_core_kinds()
        privacy.register_core()
