"""Reads of a request's records: a readable document, the access log, releases and what they
show."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import (
    QuerySet,
)
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lotse.core import audit
from lotse.core.models import AccessLog, Organisation, Person
from lotse.support import timeline
from lotse.support.models import (
    Attachment,
    Meeting,
    Release,
    Session,
    SupportRequest,
    TimelineEvent,
)
from lotse.support.selectors.base import readable_case
from lotse.support.workflow import Side


def readable_document(
    *, person: Person, sides: Collection[Side], request: SupportRequest, pk: int
) -> tuple[bool, Attachment | None]:
    """(exists, the document with its content if the person reads it) for a download."""
    row = (
        Attachment.objects.filter(request=request, pk=pk)
        .annotate(readable=readable_case(person, sides, author="uploaded_by"))
        .defer("content")
        .first()
    )
    if row is None:
        return False, None
    if not row.readable:
        return True, None
    return True, Attachment.objects.get(pk=row.pk)


def access_log_for(*, request: SupportRequest) -> QuerySet[AccessLog]:
    """Who read the request's content, newest first."""
    return audit.reads_of(request)


def releases_for_organisation(*, organisation: Organisation) -> QuerySet[Release]:
    """Active releases of the organisation's requests, newest first; no content."""
    return (
        Release.objects.filter(request__organisation=organisation, revoked_at__isnull=True)
        .select_related("request__school", "request__site", "released_by")
        .order_by("-released_at", "-pk")
    )


def released_entry(*, release: Release) -> dict[str, Any]:
    """The content of one released entry, for the organisation's staff."""
    if release.event_id is not None:
        event = TimelineEvent.objects.select_related("actor").get(pk=release.event_id)
        return {
            "kind": "note",
            "label": timeline.label(event.kind),
            "author": event.actor,
            "created_at": event.created_at,
            "text": event.note,
        }
    if release.meeting_id is not None:
        meeting = Meeting.objects.select_related("created_by").get(pk=release.meeting_id)
        starts = formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
        return {
            "kind": "meeting",
            "label": _("Meeting on %(date)s, %(place)s") % {"date": starts, "place": meeting.place},
            "author": meeting.created_by,
            "created_at": meeting.created_at,
            "text": meeting.participants,
        }
    if release.session_id is not None:
        session = Session.objects.select_related("created_by", "recorded_by").get(
            pk=release.session_id
        )
        starts = formats.date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT")
        parts = [
            f"{_('Participants')}: {session.participants}",
            *((f"{_('Session notes')}: {session.notes}",) if session.notes else ()),
            *((f"{_('Joint reflection')}: {session.reflection}",) if session.reflection else ()),
        ]
        return {
            "kind": "session",
            "label": _("Session on %(date)s, %(place)s") % {"date": starts, "place": session.place},
            "author": session.recorded_by or session.created_by,
            "created_at": session.recorded_at or session.created_at,
            "text": "\n\n".join(parts),
        }
    if release.attachment_id is None:
        raise ValueError(f"release {release.pk} points to no entry")
    document = (
        Attachment.objects.select_related("uploaded_by")
        .defer("content")
        .get(pk=release.attachment_id)
    )
    return {
        "kind": "document",
        "label": document.filename,
        "author": document.uploaded_by,
        "created_at": document.created_at,
        "document": document,
    }
