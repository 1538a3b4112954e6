"""The public catalogue: matrix, offer, area, other supporters, search; no login needed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from lotse.catalog.models import Characteristic, Criterion, Offer, QualityArea, SupporterType
from lotse.demo.seed import seed
from tests.factories import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(cast: Cast) -> dict[str, Any]:
    organisation = cast.organisation
    areas = {
        number: QualityArea.objects.create(organisation=organisation, number=number, title=title)
        for number, title in [
            (1, "Ergebnisse"),
            (2, "Lehren und Lernen"),
            (3, "Schulkultur"),
            (4, "Entwicklung der Professionalität"),
            (5, "Management und Führung"),
            (6, "Kooperation"),
        ]
    }
    teaching = Characteristic.objects.create(
        area=areas[2], title="Lehr- und Lernprozesse", position=2
    )
    Characteristic.objects.create(area=areas[2], title="Lehr- und Lernorganisation", position=1)
    Criterion.objects.create(
        characteristic=teaching, position=1, text="Der Unterricht ist klar strukturiert."
    )
    mediation = Offer.objects.create(
        organisation=organisation,
        site=cast.site_a,
        title="Regionalbegleiter Schulmediation",
        description="Konstruktiver Umgang mit Konflikten.",
        services="Pädagogische Tage und Konflikttrainings\nAusbildung von Streitschlichtern",
        target_groups="Lehrerkollegien\nSchüler",
        cost="kostenfrei",
        contact_name="Martin Vogel",
        contact_phone="0351 4380-245",
        contact_email="schulmediation@lasub.example",
    )
    mediation.quality_areas.add(areas[3], areas[6])
    training = Offer.objects.create(
        organisation=organisation, title="Trainer für Unterrichtsentwicklung"
    )
    training.quality_areas.add(areas[2], areas[4])
    hidden = Offer.objects.create(
        organisation=organisation, title="Altes Angebot Konfliktlotsen", active=False
    )
    hidden.quality_areas.add(areas[3])
    foreign = Offer.objects.create(
        organisation=cast.other_organisation, title="Fachliche Beratung Schulsozialarbeit"
    )
    SupporterType.objects.create(
        organisation=organisation,
        name="Schulpsychologen",
        description="Vertrauliche Beratung in Krisen.",
        contact_email="schulpsychologie@lasub.example",
        link="https://www.lasub.example/schulpsychologie",
        position=2,
    )
    SupporterType.objects.create(organisation=organisation, name="Fachberater", position=1)
    SupporterType.objects.create(organisation=organisation, name="Ehemalige", active=False)
    return {
        "areas": areas,
        "mediation": mediation,
        "training": training,
        "hidden": hidden,
        "foreign": foreign,
    }


def marked_areas(html: str, offer: Offer) -> set[int]:
    """The area numbers of the marked cells in the offer's row of the matrix."""
    row = re.search(
        rf'<tr[^>]*>\s*<th[^>]*scope="row"><a[^>]*/angebote/{offer.pk}/".*?</tr>', html, re.S
    )
    assert row is not None, f"no row for {offer}"
    return {int(n) for n in re.findall(r'data-area="(\d+)"', row.group(0))}


def test_the_matrix_marks_the_areas_each_offer_serves(
    client: Client, cast: Cast, catalogue: dict[str, Any]
) -> None:
    response = client.get("/katalog/lasub/")
    html = response.content.decode()
    assert response.status_code == 200
    assert marked_areas(html, catalogue["mediation"]) == {3, 6}
    assert marked_areas(html, catalogue["training"]) == {2, 4}
    # A table with a caption, one column header per area and one row header per offer.
    assert "<caption" in html
    assert html.count('scope="col"') == 7
    assert html.count('scope="row"') == 2
    for number in range(1, 7):
        assert f'href="/katalog/lasub/bereiche/{number}/"' in html


def test_the_matrix_hides_inactive_offers_and_those_of_other_organisations(
    client: Client, catalogue: dict[str, Any]
) -> None:
    html = client.get("/katalog/lasub/").content.decode()
    assert "Altes Angebot Konfliktlotsen" not in html
    assert "Fachliche Beratung Schulsozialarbeit" not in html
    assert client.get(f"/katalog/lasub/angebote/{catalogue['hidden'].pk}/").status_code == 404
    assert client.get(f"/katalog/lasub/angebote/{catalogue['foreign'].pk}/").status_code == 404


def test_the_matrix_needs_only_a_few_queries(
    client: Client, catalogue: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for number in range(5):
        offer = Offer.objects.create(
            organisation=catalogue["mediation"].organisation, title=f"X{number}"
        )
        offer.quality_areas.add(catalogue["areas"][1])
    with django_assert_max_num_queries(8):
        assert client.get("/katalog/lasub/").status_code == 200


def test_the_offer_page_shows_everything_and_starts_a_public_request(
    client: Client, catalogue: dict[str, Any]
) -> None:
    offer = catalogue["mediation"]
    html = client.get(f"/katalog/lasub/angebote/{offer.pk}/").content.decode()
    for text in [
        "Konstruktiver Umgang mit Konflikten.",
        "<li>Pädagogische Tage und Konflikttrainings</li>",
        "<li>Ausbildung von Streitschlichtern</li>",
        "<li>Lehrerkollegien</li>",
        "kostenfrei",
        "Martin Vogel",
        'href="tel:03514380-245"',
        'href="mailto:schulmediation@lasub.example"',
        "Standort Dresden",
        'href="/katalog/lasub/bereiche/3/"',
        'href="/katalog/lasub/bereiche/6/"',
    ]:
        assert text in html, text
    assert f'href="/katalog/lasub/anfrage/?angebot={offer.pk}"' in html


def test_a_school_contact_starts_the_request_in_the_app(
    client: Client, cast: Cast, catalogue: dict[str, Any]
) -> None:
    offer = catalogue["mediation"]
    client.force_login(cast.school_contact_a)
    html = client.get(f"/katalog/lasub/angebote/{offer.pk}/").content.decode()
    assert f'href="/anfragen/neu/?angebot={offer.pk}"' in html


def test_the_area_page_lists_characteristics_criteria_and_offers(
    client: Client, catalogue: dict[str, Any]
) -> None:
    html = client.get("/katalog/lasub/bereiche/2/").content.decode()
    assert "2. Lehren und Lernen" in html
    # The Merkmale in their order, with their Kriterien.
    assert html.index("Lehr- und Lernorganisation") < html.index("Lehr- und Lernprozesse")
    assert "<li>Der Unterricht ist klar strukturiert.</li>" in html
    assert "Trainer für Unterrichtsentwicklung" in html
    assert "Regionalbegleiter Schulmediation" not in html
    assert client.get("/katalog/lasub/bereiche/9/").status_code == 404


def test_the_page_of_other_supporters_shows_the_active_ones_in_order(
    client: Client, catalogue: dict[str, Any]
) -> None:
    html = client.get("/katalog/lasub/weitere/").content.decode()
    assert html.index("Fachberater") < html.index("Schulpsychologen")
    assert "Vertrauliche Beratung in Krisen." in html
    assert 'href="mailto:schulpsychologie@lasub.example"' in html
    assert 'href="https://www.lasub.example/schulpsychologie"' in html
    assert "Ehemalige" not in html


def test_the_index_lists_organisations_with_a_catalogue(
    client: Client, cast: Cast, catalogue: dict[str, Any]
) -> None:
    Offer.objects.filter(organisation=cast.other_organisation).update(active=False)
    html = client.get("/katalog/").content.decode()
    assert 'href="/katalog/lasub/"' in html
    assert f'href="/katalog/{cast.other_organisation.slug}/"' not in html


def test_the_search_page_finds_offers_by_stem(client: Client, catalogue: dict[str, Any]) -> None:
    html = client.get("/katalog/lasub/suche/", {"q": "Streitschlichter"}).content.decode()
    assert "1 Angebot" in html or "1 offer" in html
    assert f'href="/katalog/lasub/angebote/{catalogue["mediation"].pk}/"' in html
    # Inactive offers and those of other organisations are never found.
    html = client.get("/katalog/lasub/suche/", {"q": "Konfliktlotsen"}).content.decode()
    assert "Altes Angebot" not in html
    html = client.get("/katalog/lasub/suche/", {"q": "Schulsozialarbeit"}).content.decode()
    assert "Fachliche Beratung" not in html


def test_htmx_gets_the_results_only(client: Client, catalogue: dict[str, Any]) -> None:
    response = client.get("/katalog/lasub/suche/", {"q": "Unterricht"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html
    assert "Trainer für Unterrichtsentwicklung" in html


def test_an_empty_search_asks_for_words(client: Client, catalogue: dict[str, Any]) -> None:
    response = client.get("/katalog/lasub/suche/", {"q": ""})
    assert response.status_code == 200
    assert "/angebote/" not in response.content.decode().split('id="results"')[1]


def test_the_navigation_links_the_catalogue_for_everyone(client: Client, cast: Cast) -> None:
    assert 'href="/katalog/"' in client.get("/konto/login/").content.decode()
    client.force_login(cast.school_contact_a)
    assert 'href="/katalog/"' in client.get("/anfragen/").content.decode()


def test_the_demo_catalogue_renders(client: Client, db: None) -> None:
    seed(with_requests=False)
    html = client.get("/katalog/lasub/").content.decode()
    assert html.count('scope="row"') == 5
    assert "Regionalbegleiter Schulmediation" in html
    area = client.get("/katalog/lasub/bereiche/2/").content.decode()
    assert "Lehr- und Lernorganisation" in area
    assert "Lehr- und Lernprozesse" in area
    others = client.get("/katalog/lasub/weitere/").content.decode()
    for name in [
        "Fachberater",
        "Medienberater",
        "Berater Schule/Wirtschaft",
        "Schulpsychologen",
        "Beratungsstelle zur Begabtenförderung",
    ]:
        assert name in others
    # The association has no areas: its offers are a plain list.
    lag = client.get("/katalog/lag-ssa-nds/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Fachliche Beratung Schulsozialarbeit" in lag
    assert "<table" not in lag
    # ... and no word of a matrix or a marked cell.
    assert "markierte Zelle" not in lag
    assert "Angebote nach Bereichen" not in lag
    # Seeding again changes nothing.
    assert not seed(with_requests=False).changed_anything


def test_a_catalogue_without_areas_names_no_matrix_and_no_marked_cell(
    client: Client, cast: Cast
) -> None:
    """An association such as the LAG has offers but no areas of school quality."""
    Offer.objects.create(organisation=cast.organisation, title="Demokratietage")
    with translation.override("de"):
        html = client.get("/katalog/lasub/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
        search = client.get("/katalog/lasub/suche/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Demokratietage" in html
    assert "markierte" not in html
    assert "<table" not in html
    assert "Angebote nach Bereichen" not in html
    assert "Wählen Sie ein Angebot" in html
    assert "Alle Angebote" in html
    assert "Angebote nach Bereichen" not in search


def test_a_catalogue_with_areas_still_explains_the_matrix(
    client: Client, catalogue: dict[str, Any]
) -> None:
    with translation.override("de"):
        html = client.get("/katalog/lasub/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "markierte Zelle" in html
    assert "Angebote nach Bereichen schulischer Qualität" in html
