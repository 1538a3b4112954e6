from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "lotse.catalog"
    label = "catalog"
    verbose_name = _("Catalogue of offers")

    def ready(self) -> None:
        # An offer's contact person is personal data: it registers with core's privacy registry.
        from lotse.catalog import privacy

        privacy.register()
