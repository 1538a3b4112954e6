"""What the catalogue holds about a person: an offer's contact person, a supporter's profile
and absences (DSGVO export, erasure).

Registered with `lotse.core.privacy` from `CatalogConfig.ready()`. On erasure the offer stays;
its contact data go when they are the person's, and their name leaves the contact field. A
supporter's profile (home base, languages, capacity) and absences are theirs alone: they go."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lotse.catalog.models import Absence, Offer, SupporterProfile
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


def _absence_rows(subject: Subject) -> QuerySet[Absence]:
    return Absence.objects.filter(profile__person=subject.person)


def register() -> None:
    privacy.register(Offer, text_fields=["contact_email"], rows=_offer_rows, erase=_offer_erase)
    privacy.register(SupporterProfile, fields=["person"], erase=privacy.delete)
    # Absences refer to the person through their profile; they are exported on their own.
    privacy.register(Absence, rows=_absence_rows, erase=privacy.delete)
