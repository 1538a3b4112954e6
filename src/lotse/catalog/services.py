"""Writes of the catalogue: a supporter keeps their profile and absences; an organisation
admin sets the weights of matching."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Q

from lotse.catalog.models import (
    Absence,
    MatchingWeights,
    Offer,
    QualityArea,
    SupporterProfile,
)
from lotse.core import roles
from lotse.core.models import District, Organisation, Person, School

_SIX_PLACES = Decimal("0.000001")


class NotAllowed(Exception):
    """The person may not change this."""


def _require_supporter(person: Person, organisation: Organisation) -> None:
    if not roles.has_role(person, roles.Kind.SUPPORTER, organisation):
        raise NotAllowed


def place_coordinates(
    *, organisation: Organisation, postcode: str, place: str
) -> tuple[Decimal, Decimal] | None:
    """The centre of the organisation's schools with this postcode (or, failing that, in this
    place): a home base good enough for distances when the supporter gives no coordinates."""
    schools = School.objects.filter(
        district__organisation=organisation, latitude__isnull=False, longitude__isnull=False
    )
    lookups = []
    if postcode.strip():
        lookups.append(Q(postcode=postcode.strip()))
    if place.strip():
        lookups.append(Q(city__iexact=place.strip()))
    for where in lookups:
        centre = schools.filter(where).aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
        if centre["lat"] is not None and centre["lon"] is not None:
            return (
                Decimal(str(centre["lat"])).quantize(_SIX_PLACES),
                Decimal(str(centre["lon"])).quantize(_SIX_PLACES),
            )
    return None


@transaction.atomic
def profile_save(
    *,
    person: Person,
    organisation: Organisation,
    offers: Sequence[Offer],
    quality_areas: Sequence[QualityArea],
    school_types: Sequence[str],
    districts: Sequence[District],
    home_postcode: str,
    home_place: str,
    latitude: Decimal | None,
    longitude: Decimal | None,
    languages: Sequence[str],
    max_processes: int,
    hours_per_month: int | None,
    works_at: Sequence[School],
    note: str = "",
    active: bool = True,
) -> SupporterProfile:
    """Create or change the supporter's own profile in the organisation."""
    _require_supporter(person, organisation)
    if any(o.organisation_id != organisation.pk for o in offers) or any(
        a.organisation_id != organisation.pk for a in quality_areas
    ):
        raise NotAllowed
    if any(d.organisation_id != organisation.pk for d in districts):
        raise NotAllowed
    if latitude is None or longitude is None:
        found = place_coordinates(
            organisation=organisation, postcode=home_postcode, place=home_place
        )
        latitude, longitude = found if found else (None, None)
    profile, _created = SupporterProfile.objects.select_for_update().update_or_create(
        person=person,
        organisation=organisation,
        defaults={
            "school_types": list(dict.fromkeys(school_types)),
            "home_postcode": home_postcode.strip(),
            "home_place": home_place.strip(),
            "latitude": latitude,
            "longitude": longitude,
            "languages": list(dict.fromkeys(languages)),
            "max_processes": max_processes,
            "hours_per_month": hours_per_month,
            "note": note.strip(),
            "active": active,
        },
    )
    profile.offers.set(offers)
    profile.quality_areas.set(quality_areas)
    profile.districts.set(districts)
    profile.works_at_schools.set(works_at)
    return profile


@transaction.atomic
def absence_add(
    *, profile: SupporterProfile, by: Person, starts_on: dt.date, ends_on: dt.date, note: str = ""
) -> Absence:
    """The supporter records a time in which they cannot take on a request."""
    if profile.person_id != by.pk:
        raise NotAllowed
    if ends_on < starts_on:
        raise ValueError("an absence ends on or after its first day")
    return Absence.objects.create(
        profile=profile, starts_on=starts_on, ends_on=ends_on, note=note.strip()
    )


@transaction.atomic
def absence_remove(*, absence: Absence, by: Person) -> None:
    """The supporter deletes one of their absences."""
    if absence.profile.person_id != by.pk:
        raise NotAllowed
    absence.delete()


@transaction.atomic
def matching_weights_update(
    *,
    organisation: Organisation,
    by: Person,
    offer: int,
    quality_area: int,
    school_type: int,
    distance: int,
    capacity: int,
    history: int,
    max_distance_km: int,
) -> MatchingWeights:
    """Set how much each criterion counts when supporters are matched to a request."""
    if not roles.has_role(by, roles.Kind.ADMIN, organisation):
        raise NotAllowed
    weights, _created = MatchingWeights.objects.update_or_create(
        organisation=organisation,
        defaults={
            "offer": offer,
            "quality_area": quality_area,
            "school_type": school_type,
            "distance": distance,
            "capacity": capacity,
            "history": history,
            "max_distance_km": max_distance_km,
        },
    )
    return weights
