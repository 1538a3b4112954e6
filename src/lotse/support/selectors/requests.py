"""The reads of a request's way: the lists of the school, the coordination (inbox) and the
supporters, the timeline and the request page, the Kontrakt in force, the schools of a contact.
Filtered by what the person may see, without N+1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import (
    Case,
    DateTimeField,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from lotse.core import roles
from lotse.core.models import Organisation, Person, School, Site
from lotse.support import timeline, visibility
from lotse.support.models import (
    Agreement,
    Attachment,
    Meeting,
    Proposal,
    State,
    SupportRequest,
    TimelineEvent,
)
from lotse.support.selectors.base import (
    BOTH_SIDES,
    Shown,
    level_counts,
    open_sealed,
    readable_case,
    sealed_if_readable,
    with_releases,
)
from lotse.support.workflow import Side


def request_list_for_school(*, person: Person) -> QuerySet[SupportRequest]:
    """All requests of the schools the person speaks for, newest first."""
    return (
        SupportRequest.objects.filter(
            school_id__in=roles.contact_school_ids(person),
            organisation_id__in=roles.organisation_ids(person, roles.Kind.SCHOOL_CONTACT),
        )
        .select_related("school", "site")
        .order_by("-received_at")
    )


@dataclass(frozen=True)
class InboxFilter:
    site: Site | None = None
    state: str = ""
    overdue: bool = False
    quality_area_id: int | None = None
    school: str = ""


def request_inbox_for_coordinator(
    *, person: Person, filters: InboxFilter | None = None
) -> QuerySet[SupportRequest]:
    """The coordinator's inbox: requests of their sites, most urgent first."""
    filters = filters or InboxFilter(state="open")
    qs = SupportRequest.objects.filter(site_id__in=roles.coordinated_site_ids(person))
    if filters.site is not None:
        qs = qs.filter(site=filters.site)
    if filters.state == "open":
        qs = qs.filter(inbox_rank__lt=2)
    elif filters.state:
        qs = qs.filter(state=filters.state)
    if filters.overdue:
        qs = qs.filter(state=State.RECEIVED, acknowledge_due_at__lt=timezone.now())
    if filters.quality_area_id:
        qs = qs.filter(quality_area_id=filters.quality_area_id)
    if filters.school:
        term = filters.school.strip()
        qs = qs.filter(Q(school__name__icontains=term) | Q(school__number=term))
    qs = qs.select_related("school", "site", "quality_area")
    if filters.state == "open" or filters.overdue:
        # The default view: one index range per site, no sort of the whole history.
        return qs.order_by("inbox_rank", "acknowledge_due_at", "pk")
    # With closed requests in view, those come last and newest first.
    open_due = Case(
        When(inbox_rank__lt=2, then=F("acknowledge_due_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )
    return qs.order_by("inbox_rank", open_due.asc(nulls_last=True), "-received_at", "pk")


def request_list_for_supporter(*, person: Person) -> QuerySet[Proposal]:
    """Proposals to the supporter that are still theirs to see."""
    return (
        Proposal.objects.filter(
            supporter=person, status__in=[Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED]
        )
        .exclude(request__state=State.WITHDRAWN)
        .select_related("request__school", "request__site")
        .order_by("-request__updated_at")
    )


# --- the request page: every entry as this reader may see it --------------------------------


@dataclass(frozen=True)
class TimelineEntry(Shown):
    """One event of the timeline; `note` and `detail` are empty when hidden."""

    kind: str = ""
    label: str = ""
    detail: str = ""
    created_at: dt.datetime = field(default_factory=timezone.now)
    actor: Person | None = None
    note: str = ""

    slug: ClassVar[str] = "eintrag"

    @property
    def when(self) -> dt.datetime:
        return self.created_at


@dataclass(frozen=True)
class MeetingEntry(Shown):
    """A meeting: date and place for everyone, who takes part only for its readers."""

    starts_at: dt.datetime = field(default_factory=timezone.now)
    place: str = ""
    participants: str = ""
    created_by: Person | None = None

    slug: ClassVar[str] = "termin"

    @property
    def when(self) -> dt.datetime:
        return self.starts_at


@dataclass(frozen=True)
class DocumentEntry(Shown):
    """A document or a mail's attachment; the file name only for its readers."""

    filename: str = ""
    size: int = 0
    from_mail: bool = False
    uploaded_by: Person | None = None
    created_at: dt.datetime = field(default_factory=timezone.now)

    slug: ClassVar[str] = "dokument"

    @property
    def when(self) -> dt.datetime:
        return self.created_at


def timeline_for(
    *, person: Person, sides: Collection[Side], request: SupportRequest
) -> list[TimelineEntry]:
    """The request's events; notes only where the person reads them (filtered in SQL)."""
    events, _found = with_releases(request, _timeline(person, sides, request), "event", None)
    return events


def _timeline(
    person: Person, sides: Collection[Side], request: SupportRequest
) -> list[TimelineEntry]:
    who = {"author": "actor", "addressee": "addressee"}
    events = (
        TimelineEvent.objects.filter(request=request)
        .select_related("actor")
        .defer("note")
        .annotate(
            readable=readable_case(person, sides, **who),
            sealed_note=sealed_if_readable(person, sides, "note", **who),
        )
        .order_by("created_at", "pk")
    )
    entries = []
    for event in events:
        hidden = event.visibility is not None and not event.readable
        entries.append(
            TimelineEntry(
                pk=event.pk,
                visibility=event.visibility,
                readable=event.readable,
                releases=(),
                kind=event.kind,
                label=str(timeline.label(event.kind)),
                detail="" if hidden else timeline.detail(event),
                created_at=event.created_at,
                actor=event.actor,
                note=open_sealed(event, "note", event.sealed_note),
            )
        )
    return entries


def binding_of(agreements: list[Agreement]) -> Agreement | None:
    """The version in force: the newest that both sides accepted (acceptances prefetched)."""
    newest_first = sorted(agreements, key=lambda a: a.version, reverse=True)
    return next(
        (a for a in newest_first if {x.side for x in a.acceptances.all()} >= BOTH_SIDES), None
    )


def binding_agreement(*, request: SupportRequest) -> Agreement | None:
    """The Kontrakt version in force for the request, or None before the Kontrakt binds.

    An amendment (a newer version) binds only once both sides accepted it; until then the
    previous version stays in force."""
    return binding_of(
        list(Agreement.objects.filter(request=request).prefetch_related("acceptances"))
    )


def request_detail(
    *, person: Person, request: SupportRequest, sides: Collection[Side]
) -> dict[str, Any]:
    """Everything the detail page shows, in a fixed number of queries (one more when the
    request has released entries)."""
    events = _timeline(person, sides, request)
    proposals = list(
        Proposal.objects.filter(request=request).select_related("supporter").order_by("created_at")
    )
    meeting_rows = list(
        Meeting.objects.filter(request=request)
        .select_related("created_by")
        .defer("participants")
        .annotate(
            readable=readable_case(person, sides, author="created_by"),
            sealed_participants=sealed_if_readable(
                person, sides, "participants", author="created_by"
            ),
        )
        .order_by("-starts_at")
    )
    meetings = [
        MeetingEntry(
            pk=m.pk,
            visibility=m.visibility,
            readable=m.readable,
            releases=(),
            starts_at=m.starts_at,
            place=m.place,
            participants=open_sealed(m, "participants", m.sealed_participants),
            created_by=m.created_by,
        )
        for m in meeting_rows
    ]
    # The Kontrakt is for the school, the accepted supporters and the coordination; a supporter
    # still deciding on a proposal sees that it exists (timeline), not what it says.
    agreements = (
        list(
            Agreement.objects.filter(request=request)
            .prefetch_related(Prefetch("acceptances__person"))
            .order_by("-version")
        )
        if visibility.levels_for(sides)
        else []
    )
    documents = [
        DocumentEntry(
            pk=a.pk,
            visibility=a.visibility,
            readable=a.readable,
            releases=(),
            filename=a.filename if a.readable else "",
            size=a.size,
            from_mail=a.mail_id is not None,
            uploaded_by=a.uploaded_by,
            created_at=a.created_at,
        )
        for a in Attachment.objects.filter(request=request)
        .select_related("uploaded_by")
        .defer("content")
        .annotate(readable=readable_case(person, sides, author="uploaded_by"))
        .order_by("created_at", "pk")
    ]
    events, found = with_releases(request, events, "event", None)
    meetings, found = with_releases(request, meetings, "meeting", found)
    documents, found = with_releases(request, documents, "attachment", found)
    now = timezone.now()
    return {
        "attachments": documents,
        "events": events,
        "proposals": proposals,
        "meetings": meetings,
        # Date and place are for everyone who sees the request; who takes part is not loaded
        # for those who do not read the meeting record.
        "next_meeting": next((m for m in meeting_rows if m.starts_at >= now), None),
        "agreement": agreements[0] if agreements else None,
        "agreements": agreements,
        "binding_agreement": binding_of(agreements),
        "audience": visibility.audience(request, proposals),
        "levels": level_counts([*events, *meetings, *documents]),
    }


# --- the accompaniment: sessions, next steps and the goals' progress ------------------------


# --- the organisation's releases -------------------------------------------------------------


def kontrakt_begins_after(*, request: SupportRequest, starts_at: dt.datetime) -> dt.date | None:
    """The first day of the binding Kontrakt's time span if a date lies before it, else None."""
    binding = binding_agreement(request=request)
    if binding is not None and timezone.localdate(starts_at) < binding.starts_on:
        return binding.starts_on
    return None


def coming_up(*, request: SupportRequest, next_session: Any, next_meeting: Any) -> dict[str, Any]:
    """What is next for the request, the one source for the page's "Coming up": the next
    session while the Kontrakt binds, the first meeting only while it is the next step, and
    nothing once the process has ended (a meeting that did not take place is no longer next)."""
    return {
        "next_session": next_session
        if request.state in (State.AGREED, State.ACCOMPANYING)
        else None,
        "next_meeting": next_meeting if request.state == State.MEETING_SCHEDULED else None,
    }


def schools_for_contact(*, person: Person) -> QuerySet[School]:
    """Schools the person may send requests for."""
    return roles.contact_schools(person)


def schools_of_organisation(*, organisation: Organisation) -> QuerySet[School]:
    """The schools in the districts an organisation serves."""
    return School.objects.filter(district__organisation=organisation).order_by("name", "city")


# --- matching supporters to a request, and their workload --------------------------------------
