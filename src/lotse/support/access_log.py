"""Reads of a request's confidential content go to the access log, one row per read; a
refresh of the timeline only when it can show something not yet logged as read."""

from __future__ import annotations

from collections.abc import Collection

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lotse.core import audit
from lotse.core.models import AccessLog, Person
from lotse.support import visibility
from lotse.support.models import SupportRequest, TimelineEvent
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
    "export": _("Data export (DSGVO) of a person involved"),
}


# The reads that show the request's timeline: the page, and its refresh.
TIMELINE_READS = ("request", "timeline")


def refresh_shows_nothing_new(*, person: Person, request: SupportRequest) -> bool:
    """Whether a refresh of the timeline can show the person nothing they have not been logged
    reading: no timeline entry is newer than their last logged read of the request's page or
    timeline. Every change of what a person may read on the timeline is itself an entry (a
    note, a release, a change of level, a proposal, an acceptance), so no new entry means
    nothing new to show. With a new entry the refresh is logged, also when that entry is one
    the person cannot read (the log may say more, never less)."""
    last = (
        AccessLog.objects.filter(
            person=person,
            subject_type=request._meta.label_lower,
            subject_id=request.pk,
            what__in=TIMELINE_READS,
        )
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    if last is None:
        return False
    return not TimelineEvent.objects.filter(request=request, created_at__gte=last).exists()


def log(
    *,
    person: Person,
    request: SupportRequest,
    sides: Collection[Side],
    what: str,
    object_id: int | None = None,
    role: str | None = None,
) -> None:
    """Write the one access-log row of this read, under the role the person reads in.

    A refresh of the timeline (`what="timeline"`, every minute while the page is open) is
    logged only when it may show something new (`refresh_shows_nothing_new`)."""
    if what == "timeline" and refresh_shows_nothing_new(person=person, request=request):
        return
    audit.read(
        person=person,
        role=role or visibility.reader_role(sides),
        organisation=request.organisation_id,
        subject=request,
        what=what,
        object_id=object_id,
    )
