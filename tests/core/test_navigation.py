"""The main navigation comes from the registry that the apps fill in `AppConfig.ready()`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lotse.core import navigation, roles
from lotse.core.models import Organisation, Role
from tests.factories import Cast, person_with_role


def _keys(person: object) -> list[str]:
    return [link.key for link in navigation.links_for(person)]  # type: ignore[arg-type]


@pytest.fixture
def extra_entry() -> Iterator[None]:
    """An entry a later app would register, removed again afterwards."""
    navigation.register(
        "test.groups",
        label="Gruppen von %(name)s",
        short_label="Gruppen",
        url_name="core:organisation_settings",
        order=15,
        kinds=(Role.Kind.MEMBER, Role.Kind.ADMIN),
        per_organisation=True,
        badge=lambda person, organisations: {o.pk: 3 for o in organisations},
    )
    yield
    navigation._ENTRIES.pop("test.groups")


def test_every_app_registers_its_entries() -> None:
    keys = {entry.key for entry in navigation.entries()}
    assert {"catalog.index", "core.outbox", "core.settings", "support.inbox"} <= keys
    assert {"support.concept_queue", "support.methods", "catalog.admin"} <= keys


def test_anonymous_visitors_see_only_public_entries() -> None:
    assert _keys(AnonymousUser()) == ["catalog.index"]


def test_each_role_sees_its_own_links(cast: Cast) -> None:
    assert _keys(cast.school_contact_a) == [
        "catalog.index",
        "support.school_list",
        "support.create",
        "support.concepts",
    ]
    assert _keys(cast.supporter) == [
        "catalog.index",
        "support.accompaniments",
        "catalog.profile",
        "support.concepts",
    ]
    coordinator = _keys(cast.coordinator)
    assert coordinator[:3] == ["catalog.index", "support.inbox", "support.workload"]
    assert "support.concept_queue" in coordinator
    assert "core.settings" not in coordinator
    admin = _keys(cast.admin)
    assert {"core.settings", "support.mailboxes", "catalog.admin", "core.outbox"} <= set(admin)
    assert "support.inbox" not in admin
    # Someone without any role sees the public catalogue only.
    assert _keys(cast.outsider) == ["catalog.index"]


def test_per_organisation_links_name_the_organisation_only_where_there_are_several(
    cast: Cast,
) -> None:
    links = {link.key: link for link in navigation.links_for(cast.admin)}
    assert links["core.settings"].label == "Einstellungen"
    assert links["core.settings"].url == f"/organisation/{cast.organisation.slug}/einstellungen/"
    assert links["core.settings"].menu == navigation.ADMINISTRATION
    # One organisation to review in: the short label, with the count of waiting concepts.
    assert links["support.concept_queue"].label == "Konzepte prüfen"
    assert links["support.concept_queue"].badge == 0
    assert links["support.concept_queue"].menu == navigation.MAIN
    Role.objects.create(
        person=cast.admin, organisation=cast.other_organisation, kind=Role.Kind.ADMIN
    )
    cast.admin._lotse_roles = None  # type: ignore[attr-defined]
    labels = {
        link.label for link in navigation.links_for(cast.admin) if link.key == "core.settings"
    }
    assert labels == {f"Einstellungen von {o.name}" for o in Organisation.objects.all()}


def test_the_administration_has_a_menu_of_its_own(cast: Cast, client: Client) -> None:
    """An admin's header holds the main links; the organisation's settings, mailboxes,
    methods, releases and catalogue sit in the "Verwaltung" menu."""
    client.force_login(cast.admin)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    main = page[page.index('aria-label="Hauptnavigation"') :]
    main = main[: main.index("</nav>")]
    admin = page[page.index('<summary class="lotse-account__summary">Verwaltung</summary>') :]
    admin = admin[: admin.index("</nav>")]
    for label in ("Einstellungen", "Postfächer", "Methoden", "Freigegebene Einträge"):
        assert f">{label}</a>" in admin
        assert f">{label}</a>" not in main
    assert "Postausgang" in main


def test_a_person_of_two_organisations_gets_one_link_per_organisation(cast: Cast) -> None:
    admin = cast.admin
    Role.objects.create(person=admin, organisation=cast.other_organisation, kind=Role.Kind.ADMIN)
    admin._lotse_roles = None  # type: ignore[attr-defined]
    reviews = [link for link in navigation.links_for(admin) if link.key == "support.concept_queue"]
    names = {o.name for o in Organisation.objects.all()}
    assert len(reviews) == 2
    assert {link.label.removeprefix("Konzepte prüfen – ") for link in reviews} == names


@pytest.mark.usefixtures("extra_entry")
def test_a_later_app_plugs_in_without_core_knowing_it(cast: Cast, client: Client) -> None:
    member = person_with_role(Role.Kind.MEMBER, cast.organisation, email="m@verein.example")
    client.force_login(member)

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert f'href="/organisation/{cast.organisation.slug}/einstellungen/">Gruppen (3)' in page
    assert _keys(member) == ["catalog.index", "test.groups", "support.concepts"]


def _admin_of_more(cast: Cast, n: int) -> None:
    for i in range(n):
        organisation = Organisation.objects.create(slug=f"weitere-{i}", name=f"Weitere {i}")
        Role.objects.create(person=cast.admin, organisation=organisation, kind=Role.Kind.ADMIN)


def test_the_navigation_costs_the_same_queries_for_more_organisations(
    cast: Cast, client: Client
) -> None:
    client.force_login(cast.admin)
    _admin_of_more(cast, 1)
    client.get("/")  # warm the session
    with CaptureQueriesContext(connection) as two:
        client.get("/")
    Organisation.objects.filter(slug__startswith="weitere-").delete()
    _admin_of_more(cast, 4)

    with CaptureQueriesContext(connection) as five:
        page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert "Einstellungen von Weitere 3" in page
    assert len(five) == len(two)


def test_the_navigation_reads_no_organisation_of_its_own(cast: Cast) -> None:
    """The organisations come with the person's roles: drawing the links of a coordinator who
    also administers the organisation costs one query, the count of concepts to review."""
    person = cast.coordinator
    Role.objects.create(person=person, organisation=cast.organisation, kind=Role.Kind.ADMIN)
    person._lotse_roles = None  # type: ignore[attr-defined]
    roles.role_kinds(person)  # the roles, as the page has already loaded them

    with CaptureQueriesContext(connection) as ctx:
        links = {link.key: link for link in navigation.links_for(person)}

    assert links["core.settings"].label == "Einstellungen"
    assert links["support.concept_queue"].badge == 0
    assert [q["sql"] for q in ctx.captured_queries if "core_organisation" in q["sql"]] == []
    assert len(ctx.captured_queries) == 1


def test_a_page_reads_the_organisations_only_with_the_roles(cast: Cast, client: Client) -> None:
    client.force_login(cast.coordinator)
    client.get("/konzepte/")  # warm the session

    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/konzepte/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert 'href="/koordination/"' in page
    from_organisation = [q for q in ctx.captured_queries if 'FROM "core_organisation"' in q["sql"]]
    assert from_organisation == []


def test_the_start_page_of_an_admin_names_the_role_and_where_to_go(
    cast: Cast, client: Client
) -> None:
    """It said "Ihrem Konto ist noch keine Rolle … zugeordnet" to an admin, beside her links."""
    client.force_login(cast.admin)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "noch keine Rolle" not in page
    assert "Sie sind mit diesen Rollen angemeldet:" in page
    assert f"– {cast.organisation.name}</li>" in page
    assert f'href="/organisation/{cast.organisation.slug}/einstellungen/">Einstellungen</a>' in page
    # Someone without any role is still told whom to ask.
    nobody = person_with_role(Role.Kind.MEMBER, cast.organisation, email="ohne@rolle.example")
    Role.objects.filter(person=nobody).delete()
    nobody._lotse_roles = None  # type: ignore[attr-defined]
    client.force_login(nobody)
    assert "noch keine Rolle" in client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
