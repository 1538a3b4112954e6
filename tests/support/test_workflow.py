"""Every transition of workflow.TRANSITIONS, taken through its service by each side of the cast."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotse.core.models import OutboxMessage, Person
from lotse.support import workflow
from lotse.support.models import (
    CLOSED_STATES,
    OPEN_STATES,
    Agreement,
    Proposal,
    Session,
    State,
    SupportRequest,
    TimelineEvent,
)
from lotse.support.services import accompaniment as accompaniment_services
from lotse.support.services import agreements as agreement_services
from lotse.support.services import completion as completion_services
from lotse.support.services import requests as request_services
from lotse.support.workflow import WorkflowError
from tests.factories import Cast, bring_to_state, draft, meeting_time, submit_request, walk
from tests.helpers import examples, new_mails, snapshot, to

PEOPLE = [
    "school_contact_a",
    "school_contact_b",
    "coordinator",
    "other_coordinator",
    "supporter",
    "other_supporter",
    "admin",
    "outsider",
]


def _latest(sr: SupportRequest) -> Agreement:
    agreement = Agreement.objects.filter(request=sr).order_by("-version").first()
    assert agreement is not None
    return agreement


def school(c: Cast, sr: SupportRequest) -> list[str]:
    return [sr.contact_email, c.school_contact_a.email]


@dataclass(frozen=True)
class Case:
    action: str
    start: str
    allowed: tuple[str, ...]
    run: Callable[[Cast, SupportRequest, Person], Any]
    event: str
    target: str | None  # None: the state stays
    mails: Callable[[Cast, SupportRequest], set[tuple[str, tuple[str, ...]]]]
    refused_start: str
    start_kwargs: dict[str, Any] = field(default_factory=dict)
    # Runs before the step, given the actor; e.g. the other side accepts the Kontrakt first.
    prepare: Callable[[Cast, SupportRequest, Person], Any] | None = None
    # Brings a request into the refused state when the plain walk is not enough.
    refused_setup: Callable[[Cast], SupportRequest] | None = None


def _other_side_accepts(c: Cast, sr: SupportRequest, actor: Person) -> None:
    first = c.supporter if actor.pk == c.school_contact_a.pk else c.school_contact_a
    agreement_services.agreement_accept(agreement=_latest(sr), by=first)


def _without_school(c: Cast, sr: SupportRequest, actor: Person | None = None) -> None:
    """As if the request had come by mail from an unknown sender."""
    SupportRequest.objects.filter(pk=sr.pk).update(school=None)
    sr.school = None


def _forwarded_without_school(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.FORWARDED)
    _without_school(c, sr)
    return sr


def _closed_with_draft(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.MEETING_SCHEDULED, drafted=True)
    return walk(c, sr, "no_collaboration")


def _session_times() -> dict[str, Any]:
    starts = meeting_time()
    return {"starts_at": starts, "ends_at": starts + dt.timedelta(minutes=90)}


def _plan_session(c: Cast, sr: SupportRequest, by: Person) -> Session:
    return accompaniment_services.session_plan(
        request=sr, by=by, place="Schule", participants="Steuergruppe", **_session_times()
    )


def _begun_session(c: Cast, sr: SupportRequest, actor: Person | None = None) -> None:
    """A planned session whose start has passed, ready to be recorded."""
    session = _plan_session(c, sr, c.supporter)
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(
        starts_at=now - dt.timedelta(hours=2), ends_at=now - dt.timedelta(hours=1)
    )


def _latest_session(sr: SupportRequest) -> Session:
    session = Session.objects.filter(request=sr).order_by("-pk").first()
    if session is None:
        raise NothingToActOn
    return session


def _completed_with_begun_session(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.ACCOMPANYING, reflected=True)
    _begun_session(c, sr)
    return walk(c, sr, "complete")


CASES = [
    Case(
        "acknowledge",
        State.RECEIVED,
        ("coordinator",),
        lambda c, sr, p: request_services.request_acknowledge(request=sr, by=p, message="Danke!"),
        "acknowledged",
        State.ACKNOWLEDGED,
        lambda c, sr: {("acknowledged", to(*school(c, sr)))},
        refused_start=State.ACKNOWLEDGED,
    ),
    Case(
        "clarify",
        State.ACKNOWLEDGED,
        ("coordinator",),
        lambda c, sr, p: request_services.request_clarify(request=sr, by=p, note="Geklärt."),
        "clarified",
        State.CLARIFIED,
        lambda c, sr: set(),
        refused_start=State.RECEIVED,
    ),
    Case(
        "propose",
        State.CLARIFIED,
        ("coordinator",),
        lambda c, sr, p: request_services.request_propose(
            request=sr, by=p, supporters=[c.supporter]
        ),
        "proposed",
        State.SUPPORTERS_PROPOSED,
        lambda c, sr: {("proposed", to(c.supporter.email))},
        refused_start=State.ACKNOWLEDGED,
    ),
    Case(
        "first_contact",
        State.SUPPORTERS_PROPOSED,
        ("supporter",),
        lambda c, sr, p: request_services.request_first_contact(
            request=sr, by=p, note="Telefonat."
        ),
        "first_contact",
        State.IN_CONTACT,
        lambda c, sr: set(),
        refused_start=State.IN_CONTACT,
    ),
    Case(
        "no_collaboration",
        State.IN_CONTACT,
        ("supporter", "coordinator"),
        lambda c, sr, p: request_services.request_no_collaboration(
            request=sr, by=p, reason="Passt nicht."
        ),
        "no_collaboration",
        State.CLOSED_WITHOUT_AGREEMENT,
        lambda c, sr: {("no_collaboration", to(*school(c, sr), c.coordinator.email))},
        refused_start=State.SUPPORTERS_PROPOSED,
    ),
    Case(
        "schedule",
        State.IN_CONTACT,
        ("supporter",),
        lambda c, sr, p: request_services.request_schedule_meeting(
            request=sr, by=p, starts_at=meeting_time(), place="Aula", participants="Kollegium"
        ),
        "meeting_scheduled",
        State.MEETING_SCHEDULED,
        lambda c, sr: {("meeting_scheduled", to(*school(c, sr), c.supporter.email))},
        refused_start=State.SUPPORTERS_PROPOSED,
    ),
    Case(
        "draft",
        State.MEETING_SCHEDULED,
        ("supporter", "school_contact_a"),
        lambda c, sr, p: draft(c, sr, by=p),
        "agreement_drafted",
        None,
        lambda c, sr: {("agreement_drafted", to(*school(c, sr), c.supporter.email))},
        refused_start=State.IN_CONTACT,
    ),
    Case(
        "accept_agreement",
        State.MEETING_SCHEDULED,
        ("supporter", "school_contact_a"),
        lambda c, sr, p: agreement_services.agreement_accept(agreement=_latest(sr), by=p),
        "agreement_accepted",
        None,
        lambda c, sr: set(),
        refused_start=State.CLOSED_WITHOUT_AGREEMENT,
        start_kwargs={"drafted": True},
        refused_setup=_closed_with_draft,
    ),
    Case(
        "agree",
        State.MEETING_SCHEDULED,
        ("supporter", "school_contact_a"),
        lambda c, sr, p: agreement_services.agreement_accept(agreement=_latest(sr), by=p),
        "agreed",
        State.AGREED,
        lambda c, sr: {("agreed", to(*school(c, sr), c.supporter.email, c.coordinator.email))},
        refused_start=State.CLOSED_WITHOUT_AGREEMENT,
        start_kwargs={"drafted": True},
        prepare=_other_side_accepts,
        refused_setup=_closed_with_draft,
    ),
    Case(
        "start",
        State.AGREED,
        ("supporter",),
        lambda c, sr, p: request_services.request_start(request=sr, by=p),
        "started",
        State.ACCOMPANYING,
        lambda c, sr: set(),
        refused_start=State.ACCOMPANYING,
    ),
    Case(
        "plan_session",
        State.AGREED,
        ("supporter", "school_contact_a"),
        _plan_session,
        "session_planned",
        State.ACCOMPANYING,
        lambda c, sr: {("session_invitation", to(*school(c, sr), c.supporter.email))},
        refused_start=State.MEETING_SCHEDULED,
    ),
    Case(
        "record_session",
        State.ACCOMPANYING,
        ("supporter", "school_contact_a"),
        lambda c, sr, p: accompaniment_services.session_record(
            session=_latest_session(sr), by=p, participants="Steuergruppe", notes="Gut."
        ),
        "session_recorded",
        None,
        lambda c, sr: set(),
        refused_start=State.COMPLETED,
        prepare=_begun_session,
        refused_setup=_completed_with_begun_session,
    ),
    Case(
        "next_step",
        State.AGREED,
        ("supporter", "school_contact_a"),
        lambda c, sr, p: accompaniment_services.next_step_add(
            request=sr, by=p, text="Elternbrief", owner="school", due_on=timezone.localdate()
        ),
        "next_step_added",
        None,
        lambda c, sr: set(),
        refused_start=State.MEETING_SCHEDULED,
    ),
    Case(
        "final_reflection",
        State.ACCOMPANYING,
        ("supporter", "school_contact_a"),
        lambda c, sr, p: completion_services.final_reflection_write(
            request=sr, by=p, text="Was wir erreicht haben."
        ),
        "final_reflection_written",
        None,
        lambda c, sr: {("final_reflection_written", to(*school(c, sr), c.supporter.email))},
        refused_start=State.AGREED,
    ),
    Case(
        "complete",
        State.ACCOMPANYING,
        ("supporter", "coordinator"),
        lambda c, sr, p: request_services.request_complete(request=sr, by=p, note="Gut gelaufen."),
        "completed",
        State.COMPLETED,
        lambda c, sr: {("completed", to(*school(c, sr)))},
        refused_start=State.AGREED,
        start_kwargs={"reflected": True},
    ),
    Case(
        "withdraw",
        State.IN_CONTACT,
        ("school_contact_a",),
        lambda c, sr, p: request_services.request_withdraw(request=sr, by=p, reason="Erledigt."),
        "withdrawn",
        State.WITHDRAWN,
        lambda c, sr: {("withdrawn", to(c.coordinator.email, c.supporter.email))},
        refused_start=State.COMPLETED,
    ),
    Case(
        "forward",
        State.ACKNOWLEDGED,
        ("coordinator",),
        lambda c, sr, p: request_services.request_forward(
            request=sr, by=p, recipient="Schulpsychologie", reason="Zuständig."
        ),
        "forwarded",
        State.FORWARDED,
        lambda c, sr: {("forwarded", to(*school(c, sr)))},
        refused_start=State.COMPLETED,
    ),
    Case(
        "assign_school",
        State.RECEIVED,
        ("coordinator",),
        lambda c, sr, p: request_services.request_assign_school(
            request=sr, by=p, school=c.school_a
        ),
        "school_assigned",
        None,
        lambda c, sr: set(),
        refused_start=State.FORWARDED,
        prepare=_without_school,
        refused_setup=_forwarded_without_school,
    ),
]
CASE_BY_ACTION = {case.action: case for case in CASES}


def test_every_transition_of_the_table_has_a_case() -> None:
    assert set(CASE_BY_ACTION) == set(workflow.TRANSITIONS)


def test_each_case_matches_the_table() -> None:
    for case in CASES:
        transition = workflow.TRANSITIONS[case.action]
        assert case.start in transition.sources, case.action
        assert case.refused_start not in transition.sources, case.action
        assert transition.target == case.target, case.action


def test_every_state_is_reachable_and_closed_states_are_final() -> None:
    reachable = {State.RECEIVED.value}
    changed = True
    while changed:
        changed = False
        for t in workflow.TRANSITIONS.values():
            if t.target and t.sources & reachable and t.target not in reachable:
                reachable.add(t.target)
                changed = True
    assert reachable == {s.value for s in State}
    for t in workflow.TRANSITIONS.values():
        assert not t.sources & CLOSED_STATES, t.action


ALLOWED = [(case.action, actor) for case in CASES for actor in case.allowed]
REFUSED = [(case.action, actor) for case in CASES for actor in PEOPLE if actor not in case.allowed]


@pytest.mark.parametrize(("action", "actor_name"), ALLOWED)
def test_allowed_actor_takes_the_step(cast: Cast, action: str, actor_name: str) -> None:
    case = CASE_BY_ACTION[action]
    actor = getattr(cast, actor_name)
    sr = bring_to_state(cast, case.start, **case.start_kwargs)
    if case.prepare:
        case.prepare(cast, sr, actor)
    events_before = list(TimelineEvent.objects.filter(request=sr).values_list("kind", flat=True))
    outbox_before = OutboxMessage.objects.count()

    case.run(cast, sr, actor)

    sr.refresh_from_db()
    assert sr.state == (case.target or case.start)
    events = list(TimelineEvent.objects.filter(request=sr).order_by("pk"))
    new_events = events[len(events_before) :]
    assert [e.kind for e in new_events].count(case.event) == 1
    actors = {e.actor_id for e in new_events if e.kind == case.event}
    # The binding of the Kontrakt is Lotse's doing, every other step the actor's.
    assert actors == ({None} if case.event == "agreed" else {actor.pk})
    assert new_mails(outbox_before) == case.mails(cast, sr)
    assert (sr.closed_at is not None) == (sr.state in CLOSED_STATES)


@pytest.mark.parametrize(("action", "actor_name"), REFUSED)
def test_refused_actor_changes_nothing(cast: Cast, action: str, actor_name: str) -> None:
    case = CASE_BY_ACTION[action]
    actor = getattr(cast, actor_name)
    sr = bring_to_state(cast, case.start, **case.start_kwargs)
    if case.prepare:
        case.prepare(cast, sr, actor)
    before = snapshot(sr)

    with pytest.raises(WorkflowError):
        case.run(cast, sr, actor)

    assert snapshot(sr) == before


@pytest.mark.parametrize("action", [case.action for case in CASES])
def test_step_in_a_refused_state_changes_nothing(cast: Cast, action: str) -> None:
    case = CASE_BY_ACTION[action]
    actor = getattr(cast, case.allowed[0])
    if case.refused_setup:
        sr = case.refused_setup(cast)
    else:
        sr = bring_to_state(cast, case.refused_start)
    assert sr.state == case.refused_start
    before = snapshot(sr)

    with pytest.raises(WorkflowError):
        case.run(cast, sr, actor)

    assert snapshot(sr) == before


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
def test_school_can_withdraw_any_open_request(cast: Cast, state: str) -> None:
    sr = bring_to_state(cast, state)
    accepted = list(
        Proposal.objects.filter(request=sr, status="accepted").values_list(
            "supporter__email", flat=True
        )
    )
    outbox_before = OutboxMessage.objects.count()

    request_services.request_withdraw(request=sr, by=cast.school_contact_a, reason="Erledigt.")

    sr.refresh_from_db()
    assert sr.state == State.WITHDRAWN
    assert sr.closed_at is not None
    assert sr.events.filter(kind="withdrawn", actor=cast.school_contact_a).count() == 1
    assert new_mails(outbox_before) == {("withdrawn", to(cast.coordinator.email, *accepted))}


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
@pytest.mark.parametrize("actor_name", ["coordinator", "supporter", "school_contact_b"])
def test_only_the_school_can_withdraw(cast: Cast, state: str, actor_name: str) -> None:
    sr = bring_to_state(cast, state)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.request_withdraw(request=sr, by=getattr(cast, actor_name))
    assert snapshot(sr) == before


@pytest.mark.parametrize("state", sorted(CLOSED_STATES))
def test_a_closed_request_cannot_be_withdrawn_or_forwarded(cast: Cast, state: str) -> None:
    sr = bring_to_state(cast, state)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.request_withdraw(request=sr, by=cast.school_contact_a)
    with pytest.raises(WorkflowError):
        request_services.request_forward(request=sr, by=cast.coordinator, recipient="Jugendamt")
    assert snapshot(sr) == before


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
def test_coordinator_can_forward_any_open_request(cast: Cast, state: str) -> None:
    sr = bring_to_state(cast, state)
    request_services.request_forward(request=sr, by=cast.coordinator, recipient="Jugendamt Dresden")
    sr.refresh_from_db()
    assert sr.state == State.FORWARDED
    event = sr.events.get(kind="forwarded")
    assert event.data == {"recipient": "Jugendamt Dresden"}


def test_allowed_actions_follow_the_table(cast: Cast) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED, drafted=True)
    assert workflow.allowed_actions(sr, cast.supporter) == {
        "no_collaboration",
        "schedule",
        "draft",
        "accept_agreement",
    }
    assert workflow.allowed_actions(sr, cast.school_contact_a) == {
        "draft",
        "accept_agreement",
        "withdraw",
    }
    assert workflow.allowed_actions(sr, cast.coordinator) == {"no_collaboration", "forward"}
    for name in ("school_contact_b", "other_coordinator", "other_supporter", "admin", "outsider"):
        assert workflow.allowed_actions(sr, getattr(cast, name)) == set(), name


def test_sides_tell_how_each_person_stands_to_a_request(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    request_services.request_propose(
        request=sr, by=cast.coordinator, supporters=[cast.other_supporter]
    )
    request_services.proposal_accept(
        proposal=Proposal.objects.get(request=sr, supporter=cast.other_supporter),
        by=cast.other_supporter,
    )
    sr = SupportRequest.objects.get(pk=sr.pk)
    side = workflow.Side
    assert workflow.sides(sr, cast.school_contact_a) == {side.SCHOOL}
    assert workflow.sides(sr, cast.coordinator) == {side.COORDINATOR}
    assert workflow.sides(sr, cast.supporter) == {side.PROPOSED}
    assert workflow.sides(sr, cast.other_supporter) == {side.SUPPORTER}
    for name in ("school_contact_b", "other_coordinator", "admin", "outsider"):
        assert workflow.sides(sr, getattr(cast, name)) == set(), name


# --- a property: whatever anyone tries, the request only moves along the table ---------------


class NothingToActOn(Exception):
    """The attempt needs a proposal or a Kontrakt that does not exist yet."""


def _proposal_for(sr: SupportRequest, person: Person) -> Proposal:
    """The person's own proposal, or else the newest one (which they may not decide on)."""
    proposals = Proposal.objects.filter(request=sr).order_by("-pk")
    proposal = proposals.filter(supporter=person).first() or proposals.first()
    if proposal is None:
        raise NothingToActOn
    return proposal


def _newest_agreement(sr: SupportRequest) -> Agreement:
    agreement = Agreement.objects.filter(request=sr).order_by("-version").first()
    if agreement is None:
        raise NothingToActOn
    return agreement


ATTEMPTS: dict[str, Callable[[Cast, SupportRequest, Person], Any]] = {
    "acknowledge": lambda c, sr, p: request_services.request_acknowledge(request=sr, by=p),
    "clarify": lambda c, sr, p: request_services.request_clarify(request=sr, by=p, note="Geklärt."),
    "propose": lambda c, sr, p: request_services.request_propose(
        request=sr, by=p, supporters=[c.supporter]
    ),
    "propose_other": lambda c, sr, p: request_services.request_propose(
        request=sr, by=p, supporters=[c.other_supporter]
    ),
    "accept_proposal": lambda c, sr, p: request_services.proposal_accept(
        proposal=_proposal_for(sr, p), by=p
    ),
    "decline_proposal": lambda c, sr, p: request_services.proposal_decline(
        proposal=_proposal_for(sr, p), by=p, reason="Keine Zeit."
    ),
    "first_contact": lambda c, sr, p: request_services.request_first_contact(
        request=sr, by=p, note="Hallo."
    ),
    "no_collaboration": lambda c, sr, p: request_services.request_no_collaboration(
        request=sr, by=p, reason="Nein."
    ),
    "schedule": lambda c, sr, p: request_services.request_schedule_meeting(
        request=sr, by=p, starts_at=meeting_time(), place="Aula", participants="Alle"
    ),
    "draft": lambda c, sr, p: draft(c, sr, by=p),
    "accept_agreement": lambda c, sr, p: agreement_services.agreement_accept(
        agreement=_newest_agreement(sr), by=p
    ),
    "start": lambda c, sr, p: request_services.request_start(request=sr, by=p),
    "plan_session": _plan_session,
    "record_session": lambda c, sr, p: accompaniment_services.session_record(
        session=_latest_session(sr), by=p, participants="Alle"
    ),
    "next_step": lambda c, sr, p: accompaniment_services.next_step_add(
        request=sr, by=p, text="Schritt", owner="supporter", due_on=timezone.localdate()
    ),
    "final_reflection": lambda c, sr, p: completion_services.final_reflection_write(
        request=sr, by=p, text="Rückblick."
    ),
    "complete": lambda c, sr, p: request_services.request_complete(request=sr, by=p),
    "withdraw": lambda c, sr, p: request_services.request_withdraw(request=sr, by=p),
    "forward": lambda c, sr, p: request_services.request_forward(request=sr, by=p, recipient="Amt"),
}
# Which timeline event a change of state into this state must write.
EVENT_FOR_TARGET = {
    State.ACKNOWLEDGED: "acknowledged",
    State.CLARIFIED: "clarified",
    State.SUPPORTERS_PROPOSED: "proposed",
    State.IN_CONTACT: "first_contact",
    State.MEETING_SCHEDULED: "meeting_scheduled",
    State.AGREED: "agreed",
    State.ACCOMPANYING: "started",
    State.COMPLETED: "completed",
    State.CLOSED_WITHOUT_AGREEMENT: "no_collaboration",
    State.WITHDRAWN: "withdrawn",
    State.FORWARDED: "forwarded",
}
# The transition each attempt takes, where it is one of the table.
TRANSITION_OF = {name: name for name in ATTEMPTS if name in workflow.TRANSITIONS}
TRANSITION_OF["propose_other"] = "propose"


def test_every_state_but_received_has_an_event() -> None:
    assert set(EVENT_FOR_TARGET) == set(State) - {State.RECEIVED}


# Attempts that end the process (or a proposal); a run that takes them early stays shallow.
ENDINGS = {"withdraw", "forward", "no_collaboration", "decline_proposal"}


def _sensible_attempts(sr: SupportRequest, people: dict[str, Person]) -> list[tuple[str, str]]:
    """Attempts the table would allow now; drawing from them takes runs deep into the process."""
    options = []
    for name, person in people.items():
        sides = workflow.sides(sr, person)
        for attempt in sorted(ATTEMPTS):
            transition = workflow.TRANSITIONS.get(TRANSITION_OF.get(attempt, ""))
            if transition is None:
                if attempt.endswith("_proposal") and workflow.Side.PROPOSED in sides:
                    options.append((attempt, name))
            elif sides & transition.sides and sr.state in transition.sources:
                options.append((attempt, name))
    return options


@settings(
    max_examples=examples(30),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_attempts_only_move_along_the_table(cast: Cast, data: st.DataObject) -> None:
    sr = submit_request(cast.school_a, cast.school_contact_a)
    people = {name: cast.person(name) for name in PEOPLE}
    for _ in range(data.draw(st.integers(min_value=1, max_value=20), label="steps")):
        sr = SupportRequest.objects.get(pk=sr.pk)
        sensible = _sensible_attempts(sr, people)
        onwards = [option for option in sensible if option[0] not in ENDINGS]
        if onwards and data.draw(st.integers(0, 5), label="onwards") > 0:
            action, actor_name = data.draw(st.sampled_from(onwards), label="attempt")
        elif sensible and data.draw(st.booleans(), label="follow the table"):
            action, actor_name = data.draw(st.sampled_from(sensible), label="attempt")
        else:
            action, actor_name = data.draw(
                st.tuples(st.sampled_from(sorted(ATTEMPTS)), st.sampled_from(PEOPLE)),
                label="attempt",
            )
        actor = people[actor_name]
        old_state = sr.state
        transition = TRANSITION_OF.get(action)
        permitted = workflow.refusal(sr, transition, actor) is None if transition else None
        events_before = list(
            TimelineEvent.objects.filter(request=sr).order_by("pk").values_list("kind", flat=True)
        )
        try:
            ATTEMPTS[action](cast, sr, actor)
        except (WorkflowError, NothingToActOn):
            succeeded = False
        else:
            succeeded = True
        sr = SupportRequest.objects.get(pk=sr.pk)
        events = list(
            TimelineEvent.objects.filter(request=sr).order_by("pk").values_list("kind", flat=True)
        )
        new_events = events[len(events_before) :]

        if not succeeded:
            assert sr.state == old_state, (action, actor_name)
            assert new_events == [], (action, actor_name)
            continue
        assert permitted is not False, f"{action} by {actor_name} passed a refused step"
        assert new_events, f"{action} by {actor_name} left no trace"
        if sr.state != old_state:
            assert any(
                old_state in t.sources and t.target == sr.state
                for t in workflow.TRANSITIONS.values()
            ), (old_state, sr.state)
            assert new_events.count(EVENT_FOR_TARGET[sr.state]) == 1, (action, new_events)
            assert (sr.closed_at is not None) == (sr.state in CLOSED_STATES)
