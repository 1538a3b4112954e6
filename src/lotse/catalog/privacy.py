"""What the catalogue holds about a person: an offer's contact person (DSGVO export, erasure).

Registered with `lotse.core.privacy` from `CatalogConfig.ready()`. On erasure the offer stays;
its contact data go when they are the person's, and their name leaves the contact field."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lotse.catalog.models import Offer
from lotse.core import privacy
from lotse.core.privacy import Subject


def _offer_rows(subject: Subject) -> QuerySet[Offer]:
    return Offer.objects.filter(
        Q(contact_email__iexact=subject.email) | subject.mentioned("contact_name")
    )


def _offer_erase(rows: QuerySet[Offer], subject: Subject) -> int:
    changed = 0
    for offer in rows:
        name, email, phone = offer.contact_name, offer.contact_email, offer.contact_phone
        if subject.is_address(offer.contact_email):
            offer.contact_email = ""
            offer.contact_phone = ""
        offer.contact_name = subject.scrub(offer.contact_name)[:200]
        if (name, email, phone) != (offer.contact_name, offer.contact_email, offer.contact_phone):
            offer.save(update_fields=["contact_name", "contact_email", "contact_phone"])
            changed += 1
    return changed


def register() -> None:
    privacy.register(Offer, text_fields=["contact_email"], rows=_offer_rows, erase=_offer_erase)
