from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "lotse.support"
    label = "support"
    verbose_name = _("Support process")

    def ready(self) -> None:
        # The support process's kinds of data and its models that refer to people register
        # with core, which must not import support.
        from lotse.support import privacy, retention

        retention.register()
        privacy.register()
