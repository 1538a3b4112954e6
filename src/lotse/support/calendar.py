"""The iCalendar file (RFC 5545) of a session: the invitation, its updates and its cancellation.

Every version of a session's invitation is the same calendar event (the session's UID); each
change raises SEQUENCE, so calendar programs replace the entry instead of adding a second one.
The file names date, place, the methods with their plain-language explanation and a link to the
request: nothing of the session record (who takes part, notes), which has its own level."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.core.models import Role
from lotse.support.models import (
    Method,
    Proposal,
    Session,
    SupportRequest,
)
from lotse.support.services.base import (
    request_url,
)

PRODID = "-//Lotse//Begleitung//DE"


@dataclass(frozen=True)
class Invitee:
    """Someone invited to a session: their address and the name the calendar shows."""

    email: str
    name: str


def zone() -> ZoneInfo:
    """Sessions are held where the organisation works: Lotse's time zone (Europe/Berlin)."""
    return ZoneInfo(settings.TIME_ZONE)


def description(methods: Sequence[Method], url: str) -> str:
    """The event's text: each method with its explanation, then the link to the request."""
    parts = []
    if methods:
        parts.append(_("Methods of this session:"))
        parts.extend(f"{m.name}: {' '.join(m.description.split())}" for m in methods)
    parts.append(_("Details and next steps: %(url)s") % {"url": url})
    return "\n\n".join(parts)


def _address(invitee: Invitee, prop: str, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{invitee.email}")
    address.params["CN"] = icalendar.vText(invitee.name or invitee.email)
    for key, value in params.items():
        address.params[key] = icalendar.vText(value)
    return address


def session_ics(
    session: Session,
    *,
    summary: str,
    methods: Sequence[Method],
    url: str,
    organizer: Invitee | None,
    attendees: Sequence[Invitee],
    cancel: bool = False,
    now: dt.datetime | None = None,
) -> str:
    """The calendar file of the session as it stands (METHOD:REQUEST, or CANCEL)."""
    tz = zone()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = icalendar.Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", (now or timezone.now()).astimezone(dt.UTC))
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("summary", summary)
    event.add("location", session.place)
    event.add("description", description(methods, url))
    event.add("url", url)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    if organizer is not None:
        event["organizer"] = _address(organizer, "ORGANIZER")
    for invitee in attendees:
        event.add(
            "attendee",
            _address(
                invitee,
                "ATTENDEE",
                CUTYPE="INDIVIDUAL",
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="TRUE",
            ),
        )
    # The zone's rules around the session only: enough for every calendar, and a short file.
    # It comes before the event, as RFC 5545's examples and most calendar programs have it.
    # The library writes an English COMMENT into the zone ("This timezone only works from …");
    # the file is read by German calendar users and the comment is optional: leave it out.
    zone_rules = icalendar.Timezone.from_tzid(
        tz.key,
        first_date=session.starts_at.date() - dt.timedelta(days=366),
        last_date=session.ends_at.date() + dt.timedelta(days=366),
    )
    zone_rules.pop("COMMENT", None)
    calendar.add_component(zone_rules)
    calendar.add_component(event)
    return calendar.to_ical().decode()


def invitees(request: SupportRequest) -> tuple[Invitee | None, list[Invitee]]:
    """(organizer, attendees) of the request's sessions: the first accepted supporter organises;
    the school's contacts and the other accepted supporters are invited."""
    supporters = [
        Invitee(p.supporter.email, p.supporter.get_full_name())
        for p in Proposal.objects.filter(request=request, status=Proposal.Status.ACCEPTED)
        .select_related("supporter")
        .order_by("created_at", "pk")
    ]
    school = [Invitee(request.contact_email, request.contact_name)]
    if request.school_id is not None:
        school += [
            Invitee(role.person.email, role.person.get_full_name())
            for role in Role.objects.filter(
                organisation_id=request.organisation_id,
                kind=Role.Kind.SCHOOL_CONTACT,
                school_id=request.school_id,
                person__is_active=True,
            )
            .select_related("person")
            .order_by("pk")
        ]
    organizer = supporters[0] if supporters else None
    seen = {organizer.email.lower()} if organizer else set()
    attendees = []
    for invitee in [*school, *supporters[1:]]:
        if invitee.email and invitee.email.lower() not in seen:
            seen.add(invitee.email.lower())
            attendees.append(invitee)
    return organizer, attendees


def summary(request: SupportRequest) -> str:
    """The calendar entry's title: what it is and for which school, nothing confidential."""
    school = request.school.name if request.school else request.contact_name
    return _("Accompaniment session: %(school)s") % {"school": school}


def session_calendar(session: Session, *, cancel: bool = False) -> str:
    """The session's iCalendar file as it stands now."""
    request = session.request
    organizer, attendees = invitees(request)
    return session_ics(
        session,
        summary=summary(request),
        methods=list(session.methods.order_by("name")),
        url=request_url(request),
        organizer=organizer,
        attendees=attendees,
        cancel=cancel,
    )
