"""The request's timeline: every step with who and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lotse.core.models import Person
from lotse.support.models import SupportRequest, TimelineEvent, Visibility

LABELS: dict[str, str | Promise] = {
    "received": _("Request received"),
    "acknowledged": _("Receipt confirmed"),
    "clarified": _("Clarification recorded"),
    "proposed": _("Supporter proposed"),
    "proposal_accepted": _("Supporter accepted the request"),
    "proposal_declined": _("Supporter declined the request"),
    "first_contact": _("First contact"),
    "no_collaboration": _("No collaboration came about"),
    "meeting_scheduled": _("First meeting scheduled"),
    "agreement_drafted": _("Kontrakt drafted"),
    "agreement_accepted": _("Kontrakt accepted"),
    "agreed": _("Kontrakt is binding"),
    "amendment_proposed": _("Change to the Kontrakt proposed"),
    "amendment_binding": _("Change to the Kontrakt is binding"),
    "agreement_end_reminder": _("Reminder: the Kontrakt's time span ends soon"),
    "started": _("Accompaniment started"),
    "completed": _("Support completed"),
    "final_reflection_written": _("Final reflection written"),
    "final_reflection_confirmed": _("Final reflection confirmed"),
    "evaluation_done": _("Evaluation answered or declined"),
    "withdrawn": _("Request withdrawn by the school"),
    "forwarded": _("Request forwarded"),
    "reminder": _("Reminder: receipt not yet confirmed"),
    "mail_received": _("Mail from the school"),
    "school_assigned": _("School assigned"),
    "anonymised": _("Anonymised under the retention rule"),
    "note": _("Note"),
    "document_added": _("Document uploaded"),
    "visibility_changed": _("The school changed who can see an entry"),
    "released": _("The school released an entry"),
    "release_revoked": _("The school revoked a release"),
    "proposal_removed": _("Supporter no longer involved"),
    "concept_submitted": _("Concept released for review (Synergie)"),
    "concept_resubmitted": _("Revised concept released for review (Synergie)"),
    "concept_returned": _("Concept returned to the school"),
    "concept_published": _("Concept published in the library"),
    "concept_withdrawn": _("The school withdrew its consent to the concept"),
    "session_planned": _("Session planned"),
    "session_rescheduled": _("Session moved"),
    "session_cancelled": _("Session cancelled"),
    "session_recorded": _("Session recorded"),
    "session_reminder": _("Reminder of the session sent"),
    "next_step_added": _("Next step agreed"),
    "next_step_done": _("Next step done"),
    "next_step_reopened": _("Next step reopened"),
    "next_step_overdue": _("Reminder: a next step is overdue"),
}


def record(
    request: SupportRequest,
    kind: str,
    *,
    by: Person | None,
    note: str = "",
    visibility: str | None = None,
    addressee: Person | None = None,
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> TimelineEvent:
    """Append one event to the request's timeline (at `at`, by default now).

    A note is confidential: it needs its level (`visibility`); an event without one has none."""
    if kind not in LABELS:
        raise ValueError(f"unknown timeline event {kind!r}")
    if note and visibility is None:
        raise ValueError(f"the note of a {kind!r} event needs a visibility")
    return TimelineEvent.objects.create(
        request=request,
        kind=kind,
        actor=by,
        note=note,
        visibility=visibility if note else None,
        addressee=addressee if note else None,
        data=data or {},
        created_at=at or timezone.now(),
    )


def label(kind: str) -> str | Promise:
    return LABELS.get(kind, kind)


def detail(event: TimelineEvent) -> str:
    """One line of facts from the event's data, for the timeline."""
    data = event.data or {}
    if "starts_at" in data:
        starts = timezone.localtime(dt.datetime.fromisoformat(data["starts_at"]))
        return f"{formats.date_format(starts, 'DATETIME_FORMAT')}, {data.get('place', '')}"
    if "level" in data:
        level = Visibility(data["level"]).label if data["level"] in Visibility else data["level"]
        return str(_("Now visible to: %(level)s") % {"level": level})
    for key, template in _DETAILS:
        if key in data:
            return str(template % data) if template else str(data[key])
    return ""


# The first key of the event's data that is present says what the event concerns.
_DETAILS: list[tuple[str, str | Promise]] = [
    ("subject", _("From %(sender)s: %(subject)s")),
    ("school", ""),
    ("supporter", ""),
    ("recipient", _("to %(recipient)s")),
    ("version", _("Version %(version)s")),
    ("purpose", _("Purpose: %(purpose)s")),
]
