"""Every write of the catalogue: organisation admins edit offers, areas, other supporters and the
matching weights; a supporter keeps their profile and absences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Q
from django.utils.translation import gettext as _

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
from lotse.core import roles
from lotse.core.models import District, Organisation, Person, School, Site
from lotse.lib.errors import Refused


class CatalogueError(Refused):
    """A change the catalogue refuses; the message is shown to the admin."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)


def _check_admin(by: Person, organisation: Organisation) -> None:
    if not roles.has_role(by, roles.Kind.ADMIN, organisation):
        raise CatalogueError(_("Only the organisation's admins may edit its catalogue."))


@dataclass(frozen=True)
class OfferData:
    title: str
    description: str = ""
    services: str = ""
    target_groups: str = ""
    cost: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    site: Site | None = None
    quality_areas: Sequence[QualityArea] = ()
    active: bool = True


def _lines(text: str) -> str:
    """One entry per line, without empty lines and surrounding blanks."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


@transaction.atomic
def offer_save(
    *, organisation: Organisation, by: Person, data: OfferData, offer: Offer | None = None
) -> Offer:
    """Create an offer of the catalogue, or change one (also to deactivate it)."""
    _check_admin(by, organisation)
    if offer is not None and offer.organisation_id != organisation.pk:
        raise CatalogueError(_("This offer belongs to another organisation."))
    if data.site is not None and data.site.organisation_id != organisation.pk:
        raise CatalogueError(_("The site belongs to another organisation."))
    if any(area.organisation_id != organisation.pk for area in data.quality_areas):
        raise CatalogueError(_("An area of school quality belongs to another organisation."))
    if not data.title.strip():
        raise CatalogueError(_("Please give the offer a title."))
    offer = offer or Offer(organisation=organisation)
    offer.title = data.title.strip()
    offer.description = data.description.strip()
    offer.services = _lines(data.services)
    offer.target_groups = _lines(data.target_groups)
    offer.cost = data.cost.strip()
    offer.contact_name = data.contact_name.strip()
    offer.contact_phone = data.contact_phone.strip()
    offer.contact_email = data.contact_email.strip()
    offer.site = data.site
    offer.active = data.active
    offer.save()
    offer.quality_areas.set(data.quality_areas)
    return offer


@dataclass(frozen=True)
class CharacteristicData:
    """One Merkmal as the admin left it: changed (pk), new (pk None) or to delete."""

    title: str
    criteria: Sequence[str] = ()
    position: int = 0
    pk: int | None = None
    delete: bool = False


@dataclass(frozen=True)
class AreaData:
    number: int
    title: str
    description: str = ""
    characteristics: Sequence[CharacteristicData] = field(default_factory=tuple)


@transaction.atomic
def quality_area_save(
    *,
    organisation: Organisation,
    by: Person,
    data: AreaData,
    area: QualityArea | None = None,
) -> QualityArea:
    """Create or change an area of school quality with its Merkmale and their Kriterien."""
    _check_admin(by, organisation)
    if area is not None and area.organisation_id != organisation.pk:
        raise CatalogueError(_("This area belongs to another organisation."))
    taken = QualityArea.objects.filter(organisation=organisation, number=data.number)
    if area is not None:
        taken = taken.exclude(pk=area.pk)
    if taken.exists():
        raise CatalogueError(
            _("There already is an area with the number %(number)d.") % {"number": data.number}
        )
    area = area or QualityArea(organisation=organisation)
    area.number = data.number
    area.title = data.title.strip()
    area.description = data.description.strip()
    area.save()
    existing = {c.pk: c for c in Characteristic.objects.filter(area=area)}
    for item in data.characteristics:
        characteristic = existing.get(item.pk) if item.pk is not None else None
        if item.pk is not None and characteristic is None:
            raise CatalogueError(_("A characteristic does not belong to this area."))
        if item.delete:
            if characteristic is not None:
                characteristic.delete()
            continue
        if not item.title.strip():
            continue
        characteristic = characteristic or Characteristic(area=area)
        characteristic.title = item.title.strip()
        characteristic.position = item.position
        characteristic.save()
        _set_criteria(characteristic, item.criteria)
    return area


def _set_criteria(characteristic: Characteristic, texts: Sequence[str]) -> None:
    """Make the characteristic's criteria the given texts in this order, keeping the rows of
    those that stay."""
    wanted = [text.strip()[:500] for text in texts if text.strip()]
    rows = list(Criterion.objects.filter(characteristic=characteristic).order_by("position", "pk"))
    for position, text in enumerate(wanted, start=1):
        if rows:
            row = rows.pop(0)
            if (row.text, row.position) != (text, position):
                row.text, row.position = text, position
                row.save(update_fields=["text", "position"])
        else:
            Criterion.objects.create(characteristic=characteristic, text=text, position=position)
    if rows:
        Criterion.objects.filter(pk__in=[row.pk for row in rows]).delete()


@dataclass(frozen=True)
class SupporterTypeData:
    name: str
    description: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    link: str = ""
    position: int = 0
    active: bool = True


@transaction.atomic
def supporter_type_save(
    *,
    organisation: Organisation,
    by: Person,
    data: SupporterTypeData,
    supporter_type: SupporterType | None = None,
) -> SupporterType:
    """Create or change another supporter of schools (e.g. Schulpsychologen)."""
    _check_admin(by, organisation)
    if supporter_type is not None and supporter_type.organisation_id != organisation.pk:
        raise CatalogueError(_("This entry belongs to another organisation."))
    name = data.name.strip()
    taken = SupporterType.objects.filter(organisation=organisation, name__iexact=name)
    if supporter_type is not None:
        taken = taken.exclude(pk=supporter_type.pk)
    if taken.exists():
        raise CatalogueError(_("There already is an entry with this name."))
    supporter_type = supporter_type or SupporterType(organisation=organisation)
    supporter_type.name = name
    supporter_type.description = data.description.strip()
    supporter_type.contact_name = data.contact_name.strip()
    supporter_type.contact_phone = data.contact_phone.strip()
    supporter_type.contact_email = data.contact_email.strip()
    supporter_type.link = data.link.strip()
    supporter_type.position = data.position
    supporter_type.active = data.active
    supporter_type.save()
    return supporter_type


_SIX_PLACES = Decimal("0.000001")


class NotAllowed(Refused):
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
