"""The accompaniment as the request page shows it: sessions, goals and their progress, next
steps."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import (
    Prefetch,
)
from django.utils import timezone

from lotse.core.models import Person
from lotse.support.models import (
    Agreement,
    GoalProgress,
    Method,
    NextStep,
    Session,
    SupportRequest,
)
from lotse.support.selectors.base import (
    Shown,
    open_sealed,
    readable_case,
    sealed_if_readable,
    with_releases,
)
from lotse.support.workflow import Side


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


# Of a long accompaniment the request page shows the newest past sessions and done next steps
# (every planned session and open step); "Alle anzeigen" (`?begleitung=alle`) shows the rest.
ACCOMPANIMENT_ROWS = 5


def accompaniment_for(
    *,
    person: Person,
    sides: Collection[Side],
    request: SupportRequest,
    binding: Agreement | None,
    newest: int | None = ACCOMPANIMENT_ROWS,
) -> dict[str, Any]:
    """Sessions, next steps and the goals' history as this reader may see them, in four queries
    (five with released sessions); encrypted fields leave the database only for readers.

    With `newest`, only the newest `newest` past sessions and done steps are listed (the others
    are counted under "sessions_past_more" and "next_steps_done_more"); the goals' history
    and the counts of entries per level ("levels") cover all of them."""
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
            readable=readable_case(person, sides, author="created_by"),
            sealed_participants=sealed_if_readable(
                person, sides, "participants", author="created_by"
            ),
            sealed_notes=sealed_if_readable(person, sides, "notes", author="created_by"),
            sealed_reflection=sealed_if_readable(person, sides, "reflection", author="created_by"),
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
            participants=open_sealed(r, "participants", r.sealed_participants),
            notes=open_sealed(r, "notes", r.sealed_notes),
            reflection=open_sealed(r, "reflection", r.sealed_reflection),
            created_by=r.created_by,
            recorded_by=r.recorded_by,
            recorded_at=r.recorded_at,
            progress=tuple(progress.get(r.pk, ())),
            upcoming=r.status == Session.Status.PLANNED and r.starts_at > now,
            due_for_record=r.status == Session.Status.PLANNED and r.starts_at <= now,
        )
        for r in rows
    ]
    sessions, _found = with_releases(request, sessions, "session", None)
    steps = [
        StepEntry(
            pk=s.pk,
            visibility=s.visibility,
            readable=s.readable,
            releases=(),
            text=open_sealed(s, "text", s.sealed_text),
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
            readable=readable_case(person, sides, author="created_by"),
            sealed_text=sealed_if_readable(person, sides, "text", author="created_by"),
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
    past = [s for s in reversed(sessions) if not s.upcoming]
    done = [s for s in steps if s.done]
    levels: dict[str, int] = defaultdict(int)
    for level in (e.visibility for e in (*sessions, *steps)):
        if level:
            levels[level] += 1
    return {
        "sessions": sessions,
        "sessions_upcoming": upcoming,
        "sessions_past": past if newest is None else past[:newest],
        "sessions_past_more": 0 if newest is None else max(len(past) - newest, 0),
        "next_session": upcoming[0] if upcoming else None,
        "next_steps_open": [s for s in steps if not s.done],
        # The most recently due of the done steps, in the order of their dates.
        "next_steps_done": done if newest is None else done[max(len(done) - newest, 0) :],
        "next_steps_done_more": 0 if newest is None else max(len(done) - newest, 0),
        "goals": goals,
        "accompaniment_levels": dict(levels),
    }
