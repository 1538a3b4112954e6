"""The offer search: German stems, umlauts, ranking, on whichever database the suite runs."""

from __future__ import annotations

import pytest

from lotse.catalog import search
from lotse.catalog.models import Offer
from lotse.core.models import Organisation
from tests.factories import OfferFactory, OrganisationFactory

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


def titles(query: str, organisation: Organisation) -> list[str]:
    offers = Offer.objects.filter(organisation=organisation)
    return [offer.title for offer in search.search(offers, query)]


def test_german_stemming_joins_inflected_forms() -> None:
    # What the Snowball German stemmer really does with the catalogue's words.
    assert search.stems("Streitschlichtern Streitschlichter") == ["streitschlicht"]
    assert search.stems("Schülern Schüler") == ["schul"]
    assert search.stems("Beratungen Beratung") == ["berat"]
    assert search.stems("Konflikte Konflikten") == ["konflikt"]
    # A compound keeps its own stem: "Konflikttrainings" is not "Konflikt".
    assert search.stems("Konflikttrainings") == ["konflikttraining"]


def test_umlauts_sharp_s_and_case_are_normalised() -> None:
    assert search.stems("Schüler") == search.stems("SCHUELER") == search.stems("schuler")
    assert search.stems("Straße") == search.stems("Strasse")
    assert search.stems("Pädagogik") == search.stems("Paedagogik") == ["padagog"]


def test_stop_words_are_left_out() -> None:
    assert search.stems("Beratung bei den Konflikten und für die Schule") == [
        "berat",
        "konflikt",
        "schul",
    ]


def test_the_stems_are_stored_on_save(mediation: Offer) -> None:
    mediation.refresh_from_db()
    assert " schulmediation " in mediation.search_title
    assert " streitschlicht " in mediation.search_text
    mediation.services = "Sozialkompetenztrainings"
    mediation.save(update_fields=["services"])
    mediation.refresh_from_db()
    assert " sozialkompetenztraining " in mediation.search_text
    assert "streitschlicht" not in mediation.search_text


@pytest.mark.parametrize("query", ["Streitschlichter", "Streitschlichtern", "Konflikt"])
def test_inflected_forms_find_the_offer(
    query: str, organisation: Organisation, mediation: Offer, supervision: Offer
) -> None:
    assert titles(query, organisation) == ["Regionalbegleiter Schulmediation"]


@pytest.mark.parametrize("query", ["Schüler", "Schuelern", "Beratungen"])
def test_whole_words_rank_before_parts_of_words(
    query: str, organisation: Organisation, mediation: Offer, supervision: Offer
) -> None:
    # The mediation offer has "Schülern" and "Beratung"; supervision only has them inside
    # "Schulleitungen" and "Fallberatung", so it comes second.
    assert titles(query, organisation) == [
        "Regionalbegleiter Schulmediation",
        "Pädagogische Supervisoren",
    ]


def test_a_word_finds_compounds_that_contain_it(
    organisation: Organisation, mediation: Offer, supervision: Offer
) -> None:
    # "Konflikte" → stem "konflikt", found inside "konflikttraining" as well.
    assert titles("Konflikte", organisation) == ["Regionalbegleiter Schulmediation"]
    # "Supervision" is in one offer's title and inside "Einzelsupervision".
    assert titles("Supervision", organisation) == ["Pädagogische Supervisoren"]


def test_every_word_of_the_query_must_match(
    organisation: Organisation, mediation: Offer, supervision: Offer
) -> None:
    assert titles("Konflikte Lehrkräfte", organisation) == []
    assert titles("Fallberatung Schulleitungen", organisation) == ["Pädagogische Supervisoren"]


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


def test_short_stems_match_whole_words_only(organisation: Organisation) -> None:
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
    assert titles("Schul%", organisation) == ["Regionalbegleiter Schulmediation"]
