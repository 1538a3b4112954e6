"""Every write of the catalogue: organisation admins edit offers, areas and other supporters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from lotse.catalog.models import Characteristic, Criterion, Offer, QualityArea, SupporterType
from lotse.core import roles
from lotse.core.models import Organisation, Person, Site


class CatalogueError(Exception):
    """A change the catalogue refuses; the message is shown to the admin."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
