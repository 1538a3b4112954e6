"""Reads of the catalogue: a supporter's profile and an organisation's matching weights."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from lotse.catalog import matching
from lotse.catalog.models import Absence, MatchingWeights, SupporterProfile
from lotse.core.models import Organisation, Person

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
