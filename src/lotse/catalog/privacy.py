"""What the catalogue holds about a person: the contact person of an offer or of another
supporter (DSGVO export, erasure).

Registered with `lotse.core.privacy` from `CatalogConfig.ready()`. On erasure the offer (the
supporter type) stays; its contact data go when they are the person's, and their name leaves
the contact field."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lotse.catalog.models import Offer, SupporterType
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


def register() -> None:
    privacy.register(Offer, text_fields=["contact_email"], rows=_offer_rows, erase=_contact_erase)
    privacy.register(
        SupporterType,
        text_fields=["contact_email"],
        rows=_supporter_type_rows,
        erase=_contact_erase,
    )
