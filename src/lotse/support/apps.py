from typing import Any

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
        _register_navigation()


def _concepts_waiting(person: Any, organisations: list[Any]) -> dict[int | None, int]:
    from lotse.support.selectors.concepts import organisation_reviews

    return {organisation.pk: waiting for organisation, waiting in organisation_reviews(person)}


def _register_navigation() -> None:
    from lotse.core import navigation
    from lotse.core.models import Role

    Kind = Role.Kind
    for key, label, url_name, order, kinds in [
        ("support.inbox", _("Inbox"), "support:inbox", 20, (Kind.COORDINATOR,)),
        ("support.workload", _("Workload"), "support:workload", 25, (Kind.COORDINATOR,)),
        ("support.accompaniments", _("My accompaniments"), "support:supporter_list", 30,
         (Kind.SUPPORTER,)),
        ("support.school_list", _("Our requests"), "support:school_list", 50,
         (Kind.SCHOOL_CONTACT,)),
        ("support.create", _("New request"), "support:create", 55, (Kind.SCHOOL_CONTACT,)),
        ("support.quarantine", _("Quarantine"), "support:quarantine", 60, (Kind.COORDINATOR,)),
        # Everyone with a role reads the library of concepts (Synergie).
        ("support.concepts", _("Concepts"), "support:concept_library", 70, ()),
    ]:  # fmt: skip
        navigation.register(key, label=label, url_name=url_name, order=order, kinds=kinds)
    navigation.register(
        "support.concept_queue",
        label=_("Concepts to review – %(name)s"),
        short_label=_("Concepts to review"),
        url_name="support:concept_queue",
        order=75,
        kinds=(Kind.COORDINATOR, Kind.ADMIN),
        per_organisation=True,
        badge=_concepts_waiting,
    )
    for key, label, short_label, url_name, order in [
        (
            "support.mailboxes",
            _("Mailboxes of %(name)s"),
            _("Mailboxes"),
            "support:mailbox_list",
            910,
        ),
        (
            "support.releases",
            _("Released entries of %(name)s"),
            _("Released entries"),
            "support:release_list",
            920,
        ),
        ("support.methods", _("Methods of %(name)s"), _("Methods"), "support:method_list", 930),
    ]:
        navigation.register(
            key, label=label, short_label=short_label, url_name=url_name, order=order,
            kinds=(Kind.ADMIN,), per_organisation=True, menu=navigation.ADMINISTRATION,
        )  # fmt: skip
