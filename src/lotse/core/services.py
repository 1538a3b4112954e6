"""Writes of core."""

from __future__ import annotations

from importlib import import_module

from allauth.core import context
from django.conf import settings
from django.db import transaction

from lotse.core import roles, security
from lotse.core.models import Organisation, Person, SearchSynonym
from lotse.lib.errors import Refused


class NotAllowed(Refused):
    """The person may not change this."""


@transaction.atomic
def organisation_update_settings(
    *,
    organisation: Organisation,
    by: Person,
    acknowledgement_days: int,
    reminder_days_before: int,
    mail_from: str = "",
    session_reminder_hours: int | None = None,
    agreement_end_reminder_days: int | None = None,
    evaluation_min_answers: int | None = None,
) -> Organisation:
    """Change the process settings of an organisation; only its admins may."""
    if not roles.has_role(by, roles.Kind.ADMIN, organisation):
        raise NotAllowed
    organisation.acknowledgement_days = acknowledgement_days
    organisation.reminder_days_before = reminder_days_before
    organisation.mail_from = mail_from
    fields = ["acknowledgement_days", "reminder_days_before", "mail_from"]
    # Left out, a setting keeps its value.
    for name, value in (
        ("session_reminder_hours", session_reminder_hours),
        ("agreement_end_reminder_days", agreement_end_reminder_days),
        ("evaluation_min_answers", evaluation_min_answers),
    ):
        if value is not None:
            setattr(organisation, name, value)
            fields.append(name)
    organisation.save(update_fields=fields)
    return organisation


def person_end_sessions(*, person: Person) -> int:
    """End every session of the person at once; returns how many ended.

    Called when a person is deactivated or their password changes (see `core.receivers`). A
    session of the person that is serving the current request is flushed when the request is
    done (by `SessionLimitMiddleware`), since deleting it under the running view would make
    Django refuse to save it."""
    request = context.request
    current = getattr(getattr(request, "session", None), "session_key", None)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = security.session_keys_of(person)
    for key in keys:
        if key == current:
            security.mark_current_session_for_ending(request)
        else:
            store().delete(key)
    security.forget_sessions(keys)
    return len(keys)


@transaction.atomic
def search_synonyms_replace(
    *, organisation: Organisation, by: Person, pairs: list[tuple[str, list[str]]]
) -> int:
    """Replace the organisation's synonym list of the search (docs/search.md): each pair is a
    word and the words a search for it also finds. Only its admins may. How many are listed."""
    if not roles.has_role(by, roles.Kind.ADMIN, organisation):
        raise NotAllowed
    SearchSynonym.objects.filter(organisation=organisation).delete()
    SearchSynonym.objects.bulk_create(
        SearchSynonym(organisation=organisation, word=word, means=", ".join(means))
        for word, means in pairs
    )
    return len(pairs)
