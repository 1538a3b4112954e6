"""The offer search as a teacher uses it: German word forms, word families, compounds both ways,
typos, several words of which some do not occur, the organisation's synonyms, and what the page
offers when nothing fits. The same on whichever database the suite runs (SQLite, PostgreSQL)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from lotse.catalog import search
from lotse.catalog.models import Offer
from lotse.core.models import Organisation, Role, SearchSynonym, SearchTerm
from tests.factories import OfferFactory, OrganisationFactory, person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(empty_database: None) -> Organisation:
    return OrganisationFactory(slug="lasub")


@pytest.fixture
def mediation(organisation: Organisation) -> Offer:
    return OfferFactory(
        organisation=organisation,
        title="Regionalbegleiter Schulmediation",
        description="Unterstützung beim konstruktiven Umgang mit Konflikten.",
        services=(
            "Pädagogische Tage und Konflikttrainings\n"
            "Ausbildung von Schülern zu Streitschlichtern\n"
            "Beratung bei Konflikten"
        ),
        target_groups="Lehrerkollegien\nSchüler\nSchulsozialarbeiter",
    )


@pytest.fixture
def supervision(organisation: Organisation) -> Offer:
    return OfferFactory(
        organisation=organisation,
        title="Pädagogische Supervisoren",
        description="Supervision für Lehrkräfte und Schulleitungen; Fallberatung.",
        services="Einzelsupervision\nGruppen- und Teamsupervision",
        target_groups="Lehrkräfte\nSchulleitungen",
    )


@pytest.fixture
def prevention(organisation: Organisation) -> Offer:
    return OfferFactory(
        organisation=organisation,
        title="Prävention von Extremismus",
        description=(
            "Fortbildungen für Lehrkräfte zum Umgang mit Rechtsextremismus, "
            "Verschwörungserzählungen und Demokratiefeindlichkeit im Schulalltag."
        ),
        services="Studientage zu den Themen Radikalisierung und Hassrede\nFallberatung",
        target_groups="Lehrkräfte\nSchulsozialarbeiter",
    )


@pytest.fixture
def class_council(organisation: Organisation) -> Offer:
    return OfferFactory(
        organisation=organisation,
        title="Klassenrat einführen",
        description="Wir begleiten Grund- und Oberschulen bei der Einführung von Klassenräten.",
        services="Moderation von Klassenratssitzungen\nMaterialien für Schülerinnen und Schüler",
    )


@pytest.fixture
def participation(organisation: Organisation) -> Offer:
    return OfferFactory(
        organisation=organisation,
        title="Schülerbeteiligung stärken",
        description=(
            "Wie der Rat der Klasse Anliegen bespricht und Konflikte selbst löst: "
            "Beteiligung in allen Klassen."
        ),
    )


def titles(query: str, organisation: Organisation) -> list[str]:
    offers = Offer.objects.filter(organisation=organisation)
    found = search.search_offers(offers, query, organisation_id=organisation.pk)
    assert found.total == len(found.found)
    return [item.offer.title for item in found.found]


# --- the index in core, kept by the catalogue ----------------------------------------------


def test_the_terms_are_indexed_on_save_and_removed_on_delete(
    organisation: Organisation, mediation: Offer
) -> None:
    def terms() -> dict[str, int]:
        rows = SearchTerm.objects.filter(kind=search.KIND, object_id=mediation.pk)
        return dict(rows.values_list("term", "weight"))

    assert terms()["schulmediation"] == 3  # the title weighs more than the text
    assert terms()["streitschlicht"] == 1
    mediation.services = "Sozialkompetenztrainings"
    mediation.save(update_fields=["services"])
    assert "sozialkompetenztraining" in terms()
    assert "streitschlicht" not in terms()
    assert titles("Streitschlichter", organisation) == []
    mediation.delete()
    assert not SearchTerm.objects.filter(kind=search.KIND).exists()


def test_an_offer_changed_on_the_admin_page_is_found_by_its_new_words(
    client: Client, organisation: Organisation, mediation: Offer
) -> None:
    client.force_login(person_with_role(Role.Kind.ADMIN, organisation))
    # The vocabulary is read (and kept in the process) before the change.
    assert titles("Schulpsychologie", organisation) == []
    response = client.post(
        f"/organisation/lasub/katalog/angebote/{mediation.pk}/",
        {
            "title": "Schulpsychologische Beratung",
            "description": "Beratung bei Lern- und Verhaltensproblemen.",
            "services": "Einzelfallberatung",
            "target_groups": "Lehrkräfte",
            "cost": "kostenfrei",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert titles("Schulpsychologie", organisation) == ["Schulpsychologische Beratung"]
    assert titles("Streitschlichter", organisation) == []


def test_the_command_rebuilds_the_index(organisation: Organisation, mediation: Offer) -> None:
    SearchTerm.objects.all().delete()
    assert titles("Streitschlichter", organisation) == []
    out = StringIO()
    call_command("rebuild-search-index", stdout=out)
    assert "catalog.offer: 1 indexed" in out.getvalue()
    assert titles("Streitschlichter", organisation) == ["Regionalbegleiter Schulmediation"]


def test_offers_of_other_organisations_are_not_found(
    organisation: Organisation, mediation: Offer
) -> None:
    other = OrganisationFactory(slug="anders")
    OfferFactory(organisation=other, title="Schulmediation im Landkreis")
    assert titles("Schulmediation", organisation) == ["Regionalbegleiter Schulmediation"]
    assert titles("Schulmediation", other) == ["Schulmediation im Landkreis"]


# --- the kinds of query from the issue ------------------------------------------------------


@pytest.mark.parametrize("query", ["Streitschlichter", "Streitschlichtern", "Konflikt"])
def test_inflected_forms_find_the_offer(
    query: str, organisation: Organisation, mediation: Offer, supervision: Offer
) -> None:
    assert titles(query, organisation) == ["Regionalbegleiter Schulmediation"]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("Thema Radikalisierung", "Prävention von Extremismus"),  # text: "Themen"
        ("Lehrerkollegium", "Regionalbegleiter Schulmediation"),  # text: "Lehrerkollegien"
        ("Klassenratssitzung", "Klassenrat einführen"),  # text: "Klassenratssitzungen"
    ],
)
@pytest.mark.usefixtures("mediation", "prevention", "class_council")
def test_the_singular_finds_the_plural_in_the_text(
    query: str, title: str, organisation: Organisation
) -> None:
    # The stem of the singular is longer than the stored one ("thema" / "them"): before, it
    # never matched.
    assert titles(query, organisation)[0] == title


def test_a_phrase_with_a_word_that_occurs_nowhere_still_finds_the_offer(
    organisation: Organisation, mediation: Offer, supervision: Offer
) -> None:
    # "Grundschule" is in no offer: before, "every word must match" found nothing.
    assert titles("Streitschlichter Ausbildung Grundschule", organisation) == [
        "Regionalbegleiter Schulmediation"
    ]


def test_offers_matching_more_words_rank_first(
    organisation: Organisation, mediation: Offer, supervision: Offer, prevention: Offer
) -> None:
    # Supervision and prevention have both words ("Fallberatung", "Lehrkräfte"); mediation has
    # only "Beratung" inside the compound: it comes last, yet is shown.
    found = search.search_offers(
        Offer.objects.filter(organisation=organisation),
        "Lehrkräfte Beratung",
        organisation_id=organisation.pk,
    )
    assert [(f.offer.title, f.matched, f.words) for f in found.found] == [
        ("Pädagogische Supervisoren", 2, 2),
        ("Prävention von Extremismus", 2, 2),
        ("Regionalbegleiter Schulmediation", 1, 2),
    ]
    # One word in the title counts more than one in the text: "Supervision" is the
    # supervisors' (title "Supervisoren", text "Supervision"); "Konflikte" only the mediation's.
    assert titles("Konflikte Supervision", organisation) == [
        "Pädagogische Supervisoren",
        "Regionalbegleiter Schulmediation",
    ]


def test_a_person_noun_finds_the_activity(organisation: Organisation, mediation: Offer) -> None:
    OfferFactory(
        organisation=organisation,
        title="Mediation bei Konflikten im Kollegium",
        description="Allparteiliche Begleitung durch ausgebildete Fachkräfte.",
    )
    OfferFactory(organisation=organisation, title="Medien im Unterricht", description="Tablets")
    assert titles("Mediator", organisation) == [
        "Mediation bei Konflikten im Kollegium",
        "Regionalbegleiter Schulmediation",
    ]
    assert titles("Mediatorinnen", organisation)[0] == "Mediation bei Konflikten im Kollegium"


def test_an_adjective_finds_its_noun_and_back(
    organisation: Organisation, prevention: Offer, supervision: Offer
) -> None:
    assert titles("extremistisch", organisation) == ["Prävention von Extremismus"]
    assert titles("präventive Angebote", organisation) == ["Prävention von Extremismus"]
    OfferFactory(
        organisation=organisation,
        title="Demokratie stärken",
        description="Wenn Schüler extremistische Parolen verbreiten: Beratung für Lehrkräfte.",
    )
    assert "Demokratie stärken" in titles("Extremismus", organisation)


@pytest.mark.parametrize("query", ["Schulmediaton", "Schulmedaition", "Streitschlichtr"])
def test_one_typo_is_tolerated(
    query: str, organisation: Organisation, mediation: Offer, supervision: Offer
) -> None:
    assert titles(query, organisation) == ["Regionalbegleiter Schulmediation"]


@pytest.mark.parametrize("query", ["Supervisionn Lehrkräft", "Suprevisoin", "Superfision"])
def test_two_typos_in_a_long_word_are_tolerated(
    query: str, organisation: Organisation, mediation: Offer, supervision: Offer
) -> None:
    assert titles(query, organisation)[0] == "Pädagogische Supervisoren"


def test_a_compound_finds_its_parts_and_the_parts_find_the_compound(
    organisation: Organisation, class_council: Offer, participation: Offer
) -> None:
    # "Klassenrat" → "Klasse" + "Rat" in "Wie der Rat der Klasse …", and the compound itself.
    assert titles("Klassenrat", organisation) == [
        "Klassenrat einführen",
        "Schülerbeteiligung stärken",
    ]
    # "Rat der Klasse" (or "Klassen") finds the compound "Klassenrat": both words are parts
    # of it, and there it is in the title, which weighs more than the two words in the text.
    assert titles("Rat der Klasse", organisation) == [
        "Klassenrat einführen",
        "Schülerbeteiligung stärken",
    ]
    assert "Klassenrat einführen" in titles("Klassen", organisation)


def test_a_compound_of_which_one_part_occurs_is_a_partial_match(
    organisation: Organisation, mediation: Offer, supervision: Offer
) -> None:
    # "Konfliktberatung": the mediation offer has "Konflikten" and "Beratung"; supervision only
    # "Fallberatung". Both are shown, the second as matching part of the search.
    found = search.search_offers(
        Offer.objects.filter(organisation=organisation),
        "Konfliktberatung",
        organisation_id=organisation.pk,
    ).found
    assert [(f.offer.title, f.complete) for f in found] == [
        ("Regionalbegleiter Schulmediation", True),
        ("Pädagogische Supervisoren", False),
    ]


def test_a_word_finds_compounds_that_contain_it(
    organisation: Organisation, mediation: Offer, supervision: Offer
) -> None:
    assert titles("Training", organisation) == ["Regionalbegleiter Schulmediation"]
    assert titles("Supervision", organisation) == ["Pädagogische Supervisoren"]


def test_title_hits_rank_before_text_hits(organisation: Organisation) -> None:
    OfferFactory(organisation=organisation, title="Prozessmoderation", description="Moderation")
    OfferFactory(
        organisation=organisation,
        title="Demokratiepädagogik",
        description="Beratung zur Mediation im Klassenrat",
    )
    OfferFactory(organisation=organisation, title="Schulmediation", description="Streitschlichtung")
    OfferFactory(organisation=organisation, title="Mediation", description="Konflikte klären")
    # Whole word in the title, then part of a title word, then a word of the text.
    assert titles("Mediation", organisation) == [
        "Mediation",
        "Schulmediation",
        "Demokratiepädagogik",
    ]


def test_short_words_match_whole_words_and_compound_ends_only(organisation: Organisation) -> None:
    OfferFactory(organisation=organisation, title="Beratung", description="Beratung im Rathaus")
    OfferFactory(organisation=organisation, title="Rat für Schulen", description="")
    assert titles("Rat", organisation) == ["Rat für Schulen"]


def test_an_empty_query_or_only_stop_words_find_nothing(
    organisation: Organisation, mediation: Offer
) -> None:
    assert titles("", organisation) == []
    assert titles("   ", organisation) == []
    assert titles("und die der", organisation) == []


def test_special_characters_are_no_wildcards(organisation: Organisation, mediation: Offer) -> None:
    assert titles("%", organisation) == []
    assert titles("_", organisation) == []
    assert titles("Schulmediation%", organisation) == ["Regionalbegleiter Schulmediation"]


# --- synonyms, kept by the organisation's admins --------------------------------------------


def test_an_admin_adds_a_synonym_on_the_page_and_the_search_uses_it(
    client: Client, organisation: Organisation, mediation: Offer, supervision: Offer
) -> None:
    assert titles("Mobbing", organisation) == []
    admin = person_with_role(Role.Kind.ADMIN, organisation)
    client.force_login(admin)
    page = client.get("/organisation/lasub/suche/synonyme/")
    assert page.status_code == 200
    response = client.post(
        "/organisation/lasub/suche/synonyme/",
        {"synonyms": "Mobbing: Konflikte, Streit\nBurnout: Supervision"},
    )
    assert response.status_code == 302
    assert list(
        SearchSynonym.objects.filter(organisation=organisation).values_list("word", "means")
    ) == [("Burnout", "Supervision"), ("Mobbing", "Konflikte, Streit")]
    assert titles("Mobbing", organisation) == ["Regionalbegleiter Schulmediation"]
    html = client.get("/katalog/lasub/suche/", {"q": "Mobbing"}).content.decode()
    assert "Regionalbegleiter Schulmediation" in html
    # The page shows the list as it is kept.
    assert (
        "Mobbing: Konflikte, Streit"
        in client.get("/organisation/lasub/suche/synonyme/").content.decode()
    )
    # A synonym is the organisation's own.
    other = OrganisationFactory(slug="anders")
    OfferFactory(organisation=other, title="Konflikte lösen")
    assert titles("Mobbing", other) == []


def test_a_line_without_colon_is_refused_and_nothing_is_saved(
    client: Client, organisation: Organisation
) -> None:
    client.force_login(person_with_role(Role.Kind.ADMIN, organisation))
    response = client.post("/organisation/lasub/suche/synonyme/", {"synonyms": "Mobbing Konflikte"})
    assert response.status_code == 400
    assert "Zeile 1" in response.content.decode()
    assert not SearchSynonym.objects.exists()


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_partial_matches_apart(
    client: Client, organisation: Organisation, mediation: Offer, supervision: Offer
) -> None:
    html = client.get("/katalog/lasub/suche/", {"q": "Streitschlichter Grundschule"}).content
    text = html.decode()
    assert "Kein Angebot passt zu allen Suchwörtern" in text
    assert "Regionalbegleiter Schulmediation" in text
    assert "passt zu 1 von 2 Suchwörtern" in text


def test_when_nothing_fits_the_page_offers_all_offers_and_the_request_form(
    client: Client, organisation: Organisation, mediation: Offer
) -> None:
    html = client.get("/katalog/lasub/suche/", {"q": "Schwimmunterricht"}).content.decode()
    assert "Kein Angebot passt zu „Schwimmunterricht“" in html
    assert '<a class="kern-link" href="/katalog/lasub/">Alle Angebote anzeigen</a>' in html
    assert 'href="/katalog/lasub/anfrage/"' in html


def test_the_page_counts_every_offer_found_and_shows_the_first_fifty(
    client: Client, organisation: Organisation
) -> None:
    for number in range(52):
        OfferFactory(organisation=organisation, title=f"Konfliktberatung {number}")
    html = client.get("/katalog/lasub/suche/", {"q": "Konflikt"}).content.decode()
    status = html.split('role="status">')[1].split("</p>")[0]
    assert status == "52 Angebote für „Konflikt“ gefunden. Die ersten 50 werden gezeigt.", status
    assert html.count('href="/katalog/lasub/angebote/') == 50
