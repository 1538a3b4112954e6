"""The German text analysis of the search (lotse.lib.textsearch): stems, umlauts, word families,
compounds, typos. Pure: no database."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lotse.lib import textsearch


def test_german_stemming_joins_inflected_forms() -> None:
    # What the Snowball German stemmer really does with the catalogue's words.
    assert textsearch.terms("Streitschlichtern Streitschlichter") == ["streitschlicht"]
    assert textsearch.terms("Schülern Schüler") == ["schul"]
    assert textsearch.terms("Beratungen Beratung") == ["berat"]
    assert textsearch.terms("Konflikte Konflikten") == ["konflikt"]
    # Plural and singular the stemmer leaves apart; the vocabulary joins them as inflections.
    assert textsearch.terms("Themen Thema") == ["them", "thema"]


def test_umlauts_sharp_s_and_case_are_normalised() -> None:
    assert textsearch.terms("Schüler") == textsearch.terms("SCHUELER") == ["schul"]
    assert textsearch.terms("Straße") == textsearch.terms("Strasse")
    assert textsearch.terms("Pädagogik") == textsearch.terms("Paedagogik") == ["padagog"]


def test_stop_words_are_left_out() -> None:
    assert textsearch.terms("Beratung bei den Konflikten und für die Schule") == [
        "berat",
        "konflikt",
        "schul",
    ]


def test_word_families_share_a_root() -> None:
    assert textsearch.family("mediator") == textsearch.family("mediation") == "medi"
    assert textsearch.family(textsearch.stem("extremismus")) == "extrem"
    assert textsearch.family(textsearch.stem("extremistisch")) == "extrem"
    assert textsearch.family(textsearch.stem("präventiv")) == "pravent"
    assert textsearch.family(textsearch.stem("prävention")) == "pravent"


def test_edit_distance_counts_swaps_as_one() -> None:
    assert textsearch.edit_distance("mediation", "mediaiton", 2) == 1
    assert textsearch.edit_distance("mediation", "mediaton", 2) == 1
    assert textsearch.edit_distance("mediation", "medaiton", 2) == 2
    assert textsearch.edit_distance("mediation", "moderation", 2) == 3


def test_a_compound_query_splits_into_vocabulary_terms() -> None:
    vocabulary = textsearch.Vocabulary.of(textsearch.terms("Rat der Klasse, Arbeit, Platz"))
    assert vocabulary.split("klassenrat") == ["klass", "rat"]
    assert vocabulary.split("arbeitsplatz") == ["arbeit", "platz"]
    assert vocabulary.split("klassenfahrt") == []


TITLE_WORDS = [
    word
    for title in [
        "Regionalbegleiter Schulmediation",
        "Pädagogische Supervisoren",
        "Prävention von Extremismus",
        "Klassenrat einführen",
        "Trainer für Unterrichtsentwicklung",
        "Berufsorientierung und Ganztagsangebote",
    ]
    for word in title.split()
    if len(word) >= 6
]
_TYPO_VOCABULARY = textsearch.Vocabulary.of(
    textsearch.index_terms(" ".join(TITLE_WORDS) + " Beratung Schulleitung Medien Konflikte")
)


@given(
    word=st.sampled_from(TITLE_WORDS),
    kind=st.sampled_from(["replace", "delete", "insert", "swap"]),
    at=st.integers(min_value=0, max_value=40),
    # Not ß: it is folded to "ss", two letters, so it would be two edits in a short word.
    letter=st.sampled_from("abcdefghijklmnopqrstuvwxyzäöü"),
)
def test_any_single_typo_of_a_title_word_still_finds_it(
    word: str, kind: str, at: int, letter: str
) -> None:
    # Any one edit (wrong, missing, extra or swapped letter) of a word of six letters or more.
    lower = word.casefold()
    at %= len(lower)
    if kind == "replace":
        typo = lower[:at] + letter + lower[at + 1 :]
    elif kind == "delete":
        typo = lower[:at] + lower[at + 1 :]
    elif kind == "insert":
        typo = lower[:at] + letter + lower[at:]
    else:
        at = min(at, len(lower) - 2)
        typo = lower[:at] + lower[at + 1] + lower[at] + lower[at + 2 :]
    # The word's term or the word as written (either is a row of the offer in the index).
    wanted = set(textsearch.index_terms(word))
    assert wanted & _TYPO_VOCABULARY.expand(typo).all_terms(), (word, typo)


def test_a_word_is_found_inside_a_compound_only_as_a_real_part() -> None:
    vocabulary = textsearch.Vocabulary.of(
        textsearch.index_terms(
            "Schulmediation Fallberatung Demokraten Klassenrat Klasse Medienkompetenz "
            "Konflikttraining"
        )
    )
    # A real part: at the start, at the end (with linking letters), or between two words.
    assert "konflikttraining" in vocabulary.expand("konflikt").terms
    assert "medienkompetenz" in vocabulary.expand("medien").terms
    assert "fallberat" in vocabulary.expand("beratung").terms
    assert "klassenrat" in vocabulary.expand("rat").terms  # "klass" is a word of its own
    # Not a part: what follows is an ending ("medi|ation"), or what comes before is no word.
    assert "schulmediation" not in vocabulary.expand("medien").terms
    assert "demokrat" not in vocabulary.expand("rat").terms
    assert "fallberat" not in vocabulary.expand("rat").terms


def test_a_word_of_the_vocabulary_is_no_typo() -> None:
    vocabulary = textsearch.Vocabulary.of(textsearch.index_terms("Schule Schüler Schulen"))
    assert vocabulary.expand("schule").terms == {"schul": 1.0}
    vocabulary = textsearch.Vocabulary.of(textsearch.index_terms("Schüler"))
    assert "=schuler" in vocabulary.expand("schulr").terms
