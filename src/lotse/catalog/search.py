"""What the catalogue puts in core's search index, and the offer search (docs/search.md).

An offer is indexed with its title (weight `TITLE`) and its description, Leistungen and
Zielgruppen (weight `TEXT`), in the scope of its organisation. The engine is core's
(`lotse.core.search`); this module only says what an offer is made of and turns hits back into
offers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from lotse.catalog.models import Offer
from lotse.core import search
from lotse.lib import textsearch

KIND = "catalog.offer"


def offer_fields(offer: Offer) -> Iterable[tuple[str, int]]:
    """The texts of an offer that the search reads, with their weights."""
    return (
        (offer.title, search.TITLE),
        (offer.description, search.TEXT),
        (offer.services, search.TEXT),
        (offer.target_groups, search.TEXT),
    )


def register() -> None:
    search.register(
        KIND, model=Offer, fields=offer_fields, scope=lambda offer: offer.organisation_id
    )


@dataclass(frozen=True)
class Found:
    """An offer found, with how many of the query's words it matched."""

    offer: Offer
    matched: int
    words: int

    @property
    def complete(self) -> bool:
        return self.matched == self.words


@dataclass(frozen=True)
class Results:
    """The offers found (at most the limit), and how many matched in all."""

    found: list[Found]
    total: int


def search_offers(
    offers: QuerySet[Offer], query: str, *, organisation_id: int, limit: int | None = None
) -> Results:
    """The offers (of one organisation, among `offers`) that match the query, best first;
    equally good ones by title (Ä as A). At most `limit`: only those are loaded whole."""
    hits = {hit.object_id: hit for hit in search.search(KIND, query, scope=organisation_id)}
    if not hits:
        return Results(found=[], total=0)
    titles = offers.filter(pk__in=hits).values_list("pk", "title")
    ranked = sorted(titles, key=lambda row: (*hits[row[0]].rank(), textsearch.fold(row[1]), row[0]))
    wanted = [pk for pk, _title in ranked[:limit]]
    loaded = offers.in_bulk(wanted)
    found = [Found(loaded[pk], hits[pk].matched, hits[pk].words) for pk in wanted]
    return Results(found=found, total=len(ranked))
