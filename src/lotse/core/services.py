"""Writes of core."""

from __future__ import annotations

from django.db import transaction

from lotse.core import roles
from lotse.core.models import Organisation, Person


class NotAllowed(Exception):
    """The person may not change this."""


@transaction.atomic
def organisation_update_settings(
    *,
    organisation: Organisation,
    by: Person,
    acknowledgement_days: int,
    reminder_days_before: int,
    mail_from: str = "",
) -> Organisation:
    """Change the process settings of an organisation; only its admins may."""
    if not roles.has_role(by, roles.Kind.ADMIN, organisation):
        raise NotAllowed
    organisation.acknowledgement_days = acknowledgement_days
    organisation.reminder_days_before = reminder_days_before
    organisation.mail_from = mail_from
    organisation.save(update_fields=["acknowledgement_days", "reminder_days_before", "mail_from"])
    return organisation
