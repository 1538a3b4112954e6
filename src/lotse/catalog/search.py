"""Full-text search of the catalogue with German stemming, the same on SQLite and PostgreSQL.

Each offer stores the Snowball German stems of its title and of its other texts in two columns
(`search_title`, `search_text`), as " stem stem … " with a space at both ends. A query is stemmed
the same way; an offer matches when every query stem occurs in one of the two columns: as a
whole token, or (for stems of at least `PARTIAL_MIN` letters) inside a token, so that
"Konflikte" finds "Konflikttrainings" and "Streitschlichter" finds "Schülerstreitschlichtern".
Hits are ranked: a whole token in the title counts most, then part of a title token, then a
whole token in the text, then part of one (docs/decisions/0004-catalogue-search.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

import snowballstemmer
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable

if TYPE_CHECKING:
    from lotse.catalog.models import Offer

# Shorter stems match whole tokens only: "rat" inside "Beratung" and "Rathaus" says nothing.
PARTIAL_MIN = 4
# At most this many stems of a query count; the rest is ignored (a query is a few words).
MAX_QUERY_STEMS = 8
WEIGHT_TITLE = 8
WEIGHT_TITLE_PART = 4
WEIGHT_TEXT = 2
WEIGHT_TEXT_PART = 1

_WORD = re.compile(r"\w+")

# Snowball's German stop word list: words that carry no meaning for a search.
_STOP_WORD_TEXT = """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
    anderm andern anderr anders auch auf aus bei bin bis bist da damit dann der den des dem die
    das dass daß derselbe derselben denselben desselben demselben dieselbe dieselben dasselbe dazu
    dein deine deinem deinen deiner deines denn derer dessen dich dir du dies diese diesem diesen
    dieser dieses doch dort durch ein eine einem einen einer eines einig einige einigem einigen
    einiger einiges einmal er ihn ihm es etwas euer eure eurem euren eurer eures für gegen gewesen
    hab habe haben hat hatte hatten hier hin hinter ich mich mir ihr ihre ihrem ihren ihrer ihres
    euch im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann
    kein keine keinem keinen keiner keines können könnte machen man manche manchem manchen mancher
    manches mein meine meinem meinen meiner meines mit muss musste nach nicht nichts noch nun nur
    ob oder ohne sehr sein seine seinem seinen seiner seines selbst sich sie ihnen sind so solche
    solchem solchen solcher solches soll sollte sondern sonst über um und uns unsere unserem
    unseren unser unseres unter viel vom von vor während war waren warst was weg weil weiter
    welche welchem welchen welcher welches wenn werde werden wie wieder will wir wird wirst wo
    wollen wollte würde würden zu zum zur zwar zwischen
"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())


@cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("german")


def _fold(text: str) -> str:
    """Lower case, ß as ss, accents and umlauts without their marks (é → e, ü → u)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stems(text: str) -> list[str]:
    """The German stems of a text's words, in order, without stop words and duplicates.

    Umlauts may be written as ä or ae: the stemmer maps both to the same stem, so "Schüler",
    "Schuelern" and "Schülern" give one stem ("schul")."""
    stemmer = _stemmer()
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.casefold()):
        if word in STOP_WORDS or (word.isdigit() and len(word) < 2):
            continue
        stem = _fold(stemmer.stemWord(word))
        if stem and stem not in seen:
            seen[stem] = None
    return list(seen)


def document(parts: Iterable[str]) -> str:
    """The stored form of some texts' stems: " a b c " (spaces at both ends mark tokens)."""
    tokens = stems(" ".join(parts))
    return f" {' '.join(tokens)} " if tokens else ""


def offer_documents(offer: Offer) -> tuple[str, str]:
    """The title column and the text column of an offer."""
    return (
        document([offer.title]),
        document([offer.description, offer.services, offer.target_groups]),
    )


def query_stems(query: str) -> list[str]:
    """The stems a query searches for (at most MAX_QUERY_STEMS)."""
    return stems(query)[:MAX_QUERY_STEMS]


def _weights(stem: str) -> list[tuple[Q, int]]:
    token = f" {stem} "
    weights = [(Q(search_title__contains=token), WEIGHT_TITLE)]
    if len(stem) >= PARTIAL_MIN:
        weights.append((Q(search_title__contains=stem), WEIGHT_TITLE_PART))
    weights.append((Q(search_text__contains=token), WEIGHT_TEXT))
    if len(stem) >= PARTIAL_MIN:
        weights.append((Q(search_text__contains=stem), WEIGHT_TEXT_PART))
    return weights


def search(offers: QuerySet[Offer], query: str) -> QuerySet[Offer]:
    """The offers matching every stem of the query, best first; none for an empty query."""
    wanted = query_stems(query)
    if not wanted:
        return offers.none()
    score: Combinable | None = None
    for index, stem in enumerate(wanted):
        weights = _weights(stem)
        match = Q()
        for condition, _weight in weights:
            match |= condition
        offers = offers.filter(match)
        # The best way the stem occurs counts once: When clauses are tried in order.
        name = f"_score_{index}"
        offers = offers.annotate(
            **{
                name: Case(
                    *(When(condition, then=Value(weight)) for condition, weight in weights),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            }
        )
        score = F(name) if score is None else score + F(name)
    return offers.annotate(score=score).order_by("-score", "title", "pk")
