"""Retention: what is due goes by the rule, once per night, and each run is recorded.

The clock is frozen with time-machine: requests are walked through the real services in the
past, then the rules are applied at a fixed night."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from lotse.core import audit, outbox, retention, tasks
from lotse.core.models import (
    AccessLog,
    Organisation,
    OutboxMessage,
    RetentionRule,
    RetentionRun,
    Role,
)
from lotse.support.mail import intake
from lotse.support.models import (
    Acceptance,
    Agreement,
    Attachment,
    Concept,
    GoalProgress,
    InboundMail,
    Meeting,
    NextStep,
    Proposal,
    Session,
    State,
    SupportRequest,
    TimelineEvent,
)
from lotse.support.retention import ANONYMISED, ANONYMISED_SUBJECT
from lotse.support.selectors import concepts as concept_selectors
from lotse.support.services import accompaniment as accompaniment_services
from lotse.support.services import concepts as concept_services
from tests.concepts import release
from tests.factories import Cast, bring_to_state, walk

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
# The night the rules are applied: 15 March 2027, 02:30 in Berlin.
NIGHT = dt.datetime(2027, 3, 15, 2, 30, tzinfo=BERLIN)
TEXT = "Unser Kollegium braucht Unterstützung bei der Feedbackkultur."


@pytest.fixture(autouse=True)
def _frozen_at_night() -> Iterator[None]:
    with time_machine.travel(NIGHT, tick=False):
        yield


def months_ago(months: int, days: int = 0) -> dt.datetime:
    return retention.months_before(NIGHT, months) - dt.timedelta(days=days)


def closed_at(cast: Cast, state: str, when: dt.datetime, **kwargs: object) -> SupportRequest:
    """A request of school A walked into `state` by the services, with the clock at `when`."""
    with time_machine.travel(when, tick=False):
        sr = bring_to_state(cast, state, text=TEXT, **kwargs)
    assert sr.closed_at == when
    return sr


def with_mail_and_attachment(cast: Cast, sr: SupportRequest) -> InboundMail:
    """A mail from the school that joined the request, with an attachment."""
    raw = f"From: leitung@schule-a.example\nSubject: Plan #{sr.token}\n\nAnbei der Plan.".encode()
    mail = InboundMail.objects.create(
        site=cast.site_a,
        sha256=hashlib.sha256(raw).hexdigest(),
        raw=raw,
        sender="leitung@schule-a.example",
        subject=f"Plan #{sr.token}",
        outcome=InboundMail.Outcome.REPLY,
        request=sr,
    )
    Attachment.objects.create(
        request=sr,
        mail=mail,
        filename="Plan.pdf",
        content_type="application/pdf",
        size=3,
        content=b"%PD",
    )
    return mail


def confidential_rows(pk: int) -> dict[str, int]:
    """How many rows of each confidential table still belong to request `pk`."""
    return {
        "events": TimelineEvent.objects.filter(request_id=pk).count(),
        "proposals": Proposal.objects.filter(request_id=pk).count(),
        "meetings": Meeting.objects.filter(request_id=pk).count(),
        "agreements": Agreement.objects.filter(request_id=pk).count(),
        "acceptances": Acceptance.objects.filter(agreement__request_id=pk).count(),
        "attachments": Attachment.objects.filter(request_id=pk).count(),
        "mails": InboundMail.objects.filter(request_id=pk).count(),
        "outbox": OutboxMessage.objects.filter(reference=f"support.SupportRequest:{pk}").count(),
    }


NOTHING_LEFT = dict.fromkeys(
    ["events", "proposals", "meetings", "agreements", "acceptances", "attachments", "mails"], 0
) | {"outbox": 0}


# --- completed requests: kept 24 months, then anonymised ---------------------------------------


def test_completed_request_stays_for_23_months_and_is_anonymised_after_25(cast: Cast) -> None:
    recent = closed_at(cast, State.COMPLETED, months_ago(23))
    old = closed_at(cast, State.COMPLETED, months_ago(25))
    mail = with_mail_and_attachment(cast, old)
    recent_rows = confidential_rows(recent.pk)

    tasks.apply_retention.enqueue()

    recent = SupportRequest.objects.get(pk=recent.pk)
    assert recent.text == TEXT
    assert confidential_rows(recent.pk) == recent_rows
    old = SupportRequest.objects.get(pk=old.pk)
    # The facts for statistics stay …
    assert (old.organisation, old.site, old.school, old.state) == (
        cast.organisation,
        cast.site_a,
        cast.school_a,
        State.COMPLETED,
    )
    assert old.closed_at == months_ago(25)
    assert old.received_at == months_ago(25)
    # … the people, texts and everything confidential go.
    assert old.subject == ANONYMISED_SUBJECT
    assert (old.text, old.contact_name, old.contact_email, old.contact_phone) == ("", "", "", "")
    assert old.submitted_by is None
    rows = confidential_rows(old.pk)
    assert rows == NOTHING_LEFT | {"events": rows["events"]}
    events = list(TimelineEvent.objects.filter(request=old))
    assert events[-1].kind == ANONYMISED
    assert all(e.actor is None and e.note == "" for e in events)
    assert all(set(e.data) <= {"channel", "version", "side"} for e in events)
    mail.refresh_from_db()
    assert (mail.raw, mail.sender, mail.subject, mail.request) == (None, "", "", None)
    assert mail.sha256  # the duplicate key stays


def test_anonymising_twice_does_nothing_the_second_time(cast: Cast) -> None:
    old = closed_at(cast, State.COMPLETED, months_ago(25))
    first = retention.apply(now=NIGHT)
    second = retention.apply(now=NIGHT + dt.timedelta(hours=1))

    def counts(outcomes: list[retention.Outcome]) -> dict[str, int]:
        return {o.rule.kind.slug: o.count for o in outcomes if o.organisation == cast.organisation}

    assert counts(first)["support.completed"] == 1
    assert counts(second)["support.completed"] == 0
    assert TimelineEvent.objects.filter(request=old, kind=ANONYMISED).count() == 1


# --- withdrawn requests: deleted after 3 months ----------------------------------------------


def test_withdrawn_request_is_deleted_after_three_months(cast: Cast) -> None:
    kept = closed_at(cast, State.WITHDRAWN, months_ago(2, days=25))
    gone = closed_at(cast, State.WITHDRAWN, months_ago(3, days=1))
    with_mail_and_attachment(cast, gone)
    assert confidential_rows(gone.pk)["proposals"] == 1

    tasks.apply_retention.enqueue()

    assert SupportRequest.objects.filter(pk=kept.pk).exists()
    assert not SupportRequest.objects.filter(pk=gone.pk).exists()
    assert confidential_rows(gone.pk) == NOTHING_LEFT
    assert not InboundMail.objects.filter(sender="leitung@schule-a.example").exists()


# --- the admin's rule, and what deleting leaves ------------------------------------------------


def test_a_rule_changed_by_the_admin_takes_effect(cast: Cast, client: Client) -> None:
    old = closed_at(cast, State.COMPLETED, months_ago(13))
    with_mail_and_attachment(cast, old)
    before = confidential_rows(old.pk)
    assert before["agreements"]
    assert before["acceptances"]
    assert before["meetings"]
    tasks.apply_retention.enqueue()
    assert SupportRequest.objects.filter(pk=old.pk).exists(), "24 months by default"

    client.force_login(cast.admin)
    data = {
        f"{r.kind.slug}-{name}": value
        for r in retention.rules_for(cast.organisation)
        for name, value in (("months", r.months), ("action", r.action))
    }
    data |= {"support.completed-months": "12", "support.completed-action": "delete"}
    response = client.post(f"/organisation/{cast.organisation.slug}/aufbewahrung/", data)
    assert response.status_code == 302
    rule = RetentionRule.objects.get(organisation=cast.organisation, kind="support.completed")
    assert (rule.months, rule.action, rule.changed_by) == (12, "delete", cast.admin)

    with time_machine.travel(NIGHT + dt.timedelta(days=1), tick=False):
        tasks.apply_retention.enqueue()

    assert not SupportRequest.objects.filter(pk=old.pk).exists()
    assert confidential_rows(old.pk) == NOTHING_LEFT


def test_an_anonymised_request_is_deleted_when_the_rule_changes_to_delete(cast: Cast) -> None:
    old = closed_at(cast, State.COMPLETED, months_ago(25))
    retention.apply(now=NIGHT)
    assert SupportRequest.objects.get(pk=old.pk).subject == ANONYMISED_SUBJECT
    retention.set_rules(
        organisation=cast.organisation, by=cast.admin, values={"support.completed": (24, "delete")}
    )
    retention.apply(now=NIGHT + dt.timedelta(days=1))
    assert not SupportRequest.objects.filter(pk=old.pk).exists()
    assert confidential_rows(old.pk) == NOTHING_LEFT


def test_the_access_log_is_untouched(cast: Cast) -> None:
    gone = closed_at(cast, State.WITHDRAWN, months_ago(4))
    read = audit.read(
        person=cast.coordinator,
        role=Role.Kind.COORDINATOR,
        organisation=cast.organisation,
        subject=gone,
        what="detail",
    )
    log_before = list(AccessLog.objects.values())

    retention.apply(now=NIGHT)

    assert not SupportRequest.objects.filter(pk=gone.pk).exists()
    assert list(AccessLog.objects.values()) == log_before
    assert list(audit.reads_of(gone)) == [read]


# --- the record and the once-per-night schedule ------------------------------------------------


def test_each_rule_writes_a_run_with_cutoff_and_count(cast: Cast) -> None:
    closed_at(cast, State.WITHDRAWN, months_ago(4))
    closed_at(cast, State.WITHDRAWN, months_ago(5))

    tasks.apply_retention.enqueue()

    runs = {r.kind: r for r in RetentionRun.objects.filter(organisation=cast.organisation)}
    assert set(runs) == {k.slug for k in retention.kinds()}
    withdrawn = runs["support.withdrawn"]
    assert (withdrawn.action, withdrawn.months, withdrawn.count) == ("delete", 3, 2)
    assert withdrawn.ran_at == NIGHT
    assert withdrawn.cutoff == dt.datetime(2026, 12, 15, 2, 30, tzinfo=BERLIN)
    assert runs["support.completed"].count == 0
    # Mails of no organisation follow the default rule, recorded without an organisation.
    assert RetentionRun.objects.filter(organisation=None, kind="core.outbox").count() == 1


def test_the_nightly_task_acts_once_per_night_after_two(cast: Cast) -> None:
    closed_at(cast, State.WITHDRAWN, months_ago(4))
    evening = NIGHT.replace(hour=1, minute=59)
    with time_machine.travel(evening, tick=False):
        assert retention.apply_nightly() == []
    assert not RetentionRun.objects.exists()

    first = retention.apply_nightly(now=NIGHT)
    assert sum(o.count for o in first) == 1
    runs = RetentionRun.objects.count()
    # A second request becomes due later that night; the job does not act again until tomorrow.
    closed_at(cast, State.WITHDRAWN, months_ago(3, days=1))
    for later in (NIGHT + dt.timedelta(minutes=15), NIGHT.replace(hour=23, minute=59)):
        assert retention.apply_nightly(now=later) == []
    assert RetentionRun.objects.count() == runs

    next_night = retention.apply_nightly(now=NIGHT + dt.timedelta(days=1))
    assert sum(o.count for o in next_night) == 1
    assert RetentionRun.objects.count() == 2 * runs


def test_the_worker_checks_retention_at_least_hourly(settings: Any) -> None:
    assert settings.LOTSE_PERIODIC_TASKS["lotse.core.tasks.apply_retention"] <= 3600


# --- mails -------------------------------------------------------------------------------------


def test_old_quarantined_mail_loses_its_content_but_is_not_imported_again(cast: Cast) -> None:
    raw = b"From: fremd@example.org\nSubject: Kaputt\nContent-Type: multipart/mixed\n\n--"
    with time_machine.travel(months_ago(4), tick=False):
        first = intake.mail_import(site=cast.site_a, raw=raw)
    mail = first.mail
    mail.refresh_from_db()
    assert mail.outcome == InboundMail.Outcome.QUARANTINE, mail.quarantine_reason

    retention.apply(now=NIGHT)

    mail.refresh_from_db()
    assert (mail.raw, mail.sender, mail.subject, mail.quarantine_reason) == (None, "", "", "")
    assert mail.outcome == InboundMail.Outcome.DISCARDED
    again = intake.mail_import(site=cast.site_a, raw=raw)
    assert not again.created
    assert InboundMail.objects.count() == 1


def kept_mail(
    subject: str, to: str, organisation: Organisation | None = None, calendar: str = ""
) -> OutboxMessage:
    """A mail written and kept in the app (no SMTP server), as the worker leaves it."""
    message = outbox.store(
        subject=subject, body="Text", to=[to], organisation=organisation, calendar=calendar
    )
    assert message is not None
    assert outbox.send(message.pk) == OutboxMessage.Status.HELD
    return message


def test_outgoing_mail_goes_after_six_months_also_without_organisation(cast: Cast) -> None:
    with time_machine.travel(months_ago(7), tick=False):
        old_account_mail = kept_mail("Passwort", "a@example.org")
        old_org_mail = kept_mail("Hallo", "b@example.org", cast.organisation)
    new_mail = kept_mail("Neu", "c@example.org")

    retention.apply(now=NIGHT)

    assert set(OutboxMessage.objects.values_list("pk", flat=True)) >= {new_mail.pk}
    assert not OutboxMessage.objects.filter(pk__in=[old_account_mail.pk, old_org_mail.pk])


def test_anonymised_outgoing_mail_keeps_only_the_facts(cast: Cast) -> None:
    with time_machine.travel(months_ago(7), tick=False):
        mail = kept_mail(
            "Hallo",
            "b@example.org",
            cast.organisation,
            calendar="BEGIN:VCALENDAR\r\nATTENDEE;CN=B:mailto:b@example.org\r\nEND:VCALENDAR",
        )
    retention.set_rules(
        organisation=cast.organisation, by=cast.admin, values={"core.outbox": (6, "anonymise")}
    )
    retention.apply(now=NIGHT)
    mail.refresh_from_db()
    assert (mail.to, mail.subject, mail.body, mail.calendar) == ([], "", "", "")
    assert mail.message_id
    assert mail.status == OutboxMessage.Status.HELD
    again = retention.apply(now=NIGHT, organisations=Organisation.objects.all())
    assert {o.rule.kind.slug: o.count for o in again}["core.outbox"] == 0


# --- the operator's command and the calendar ---------------------------------------------------


def test_dry_run_counts_and_changes_nothing(cast: Cast) -> None:
    gone = closed_at(cast, State.WITHDRAWN, months_ago(4))
    out = StringIO()
    call_command("apply-retention", "--dry-run", stdout=out)
    assert SupportRequest.objects.filter(pk=gone.pk).exists()
    assert not RetentionRun.objects.exists()
    assert "lasub\tsupport.withdrawn\tdelete after 3 months" in out.getvalue()
    assert "would change 1 in all" in out.getvalue()

    call_command("apply-retention", "--organisation", "lasub", stdout=StringIO())
    assert not SupportRequest.objects.filter(pk=gone.pk).exists()
    assert RetentionRun.objects.filter(organisation=cast.organisation).count() == len(
        retention.kinds()
    )


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (dt.datetime(2027, 3, 31, 12, 0), 1, dt.datetime(2027, 2, 28, 12, 0)),
        (dt.datetime(2028, 3, 31, 12, 0), 1, dt.datetime(2028, 2, 29, 12, 0)),
        (dt.datetime(2027, 3, 15, 2, 30), 24, dt.datetime(2025, 3, 15, 2, 30)),
        (dt.datetime(2027, 1, 10, 8, 0), 3, dt.datetime(2026, 10, 10, 8, 0)),
        # Across the change to summer time the wall-clock time stays.
        (dt.datetime(2027, 4, 15, 2, 30), 3, dt.datetime(2027, 1, 15, 2, 30)),
    ],
)
def test_months_are_calendar_months_in_local_time(
    moment: dt.datetime, months: int, expected: dt.datetime
) -> None:
    result = retention.months_before(moment.replace(tzinfo=BERLIN), months)
    assert result == expected.replace(tzinfo=BERLIN)


def test_an_anonymised_request_still_opens_for_the_school_and_the_coordinator(
    cast: Cast, client: Client
) -> None:
    old = closed_at(cast, State.COMPLETED, months_ago(25))
    retention.apply(now=NIGHT)
    for person in (cast.school_contact_a, cast.coordinator):
        client.force_login(person)
        response = client.get(f"/anfragen/{old.pk}/")
        assert response.status_code == 200
        page = response.content.decode()
        assert TEXT not in page
        assert str(TimelineEvent(kind=ANONYMISED).get_label()) in page


# --- concepts (Synergie): unreleased ones go with the request, published ones stay -----------


def concepts_of_school_a(cast: Cast, when: dt.datetime) -> tuple[SupportRequest, dict[str, int]]:
    """Three completed requests of school A with one concept each: waiting for review, returned,
    published, and a withdrawn one on the published request."""
    sr = closed_at(cast, State.COMPLETED, when)
    with time_machine.travel(when, tick=False):
        waiting = release(cast, sr, topic="Wartet")
        returned = release(cast, closed_at_second(cast, when), topic="Zurück")
        concept_services.concept_return(concept=returned, by=cast.admin, note="Bitte kürzen.")
        published = concept_services.concept_publish(
            concept=release(cast, closed_at_second(cast, when), topic="Veröffentlicht"),
            by=cast.admin,
        )
        withdrawn = concept_services.concept_publish(
            concept=release(cast, published.request, topic="Zurückgezogen"), by=cast.admin
        )
        concept_services.concept_withdraw(concept=withdrawn, by=cast.school_contact_a)
    return sr, {
        "waiting": waiting.pk,
        "returned": returned.pk,
        "published": published.pk,
        "withdrawn": withdrawn.pk,
    }


def closed_at_second(cast: Cast, when: dt.datetime) -> SupportRequest:
    with time_machine.travel(when, tick=False):
        return bring_to_state(cast, State.COMPLETED, text=TEXT)


@pytest.mark.parametrize("action", ["anonymise", "delete"])
def test_unreleased_concepts_go_with_the_request_and_published_ones_lose_the_link(
    cast: Cast, action: str
) -> None:
    _sr, pks = concepts_of_school_a(cast, months_ago(25))
    if action == "delete":
        retention.set_rules(
            organisation=cast.organisation,
            by=cast.admin,
            values={"support.completed": (24, "delete")},
        )

    retention.apply(now=NIGHT)

    remaining = {c.pk: c for c in Concept.objects.all()}
    assert set(remaining) == {pks["published"]}
    published = remaining[pks["published"]]
    assert published.request is None
    assert published.status == Concept.Status.PUBLISHED
    assert published.topic == "Veröffentlicht"
    # Still in the library, without a request behind it.
    assert [c.pk for c in concept_selectors.library(person=cast.school_contact_b)] == [
        pks["published"]
    ]


def test_concepts_of_a_request_not_yet_due_stay(cast: Cast) -> None:
    sr, pks = concepts_of_school_a(cast, months_ago(23))
    retention.apply(now=NIGHT)
    assert set(Concept.objects.values_list("pk", flat=True)) == set(pks.values())
    assert Concept.objects.get(pk=pks["waiting"]).request_id == sr.pk


# --- the accompaniment: sessions, next steps, goal progress -----------------------------------


def with_sessions(cast: Cast, state: str, when: dt.datetime) -> SupportRequest:
    """A request with a recorded session (goal progress, a next step) and a planned one, then
    completed or withdrawn at `when`."""
    with time_machine.travel(when - dt.timedelta(days=30), tick=False):
        sr = bring_to_state(cast, State.ACCOMPANYING, reflected=True, text=TEXT)
        starts = when - dt.timedelta(days=20)
        session = accompaniment_services.session_plan(
            request=sr,
            by=cast.supporter,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            place="Schule am Elbufer, Raum 3",
            participants="Frau Schulz, Steuergruppe",
        )
        accompaniment_services.session_plan(
            request=sr,
            by=cast.school_contact_a,
            starts_at=starts + dt.timedelta(days=7),
            ends_at=starts + dt.timedelta(days=7, hours=1),
            place="Aula",
            participants="Kollegium",
        )
        accompaniment_services.next_step_add(
            request=sr,
            by=cast.school_contact_a,
            text="Elternbrief an Familie Müller",
            owner="school",
            due_on=starts.date(),
        )
    with time_machine.travel(starts + dt.timedelta(minutes=10), tick=False):
        accompaniment_services.session_record(
            session=session,
            by=cast.supporter,
            participants="Frau Schulz",
            notes="Vertrauliche Notiz",
            reflection="Gemeinsame Reflexion",
            progress=[accompaniment_services.ProgressData(1, 2, "Fortschritt")],
            next_steps=[accompaniment_services.StepData("Fragebogen", "supporter", starts.date())],
        )
    with time_machine.travel(when, tick=False):
        walk(cast, sr, "complete" if state == State.COMPLETED else "withdraw")
    return SupportRequest.objects.get(pk=sr.pk)


def test_anonymising_clears_what_sessions_and_next_steps_say(cast: Cast) -> None:
    old = with_sessions(cast, State.COMPLETED, months_ago(25))
    assert GoalProgress.objects.filter(session__request=old).count() == 1

    retention.apply(now=NIGHT)

    sessions = list(Session.objects.filter(request=old).order_by("starts_at"))
    # The facts stay for statistics: how many sessions, when, in which state …
    assert [s.status for s in sessions] == [Session.Status.HELD, Session.Status.PLANNED]
    # … what was said, where and by whom goes.
    for session in sessions:
        assert (session.participants, session.notes, session.reflection, session.place) == (
            "",
            "",
            "",
            "",
        )
        assert session.created_by is None
        assert session.recorded_by is None
    steps = list(NextStep.objects.filter(request=old))
    assert len(steps) == 2
    assert all(s.text == "" and s.created_by is None for s in steps)
    # Goal progress names the Kontrakt's goals: it goes with the Kontrakt.
    assert not GoalProgress.objects.filter(session__request=old).exists()


def test_deleting_a_request_deletes_its_sessions_and_next_steps(cast: Cast) -> None:
    gone = with_sessions(cast, State.WITHDRAWN, months_ago(3, days=1))
    pk = gone.pk

    retention.apply(now=NIGHT)

    assert not SupportRequest.objects.filter(pk=pk).exists()
    assert not Session.objects.filter(request_id=pk).exists()
    assert not NextStep.objects.filter(request_id=pk).exists()
    assert not GoalProgress.objects.exists()
