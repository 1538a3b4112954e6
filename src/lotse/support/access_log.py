"""Reads of a request's confidential content go to the access log, one row per read."""

from __future__ import annotations

from collections.abc import Collection

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lotse.core import audit
from lotse.core.models import Person
from lotse.support import visibility
from lotse.support.models import SupportRequest
from lotse.support.workflow import Side

# What was read, as the access log page names it.
WHAT: dict[str, str | Promise] = {
    "request": _("Request page"),
    "timeline": _("Timeline (refreshed)"),
    "timeline_older": _("Timeline (older entries)"),
    "agreement": _("Kontrakt form"),
    "agreement_pdf": _("Kontrakt (PDF)"),
    "agreement_changes": _("Changes to the Kontrakt"),
    "attachment": _("Document or attachment"),
    "release": _("Released entry"),
    "outbox_mail": _("Mail in the outbox"),
    "concept": _("Concept (Synergie)"),
    "session_record": _("Session record form"),
}


def log(
    *,
    person: Person,
    request: SupportRequest,
    sides: Collection[Side],
    what: str,
    object_id: int | None = None,
    role: str | None = None,
) -> None:
    """Write the one access-log row of this read, under the role the person reads in."""
    audit.read(
        person=person,
        role=role or visibility.reader_role(sides),
        organisation=request.organisation_id,
        subject=request,
        what=what,
        object_id=object_id,
    )
