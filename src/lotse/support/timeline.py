"""The request's timeline: every step with who and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lotse.core.models import Person
from lotse.support.models import SupportRequest, TimelineEvent

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
    "started": _("Accompaniment started"),
    "completed": _("Support completed"),
    "withdrawn": _("Request withdrawn by the school"),
    "forwarded": _("Request forwarded"),
    "reminder": _("Reminder: receipt not yet confirmed"),
    "mail_received": _("Mail from the school"),
    "school_assigned": _("School assigned"),
    "anonymised": _("Anonymised under the retention rule"),
}


def record(
    request: SupportRequest,
    kind: str,
    *,
    by: Person | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> TimelineEvent:
    """Append one event to the request's timeline (at `at`, by default now)."""
    if kind not in LABELS:
        raise ValueError(f"unknown timeline event {kind!r}")
    return TimelineEvent.objects.create(
        request=request,
        kind=kind,
        actor=by,
        note=note,
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
]
