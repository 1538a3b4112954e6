"""The accompaniment after the Kontrakt: sessions, goal progress, next steps and their reminders,
and the organisation's library of methods.

Supporter and school plan a session (date, place, participants, methods); the invitation mail
explains each method in plain language and carries an iCalendar file, so the school knows
before a method is used. After the session either side records it: who took part, notes, the
joint reflection, the progress of each goal of the binding Kontrakt and the next steps agreed.
Who took part, the notes and the reflection are the session record and have a level like every
confidential entry; date, place and methods are for everyone who sees the request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lotse.core.models import Organisation, Person
from lotse.support import permissions, timeline, workflow
from lotse.support.calendar import session_calendar
from lotse.support.models import (
    GoalProgress,
    Method,
    NextStep,
    Session,
    State,
    SupportRequest,
)
from lotse.support.selectors import requests as request_selectors
from lotse.support.services.base import (
    entry_level,
    queue_mail,
    request_lock,
    request_move,
    school_addresses,
    supporter_addresses,
)
from lotse.support.workflow import WorkflowError

# The states in which sessions and next steps are alive; reminders only go out for these.
ACTIVE_STATES = (State.AGREED, State.ACCOMPANYING)
# The longest session one can plan: a school day.
LONGEST_SESSION = dt.timedelta(hours=12)


@dataclass(frozen=True)
class StepData:
    """A next step as the forms hand it over."""

    text: str
    owner: str
    due_on: dt.date


@dataclass(frozen=True)
class ProgressData:
    """How far one goal (its line in the binding Kontrakt, from 1) came in a session."""

    position: int
    level: int
    note: str = ""


# --- who is invited ---------------------------------------------------------------------------


def _invite(request: SupportRequest, session: Session, template: str, **context: object) -> None:
    """The mail to everyone invited, with the calendar file; it names no confidential content."""
    methods = list(session.methods.order_by("name"))
    # In the language of the mail it goes with.
    with translation.override("de"):
        ics = session_calendar(session, cancel=template == "session_cancelled")
    queue_mail(
        request,
        template,
        [*school_addresses(request), *supporter_addresses(request)],
        calendar=ics,
        session=session,
        methods=methods,
        **context,
    )


# --- sessions ---------------------------------------------------------------------------------


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if starts_at <= timezone.now():
        raise WorkflowError(_("The session must take place in the future."))
    if ends_at <= starts_at:
        raise WorkflowError(_("The session must end after it begins."))
    if ends_at - starts_at > LONGEST_SESSION:
        raise WorkflowError(_("A session can last at most 12 hours."))


def _methods(request: SupportRequest, methods: Iterable[Method]) -> list[Method]:
    chosen = list(methods)
    if any(m.organisation_id != request.organisation_id or not m.active for m in chosen):
        raise WorkflowError(_("Please choose methods your organisation offers."))
    return chosen


def _locked_session(session: Session, request: SupportRequest) -> Session:
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.request_id != request.pk:
        raise WorkflowError(_("You may not do this for this request."))
    locked.request = request
    return locked


@transaction.atomic
def session_plan(
    *,
    request: SupportRequest,
    by: Person,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    participants: str,
    methods: Sequence[Method] = (),
    visibility: str | None = None,
) -> Session:
    """Plan a session and invite the school and the supporters, with a calendar file.

    The first session planned after the Kontrakt binds starts the accompaniment."""
    _check_times(starts_at, ends_at)
    if not place.strip() or not participants.strip():
        raise WorkflowError(_("Please give the place and the participants."))
    request = request_lock(request)
    was = request.state
    request_move(request, "plan_session", by)
    level = entry_level(request, by, visibility)
    chosen = _methods(request, methods)
    if was != request.state:
        timeline.record(request, "started", by=by)
    session = Session.objects.create(
        request=request,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip()[:200],
        participants=participants.strip(),
        visibility=level,
        created_by=by,
    )
    session.methods.set(chosen)
    timeline.record(
        request,
        "session_planned",
        by=by,
        data={"starts_at": starts_at.isoformat(), "place": session.place},
    )
    _invite(request, session, "session_invitation")
    return session


def _planned(session: Session) -> None:
    if session.status != Session.Status.PLANNED:
        raise WorkflowError(_("Only a planned session can be changed."))


@transaction.atomic
def session_reschedule(
    *,
    session: Session,
    by: Person,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    methods: Sequence[Method] | None = None,
) -> Session:
    """Move a planned session; the invitation is sent again as an update of the same event."""
    _check_times(starts_at, ends_at)
    if not place.strip():
        raise WorkflowError(_("Please give the place and the participants."))
    request = request_lock(session.request)
    workflow.check(request, "plan_session", by)
    session = _locked_session(session, request)
    _planned(session)
    chosen = _methods(request, methods) if methods is not None else None
    session.starts_at = starts_at
    session.ends_at = ends_at
    session.place = place.strip()[:200]
    session.sequence += 1
    # A reminder belongs to a date: the new date gets its own.
    session.reminder_sent_at = None
    session.save(update_fields=["starts_at", "ends_at", "place", "sequence", "reminder_sent_at"])
    if chosen is not None:
        session.methods.set(chosen)
    timeline.record(
        request,
        "session_rescheduled",
        by=by,
        data={"starts_at": starts_at.isoformat(), "place": session.place},
    )
    _invite(request, session, "session_rescheduled")
    return session


@transaction.atomic
def session_cancel(*, session: Session, by: Person) -> Session:
    """Cancel a planned session; calendars remove it (METHOD:CANCEL, same UID)."""
    request = request_lock(session.request)
    workflow.check(request, "plan_session", by)
    session = _locked_session(session, request)
    _planned(session)
    session.status = Session.Status.CANCELLED
    session.cancelled_at = timezone.now()
    session.sequence += 1
    session.save(update_fields=["status", "cancelled_at", "sequence"])
    timeline.record(
        request,
        "session_cancelled",
        by=by,
        data={"starts_at": session.starts_at.isoformat(), "place": session.place},
    )
    _invite(request, session, "session_cancelled")
    return session


def sessions_cancel_planned(*, request: SupportRequest, by: Person) -> int:
    """When the process ends, its sessions still to come are cancelled (and leave the
    calendars); the caller holds the request's lock. Returns how many were cancelled."""
    upcoming = Session.objects.select_for_update().filter(
        request=request, status=Session.Status.PLANNED, starts_at__gt=timezone.now()
    )
    count = 0
    for session in upcoming:
        session.request = request
        session.status = Session.Status.CANCELLED
        session.cancelled_at = timezone.now()
        session.sequence += 1
        session.save(update_fields=["status", "cancelled_at", "sequence"])
        timeline.record(
            request,
            "session_cancelled",
            by=by,
            data={"starts_at": session.starts_at.isoformat(), "place": session.place},
        )
        _invite(request, session, "session_cancelled")
        count += 1
    return count


@transaction.atomic
def session_record(
    *,
    session: Session,
    by: Person,
    participants: str,
    notes: str = "",
    reflection: str = "",
    progress: Sequence[ProgressData] = (),
    next_steps: Sequence[StepData] = (),
    visibility: str | None = None,
) -> Session:
    """Record a session that took place: who took part, notes, the joint reflection, how far
    each goal of the binding Kontrakt came, and the next steps agreed."""
    if not participants.strip():
        raise WorkflowError(_("Please say who took part."))
    request = request_lock(session.request)
    workflow.check(request, "record_session", by)
    session = _locked_session(session, request)
    if session.status != Session.Status.PLANNED:
        raise WorkflowError(_("This session has already been recorded or was cancelled."))
    if session.starts_at > timezone.now():
        raise WorkflowError(_("A session can be recorded once it has begun."))
    level = entry_level(request, by, visibility)
    agreement = request_selectors.binding_agreement(request=request)
    goals = agreement.goal_list() if agreement is not None else []
    seen: set[int] = set()
    for item in progress:
        if not 1 <= item.position <= len(goals) or item.position in seen:
            raise WorkflowError(_("Please record progress only for the goals of the Kontrakt."))
        if item.level not in GoalProgress.Level.values:
            raise WorkflowError(_("Please choose how far the goal has come."))
        seen.add(item.position)
    session.participants = participants.strip()
    session.notes = notes.strip()
    session.reflection = reflection.strip()
    session.visibility = level
    session.status = Session.Status.HELD
    session.recorded_by = by
    session.recorded_at = timezone.now()
    session.save(
        update_fields=[
            "participants",
            "notes",
            "reflection",
            "visibility",
            "status",
            "recorded_by",
            "recorded_at",
        ]
    )
    if agreement is not None:
        for item in progress:
            GoalProgress.objects.create(
                session=session,
                agreement=agreement,
                position=item.position,
                goal=goals[item.position - 1],
                level=item.level,
                note=item.note.strip(),
            )
    timeline.record(
        request,
        "session_recorded",
        by=by,
        data={"starts_at": session.starts_at.isoformat(), "place": session.place},
    )
    for step in next_steps:
        _create_step(request, by, step, level=level, session=session)
    return session


# --- next steps -------------------------------------------------------------------------------


def _create_step(
    request: SupportRequest, by: Person, step: StepData, *, level: str, session: Session | None
) -> NextStep:
    if not step.text.strip():
        raise WorkflowError(_("Please describe the next step."))
    if step.owner not in NextStep.Owner.values:
        raise WorkflowError(_("Please say who does the next step."))
    if step.due_on < timezone.localdate():
        raise WorkflowError(_("The due date must not be in the past."))
    created = NextStep.objects.create(
        request=request,
        session=session,
        text=step.text.strip(),
        owner=step.owner,
        due_on=step.due_on,
        visibility=level,
        created_by=by,
    )
    timeline.record(
        request, "next_step_added", by=by, data={"owner": step.owner, "due_on": str(step.due_on)}
    )
    return created


@transaction.atomic
def next_step_add(
    *,
    request: SupportRequest,
    by: Person,
    text: str,
    owner: str,
    due_on: dt.date,
    visibility: str | None = None,
) -> NextStep:
    """Agree on a next step with who does it and by when."""
    request = request_lock(request)
    workflow.check(request, "next_step", by)
    level = entry_level(request, by, visibility)
    return _create_step(
        request, by, StepData(text=text, owner=owner, due_on=due_on), level=level, session=None
    )


def _locked_step(step: NextStep, by: Person) -> tuple[SupportRequest, NextStep]:
    request = request_lock(step.request)
    workflow.check(request, "next_step", by)
    locked = NextStep.objects.select_for_update().defer("text").get(pk=step.pk)
    if locked.request_id != request.pk:
        raise WorkflowError(_("You may not do this for this request."))
    return request, locked


@transaction.atomic
def next_step_done(*, step: NextStep, by: Person) -> NextStep:
    """Tick a next step off; either side may."""
    request, step = _locked_step(step, by)
    if step.done_at is not None:
        raise WorkflowError(_("This next step is already done."))
    step.done_at = timezone.now()
    step.done_by = by
    step.save(update_fields=["done_at", "done_by"])
    timeline.record(request, "next_step_done", by=by, data={"owner": step.owner})
    return step


@transaction.atomic
def next_step_reopen(*, step: NextStep, by: Person) -> NextStep:
    """Open a next step again that was ticked off too early."""
    request, step = _locked_step(step, by)
    if step.done_at is None:
        raise WorkflowError(_("This next step is still open."))
    step.done_at = None
    step.done_by = None
    step.save(update_fields=["done_at", "done_by"])
    timeline.record(request, "next_step_reopened", by=by, data={"owner": step.owner})
    return step


# --- reminders --------------------------------------------------------------------------------


@transaction.atomic
def sessions_remind(*, now: dt.datetime | None = None) -> int:
    """Remind the school and the supporters once, `session_reminder_hours` before a session."""
    now = now or timezone.now()
    count = 0
    for organisation in Organisation.objects.all():
        due = (
            Session.objects.select_for_update(of=("self",))
            .filter(
                request__organisation=organisation,
                request__state__in=ACTIVE_STATES,
                status=Session.Status.PLANNED,
                reminder_sent_at__isnull=True,
                starts_at__gt=now,
                starts_at__lte=now + dt.timedelta(hours=organisation.session_reminder_hours),
            )
            .select_related("request__organisation", "request__site", "request__school")
            .defer("participants", "notes", "reflection")
            .order_by("starts_at", "pk")
        )
        for session in due:
            session.reminder_sent_at = now
            session.save(update_fields=["reminder_sent_at"])
            request = session.request
            timeline.record(
                request,
                "session_reminder",
                by=None,
                data={"starts_at": session.starts_at.isoformat(), "place": session.place},
            )
            queue_mail(
                request,
                "session_reminder",
                [*school_addresses(request), *supporter_addresses(request)],
                session=session,
                methods=list(session.methods.order_by("name")),
            )
            count += 1
    return count


@transaction.atomic
def next_steps_remind_overdue(*, now: dt.datetime | None = None) -> int:
    """Remind the side that owns a next step once, the day after its due date passed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (
        NextStep.objects.select_for_update(of=("self",))
        .filter(
            request__state__in=ACTIVE_STATES,
            done_at__isnull=True,
            overdue_reminder_sent_at__isnull=True,
            due_on__lt=today,
        )
        .select_related("request__organisation", "request__site", "request__school")
        .defer("text")
        .order_by("due_on", "pk")
    )
    count = 0
    for step in due:
        step.overdue_reminder_sent_at = now
        step.save(update_fields=["overdue_reminder_sent_at"])
        request = step.request
        timeline.record(request, "next_step_overdue", by=None, data={"owner": step.owner})
        # The step's text is a confidential entry: the mail says that a step is overdue and
        # links to the request, where its readers see which.
        owner = (
            school_addresses(request)
            if step.owner == NextStep.Owner.SCHOOL
            else supporter_addresses(request)
        )
        queue_mail(request, "next_step_overdue", owner, step=step)
        count += 1
    return count


# --- the organisation's methods ---------------------------------------------------------------


@transaction.atomic
def method_save(
    *,
    organisation: Organisation,
    by: Person,
    name: str,
    description: str,
    active: bool = True,
    method: Method | None = None,
) -> Method:
    """An organisation admin adds a method or changes (or switches off) one."""
    if not permissions.is_admin(by, organisation):
        raise WorkflowError(_("Only the organisation's admins may change the methods."))
    name = " ".join(name.split())
    if not name or not description.strip():
        raise WorkflowError(_("Please give the method a name and explain it."))
    if method is not None and method.organisation_id != organisation.pk:
        raise WorkflowError(_("This method belongs to another organisation."))
    twin = Method.objects.filter(organisation=organisation, name__iexact=name)
    if method is not None:
        twin = twin.exclude(pk=method.pk)
    if twin.exists():
        raise WorkflowError(_("A method with this name already exists."))
    method = method or Method(organisation=organisation)
    method.name = name[:120]
    method.description = description.strip()
    method.active = active
    method.save()
    return method
