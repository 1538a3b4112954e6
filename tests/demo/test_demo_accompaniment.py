"""The demo shows the accompaniment after the Kontrakt: a running one, and two completed ones
that shared their experience – all made through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lotse.core.models import Organisation, OutboxMessage
from lotse.demo.seed import seed
from lotse.support.models import (
    CLOSED_STATES,
    Concept,
    EvaluationAnswer,
    EvaluationQuestion,
    Method,
    NextStep,
    Session,
    State,
    SupportRequest,
    TimelineEvent,
)
from lotse.support.selectors import concepts as concept_selectors
from lotse.support.selectors import requests as request_selectors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]


def test_the_demo_has_a_running_accompaniment_and_shared_concepts() -> None:
    seed(with_requests=True)
    for organisation in Organisation.objects.all():
        assert Method.objects.filter(organisation=organisation, active=True).count() == 5
        assert EvaluationQuestion.objects.filter(organisation=organisation).count() == 7

    running = SupportRequest.objects.get(subject="Feedbackkultur im Kollegium")
    assert running.state == State.ACCOMPANYING
    sessions = list(Session.objects.filter(request=running).order_by("starts_at"))
    assert [s.status for s in sessions] == ["held", "held", "planned"]
    assert sessions[-1].starts_at > timezone.now()
    assert sessions[-1].methods.count() == 2
    assert sessions[0].goal_progress.count() == 3
    # The invitation to the planned session went out with its calendar file.
    invitation = OutboxMessage.objects.filter(template="support/mail/session_invitation").last()
    assert invitation is not None
    assert "BEGIN:VCALENDAR" in invitation.calendar
    steps = NextStep.objects.filter(request=running)
    assert steps.filter(done_at__isnull=True, due_on__lt=timezone.localdate()).count() == 1
    assert steps.filter(done_at__isnull=False).count() == 1
    # The proposed amendment waits for the school; version 1 stays in force.
    assert request_selectors.binding_agreement(request=running).version == 1
    proposed = running.agreements.get(version=2)
    assert {a.side for a in proposed.acceptances.all()} == {"supporter"}

    completed = SupportRequest.objects.filter(state=State.COMPLETED, school=running.school)
    assert completed.count() == 2
    assert all(r.final_reflection.confirmed for r in completed)
    assert EvaluationAnswer.objects.count() > 0
    assert sorted(Concept.objects.values_list("status", flat=True)) == ["published", "submitted"]
    contact = running.submitted_by
    assert contact is not None
    assert [c.status for c in concept_selectors.library(person=contact)] == ["published"]


def test_the_demo_tells_a_believable_story_in_time() -> None:
    """No session held before the Kontrakt was accepted, no Kontrakt before the first meeting,
    and no ended request with a first meeting still to come (issue 11)."""
    seed(with_requests=True)
    now = timezone.now()
    for sr in SupportRequest.objects.all():
        meetings = list(sr.meetings.values_list("starts_at", flat=True))
        if sr.state in CLOSED_STATES:
            assert all(m < now for m in meetings), f"{sr.subject}: an ended request's meeting"
        binding = request_selectors.binding_agreement(request=sr)
        if binding is None:
            continue
        agreed = max(a.accepted_at for a in binding.acceptances.all())
        assert meetings, f"{sr.subject}: a Kontrakt without a first meeting"
        assert max(meetings) < agreed, f"{sr.subject}: Kontrakt before the meeting"
        for held in Session.objects.filter(request=sr, status="held"):
            assert held.starts_at > agreed, f"{sr.subject}: a session before the Kontrakt"


def at(event: TimelineEvent) -> dt.datetime:
    """The date-time a step names (a meeting's or a session's)."""
    return dt.datetime.fromisoformat(event.data["starts_at"])


def test_the_demo_timeline_follows_the_steps_in_the_order_they_were_taken() -> None:
    """The timeline, read top to bottom, is the order in which the steps were taken: nothing
    dated before the request came in, no step dated before the one it follows, the first
    meeting arranged for the day it took place, sessions planned before and recorded after
    they took place."""
    seed(with_requests=True)
    now = timezone.now()
    for sr in SupportRequest.objects.all():
        events = list(TimelineEvent.objects.filter(request=sr).order_by("pk"))
        dates = [e.created_at for e in events]
        assert dates == sorted(dates), (sr.subject, [(e.kind, e.created_at) for e in events])
        assert all(sr.received_at <= d <= now for d in dates), sr.subject
        meeting = sr.meetings.first()
        for event in events:
            if event.kind == "meeting_scheduled" and meeting is not None:
                assert at(event) == meeting.starts_at, sr.subject
                assert event.created_at < meeting.starts_at, sr.subject
        for session in Session.objects.filter(request=sr, status="held"):
            planned = [
                e for e in events if e.kind == "session_planned" and at(e) == session.starts_at
            ]
            recorded = [
                e for e in events if e.kind == "session_recorded" and at(e) == session.starts_at
            ]
            assert planned, sr.subject
            assert planned[0].created_at < session.starts_at, sr.subject
            assert recorded, sr.subject
            assert recorded[0].created_at > session.ends_at, sr.subject
    # The request with its first meeting ahead: arranged about a week after it came in.
    ahead = SupportRequest.objects.get(state=State.MEETING_SCHEDULED)
    scheduled = TimelineEvent.objects.get(request=ahead, kind="meeting_scheduled")
    assert scheduled.created_at < now - dt.timedelta(days=7)


def test_a_demo_seeded_at_night_dates_its_past_steps_at_working_hours() -> None:
    """Seeded at 03:41, the demo dated requests and Kontrakte "04:41" on the days before."""
    import time_machine

    night = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(3, 41)))
    with time_machine.travel(night, tick=False):
        seed(with_requests=True)
        today = timezone.localdate()
        for sr in SupportRequest.objects.all():
            received = timezone.localtime(sr.received_at)
            if received.date() < today:
                assert 7 <= received.hour < 19, (sr.subject, received)
            binding = request_selectors.binding_agreement(request=sr)
            for acceptance in binding.acceptances.all() if binding else []:
                accepted = timezone.localtime(acceptance.accepted_at)
                if accepted.date() < today:  # what happens "now" stays now
                    assert 7 <= accepted.hour < 19, (sr.subject, accepted)
