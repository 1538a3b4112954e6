"""What the catalogue holds about a person: the contact person of an offer or of another
supporter, a supporter's profile and absences (DSGVO export, erasure).

Registered with `lotse.core.privacy` from `CatalogConfig.ready()`. On erasure the offer (the
supporter type) stays; its contact data go when they are the person's, and their name leaves
the contact field. A supporter's profile (home base, languages, capacity) and absences are
theirs alone: they go."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lotse.catalog.models import Absence, Offer, SupporterProfile, SupporterType
from lotse.core import privacy
from lotse.core.privacy import Subject


def _offer_rows(subject: Subject) -> QuerySet[Offer]:
    return Offer.objects.filter(
        Q(contact_email__iexact=subject.email) | subject.mentioned("contact_name")
    )


def _supporter_type_rows(subject: Subject) -> QuerySet[SupporterType]:
    return SupporterType.objects.filter(
        Q(contact_email__iexact=subject.email) | subject.mentioned("contact_name")
    )


def _contact_erase(rows: QuerySet[Offer] | QuerySet[SupporterType], subject: Subject) -> int:
    changed = 0
    for row in rows:
        name, email, phone = row.contact_name, row.contact_email, row.contact_phone
        if subject.is_address(row.contact_email):
            row.contact_email = ""
            row.contact_phone = ""
        row.contact_name = subject.scrub(row.contact_name)[:200]
        if (name, email, phone) != (row.contact_name, row.contact_email, row.contact_phone):
            row.save(update_fields=["contact_name", "contact_email", "contact_phone"])
            changed += 1
    return changed


def _absence_rows(subject: Subject) -> QuerySet[Absence]:
    return Absence.objects.filter(profile__person=subject.person)


def register() -> None:
    privacy.register(Offer, text_fields=["contact_email"], rows=_offer_rows, erase=_contact_erase)
    privacy.register(
        SupporterType,
        text_fields=["contact_email"],
        rows=_supporter_type_rows,
        erase=_contact_erase,
    )
    privacy.register(SupporterProfile, fields=["person"], erase=privacy.delete)
    # Absences refer to the person through their profile; they are exported on their own.
    privacy.register(Absence, rows=_absence_rows, erase=privacy.delete)
