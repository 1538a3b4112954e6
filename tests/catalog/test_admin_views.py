"""Organisation admins edit the catalogue in the app: offers, areas with Merkmale and
Kriterien, other supporters. Everyone else gets 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lotse.catalog import services
from lotse.catalog.models import Characteristic, Criterion, Offer, QualityArea, SupporterType
from tests.factories import Cast

pytestmark = pytest.mark.django_db


def offer_data(cast: Cast, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Berater für Demokratiepädagogik",
        "description": "Beteiligung im Schulalltag verankern.",
        "services": "Klassenrat aufbauen\n\n  Schülerparlament begleiten  ",
        "target_groups": "Schüler\nEltern",
        "cost": "kostenfrei",
        "contact_name": "Ines Wolf",
        "contact_phone": "0375 4430-236",
        "contact_email": "demokratie@lasub.example",
        "site": str(cast.site_a.pk),
        "active": "on",
    }
    return data | overrides


@pytest.fixture
def areas(cast: Cast) -> list[QualityArea]:
    return [
        QualityArea.objects.create(organisation=cast.organisation, number=3, title="Schulkultur"),
        QualityArea.objects.create(organisation=cast.organisation, number=6, title="Kooperation"),
    ]


def test_an_admin_creates_an_offer_that_appears_in_the_catalogue(
    client: Client, cast: Cast, areas: list[QualityArea]
) -> None:
    client.force_login(cast.admin)
    response = client.post(
        "/organisation/lasub/katalog/angebote/neu/",
        offer_data(cast, quality_areas=[str(a.pk) for a in areas]),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/organisation/lasub/katalog/"
    offer = Offer.objects.get(title="Berater für Demokratiepädagogik")
    assert offer.organisation == cast.organisation
    assert offer.services == "Klassenrat aufbauen\nSchülerparlament begleiten"
    assert set(offer.quality_areas.values_list("number", flat=True)) == {3, 6}
    assert "Berater für Demokratiepädagogik" in response.content.decode()
    # Public and findable at once.
    assert client.get(f"/katalog/lasub/angebote/{offer.pk}/").status_code == 200
    search = client.get("/katalog/lasub/suche/", {"q": "Klassenräte"}).content.decode()
    assert f"/katalog/lasub/angebote/{offer.pk}/" in search


def test_an_admin_edits_and_deactivates_an_offer(
    client: Client, cast: Cast, areas: list[QualityArea]
) -> None:
    offer = Offer.objects.create(organisation=cast.organisation, title="Alt")
    offer.quality_areas.add(areas[0])
    client.force_login(cast.admin)
    page = client.get(f"/organisation/lasub/katalog/angebote/{offer.pk}/").content.decode()
    assert 'value="Alt"' in page
    data = offer_data(cast, title="Neu", quality_areas=[str(areas[1].pk)])
    del data["active"]  # unticked
    response = client.post(f"/organisation/lasub/katalog/angebote/{offer.pk}/", data)
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.title, offer.active) == ("Neu", False)
    assert list(offer.quality_areas.values_list("number", flat=True)) == [6]
    assert client.get(f"/katalog/lasub/angebote/{offer.pk}/").status_code == 404
    assert "Neu" not in client.get("/katalog/lasub/").content.decode()


def test_an_invalid_offer_keeps_the_input_and_says_what_is_wrong(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.admin)
    response = client.post(
        "/organisation/lasub/katalog/angebote/neu/",
        offer_data(cast, title="", contact_email="keine-adresse"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "Ines Wolf" in html  # nothing typed is lost
    assert not Offer.objects.exists()


def test_a_site_or_area_of_another_organisation_cannot_be_chosen(
    client: Client, cast: Cast
) -> None:
    foreign_area = QualityArea.objects.create(
        organisation=cast.other_organisation, number=1, title="Fremd"
    )
    client.force_login(cast.admin)
    response = client.post(
        "/organisation/lasub/katalog/angebote/neu/",
        offer_data(cast, quality_areas=[str(foreign_area.pk)]),
    )
    assert response.status_code == 400
    with pytest.raises(services.CatalogueError):
        services.offer_save(
            organisation=cast.organisation,
            by=cast.admin,
            data=services.OfferData(title="X", quality_areas=[foreign_area]),
        )
    assert not Offer.objects.exists()


def test_only_admins_of_the_organisation_may_save(cast: Cast) -> None:
    for person in (cast.coordinator, cast.other_admin, cast.school_contact_a):
        with pytest.raises(services.CatalogueError):
            services.offer_save(
                organisation=cast.organisation, by=person, data=services.OfferData(title="X")
            )


def test_others_do_not_find_the_editing_pages(client: Client, cast: Cast) -> None:
    offer = Offer.objects.create(organisation=cast.organisation, title="Angebot")
    for person in (cast.coordinator, cast.other_admin, cast.supporter, cast.school_contact_a):
        client.force_login(person)
        assert client.get("/organisation/lasub/katalog/").status_code == 404
        response = client.post(
            f"/organisation/lasub/katalog/angebote/{offer.pk}/", offer_data(cast, title="Weg")
        )
        assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.title == "Angebot"


def area_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "number": "2",
        "title": "Lehren und Lernen",
        "description": "",
        "merkmal-TOTAL_FORMS": "2",
        "merkmal-INITIAL_FORMS": "0",
        "merkmal-MIN_NUM_FORMS": "0",
        "merkmal-MAX_NUM_FORMS": "30",
        "merkmal-0-title": "Lehr- und Lernorganisation",
        "merkmal-0-criteria": "Lernzeit wird genutzt.\nFachgruppen stimmen sich ab.",
        "merkmal-0-position": "1",
        "merkmal-1-title": "Lehr- und Lernprozesse",
        "merkmal-1-criteria": "Der Unterricht ist klar strukturiert.",
        "merkmal-1-position": "2",
    }
    return data | overrides


def test_an_admin_creates_an_area_with_characteristics_and_criteria(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.admin)
    response = client.post("/organisation/lasub/katalog/bereiche/neu/", area_post())
    assert response.status_code == 302
    area = QualityArea.objects.get(organisation=cast.organisation, number=2)
    characteristics = list(area.characteristics.order_by("position"))
    assert [c.title for c in characteristics] == [
        "Lehr- und Lernorganisation",
        "Lehr- und Lernprozesse",
    ]
    assert list(characteristics[0].criteria.values_list("text", flat=True)) == [
        "Lernzeit wird genutzt.",
        "Fachgruppen stimmen sich ab.",
    ]
    public = client.get("/katalog/lasub/bereiche/2/").content.decode()
    assert "<li>Fachgruppen stimmen sich ab.</li>" in public


def test_an_admin_edits_the_criteria_and_removes_a_characteristic(
    client: Client, cast: Cast
) -> None:
    area = QualityArea.objects.create(organisation=cast.organisation, number=2, title="Lehren")
    keep = Characteristic.objects.create(area=area, title="Organisation", position=1)
    first = Criterion.objects.create(characteristic=keep, text="Alt 1", position=1)
    Criterion.objects.create(characteristic=keep, text="Alt 2", position=2)
    drop = Characteristic.objects.create(area=area, title="Prozesse", position=2)
    Criterion.objects.create(characteristic=drop, text="Weg", position=1)
    client.force_login(cast.admin)
    page = client.get(f"/organisation/lasub/katalog/bereiche/{area.pk}/").content.decode()
    assert "Alt 1\nAlt 2" in page
    response = client.post(
        f"/organisation/lasub/katalog/bereiche/{area.pk}/",
        {
            "number": "2",
            "title": "Lehren und Lernen",
            "description": "Wie Unterricht gelingt.",
            "merkmal-TOTAL_FORMS": "3",
            "merkmal-INITIAL_FORMS": "2",
            "merkmal-MIN_NUM_FORMS": "0",
            "merkmal-MAX_NUM_FORMS": "30",
            "merkmal-0-id": str(keep.pk),
            "merkmal-0-title": "Lehr- und Lernorganisation",
            "merkmal-0-criteria": "Neu zuerst\nAlt 1",
            "merkmal-0-position": "1",
            "merkmal-1-id": str(drop.pk),
            "merkmal-1-title": "Prozesse",
            "merkmal-1-criteria": "Weg",
            "merkmal-1-position": "2",
            "merkmal-1-delete": "on",
            "merkmal-2-title": "",
            "merkmal-2-criteria": "",
        },
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.title, area.description) == ("Lehren und Lernen", "Wie Unterricht gelingt.")
    assert list(area.characteristics.values_list("title", flat=True)) == [
        "Lehr- und Lernorganisation"
    ]
    assert list(keep.criteria.order_by("position").values_list("text", flat=True)) == [
        "Neu zuerst",
        "Alt 1",
    ]
    # The row of a criterion that stays is kept; the one no longer listed is gone.
    assert Criterion.objects.filter(pk=first.pk).exists()
    assert Criterion.objects.count() == 2


def test_criteria_without_a_characteristic_and_a_taken_number_are_refused(
    client: Client, cast: Cast
) -> None:
    QualityArea.objects.create(organisation=cast.organisation, number=2, title="Vorhanden")
    client.force_login(cast.admin)
    response = client.post(
        "/organisation/lasub/katalog/bereiche/neu/",
        area_post(**{"number": "3", "merkmal-0-title": ""}),
    )
    assert response.status_code == 400
    assert "Lernzeit wird genutzt." in response.content.decode()
    response = client.post("/organisation/lasub/katalog/bereiche/neu/", area_post())
    assert response.status_code == 400
    assert QualityArea.objects.filter(organisation=cast.organisation).count() == 1


def test_a_characteristic_of_another_area_cannot_be_changed(cast: Cast) -> None:
    area = QualityArea.objects.create(organisation=cast.organisation, number=1, title="A")
    other = QualityArea.objects.create(organisation=cast.organisation, number=2, title="B")
    foreign = Characteristic.objects.create(area=other, title="Fremd")
    with pytest.raises(services.CatalogueError):
        services.quality_area_save(
            organisation=cast.organisation,
            by=cast.admin,
            area=area,
            data=services.AreaData(
                number=1,
                title="A",
                characteristics=[services.CharacteristicData(pk=foreign.pk, title="Gekapert")],
            ),
        )
    foreign.refresh_from_db()
    assert foreign.title == "Fremd"


def test_an_admin_adds_and_edits_other_supporters(client: Client, cast: Cast) -> None:
    client.force_login(cast.admin)
    response = client.post(
        "/organisation/lasub/katalog/weitere/neu/",
        {
            "name": "Schulpsychologen",
            "description": "Beratung in Krisen.",
            "contact_email": "schulpsychologie@lasub.example",
            "link": "www.lasub.example/schulpsychologie",
            "position": "4",
            "active": "on",
        },
    )
    assert response.status_code == 302
    item = SupporterType.objects.get(organisation=cast.organisation)
    assert item.link == "https://www.lasub.example/schulpsychologie"
    assert "Schulpsychologen" in client.get("/katalog/lasub/weitere/").content.decode()

    response = client.post(
        f"/organisation/lasub/katalog/weitere/{item.pk}/",
        {"name": "Schulpsychologischer Dienst", "position": "4"},
        follow=True,
    )
    assert "Schulpsychologischer Dienst" in response.content.decode()  # the success message
    item.refresh_from_db()
    assert (item.name, item.active) == ("Schulpsychologischer Dienst", False)
    assert "Schulpsychologischer" not in client.get("/katalog/lasub/weitere/").content.decode()


def test_two_other_supporters_cannot_share_a_name(client: Client, cast: Cast) -> None:
    SupporterType.objects.create(organisation=cast.organisation, name="Fachberater")
    client.force_login(cast.admin)
    response = client.post(
        "/organisation/lasub/katalog/weitere/neu/", {"name": "fachberater", "position": "0"}
    )
    assert response.status_code == 400
    assert SupporterType.objects.count() == 1


def test_the_admin_overview_lists_everything_and_is_linked(client: Client, cast: Cast) -> None:
    Offer.objects.create(organisation=cast.organisation, title="Aktiv")
    Offer.objects.create(organisation=cast.organisation, title="Ruht", active=False)
    QualityArea.objects.create(organisation=cast.organisation, number=1, title="Ergebnisse")
    SupporterType.objects.create(organisation=cast.organisation, name="Medienberater")
    client.force_login(cast.admin)
    html = client.get("/organisation/lasub/katalog/").content.decode()
    for text in ["Aktiv", "Ruht", "1. Ergebnisse", "Medienberater"]:
        assert text in html
    settings_page = client.get("/organisation/lasub/einstellungen/").content.decode()
    assert 'href="/organisation/lasub/katalog/"' in settings_page
