"""The anonymisation check of Synergie: what names the school, its place or a person."""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotse.core.models import School
from lotse.support.concept_check import (
    Kind,
    Term,
    check_texts,
    findings,
    highlight,
    identifying_terms,
)
from lotse.support.models import SupportRequest
from tests.concepts import completed
from tests.factories import Cast

PIRNA = [
    Term("Grundschule am Park", Kind.SCHOOL),
    Term("Park", Kind.SCHOOL),
    Term("Pirna", Kind.PLACE),
    Term("Dresden", Kind.PLACE),
    Term("Gartenstraße", Kind.PLACE),
    Term("Müller", Kind.PERSON),
    Term("Sabine Schulz", Kind.PERSON),
    Term("Schulz", Kind.PERSON),
]


def found(text: str, terms: list[Term] = PIRNA) -> list[str]:
    return [f.text for f in findings(text, terms)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die Grundschule am Park in Pirna hat viel erreicht.", ["Grundschule am Park in Pirna"]),
        ("Gespräche mit Frau Müller im Frühjahr.", ["Frau Müller"]),
        ("Herr Dr. Özdemir moderierte.", ["Herr Dr. Özdemir"]),
        ("Prof. Weber kam dazu.", ["Prof. Weber"]),
        ("Erreichbar unter 0351 123456.", ["0351 123456"]),
        ("Rückruf: +49 351 1234567 oder (0351) 12 34 56", ["+49 351 1234567", "(0351) 12 34 56"]),
        ("Mobil 0171-1234567!", ["0171-1234567"]),
        ("Schreiben Sie an info@gs-park.de.", ["info@gs-park.de"]),
        ("Mehr auf https://www.gs-park.de/team, bitte.", ["https://www.gs-park.de/team"]),
        ("Siehe www.schule-pirna.de und gs-park.de.", ["www.schule-pirna.de", "gs-park.de"]),
        # The school's town, inflected and derived.
        ("Viele Pirnaer Eltern kamen.", ["Pirnaer"]),
        ("Pirnas Schulen arbeiten zusammen.", ["Pirnas"]),
        ("Wie die Dresdner Schulen es machen.", ["Dresdner"]),
        ("IN PIRNA ist das anders.", ["PIRNA"]),
        # Umlauts written out, and the street of the school.
        ("Frau Mueller und die Gartenstrasse.", ["Frau Mueller", "Gartenstrasse"]),
        ("Sabine   Schulz leitete die Runde.", ["Sabine   Schulz"]),
        ("Schulz’ Idee: die 84. Grundschule besuchen.", ["Schulz", "84. Grundschule"]),
        ("Wir hospitierten am Erich-Kästner-Gymnasium.", ["Erich-Kästner-Gymnasium"]),
        ("Die Oberschule Sebnitz half.", ["Oberschule Sebnitz"]),
    ],
)
def test_realistic_identifiers_are_found(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Die Grundschule hat eine Steuergruppe gebildet.",
        "Im Jahr 2023 nahmen 25 Lehrkräfte teil, am 01.02.2023 begann es.",
        "Das Parkett wurde erneuert; Parkplätze fehlen.",  # "Park" only as a whole word
        "Ein Schulzentrum hat oft viele Klassen.",
        "Kollegiale Hospitation, Feedbackbögen und ein pädagogischer Tag.",
        "Seite 12 von 40, Version 2.0.",
    ],
)
def test_ordinary_texts_have_no_findings(text: str) -> None:
    assert found(text) == []


def test_a_decomposed_umlaut_is_the_same_letter() -> None:
    decomposed = "Frau Mu\u0308ller und Mu\u0308ller"
    assert found(decomposed) == ["Frau Müller", "Müller"]


def test_highlight_marks_each_finding_and_escapes_the_rest() -> None:
    text = "<b>Frau Müller</b> in Pirna"
    html = highlight(text, findings(text, PIRNA))
    assert html == (
        '&lt;b&gt;<mark class="lotse-finding">Frau Müller</mark>&lt;/b&gt; in '
        '<mark class="lotse-finding">Pirna</mark>'
    )


def test_one_finding_per_identifier_and_confirmed_ones_are_resolved() -> None:
    check = check_texts(
        {"topic": "Pirna", "what_was_done": "In pirna und Pirna.", "what_helped": "Frau Müller"},
        PIRNA,
    )
    assert [f.key for f in check.distinct] == ["pirna", "frau müller"]
    assert [f.text for f in check.unresolved(["PIRNA"])] == ["Frau Müller"]
    assert check.unresolved(["pirna", "Frau  Müller"]) == []


def test_the_terms_of_a_request_name_school_places_and_people(cast: Cast) -> None:
    School.objects.filter(pk=cast.school_a.pk).update(
        street="Gartenstraße 12a",
        postcode="01796",
        city="Pirna",
        email="info@gs-park.de",
        phone="03501 123456",
        homepage="https://www.gs-park.de/",
    )
    sr = SupportRequest.objects.get(pk=completed(cast, contact_name="Heike Hübner").pk)
    texts = {t.text for t in identifying_terms(sr)}
    # The school's name and its distinctive part, its town, street, postcode, addresses.
    assert {"Oberschule am Elbufer", "Elbufer", "Pirna", "Gartenstraße", "01796"} <= texts
    assert {"info@gs-park.de", "03501 123456", "gs-park.de"} <= texts
    assert "Oberschule" not in texts
    assert "am" not in texts
    # The district and the site.
    assert {"Dresden", "Standort Dresden"} <= texts
    # The people involved: school contact, supporter, the coordinator who acted, the contact.
    for name in ("Sabine Schulz", "Berta Berger", "Karla Koch", "Heike Hübner", "Hübner"):
        assert name in texts
    assert {cast.supporter.email, cast.coordinator.email, "sekretariat@schule-a.example"} - {
        t.text for t in identifying_terms(sr)
    } == set()
    # People who had nothing to do with the request are not terms.
    assert "Lutz Lange" not in texts
    assert "Otto Olbrich" not in texts


# --- properties ------------------------------------------------------------------------------

_LOWER_WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß", min_size=1, max_size=12),
    max_size=20,
)
_NAMES = st.text(alphabet="ABCDEFGHIJKLMNOPRSTUVWZÄÖÜabcdefghiklmnoprstuvwzäöü", min_size=3)


@given(words=_LOWER_WORDS)
def test_plain_lower_case_words_without_terms_have_no_findings(words: list[str]) -> None:
    assert findings(" ".join(words), []) == []


@given(before=_LOWER_WORDS, after=_LOWER_WORDS, name=_NAMES, upper=st.booleans())
def test_a_term_is_found_wherever_it_stands_in_any_case(
    before: list[str], after: list[str], name: str, upper: bool
) -> None:
    written = name.upper() if upper else name
    text = " ".join([*before, written, *after])
    start = len(" ".join(before)) + (1 if before else 0)
    # The term itself, or a longer finding around it ("schule Aaa" as a school's name).
    assert any(
        f.start <= start and f.end >= start + len(written)
        for f in findings(text, [Term(name, Kind.PERSON)])
    )


@given(text=st.text(max_size=200), name=_NAMES)
def test_findings_are_sorted_disjoint_and_point_into_the_text(text: str, name: str) -> None:
    normal = unicodedata.normalize("NFC", text)
    result = findings(text, [Term(name, Kind.PERSON), Term("Pirna", Kind.PLACE)])
    for finding in result:
        assert normal[finding.start : finding.end] == finding.text
    for first, second in itertools.pairwise(result):
        assert first.end <= second.start


def test_a_town_in_the_schools_name_is_labelled_as_a_town(cast: Cast) -> None:
    School.objects.filter(pk=cast.school_a.pk).update(name="125. Grundschule Pirna", city="Pirna")
    sr = SupportRequest.objects.get(pk=completed(cast).pk)
    kinds = {t.text: t.kind for t in identifying_terms(sr)}
    assert kinds["Pirna"] == Kind.PLACE
    assert kinds["125. Grundschule Pirna"] == Kind.SCHOOL
    [finding] = check_texts(
        {"topic": "In Pirna", "what_was_done": "", "what_helped": ""}, identifying_terms(sr)
    ).distinct
    assert str(finding.label) == "Ort"
