"""Sessions, goal progress and next steps: the services of the accompaniment after the Kontrakt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from lotse.core.models import OutboxMessage, Person
from lotse.support.models import (
    GoalProgress,
    Method,
    NextStep,
    Proposal,
    Release,
    Session,
    State,
    SupportRequest,
    Visibility,
)
from lotse.support.services import accompaniment as accompaniment_services
from lotse.support.services import records as record_services
from lotse.support.services.accompaniment import ProgressData, StepData
from lotse.support.workflow import WorkflowError
from tests.factories import GOALS, Cast, bring_to_state, draft
from tests.helpers import snapshot, to

pytestmark = pytest.mark.django_db

# Everyone who must not plan, record or tick off anything: the coordination, outsiders, the other
# school, a supporter who was not proposed, and the admin.
REFUSED = ["coordinator", "other_coordinator", "outsider", "school_contact_b", "other_supporter"]


def in_days(days: int, hour: int = 14) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def method(cast: Cast, name: str = "Fishbowl", **kw: Any) -> Method:
    return Method.objects.create(
        organisation=kw.pop("organisation", cast.organisation),
        name=name,
        description=f"Eine kleine Runde spricht über {name}, die anderen hören zu.",
        **kw,
    )


def plan(cast: Cast, sr: SupportRequest, by: Person | None = None, **kw: Any) -> Session:
    values: dict[str, Any] = {
        "starts_at": in_days(3),
        "ends_at": in_days(3) + dt.timedelta(minutes=90),
        "place": "Schule, Raum 3",
        "participants": "Steuergruppe, Schulleitung",
        "methods": [],
    }
    values.update(kw)
    return accompaniment_services.session_plan(request=sr, by=by or cast.supporter, **values)


def begun(session: Session) -> Session:
    """As if the session's start had passed."""
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(minutes=30),
    )
    return Session.objects.get(pk=session.pk)


def record(cast: Cast, session: Session, by: Person | None = None, **kw: Any) -> Session:
    values: dict[str, Any] = {"participants": "Steuergruppe", "notes": "Vertraulich."}
    values.update(kw)
    return accompaniment_services.session_record(session=session, by=by or cast.supporter, **values)


def school(cast: Cast, sr: SupportRequest) -> list[str]:
    return [sr.contact_email, cast.school_contact_a.email]


@pytest.fixture
def agreed(cast: Cast) -> SupportRequest:
    return bring_to_state(cast, State.AGREED)


@pytest.fixture
def accompanying(cast: Cast) -> SupportRequest:
    return bring_to_state(cast, State.ACCOMPANYING)


# --- planning ---------------------------------------------------------------------------------


def test_the_first_session_starts_the_accompaniment_and_invites_both_sides(
    cast: Cast, agreed: SupportRequest
) -> None:
    fishbowl = method(cast)
    session = plan(cast, agreed, methods=[fishbowl])

    agreed.refresh_from_db()
    assert agreed.state == State.ACCOMPANYING
    kinds = list(agreed.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["started", "session_planned"]
    assert session.status == Session.Status.PLANNED
    assert session.visibility == Visibility.PARTICIPANTS
    assert list(session.methods.all()) == [fishbowl]
    mail = OutboxMessage.objects.get(template="support/mail/session_invitation")
    assert tuple(mail.to) == to(*school(cast, agreed), cast.supporter.email)
    # The school reads what the method is before it is used …
    assert "Fishbowl" in mail.body
    assert fishbowl.description in mail.body
    # … and the invitation is a calendar event.
    assert "METHOD:REQUEST" in mail.calendar
    assert session.uid in mail.calendar


def test_the_school_may_plan_a_session_too(cast: Cast, accompanying: SupportRequest) -> None:
    session = plan(cast, accompanying, by=cast.school_contact_a)
    assert session.created_by == cast.school_contact_a


def test_the_invitation_carries_no_confidential_participants(
    cast: Cast, accompanying: SupportRequest
) -> None:
    plan(cast, accompanying, participants="Frau Geheim, Klasse 7b")
    mail = OutboxMessage.objects.get(template="support/mail/session_invitation")
    assert "Geheim" not in mail.body
    assert "Geheim" not in mail.calendar


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        # Dates are made when the test runs, not when it is collected: a run that crosses
        # midnight would otherwise compare days of two different dates.
        (lambda: {"starts_at": in_days(-1), "ends_at": in_days(-1, hour=15)}, "in der Zukunft"),
        (lambda: {"ends_at": in_days(3, hour=13)}, "nach seinem Beginn enden"),
        (lambda: {"ends_at": in_days(4, hour=14)}, "höchstens 12 Stunden"),
        (lambda: {"place": "  "}, "Ort und die Teilnehmenden"),
        (lambda: {"participants": ""}, "Ort und die Teilnehmenden"),
        (lambda: {"visibility": "released"}, "wer den Eintrag sehen darf"),
    ],
)
def test_bad_plans_are_refused_and_change_nothing(
    cast: Cast, agreed: SupportRequest, changes: Callable[[], dict[str, Any]], message: str
) -> None:
    before = snapshot(agreed)
    with pytest.raises(WorkflowError, match=message):
        plan(cast, agreed, **changes())
    assert snapshot(agreed) == before
    assert not Session.objects.exists()


def test_methods_of_another_organisation_or_switched_off_are_refused(
    cast: Cast, accompanying: SupportRequest
) -> None:
    foreign = method(cast, "Fremd", organisation=cast.other_organisation)
    off = method(cast, "Alt", active=False)
    for chosen in (foreign, off):
        with pytest.raises(WorkflowError, match="Methoden, die Ihre Organisation anbietet"):
            plan(cast, accompanying, methods=[chosen])
    assert not Session.objects.exists()


@pytest.mark.parametrize("actor", [*REFUSED, "admin"])
def test_only_school_and_accepted_supporter_plan(
    cast: Cast, accompanying: SupportRequest, actor: str
) -> None:
    before = snapshot(accompanying)
    with pytest.raises(WorkflowError):
        plan(cast, accompanying, by=getattr(cast, actor))
    assert snapshot(accompanying) == before
    assert not Session.objects.exists()


def test_a_proposed_supporter_who_has_not_accepted_cannot_plan(cast: Cast) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    # Proposed while the proposals were open, and still deciding.
    Proposal.objects.create(
        request=sr, supporter=cast.other_supporter, proposed_by=cast.coordinator
    )
    sr = SupportRequest.objects.get(pk=sr.pk)
    with pytest.raises(WorkflowError):
        plan(cast, sr, by=cast.other_supporter)
    with pytest.raises(WorkflowError):
        add_step(cast, sr, by=cast.other_supporter)
    assert not Session.objects.exists()


@pytest.mark.parametrize("state", [State.MEETING_SCHEDULED, State.COMPLETED])
def test_no_session_before_the_kontrakt_binds_or_after_completion(cast: Cast, state: str) -> None:
    sr = bring_to_state(cast, state)
    with pytest.raises(WorkflowError):
        plan(cast, sr)
    assert not Session.objects.exists()


# --- moving and cancelling --------------------------------------------------------------------


def test_moving_a_session_sends_an_update_of_the_same_event(
    cast: Cast, accompanying: SupportRequest
) -> None:
    session = plan(cast, accompanying)
    session.reminder_sent_at = timezone.now()
    session.save(update_fields=["reminder_sent_at"])

    moved = accompaniment_services.session_reschedule(
        session=session,
        by=cast.school_contact_a,
        starts_at=in_days(5, hour=9),
        ends_at=in_days(5, hour=11),
        place="Aula",
    )

    assert moved.sequence == 1
    assert moved.uid == session.uid
    assert moved.reminder_sent_at is None
    mail = OutboxMessage.objects.get(template="support/mail/session_rescheduled")
    assert "SEQUENCE:1" in mail.calendar
    assert f"UID:{session.uid}" in mail.calendar
    assert "Aula" in mail.body


def test_cancelling_sends_a_cancellation_of_the_same_event(
    cast: Cast, accompanying: SupportRequest
) -> None:
    session = plan(cast, accompanying)
    cancelled = accompaniment_services.session_cancel(session=session, by=cast.supporter)
    assert cancelled.status == Session.Status.CANCELLED
    assert cancelled.sequence == 1
    mail = OutboxMessage.objects.get(template="support/mail/session_cancelled")
    assert "METHOD:CANCEL" in mail.calendar
    assert f"UID:{session.uid}" in mail.calendar
    with pytest.raises(WorkflowError, match="Nur ein geplanter Termin"):
        accompaniment_services.session_cancel(session=session, by=cast.supporter)
    with pytest.raises(WorkflowError, match="Nur ein geplanter Termin"):
        accompaniment_services.session_reschedule(
            session=session,
            by=cast.supporter,
            starts_at=in_days(5),
            ends_at=in_days(5, hour=15),
            place="Aula",
        )


@pytest.mark.parametrize("actor", REFUSED)
def test_outsiders_neither_move_nor_cancel(
    cast: Cast, accompanying: SupportRequest, actor: str
) -> None:
    session = plan(cast, accompanying)
    person = getattr(cast, actor)
    with pytest.raises(WorkflowError):
        accompaniment_services.session_cancel(session=session, by=person)
    with pytest.raises(WorkflowError):
        accompaniment_services.session_reschedule(
            session=session,
            by=person,
            starts_at=in_days(5),
            ends_at=in_days(5, hour=15),
            place="Aula",
        )
    session.refresh_from_db()
    assert (session.status, session.sequence) == (Session.Status.PLANNED, 0)


# --- recording --------------------------------------------------------------------------------


def test_recording_a_session_keeps_goal_progress_with_the_goal_text_and_next_steps(
    cast: Cast, accompanying: SupportRequest
) -> None:
    session = begun(plan(cast, accompanying))

    record(
        cast,
        session,
        by=cast.school_contact_a,
        reflection="Gemeinsam gut vorangekommen.",
        progress=[ProgressData(1, GoalProgress.Level.PARTLY, "Erste Runde Feedback.")],
        next_steps=[StepData("Fragebogen entwerfen", "school", timezone.localdate())],
    )

    session.refresh_from_db()
    assert session.status == Session.Status.HELD
    assert session.recorded_by == cast.school_contact_a
    assert session.notes == "Vertraulich."
    assert session.reflection == "Gemeinsam gut vorangekommen."
    progress = GoalProgress.objects.get(session=session)
    assert (progress.position, progress.level) == (1, GoalProgress.Level.PARTLY)
    assert progress.goal == GOALS.splitlines()[0]
    step = NextStep.objects.get(session=session)
    assert (step.text, step.owner, step.visibility) == (
        "Fragebogen entwerfen",
        "school",
        Visibility.PARTICIPANTS,
    )
    kinds = list(accompanying.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["session_recorded", "next_step_added"]


def test_goal_progress_uses_the_binding_version_not_an_unaccepted_amendment(
    cast: Cast, accompanying: SupportRequest
) -> None:
    draft(cast, accompanying, goals="Ganz neues Ziel")  # version 2, not accepted by the school
    session = begun(plan(cast, accompanying))
    record(cast, session, progress=[ProgressData(2, GoalProgress.Level.BEGUN)])
    progress = GoalProgress.objects.get(session=session)
    assert progress.goal == GOALS.splitlines()[1]
    assert progress.agreement.version == 1


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"progress": [ProgressData(3, 1)]}, "Ziele des Kontrakts"),
        ({"progress": [ProgressData(1, 1), ProgressData(1, 2)]}, "Ziele des Kontrakts"),
        ({"progress": [ProgressData(1, 9)]}, "wie weit"),
        ({"participants": " "}, "wer teilgenommen hat"),
        ({"next_steps": [StepData("Alt", "school", dt.date(2000, 1, 1))]}, "Vergangenheit"),
        (
            {"next_steps": [StepData("X", "jemand", timezone.localdate())]},
            "wer den nächsten Schritt",
        ),
    ],
)
def test_bad_records_are_refused_and_change_nothing(
    cast: Cast, accompanying: SupportRequest, kw: dict[str, Any], message: str
) -> None:
    session = begun(plan(cast, accompanying))
    with pytest.raises(WorkflowError, match=message):
        record(cast, session, **kw)
    session.refresh_from_db()
    assert session.status == Session.Status.PLANNED
    assert not GoalProgress.objects.exists()
    assert not NextStep.objects.exists()


def test_a_session_is_recorded_only_once_it_has_begun_and_only_once(
    cast: Cast, accompanying: SupportRequest
) -> None:
    session = plan(cast, accompanying)
    with pytest.raises(WorkflowError, match="wenn er begonnen hat"):
        record(cast, session)
    session = begun(session)
    record(cast, session)
    with pytest.raises(WorkflowError, match="bereits dokumentiert"):
        record(cast, session)


def test_a_cancelled_session_cannot_be_recorded(cast: Cast, accompanying: SupportRequest) -> None:
    session = plan(cast, accompanying)
    accompaniment_services.session_cancel(session=session, by=cast.supporter)
    with pytest.raises(WorkflowError):
        record(cast, begun(session))


@pytest.mark.parametrize("actor", [*REFUSED, "admin"])
def test_only_participants_record(cast: Cast, accompanying: SupportRequest, actor: str) -> None:
    session = begun(plan(cast, accompanying))
    with pytest.raises(WorkflowError):
        record(cast, session, by=getattr(cast, actor))
    session.refresh_from_db()
    assert session.status == Session.Status.PLANNED


# --- next steps -------------------------------------------------------------------------------


def add_step(cast: Cast, sr: SupportRequest, by: Person | None = None, **kw: Any) -> NextStep:
    values: dict[str, Any] = {
        "text": "Elternbrief schreiben",
        "owner": NextStep.Owner.SCHOOL,
        "due_on": timezone.localdate() + dt.timedelta(days=7),
    }
    values.update(kw)
    return accompaniment_services.next_step_add(request=sr, by=by or cast.supporter, **values)


def test_either_side_adds_and_ticks_off_a_next_step(cast: Cast, agreed: SupportRequest) -> None:
    step = add_step(cast, agreed)
    assert step.created_by == cast.supporter
    done = accompaniment_services.next_step_done(step=step, by=cast.school_contact_a)
    assert done.done_by == cast.school_contact_a
    assert done.done_at is not None
    with pytest.raises(WorkflowError, match="bereits erledigt"):
        accompaniment_services.next_step_done(step=step, by=cast.supporter)
    reopened = accompaniment_services.next_step_reopen(step=step, by=cast.supporter)
    assert reopened.done_at is None
    with pytest.raises(WorkflowError, match="noch offen"):
        accompaniment_services.next_step_reopen(step=step, by=cast.supporter)
    kinds = list(agreed.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["next_step_added", "next_step_done", "next_step_reopened"]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"text": " "}, "beschreiben Sie den nächsten Schritt"),
        ({"owner": "coordinator"}, "wer den nächsten Schritt"),
        ({"due_on": dt.date(2020, 1, 1)}, "Vergangenheit"),
    ],
)
def test_bad_next_steps_are_refused(
    cast: Cast, agreed: SupportRequest, kw: dict[str, Any], message: str
) -> None:
    with pytest.raises(WorkflowError, match=message):
        add_step(cast, agreed, **kw)
    assert not NextStep.objects.exists()


@pytest.mark.parametrize("actor", [*REFUSED, "admin"])
def test_others_neither_add_nor_tick_off_next_steps(
    cast: Cast, agreed: SupportRequest, actor: str
) -> None:
    step = add_step(cast, agreed)
    person = getattr(cast, actor)
    with pytest.raises(WorkflowError):
        add_step(cast, agreed, by=person)
    with pytest.raises(WorkflowError):
        accompaniment_services.next_step_done(step=step, by=person)
    step.refresh_from_db()
    assert step.done_at is None
    assert NextStep.objects.count() == 1


def test_no_next_steps_after_completion(cast: Cast) -> None:
    sr = bring_to_state(cast, State.COMPLETED)
    with pytest.raises(WorkflowError):
        add_step(cast, sr)


# --- the session record is a confidential entry -----------------------------------------------


def test_the_school_widens_and_releases_a_session_record(
    cast: Cast, accompanying: SupportRequest
) -> None:
    session = record(cast, begun(plan(cast, accompanying)))
    with pytest.raises(WorkflowError, match="Nur die Schule"):
        record_services.entry_set_visibility(
            entry=session, by=cast.supporter, visibility="coordination"
        )

    record_services.entry_set_visibility(
        entry=session, by=cast.school_contact_a, visibility=Visibility.COORDINATION
    )
    session.refresh_from_db()
    assert session.visibility == Visibility.COORDINATION

    release = record_services.entry_release(
        entry=session, by=cast.school_contact_a, purpose="Jahresbericht"
    )
    session.refresh_from_db()
    assert session.visibility == Visibility.RELEASED
    assert release.session == session
    record_services.release_revoke(release=release, by=cast.school_contact_a)
    session.refresh_from_db()
    assert session.visibility == Visibility.COORDINATION
    assert Release.objects.get().revoked_at is not None
    kinds = list(accompanying.events.values_list("kind", flat=True))
    assert {"visibility_changed", "released", "release_revoked"} <= set(kinds)


# --- the methods of the organisation ----------------------------------------------------------


def test_admins_add_change_and_switch_off_methods(cast: Cast) -> None:
    created = accompaniment_services.method_save(
        organisation=cast.organisation,
        by=cast.admin,
        name="  Blitzlicht ",
        description="Jede Person sagt einen Satz dazu, wie es ihr gerade geht.",
    )
    assert created.name == "Blitzlicht"
    changed = accompaniment_services.method_save(
        organisation=cast.organisation,
        by=cast.admin,
        method=created,
        name="Blitzlicht",
        description="Reihum ein Satz.",
        active=False,
    )
    assert (changed.pk, changed.active, changed.description) == (
        created.pk,
        False,
        "Reihum ein Satz.",
    )
    with pytest.raises(WorkflowError, match="gibt es bereits"):
        accompaniment_services.method_save(
            organisation=cast.organisation, by=cast.admin, name="blitzlicht", description="x"
        )
    with pytest.raises(WorkflowError, match="Namen und erklären"):
        accompaniment_services.method_save(
            organisation=cast.organisation, by=cast.admin, name="Neu", description=" "
        )


@pytest.mark.parametrize("actor", ["coordinator", "supporter", "school_contact_a", "other_admin"])
def test_only_the_organisations_admins_change_methods(cast: Cast, actor: str) -> None:
    with pytest.raises(WorkflowError, match="Nur die Administration"):
        accompaniment_services.method_save(
            organisation=cast.organisation,
            by=getattr(cast, actor),
            name="Blitzlicht",
            description="Reihum ein Satz.",
        )
    assert not Method.objects.exists()
