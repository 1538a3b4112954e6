"""Every read the support views need, filtered by what the user may see, without N+1."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, ClassVar

from django.db.models import (
    BinaryField,
    BooleanField,
    Case,
    Count,
    DateTimeField,
    F,
    FloatField,
    Model,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from lotse.catalog.matching import Candidate, Need, Period, Ranking, rank, sort_name
from lotse.catalog.models import Absence, SupporterProfile
from lotse.catalog.selectors import weights_for
from lotse.core import audit, roles
from lotse.core.models import AccessLog, Organisation, Person, Role, School, Site
from lotse.lib.crypto import Sealed
from lotse.support import timeline, visibility
from lotse.support.models import (
    OPEN_STATES,
    Agreement,
    Attachment,
    GoalProgress,
    Meeting,
    Method,
    NextStep,
    Proposal,
    Release,
    Session,
    State,
    SupportRequest,
    TimelineEvent,
    Visibility,
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
class Shown:
    """What every entry with a level tells its reader: the level, and whether they read it."""

    pk: int
    visibility: str | None
    readable: bool
    releases: tuple[Release, ...]

    # The entry's name in URLs (visibility and release forms).
    slug: ClassVar[str] = ""

    @property
    def hidden(self) -> bool:
        """The entry has content the reader may not see: they see a placeholder."""
        return self.visibility is not None and not self.readable

    @property
    def placeholder(self) -> str | Promise:
        return visibility.PLACEHOLDERS.get(self.visibility or "", visibility.PLACEHOLDER)

    @property
    def visibility_label(self) -> str:
        return str(Visibility(self.visibility).label) if self.visibility else ""

    @property
    def when(self) -> dt.datetime | None:
        """The moment that names the entry (its date, or a meeting's start)."""
        return None


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


def _readable(person: Person, sides: Collection[Side], *, author: str, **kw: Any) -> Case:
    return Case(
        When(visibility.readable_q(person, sides, author=author, **kw), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _sealed_if_readable(
    person: Person, sides: Collection[Side], name: str, *, author: str, **kw: Any
) -> Case:
    """The encrypted column for readable rows, NULL for the others: hidden content stays in
    the database."""
    return Case(
        When(visibility.readable_q(person, sides, author=author, **kw), then=F(name)),
        default=Value(None, output_field=BinaryField()),
        output_field=BinaryField(),
    )


def _open(instance: Model, name: str, sealed: bytes | memoryview | None) -> str:
    """Decrypt a value the query returned for a readable row."""
    if sealed is None:
        return ""
    instance.__dict__[name] = Sealed(bytes(sealed))
    return str(getattr(instance, name) or "")


ReleaseMap = dict[tuple[str, int], tuple[Release, ...]]


def _active_releases(request: SupportRequest) -> ReleaseMap:
    found: dict[tuple[str, int], list[Release]] = {}
    for release in (
        Release.objects.filter(request=request, revoked_at__isnull=True)
        .select_related("released_by")
        .order_by("released_at", "pk")
    ):
        for name in ("event", "meeting", "attachment", "session"):
            item_id = getattr(release, f"{name}_id")
            if item_id is not None:
                found.setdefault((name, item_id), []).append(release)
    return {key: tuple(value) for key, value in found.items()}


def _with_releases[S: Shown](
    request: SupportRequest, entries: list[S], name: str, found: ReleaseMap | None
) -> tuple[list[S], ReleaseMap | None]:
    """The entries with their active releases, loaded once and only if an entry is released."""
    if not any(e.visibility == Visibility.RELEASED for e in entries):
        return entries, found
    found = found if found is not None else _active_releases(request)
    return [replace(e, releases=found.get((name, e.pk), ())) for e in entries], found


def timeline_for(
    *, person: Person, sides: Collection[Side], request: SupportRequest
) -> list[TimelineEntry]:
    """The request's events; notes only where the person reads them (filtered in SQL)."""
    events, _found = _with_releases(request, _timeline(person, sides, request), "event", None)
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
            readable=_readable(person, sides, **who),
            sealed_note=_sealed_if_readable(person, sides, "note", **who),
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
                note=_open(event, "note", event.sealed_note),
            )
        )
    return entries


BOTH_SIDES = frozenset({"school", "supporter"})


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
            readable=_readable(person, sides, author="created_by"),
            sealed_participants=_sealed_if_readable(
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
            participants=_open(m, "participants", m.sealed_participants),
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
        .annotate(readable=_readable(person, sides, author="uploaded_by"))
        .order_by("created_at", "pk")
    ]
    events, found = _with_releases(request, events, "event", None)
    meetings, found = _with_releases(request, meetings, "meeting", found)
    documents, found = _with_releases(request, documents, "attachment", found)
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
        "levels": _level_counts([*events, *meetings, *documents]),
    }


def _level_counts(entries: list[Any]) -> dict[str, int]:
    counts = dict.fromkeys(Visibility, 0)
    for entry in entries:
        if entry.visibility is not None:
            counts[Visibility(entry.visibility)] += 1
    return {str(level): count for level, count in counts.items()}


# --- the accompaniment: sessions, next steps and the goals' progress ------------------------


@dataclass(frozen=True)
class ProgressEntry:
    """How far a goal came, as recorded in one session."""

    session_pk: int
    starts_at: dt.datetime
    level: int
    level_label: str
    note: str


@dataclass(frozen=True)
class SessionEntry(Shown):
    """A session: date, place and methods for everyone; the record only for its readers."""

    starts_at: dt.datetime = field(default_factory=timezone.now)
    ends_at: dt.datetime = field(default_factory=timezone.now)
    place: str = ""
    status: str = Session.Status.PLANNED
    status_label: str = ""
    methods: tuple[Method, ...] = ()
    participants: str = ""
    notes: str = ""
    reflection: str = ""
    created_by: Person | None = None
    recorded_by: Person | None = None
    recorded_at: dt.datetime | None = None
    progress: tuple[tuple[str, ProgressEntry], ...] = ()
    # Planned, not yet begun.
    upcoming: bool = False
    # Planned and begun: waiting to be recorded.
    due_for_record: bool = False

    slug: ClassVar[str] = "begleittermin"

    @property
    def when(self) -> dt.datetime:
        return self.starts_at


@dataclass(frozen=True)
class StepEntry(Shown):
    """A next step: who and by when for everyone; what only for its readers."""

    text: str = ""
    owner: str = ""
    owner_label: str = ""
    due_on: dt.date = field(default_factory=timezone.localdate)
    done_at: dt.datetime | None = None
    done_by: Person | None = None
    overdue: bool = False

    slug: ClassVar[str] = "schritt"

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class GoalEntry:
    """A goal of the binding Kontrakt with its progress across the sessions."""

    position: int
    goal: str
    history: tuple[ProgressEntry, ...]

    @property
    def latest(self) -> ProgressEntry | None:
        return self.history[-1] if self.history else None


def _goal_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def accompaniment_for(
    *,
    person: Person,
    sides: Collection[Side],
    request: SupportRequest,
    binding: Agreement | None,
) -> dict[str, Any]:
    """Sessions, next steps and the goals' history as this reader may see them, in four queries
    (five with released sessions); encrypted fields leave the database only for readers."""
    now = timezone.now()
    today = timezone.localdate()
    # The labels once per page, not once per row (each is a lazy translation).
    level_label = {value: str(label) for value, label in GoalProgress.Level.choices}
    status_label = {value: str(label) for value, label in Session.Status.choices}
    owner_label = {value: str(label) for value, label in NextStep.Owner.choices}
    rows = list(
        Session.objects.filter(request=request)
        .select_related("created_by", "recorded_by")
        .defer("participants", "notes", "reflection")
        .annotate(
            readable=_readable(person, sides, author="created_by"),
            sealed_participants=_sealed_if_readable(
                person, sides, "participants", author="created_by"
            ),
            sealed_notes=_sealed_if_readable(person, sides, "notes", author="created_by"),
            sealed_reflection=_sealed_if_readable(person, sides, "reflection", author="created_by"),
        )
        .prefetch_related(Prefetch("methods", queryset=Method.objects.order_by("name")))
        .order_by("starts_at", "pk")
    )
    readable_held = [r.pk for r in rows if r.readable and r.status == Session.Status.HELD]
    progress: dict[int, list[tuple[str, ProgressEntry]]] = defaultdict(list)
    starts = {r.pk: r.starts_at for r in rows}
    if readable_held:
        for row in GoalProgress.objects.filter(session_id__in=readable_held).order_by(
            "session__starts_at", "position"
        ):
            progress[row.session_id].append(
                (
                    str(row.goal),
                    ProgressEntry(
                        session_pk=row.session_id,
                        starts_at=starts[row.session_id],
                        level=row.level,
                        level_label=level_label.get(row.level, str(row.level)),
                        note=str(row.note or ""),
                    ),
                )
            )
    sessions = [
        SessionEntry(
            pk=r.pk,
            visibility=r.visibility,
            readable=r.readable,
            releases=(),
            starts_at=r.starts_at,
            ends_at=r.ends_at,
            place=r.place,
            status=r.status,
            status_label=status_label.get(r.status, r.status),
            methods=tuple(r.methods.all()),
            participants=_open(r, "participants", r.sealed_participants),
            notes=_open(r, "notes", r.sealed_notes),
            reflection=_open(r, "reflection", r.sealed_reflection),
            created_by=r.created_by,
            recorded_by=r.recorded_by,
            recorded_at=r.recorded_at,
            progress=tuple(progress.get(r.pk, ())),
            upcoming=r.status == Session.Status.PLANNED and r.starts_at > now,
            due_for_record=r.status == Session.Status.PLANNED and r.starts_at <= now,
        )
        for r in rows
    ]
    sessions, _found = _with_releases(request, sessions, "session", None)
    steps = [
        StepEntry(
            pk=s.pk,
            visibility=s.visibility,
            readable=s.readable,
            releases=(),
            text=_open(s, "text", s.sealed_text),
            owner=s.owner,
            owner_label=owner_label.get(s.owner, s.owner),
            due_on=s.due_on,
            done_at=s.done_at,
            done_by=s.done_by,
            overdue=s.done_at is None and s.due_on < today,
        )
        for s in NextStep.objects.filter(request=request)
        .select_related("done_by")
        .defer("text")
        .annotate(
            readable=_readable(person, sides, author="created_by"),
            sealed_text=_sealed_if_readable(person, sides, "text", author="created_by"),
        )
        .order_by("due_on", "pk")
    ]
    history: dict[str, list[ProgressEntry]] = defaultdict(list)
    for entry in sessions:
        for goal, item in entry.progress:
            history[_goal_key(goal)].append(item)
    goals = [
        GoalEntry(position=n, goal=goal, history=tuple(history.get(_goal_key(goal), ())))
        for n, goal in enumerate(binding.goal_list() if binding else [], start=1)
    ]
    upcoming = [s for s in sessions if s.upcoming]
    return {
        "sessions": sessions,
        "sessions_upcoming": upcoming,
        "sessions_past": [s for s in reversed(sessions) if not s.upcoming],
        "next_session": upcoming[0] if upcoming else None,
        "next_steps_open": [s for s in steps if not s.done],
        "next_steps_done": [s for s in steps if s.done],
        "goals": goals,
    }


def readable_document(
    *, person: Person, sides: Collection[Side], request: SupportRequest, pk: int
) -> tuple[bool, Attachment | None]:
    """(exists, the document with its content if the person reads it) for a download."""
    row = (
        Attachment.objects.filter(request=request, pk=pk)
        .annotate(readable=_readable(person, sides, author="uploaded_by"))
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


# --- the organisation's releases -------------------------------------------------------------


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


def schools_for_contact(*, person: Person) -> QuerySet[School]:
    """Schools the person may send requests for."""
    return roles.contact_schools(person)


def schools_of_organisation(*, organisation: Organisation) -> QuerySet[School]:
    """The schools in the districts an organisation serves."""
    return School.objects.filter(district__organisation=organisation).order_by("name", "city")


# --- matching supporters to a request, and their workload --------------------------------------

# A proposal holds a place of the supporter's capacity while it is open or accepted and its
# request is open: an open proposal may be accepted any day.
HOLDING = (Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED)


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


@functools.lru_cache(maxsize=256)
def _codes(raw: str | None) -> frozenset[str]:
    """A JSON list of codes as stored, as a set; the few distinct lists are parsed once."""
    value = json.loads(raw) if raw else []
    return frozenset(str(code) for code in value) if isinstance(value, list) else frozenset()


def _pairs(through: Any, column: str, profiles: Q) -> dict[int, set[int]]:
    """profile id -> ids of one of the profile's lists, in one query."""
    found: dict[int, set[int]] = defaultdict(set)
    for profile_id, target_id in through.objects.filter(profiles).values_list(
        "supporterprofile_id", column
    ):
        found[profile_id].add(target_id)
    return found


def _earlier_work(
    request: SupportRequest, supporter_ids: Collection[int] | None
) -> dict[int, list[int]]:
    """supporter id -> other requests of the same school they accompanied (accepted)."""
    earlier: dict[int, list[int]] = defaultdict(list)
    if request.school_id is None:
        return earlier
    rows = Proposal.objects.filter(
        request__organisation_id=request.organisation_id,
        request__school_id=request.school_id,
        status=Proposal.Status.ACCEPTED,
    ).exclude(request_id=request.pk)
    if supporter_ids is not None:
        rows = rows.filter(supporter_id__in=list(supporter_ids))
    for supporter_id, request_id in rows.order_by("request_id").values_list(
        "supporter_id", "request_id"
    ):
        earlier[supporter_id].append(request_id)
    return earlier


def matching_need(*, request: SupportRequest, needed_from: dt.date | None = None) -> Need:
    """What the request asks for, as matching sees it (the school is loaded with it)."""
    school = request.school
    return Need(
        organisation_id=request.organisation_id,
        needed_from=needed_from or timezone.localdate(),
        school_id=request.school_id,
        school_type=school.school_type if school else "",
        latitude=_float(school.latitude) if school else None,
        longitude=_float(school.longitude) if school else None,
        district_id=school.district_id if school else None,
        offer_id=request.offer_id,
        quality_area_id=request.quality_area_id,
    )


def matching_candidates(
    *, request: SupportRequest, need: Need, supporter_ids: Collection[int] | None = None
) -> list[Candidate]:
    """The organisation's active supporters not yet proposed for the request, with what
    matching needs to know about each: nine queries however many supporters there are.

    `supporter_ids` narrows them to these people (the check of a proposal)."""
    organisation_id = request.organisation_id
    roles_qs = Role.objects.filter(
        organisation_id=organisation_id, kind=Role.Kind.SUPPORTER, person__is_active=True
    ).exclude(person__proposals__request=request)
    profiles_qs = SupporterProfile.objects.filter(organisation_id=organisation_id)
    through = Q(supporterprofile__organisation_id=organisation_id)
    load_qs = Proposal.objects.filter(
        request__organisation_id=organisation_id,
        request__state__in=OPEN_STATES,
        status__in=HOLDING,
    )
    absences_qs = Absence.objects.filter(
        profile__organisation_id=organisation_id, ends_on__gte=need.needed_from
    )
    if supporter_ids is not None:
        ids = list(supporter_ids)
        roles_qs = roles_qs.filter(person_id__in=ids)
        profiles_qs = profiles_qs.filter(person_id__in=ids)
        through &= Q(supporterprofile__person_id__in=ids)
        load_qs = load_qs.filter(supporter_id__in=ids)
        absences_qs = absences_qs.filter(profile__person_id__in=ids)

    people: dict[int, tuple[str, str]] = {}
    for person_id, first, last, email, title in roles_qs.values_list(
        "person_id", "person__first_name", "person__last_name", "person__email", "title"
    ).order_by("pk"):
        people.setdefault(person_id, (f"{first} {last}".strip() or email, title))
    # Coordinates as floats and the JSON lists as text (parsed once per distinct value): the
    # database's decimals and a JSON parse per row cost more than the rest of the selector.
    profiles = {
        row["person_id"]: row
        for row in profiles_qs.values(
            "pk",
            "person_id",
            "active",
            "max_processes",
            "home_place",
            "hours_per_month",
            lat=Cast("latitude", FloatField()),
            lon=Cast("longitude", FloatField()),
            types=Cast("school_types", TextField()),
            langs=Cast("languages", TextField()),
        )
    }
    offers = _pairs(SupporterProfile.offers.through, "offer_id", through)
    areas = _pairs(SupporterProfile.quality_areas.through, "qualityarea_id", through)
    districts = _pairs(SupporterProfile.districts.through, "district_id", through)
    works_at = _pairs(SupporterProfile.works_at_schools.through, "school_id", through)
    absences: dict[int, list[Period]] = defaultdict(list)
    for profile_id, starts_on, ends_on in absences_qs.order_by("starts_on", "pk").values_list(
        "profile_id", "starts_on", "ends_on"
    ):
        absences[profile_id].append(Period(starts_on, ends_on))
    load = dict(
        load_qs.values("supporter_id").annotate(n=Count("pk")).values_list("supporter_id", "n")
    )
    earlier = _earlier_work(request, supporter_ids)

    candidates = []
    for person_id, (name, title) in people.items():
        row = profiles.get(person_id)
        common: dict[str, Any] = {
            "person_id": person_id,
            "name": name,
            "title": title,
            "active_processes": load.get(person_id, 0),
            "earlier_request_ids": tuple(earlier.get(person_id, ())),
        }
        if row is None:
            candidates.append(Candidate(has_profile=False, **common))
            continue
        pk = row["pk"]
        candidates.append(
            Candidate(
                has_profile=True,
                active=row["active"],
                offer_ids=frozenset(offers.get(pk, ())),
                quality_area_ids=frozenset(areas.get(pk, ())),
                school_types=_codes(row["types"]),
                district_ids=frozenset(districts.get(pk, ())),
                latitude=row["lat"],
                longitude=row["lon"],
                max_processes=row["max_processes"],
                works_at_school_ids=frozenset(works_at.get(pk, ())),
                absences=tuple(absences.get(pk, ())),
                home_place=row["home_place"],
                languages=tuple(sorted(_codes(row["langs"]))),
                hours_per_month=row["hours_per_month"],
                **common,
            )
        )
    return candidates


def shortlist_for(
    *,
    request: SupportRequest,
    needed_from: dt.date | None = None,
    supporter_ids: Collection[int] | None = None,
) -> Ranking:
    """The ranked shortlist of supporters for the request, and who is excluded and why."""
    need = matching_need(request=request, needed_from=needed_from)
    candidates = matching_candidates(request=request, need=need, supporter_ids=supporter_ids)
    return rank(need, candidates, weights_for(organisation_id=request.organisation_id))


@dataclass(frozen=True)
class WorkloadRow:
    """One supporter's current work against what their profile says they can take on."""

    person_id: int
    name: str
    title: str
    organisation_id: int
    sites: tuple[str, ...]
    has_profile: bool
    available: bool
    accepted: int
    proposed: int
    max_processes: int | None
    hours_per_month: int | None
    absence: Period | None  # the current absence, else the next one
    absent_now: bool

    @property
    def load(self) -> int:
        return self.accepted + self.proposed

    @property
    def free(self) -> int | None:
        return None if self.max_processes is None else max(self.max_processes - self.load, 0)

    @property
    def state(self) -> str:
        """over (more than the capacity), full, free, or unknown (no profile)."""
        if self.max_processes is None:
            return "unknown"
        if self.load > self.max_processes:
            return "over"
        if self.load == self.max_processes:
            return "full"
        return "free"

    @property
    def utilisation(self) -> float:
        """Load per place; unknown capacity sorts as empty, no places with work as overfull."""
        if not self.max_processes:
            return float("inf") if self.load and self.max_processes == 0 else 0.0
        return self.load / self.max_processes


WORKLOAD_ORDERS: dict[str, Callable[[WorkloadRow], Any]] = {
    "name": lambda r: (sort_name(r.name), r.person_id),
    # Most loaded first; without a profile (capacity unknown) last.
    "load": lambda r: (
        r.max_processes is None,
        -r.utilisation,
        -r.load,
        sort_name(r.name),
        r.person_id,
    ),
    "free": lambda r: (-(r.free if r.free is not None else -1), sort_name(r.name), r.person_id),
    "absence": lambda r: (
        r.absence is None,
        r.absence.starts_on if r.absence else dt.date.max,
        sort_name(r.name),
        r.person_id,
    ),
}


def workload_for_coordinator(
    *, person: Person, order: str = "load", today: dt.date | None = None
) -> list[WorkloadRow]:
    """The supporters of the coordinator's sites (and those without a home site) with their
    accompaniments, capacity and absences, in six queries; the most loaded first by default."""
    today = today or timezone.localdate()
    site_ids = roles.coordinated_site_ids(person)
    organisation_ids = roles.organisation_ids(person, roles.Kind.COORDINATOR)
    supporter_roles = Role.objects.filter(
        Q(sites__in=site_ids) | Q(sites__isnull=True),
        kind=Role.Kind.SUPPORTER,
        organisation_id__in=organisation_ids,
        person__is_active=True,
    )
    people: dict[tuple[int, int], tuple[str, str]] = {}
    for person_id, org_id, first, last, email, title in (
        supporter_roles.values_list(
            "person_id",
            "organisation_id",
            "person__first_name",
            "person__last_name",
            "person__email",
            "title",
        )
        .order_by("pk")
        .distinct()
    ):
        people.setdefault((org_id, person_id), (f"{first} {last}".strip() or email, title))
    sites: dict[tuple[int, int], set[str]] = defaultdict(set)
    for person_id, org_id, site_name in Role.sites.through.objects.filter(
        role__kind=Role.Kind.SUPPORTER, role__organisation_id__in=organisation_ids
    ).values_list("role__person_id", "role__organisation_id", "site__name"):
        sites[org_id, person_id].add(site_name)
    profiles = {
        (row["organisation_id"], row["person_id"]): row
        for row in SupporterProfile.objects.filter(organisation_id__in=organisation_ids).values(
            "pk", "organisation_id", "person_id", "active", "max_processes", "hours_per_month"
        )
    }
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for supporter_id, org_id, status, n in (
        Proposal.objects.filter(
            request__organisation_id__in=organisation_ids,
            request__state__in=OPEN_STATES,
            status__in=HOLDING,
        )
        .values("supporter_id", "request__organisation_id", "status")
        .annotate(n=Count("pk"))
        .values_list("supporter_id", "request__organisation_id", "status", "n")
    ):
        counts[org_id, supporter_id][status] = n
    next_absence: dict[int, Period] = {}
    for profile_id, starts_on, ends_on in (
        Absence.objects.filter(profile__organisation_id__in=organisation_ids, ends_on__gte=today)
        .order_by("starts_on", "pk")
        .values_list("profile_id", "starts_on", "ends_on")
    ):
        next_absence.setdefault(profile_id, Period(starts_on, ends_on))

    rows = []
    for key, (name, title) in people.items():
        profile = profiles.get(key)
        absence = next_absence.get(profile["pk"]) if profile else None
        rows.append(
            WorkloadRow(
                person_id=key[1],
                name=name,
                title=title,
                organisation_id=key[0],
                sites=tuple(sorted(sites.get(key, ()))),
                has_profile=profile is not None,
                available=bool(profile["active"]) if profile else True,
                accepted=counts[key].get(Proposal.Status.ACCEPTED, 0),
                proposed=counts[key].get(Proposal.Status.PROPOSED, 0),
                max_processes=profile["max_processes"] if profile else None,
                hours_per_month=profile["hours_per_month"] if profile else None,
                absence=absence,
                absent_now=absence is not None and absence.covers(today),
            )
        )
    return sorted(rows, key=WORKLOAD_ORDERS.get(order, WORKLOAD_ORDERS["load"]))
