"""The services of the support process beyond the transition table: inputs, mails, deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from lotse.core.models import OutboxMessage
from lotse.support.models import (
    Acceptance,
    Agreement,
    Meeting,
    Proposal,
    State,
    SupportRequest,
    TimelineEvent,
)
from lotse.support.permissions import get_request_for
from lotse.support.services import agreements as agreement_services
from lotse.support.services import base as services_base
from lotse.support.services import requests as request_services
from lotse.support.workflow import WorkflowError
from tests.factories import (
    Cast,
    OfferFactory,
    OrganisationFactory,
    QualityAreaFactory,
    SchoolFactory,
    bring_to_state,
    draft,
    meeting_time,
    person_with_role,
    submit_request,
    walk,
)
from tests.helpers import new_mails, snapshot, to

pytestmark = pytest.mark.django_db


def mails_of(sr: SupportRequest, template: str) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            reference=f"support.SupportRequest:{sr.pk}", template=f"support/mail/{template}"
        )
    )


# --- step 1: submit -----------------------------------------------------------------------------


def test_school_contact_submits_a_request_to_the_site_of_its_school(cast: Cast) -> None:
    sr = submit_request(cast.school_a, cast.school_contact_a, subject="Ganztag gestalten")

    assert sr.state == State.RECEIVED
    assert sr.site == cast.site_a
    assert sr.organisation == cast.organisation
    assert sr.submitted_by == cast.school_contact_a
    assert sr.acknowledge_due_at == sr.received_at + dt.timedelta(days=7)
    event = sr.events.get()
    assert (event.kind, event.actor, event.data) == (
        "received",
        cast.school_contact_a,
        {"channel": "form"},
    )
    (mail,) = mails_of(sr, "new_request")
    # Only the coordination of the school's own site hears of it.
    assert mail.to == [cast.coordinator.email]
    assert mail.status == OutboxMessage.Status.PENDING
    # Answers go to the site, with the request's token, so they find their request.
    local, domain = cast.site_a.email.split("@")
    assert mail.reply_to == f"{local}+{sr.token}@{domain}"
    assert mail.subject.endswith(f"[#{sr.token}]")
    assert mail.from_email == f"{cast.organisation.name} <{cast.organisation.mail_from}>"
    assert f"/anfragen/{sr.pk}/" in mail.body
    assert "Ganztag gestalten" in mail.body


def test_deadline_follows_the_organisations_acknowledgement_days(cast: Cast) -> None:
    cast.organisation.acknowledgement_days = 3
    cast.organisation.save()
    received = timezone.now() - dt.timedelta(hours=5)
    sr = submit_request(cast.school_a, cast.school_contact_a, received_at=received)
    assert sr.received_at == received
    assert sr.acknowledge_due_at == received + dt.timedelta(days=3)
    # The timeline dates the receipt at the receipt, not at the moment it was entered.
    assert sr.events.get(kind="received").created_at == received


def test_blank_subject_is_taken_from_the_first_line_of_the_text(cast: Cast) -> None:
    sr = submit_request(
        cast.school_a,
        cast.school_contact_a,
        subject="  ",
        text="  Wir brauchen Hilfe beim Ganztag.\nMehr dazu im Gespräch.",
    )
    assert sr.subject == "Wir brauchen Hilfe beim Ganztag."


def test_a_request_by_mail_needs_no_person(cast: Cast) -> None:
    sr = submit_request(cast.school_a, None, channel=SupportRequest.Channel.EMAIL)
    assert sr.submitted_by is None
    assert sr.events.get().data == {"channel": "email"}


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_empty_request_text_is_refused(cast: Cast, text: str) -> None:
    with pytest.raises(WorkflowError):
        submit_request(cast.school_a, cast.school_contact_a, text=text)
    assert not SupportRequest.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_contact_cannot_submit_for_another_school(cast: Cast) -> None:
    with pytest.raises(WorkflowError):
        submit_request(cast.school_b, cast.school_contact_a)
    with pytest.raises(WorkflowError):
        submit_request(cast.school_a, cast.coordinator)
    assert not SupportRequest.objects.exists()


def test_school_without_district_cannot_submit(cast: Cast) -> None:
    school = SchoolFactory(district=None)
    contact = person_with_role("school_contact", cast.organisation, school=school)
    with pytest.raises(WorkflowError):
        submit_request(school, contact)
    assert not SupportRequest.objects.exists()


def test_quality_area_and_offer_must_belong_to_the_schools_organisation(cast: Cast) -> None:
    foreign = OrganisationFactory()
    with pytest.raises(WorkflowError):
        submit_request(
            cast.school_a,
            cast.school_contact_a,
            quality_area=QualityAreaFactory(organisation=foreign),
        )
    with pytest.raises(WorkflowError):
        submit_request(
            cast.school_a, cast.school_contact_a, offer=OfferFactory(organisation=foreign)
        )
    assert not SupportRequest.objects.exists()
    area = QualityAreaFactory(organisation=cast.organisation)
    offer = OfferFactory(organisation=cast.organisation)
    sr = submit_request(cast.school_a, cast.school_contact_a, quality_area=area, offer=offer)
    assert (sr.quality_area, sr.offer) == (area, offer)


# --- step 2: acknowledge, clarify, propose ------------------------------------------------------


def test_acknowledgement_tells_the_school_with_the_coordinators_message(cast: Cast) -> None:
    sr = submit_request(cast.school_a, cast.school_contact_a)
    request_services.request_acknowledge(
        request=sr, by=cast.coordinator, message="  Wir rufen an.  "
    )
    sr.refresh_from_db()
    assert sr.acknowledged_at is not None
    assert sr.events.get(kind="acknowledged").note == "Wir rufen an."
    (mail,) = mails_of(sr, "acknowledged")
    assert tuple(mail.to) == to(sr.contact_email, cast.school_contact_a.email)
    assert "Wir rufen an." in mail.body


def test_school_addresses_leave_out_inactive_contacts_and_other_schools(cast: Cast) -> None:
    inactive = person_with_role(
        "school_contact", cast.organisation, school=cast.school_a, is_active=False
    )
    second = person_with_role("school_contact", cast.organisation, school=cast.school_a)
    sr = submit_request(cast.school_a, cast.school_contact_a)
    addresses = services_base.school_addresses(sr)
    assert set(addresses) == {sr.contact_email, cast.school_contact_a.email, second.email}
    assert inactive.email not in addresses
    assert cast.school_contact_b.email not in addresses


def test_clarification_needs_a_note(cast: Cast) -> None:
    sr = bring_to_state(cast, State.ACKNOWLEDGED)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.request_clarify(request=sr, by=cast.coordinator, note="  ")
    assert snapshot(sr) == before


def test_proposing_several_supporters_asks_each_once(cast: Cast) -> None:
    sr = bring_to_state(cast, State.CLARIFIED)
    before = OutboxMessage.objects.count()
    request_services.request_propose(
        request=sr,
        by=cast.coordinator,
        supporters=[cast.supporter, cast.other_supporter],
        note="Bitte bis Freitag.",
    )
    sr.refresh_from_db()
    assert sr.state == State.SUPPORTERS_PROPOSED
    assert set(sr.proposals.values_list("supporter", "status")) == {
        (cast.supporter.pk, "proposed"),
        (cast.other_supporter.pk, "proposed"),
    }
    assert sr.events.filter(kind="proposed").count() == 2
    assert new_mails(before) == {
        ("proposed", (cast.supporter.email,)),
        ("proposed", (cast.other_supporter.email,)),
    }
    assert all("Bitte bis Freitag." in m.body for m in mails_of(sr, "proposed"))


def test_proposing_again_adds_only_new_supporters(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.request_propose(
            request=sr, by=cast.coordinator, supporters=[cast.supporter]
        )
    assert snapshot(sr) == before

    request_services.request_propose(
        request=sr, by=cast.coordinator, supporters=[cast.supporter, cast.other_supporter]
    )
    assert sr.proposals.count() == 2
    assert sr.events.filter(kind="proposed").count() == 2  # one earlier, one now


@pytest.mark.parametrize("who", ["nobody", "coordinator", "foreign_supporter"])
def test_only_supporters_of_the_organisation_can_be_proposed(cast: Cast, who: str) -> None:
    sr = bring_to_state(cast, State.CLARIFIED)
    supporters = {
        "nobody": [],
        "coordinator": [cast.coordinator],
        "foreign_supporter": [person_with_role("supporter", OrganisationFactory())],
    }[who]
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.request_propose(request=sr, by=cast.coordinator, supporters=supporters)
    assert snapshot(sr) == before


# --- proposals: accept and decline --------------------------------------------------------------


def test_proposed_supporter_accepts(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    proposal = Proposal.objects.get(request=sr)
    request_services.proposal_accept(proposal=proposal, by=cast.supporter)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED
    assert proposal.decided_at is not None
    assert sr.events.filter(kind="proposal_accepted", actor=cast.supporter).count() == 1
    (mail,) = mails_of(sr, "proposal_accepted")
    assert mail.to == [cast.coordinator.email]


def test_proposed_supporter_declines_with_a_reason_and_loses_access(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    assert get_request_for(cast.supporter, sr.pk) == sr
    proposal = Proposal.objects.get(request=sr)
    request_services.proposal_decline(
        proposal=proposal, by=cast.supporter, reason=" Keine Kapazität. "
    )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED
    assert proposal.decline_reason == "Keine Kapazität."
    assert sr.events.get(kind="proposal_declined").note == "Keine Kapazität."
    (mail,) = mails_of(sr, "proposal_declined")
    assert mail.to == [cast.coordinator.email]
    assert "Keine Kapazität." in mail.body
    with pytest.raises(Http404):
        get_request_for(cast.supporter, sr.pk)


def test_declining_without_a_reason_is_refused(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.proposal_decline(
            proposal=Proposal.objects.get(request=sr), by=cast.supporter, reason=" "
        )
    assert snapshot(sr) == before


def test_a_proposal_is_decided_once_and_only_by_its_supporter(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    proposal = Proposal.objects.get(request=sr)
    before = snapshot(sr)
    for person in (cast.other_supporter, cast.coordinator, cast.school_contact_a):
        with pytest.raises(WorkflowError):
            request_services.proposal_accept(proposal=proposal, by=person)
        with pytest.raises(WorkflowError):
            request_services.proposal_decline(proposal=proposal, by=person, reason="Nein.")
    assert snapshot(sr) == before

    request_services.proposal_accept(proposal=proposal, by=cast.supporter)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.proposal_accept(proposal=proposal, by=cast.supporter)
    with pytest.raises(WorkflowError):
        request_services.proposal_decline(
            proposal=proposal, by=cast.supporter, reason="Doch nicht."
        )
    assert snapshot(sr) == before


def test_a_proposal_of_a_closed_request_cannot_be_decided(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    request_services.request_withdraw(request=sr, by=cast.school_contact_a)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.proposal_accept(
            proposal=Proposal.objects.get(request=sr), by=cast.supporter
        )
    assert snapshot(sr) == before


def test_first_contact_needs_an_accepted_proposal_and_a_note(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.request_first_contact(request=sr, by=cast.supporter, note="Hallo.")
    assert snapshot(sr) == before
    sr = walk(cast, sr, "accept_proposal")
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.request_first_contact(request=sr, by=cast.supporter, note=" ")
    assert snapshot(sr) == before


# --- step 3: no collaboration, meeting ----------------------------------------------------------


def test_no_collaboration_needs_a_reason(cast: Cast) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.request_no_collaboration(request=sr, by=cast.supporter, reason="")
    assert snapshot(sr) == before


@pytest.mark.parametrize(
    ("starts_at", "place", "participants"),
    [
        (lambda: timezone.now() - dt.timedelta(minutes=1), "Aula", "Kollegium"),
        (timezone.now, "Aula", "Kollegium"),
        (meeting_time, " ", "Kollegium"),
        (meeting_time, "Aula", ""),
    ],
    ids=["past", "now", "no place", "no participants"],
)
def test_meeting_needs_a_future_date_a_place_and_participants(
    cast: Cast, starts_at: object, place: str, participants: str
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.request_schedule_meeting(
            request=sr,
            by=cast.supporter,
            starts_at=starts_at(),  # type: ignore[operator]
            place=place,
            participants=participants,
        )
    assert snapshot(sr) == before


def test_the_meeting_can_be_moved_to_another_date(cast: Cast) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    later = timezone.now() + dt.timedelta(days=14)
    meeting = request_services.request_schedule_meeting(
        request=sr,
        by=cast.supporter,
        starts_at=later,
        place="Lehrerzimmer",
        participants="Steuergruppe",
    )
    sr.refresh_from_db()
    assert sr.state == State.MEETING_SCHEDULED
    assert Meeting.objects.filter(request=sr).count() == 2
    assert meeting.starts_at == later
    assert sr.events.filter(kind="meeting_scheduled").count() == 2
    assert len(mails_of(sr, "meeting_scheduled")) == 2


# --- step 4: the Kontrakt ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"goals": " \n "},
        {"participants": ""},
        {"confidentiality": " "},
        {"starts_on": dt.date(2030, 5, 1), "ends_on": dt.date(2030, 4, 30)},
    ],
    ids=["no goals", "no participants", "no confidentiality", "ends before it starts"],
)
def test_kontrakt_draft_is_refused_when_incomplete(cast: Cast, overrides: dict) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        draft(cast, sr, **overrides)
    assert snapshot(sr) == before


def test_kontrakt_may_last_a_single_day(cast: Cast) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    day = timezone.localdate()
    agreement = draft(cast, sr, starts_on=day, ends_on=day)
    assert agreement.version == 1


def test_each_change_of_the_kontrakt_is_a_new_version(cast: Cast) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    first = draft(cast, sr)
    second = draft(cast, sr, by=cast.school_contact_a, goals="Nur ein Ziel")
    assert (first.version, second.version) == (1, 2)
    assert second.goal_list() == ["Nur ein Ziel"]
    assert second.created_by == cast.school_contact_a
    assert [e.data for e in sr.events.filter(kind="agreement_drafted")] == [
        {"version": 1},
        {"version": 2},
    ]


def test_changed_kontrakt_needs_both_acceptances_again(cast: Cast) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED, drafted=True)
    v1 = Agreement.objects.get(request=sr, version=1)
    agreement_services.agreement_accept(agreement=v1, by=cast.supporter)

    v2 = draft(cast, sr, by=cast.school_contact_a, goals="Geändertes Ziel")
    agreement_services.agreement_accept(agreement=v2, by=cast.school_contact_a)
    sr.refresh_from_db()
    # The supporter accepted v1, the school v2: that is no agreement.
    assert sr.state == State.MEETING_SCHEDULED
    assert not sr.events.filter(kind="agreed").exists()

    agreement_services.agreement_accept(agreement=v2, by=cast.supporter)
    sr.refresh_from_db()
    assert sr.state == State.AGREED
    assert sr.events.get(kind="agreed").data == {"version": 2}
    assert set(Acceptance.objects.filter(agreement=v2).values_list("side", "person")) == {
        ("school", cast.school_contact_a.pk),
        ("supporter", cast.supporter.pk),
    }
    (mail,) = mails_of(sr, "agreed")
    assert tuple(mail.to) == to(
        sr.contact_email, cast.school_contact_a.email, cast.supporter.email, cast.coordinator.email
    )


def test_only_the_latest_version_can_be_accepted(cast: Cast) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED, drafted=True)
    v1 = Agreement.objects.get(request=sr, version=1)
    draft(cast, sr, goals="Neue Fassung")
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        agreement_services.agreement_accept(agreement=v1, by=cast.school_contact_a)
    assert snapshot(sr) == before


def test_a_side_accepts_a_version_only_once(cast: Cast) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED, drafted=True)
    agreement = Agreement.objects.get(request=sr)
    agreement_services.agreement_accept(agreement=agreement, by=cast.supporter)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        agreement_services.agreement_accept(agreement=agreement, by=cast.supporter)
    assert snapshot(sr) == before


def test_a_second_school_contact_speaks_for_the_same_side(cast: Cast) -> None:
    colleague = person_with_role("school_contact", cast.organisation, school=cast.school_a)
    sr = bring_to_state(cast, State.MEETING_SCHEDULED, drafted=True)
    agreement = Agreement.objects.get(request=sr)
    agreement_services.agreement_accept(agreement=agreement, by=cast.school_contact_a)
    with pytest.raises(WorkflowError):
        agreement_services.agreement_accept(agreement=agreement, by=colleague)
    assert Acceptance.objects.filter(agreement=agreement).count() == 1


def test_the_kontrakt_cannot_change_once_the_process_is_closed(cast: Cast) -> None:
    sr = bring_to_state(cast, State.COMPLETED)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        draft(cast, sr)
    assert snapshot(sr) == before


# --- withdraw and forward -------------------------------------------------------------------


def test_after_withdrawal_supporters_no_longer_see_the_request(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED)
    request_services.request_propose(
        request=sr, by=cast.coordinator, supporters=[cast.other_supporter]
    )
    # One accepted, one still deciding: both see the request until the school withdraws it.
    assert get_request_for(cast.supporter, sr.pk) == sr
    assert get_request_for(cast.other_supporter, sr.pk) == sr

    request_services.request_withdraw(request=sr, by=cast.school_contact_a)

    for supporter in (cast.supporter, cast.other_supporter):
        with pytest.raises(Http404):
            get_request_for(supporter, sr.pk)
    # The school and the coordination still see what happened.
    assert get_request_for(cast.school_contact_a, sr.pk).state == State.WITHDRAWN
    assert get_request_for(cast.coordinator, sr.pk).state == State.WITHDRAWN
    # Everyone who lost access is told, the supporter still deciding too.
    (mail,) = mails_of(sr, "withdrawn")
    assert {cast.supporter.email, cast.other_supporter.email, cast.coordinator.email} <= set(
        mail.to
    )


def test_forwarding_needs_a_recipient(cast: Cast) -> None:
    sr = bring_to_state(cast, State.ACKNOWLEDGED)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        request_services.request_forward(request=sr, by=cast.coordinator, recipient="  ")
    assert snapshot(sr) == before


def test_forwarding_tells_the_school_where_the_request_went(cast: Cast) -> None:
    sr = bring_to_state(cast, State.ACKNOWLEDGED)
    request_services.request_forward(
        request=sr, by=cast.coordinator, recipient="Jugendamt Dresden", reason="Zuständigkeit"
    )
    event = TimelineEvent.objects.get(request=sr, kind="forwarded")
    assert (event.note, event.data) == ("Zuständigkeit", {"recipient": "Jugendamt Dresden"})
    (mail,) = mails_of(sr, "forwarded")
    assert "Jugendamt Dresden" in mail.body


def test_completion_closes_the_request(cast: Cast) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING, reflected=True)
    request_services.request_complete(request=sr, by=cast.coordinator, note="Ziele erreicht.")
    sr.refresh_from_db()
    assert sr.state == State.COMPLETED
    assert not sr.is_open
    assert sr.closed_at is not None
    assert sr.events.get(kind="completed").note == "Ziele erreicht."


# --- the acknowledgement deadline and its reminder ---------------------------------------------


def _received(cast: Cast, days_ago: float) -> SupportRequest:
    return submit_request(
        cast.school_a,
        cast.school_contact_a,
        received_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_reminder_is_sent_once_within_the_window_before_the_deadline(cast: Cast) -> None:
    # Deadline after 7 days, reminder 2 days before: due at day 5.
    early = _received(cast, days_ago=4.9)
    due = _received(cast, days_ago=5.1)
    overdue = _received(cast, days_ago=9)
    before = OutboxMessage.objects.count()

    assert request_services.requests_remind_overdue() == 2

    for sr in (early, due, overdue):
        sr.refresh_from_db()
    assert early.reminder_sent_at is None
    assert not early.events.filter(kind="reminder").exists()
    for sr in (due, overdue):
        assert sr.reminder_sent_at is not None
        event = sr.events.get(kind="reminder")
        assert event.actor is None
    assert new_mails(before) == {("reminder", (cast.coordinator.email,))}
    assert OutboxMessage.objects.count() == before + 2

    assert request_services.requests_remind_overdue() == 0
    assert OutboxMessage.objects.count() == before + 2


def test_reminder_follows_the_clock_it_is_given(cast: Cast) -> None:
    sr = _received(cast, days_ago=0)
    assert request_services.requests_remind_overdue(now=timezone.now() + dt.timedelta(days=4)) == 0
    assert (
        request_services.requests_remind_overdue(now=timezone.now() + dt.timedelta(days=5, hours=1))
        == 1
    )
    sr.refresh_from_db()
    assert sr.reminder_sent_at is not None


def test_reminder_window_is_the_organisations(cast: Cast) -> None:
    cast.organisation.reminder_days_before = 0
    cast.organisation.save()
    sr = _received(cast, days_ago=6)
    assert request_services.requests_remind_overdue() == 0
    assert request_services.requests_remind_overdue(now=sr.acknowledge_due_at) == 1


def test_acknowledged_requests_are_not_reminded(cast: Cast) -> None:
    sr = _received(cast, days_ago=9)
    walk(cast, sr, "acknowledge")
    assert request_services.requests_remind_overdue() == 0
    assert not TimelineEvent.objects.filter(kind="reminder").exists()


def test_request_is_overdue_only_while_unconfirmed_after_the_deadline(cast: Cast) -> None:
    fresh = _received(cast, days_ago=6.9)
    late = _received(cast, days_ago=7.1)
    assert not fresh.is_overdue
    assert late.is_overdue
    late = walk(cast, late, "acknowledge")
    assert not late.is_overdue
