"""Reminders of the accompaniment with a frozen clock: before a session, and of overdue next steps.

Both run in `lotse worker` (LOTSE_PERIODIC_TASKS) and are idempotent: each goes out once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from lotse.core.models import OutboxMessage
from lotse.support import tasks
from lotse.support.models import NextStep, Session, State, SupportRequest
from lotse.support.services import accompaniment as accompaniment_services
from tests.factories import Cast, bring_to_state, walk
from tests.helpers import to

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
START = dt.datetime(2027, 3, 1, 9, 0, tzinfo=BERLIN)
SESSION = dt.datetime(2027, 3, 10, 14, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as clock:
        yield clock


def reminders(template: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template=f"support/mail/{template}").order_by("pk"))


def planned(cast: Cast, sr: SupportRequest) -> Session:
    return accompaniment_services.session_plan(
        request=sr,
        by=cast.supporter,
        starts_at=SESSION,
        ends_at=SESSION + dt.timedelta(hours=1),
        place="Schule, Raum 3",
        participants="Steuergruppe",
    )


def step(cast: Cast, sr: SupportRequest, owner: str, due: dt.date) -> NextStep:
    return accompaniment_services.next_step_add(
        request=sr, by=cast.supporter, text="Elternbrief schreiben", owner=owner, due_on=due
    )


def test_both_reminders_run_in_the_worker() -> None:
    assert "lotse.support.tasks.remind_sessions" in settings.LOTSE_PERIODIC_TASKS
    assert "lotse.support.tasks.remind_overdue_next_steps" in settings.LOTSE_PERIODIC_TASKS


# --- before a session -------------------------------------------------------------------------


def test_a_session_is_reminded_once_the_set_hours_before(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    session = planned(cast, sr)

    clock.move_to(SESSION - dt.timedelta(hours=24, minutes=1))
    tasks.remind_sessions.enqueue()
    assert reminders("session_reminder") == []

    clock.move_to(SESSION - dt.timedelta(hours=24))
    tasks.remind_sessions.enqueue()
    (mail,) = reminders("session_reminder")
    assert tuple(mail.to) == to(sr.contact_email, cast.school_contact_a.email, cast.supporter.email)
    assert "10. März 2027 14:00" in mail.body
    session.refresh_from_db()
    assert session.reminder_sent_at is not None
    assert sr.events.filter(kind="session_reminder").count() == 1

    clock.move_to(SESSION - dt.timedelta(hours=2))
    tasks.remind_sessions.enqueue()
    assert len(reminders("session_reminder")) == 1


def test_the_organisation_sets_the_hours(cast: Cast, clock: time_machine.Coordinates) -> None:
    cast.organisation.session_reminder_hours = 2
    cast.organisation.save(update_fields=["session_reminder_hours"])
    sr = bring_to_state(cast, State.AGREED)
    planned(cast, sr)
    clock.move_to(SESSION - dt.timedelta(hours=3))
    assert accompaniment_services.sessions_remind() == 0
    clock.move_to(SESSION - dt.timedelta(hours=2))
    assert accompaniment_services.sessions_remind() == 1


def test_a_moved_session_is_reminded_again_for_its_new_date(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    session = planned(cast, sr)
    clock.move_to(SESSION - dt.timedelta(hours=20))
    assert accompaniment_services.sessions_remind() == 1
    accompaniment_services.session_reschedule(
        session=session,
        by=cast.supporter,
        starts_at=SESSION + dt.timedelta(days=7),
        ends_at=SESSION + dt.timedelta(days=7, hours=1),
        place="Aula",
    )
    assert accompaniment_services.sessions_remind() == 0
    clock.move_to(SESSION + dt.timedelta(days=6, hours=1))
    assert accompaniment_services.sessions_remind() == 1


def test_no_reminder_for_cancelled_held_or_past_sessions(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    cancelled = planned(cast, sr)
    accompaniment_services.session_cancel(session=cancelled, by=cast.supporter)
    held = planned(cast, sr)
    clock.move_to(SESSION + dt.timedelta(minutes=5))
    accompaniment_services.session_record(
        session=held, by=cast.supporter, participants="Steuergruppe"
    )
    # A session whose start has passed without a reminder gets none afterwards.
    planned_late = Session.objects.create(
        request=sr,
        starts_at=SESSION,
        ends_at=SESSION + dt.timedelta(hours=1),
        place="Aula",
        participants="Alle",
    )
    clock.move_to(SESSION - dt.timedelta(hours=1))
    Session.objects.filter(pk=planned_late.pk).update(
        starts_at=SESSION - dt.timedelta(hours=2), ends_at=SESSION - dt.timedelta(hours=1)
    )
    assert accompaniment_services.sessions_remind() == 0
    assert reminders("session_reminder") == []


def test_no_session_reminder_once_the_request_is_closed(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING, reflected=True)
    planned(cast, sr)
    walk(cast, sr, "complete")
    clock.move_to(SESSION - dt.timedelta(hours=1))
    assert accompaniment_services.sessions_remind() == 0
    assert reminders("session_reminder") == []


# --- overdue next steps -----------------------------------------------------------------------


def test_an_overdue_next_step_is_reminded_once_to_its_owner_side(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    due = dt.date(2027, 3, 5)
    school_step = step(cast, sr, NextStep.Owner.SCHOOL, due)
    step(cast, sr, NextStep.Owner.SUPPORTER, due + dt.timedelta(days=3))

    clock.move_to(dt.datetime(2027, 3, 5, 23, 59, tzinfo=BERLIN))
    tasks.remind_overdue_next_steps.enqueue()
    assert reminders("next_step_overdue") == []

    clock.move_to(dt.datetime(2027, 3, 6, 0, 1, tzinfo=BERLIN))
    tasks.remind_overdue_next_steps.enqueue()
    (mail,) = reminders("next_step_overdue")
    assert tuple(mail.to) == to(sr.contact_email, cast.school_contact_a.email)
    # The step itself is a confidential entry: the mail says when, not what.
    assert "05.03.2027" in mail.body
    assert "Elternbrief" not in mail.body
    school_step.refresh_from_db()
    assert school_step.overdue_reminder_sent_at is not None

    clock.move_to(dt.datetime(2027, 3, 7, 9, 0, tzinfo=BERLIN))
    tasks.remind_overdue_next_steps.enqueue()
    assert len(reminders("next_step_overdue")) == 1

    clock.move_to(dt.datetime(2027, 3, 9, 9, 0, tzinfo=BERLIN))
    tasks.remind_overdue_next_steps.enqueue()
    _first, second = reminders("next_step_overdue")
    assert tuple(second.to) == to(cast.supporter.email)
    assert sr.events.filter(kind="next_step_overdue").count() == 2


def test_no_overdue_reminder_for_done_steps_or_closed_requests(
    cast: Cast, clock: time_machine.Coordinates
) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING, reflected=True)
    done = step(cast, sr, NextStep.Owner.SCHOOL, dt.date(2027, 3, 2))
    accompaniment_services.next_step_done(step=done, by=cast.school_contact_a)
    closed = bring_to_state(cast, State.ACCOMPANYING, reflected=True)
    step(cast, closed, NextStep.Owner.SUPPORTER, dt.date(2027, 3, 2))
    walk(cast, closed, "complete")

    clock.move_to(dt.datetime(2027, 3, 10, 9, 0, tzinfo=BERLIN))
    assert accompaniment_services.next_steps_remind_overdue() == 0
    assert reminders("next_step_overdue") == []
