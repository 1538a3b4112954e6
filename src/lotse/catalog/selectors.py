"""Every read of the catalogue: the public view shows active entries only; a supporter's profile
and an organisation's matching weights."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lotse.catalog import matching, search
from lotse.catalog.models import (
    Absence,
    Characteristic,
    Criterion,
    MatchingWeights,
    Offer,
    QualityArea,
    SupporterProfile,
    SupporterType,
)
from lotse.core.models import Organisation, Person


def organisations_with_catalogue() -> QuerySet[Organisation]:
    """Organisations with at least one active offer or other supporter, with their counts."""
    return (
        Organisation.objects.annotate(
            offer_count=Count("offers", filter=Q(offers__active=True), distinct=True),
            supporter_type_count=Count(
                "supporter_types", filter=Q(supporter_types__active=True), distinct=True
            ),
        )
        .filter(Q(offer_count__gt=0) | Q(supporter_type_count__gt=0))
        .order_by("name")
    )


def catalogue_organisation(slug: str) -> Organisation:
    """The organisation of a catalogue page, or 404."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404
    return organisation


def public_offers(organisation: Organisation) -> QuerySet[Offer]:
    """The organisation's active offers, by title."""
    return Offer.objects.filter(organisation=organisation, active=True).order_by("title", "pk")


@dataclass(frozen=True)
class MatrixRow:
    offer: Offer
    # One entry per column (area): whether the offer serves it.
    cells: list[tuple[QualityArea, bool]]


@dataclass(frozen=True)
class Matrix:
    areas: list[QualityArea]
    rows: list[MatrixRow]


def offer_matrix(organisation: Organisation) -> Matrix:
    """Active offers × areas of school quality, in three queries."""
    areas = list(QualityArea.objects.filter(organisation=organisation).order_by("number"))
    offers = list(public_offers(organisation).select_related("site"))
    served = set(
        Offer.quality_areas.through.objects.filter(offer__in=offers).values_list(
            "offer_id", "qualityarea_id"
        )
    )
    rows = [
        MatrixRow(offer, [(area, (offer.pk, area.pk) in served) for area in areas])
        for offer in offers
    ]
    return Matrix(areas=areas, rows=rows)


def public_offer(organisation: Organisation, pk: int) -> Offer:
    """An active offer of the organisation with its site and areas, or 404."""
    offer = (
        public_offers(organisation)
        .filter(pk=pk)
        .select_related("site", "organisation")
        .prefetch_related(
            Prefetch("quality_areas", queryset=QualityArea.objects.order_by("number"))
        )
        .first()
    )
    if offer is None:
        raise Http404
    return offer


def _characteristics() -> Prefetch[Any]:
    return Prefetch(
        "characteristics",
        queryset=Characteristic.objects.order_by("position", "pk").prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("position", "pk"))
        ),
    )


def public_area(organisation: Organisation, number: int) -> QualityArea:
    """An area of school quality with its characteristics and criteria, or 404."""
    area = (
        QualityArea.objects.filter(organisation=organisation, number=number)
        .prefetch_related(_characteristics())
        .first()
    )
    if area is None:
        raise Http404
    return area


def offers_serving(area: QualityArea) -> QuerySet[Offer]:
    """The active offers that serve an area."""
    return Offer.objects.filter(quality_areas=area, active=True).order_by("title", "pk")


def public_supporter_types(organisation: Organisation) -> QuerySet[SupporterType]:
    """The organisation's active other supporters, in their order."""
    return SupporterType.objects.filter(organisation=organisation, active=True).order_by(
        "position", "name"
    )


def search_offers(organisation: Organisation, query: str, limit: int = 50) -> search.Results:
    """The organisation's active offers that match the query, best first: those matching every
    word, then those matching fewer (docs/search.md); at most `limit`."""
    return search.search_offers(
        public_offers(organisation), query, organisation_id=organisation.pk, limit=limit
    )


# --- for the organisation admins ------------------------------------------------------------


def admin_offers(organisation: Organisation) -> QuerySet[Offer]:
    """Every offer of the organisation, active or not, with its site and areas."""
    return (
        Offer.objects.filter(organisation=organisation)
        .select_related("site")
        .prefetch_related(
            Prefetch("quality_areas", queryset=QualityArea.objects.order_by("number"))
        )
        .order_by("-active", "title", "pk")
    )


def admin_areas(organisation: Organisation) -> QuerySet[QualityArea]:
    """The organisation's areas with their characteristics and criteria."""
    return (
        QualityArea.objects.filter(organisation=organisation)
        .prefetch_related(_characteristics())
        .order_by("number")
    )


def admin_supporter_types(organisation: Organisation) -> QuerySet[SupporterType]:
    """Every other supporter of the organisation, active or not."""
    return SupporterType.objects.filter(organisation=organisation).order_by(
        "-active", "position", "name"
    )


WEIGHT_FIELDS = (
    "offer",
    "quality_area",
    "school_type",
    "distance",
    "capacity",
    "history",
    "max_distance_km",
)


def weights_for(*, organisation_id: int) -> matching.Weights:
    """The organisation's weights for matching; the defaults when it never changed them."""
    row = MatchingWeights.objects.filter(organisation_id=organisation_id).values(*WEIGHT_FIELDS)
    found = row.first()
    return matching.Weights(**found) if found else matching.Weights()


def profile_for(*, person: Person, organisation: Organisation) -> SupporterProfile | None:
    """The supporter's profile in the organisation, with its lists, or None before the first
    save."""
    return (
        SupporterProfile.objects.filter(person=person, organisation=organisation)
        .prefetch_related("offers", "quality_areas", "districts", "works_at_schools")
        .first()
    )


def absences_ahead(*, profile: SupporterProfile, today: dt.date | None = None) -> QuerySet[Absence]:
    """The profile's absences that have not ended yet, soonest first."""
    return profile.absences.filter(ends_on__gte=today or timezone.localdate()).order_by(
        "starts_on", "pk"
    )
