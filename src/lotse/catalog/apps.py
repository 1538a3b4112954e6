from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "lotse.catalog"
    label = "catalog"
    verbose_name = _("Catalogue of offers")

    def ready(self) -> None:
        # An offer's contact person is personal data: it registers with core's privacy registry.
        from lotse.catalog import privacy, search

        privacy.register()
        # Offers go into core's search index (docs/search.md).
        search.register()
        _register_navigation()


def _register_navigation() -> None:
    from lotse.core import navigation
    from lotse.core.models import Role

    navigation.register(
        "catalog.index", label=_("Catalogue"), url_name="catalog:index", order=10, public=True
    )
    navigation.register(
        "catalog.profile",
        label=_("My profile"),
        url_name="catalog:profile",
        order=35,
        kinds=(Role.Kind.SUPPORTER,),
    )
    navigation.register(
        "catalog.admin",
        label=_("Catalogue of %(name)s"),
        short_label=_("Manage the catalogue"),
        url_name="catalog:admin_index",
        order=940,
        kinds=(Role.Kind.ADMIN,),
        per_organisation=True,
        menu=navigation.ADMINISTRATION,
    )
