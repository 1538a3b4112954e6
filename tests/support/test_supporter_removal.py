"""The coordination or the school ends a supporter's part; a withdrawal ends every supporter's.
From that moment the supporter gets 404 on every confidential URL of the request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from lotse.core.models import OutboxMessage, Person
from lotse.support.models import (
    Attachment,
    Proposal,
    State,
    SupportRequest,
    TimelineEvent,
    Visibility,
)
from lotse.support.services import base as services_base
from lotse.support.services import records as record_services
from lotse.support.services import requests as request_services
from lotse.support.workflow import WorkflowError
from tests.factories import Cast, bring_to_state
from tests.helpers import new_mails, to

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]
REASON = "Die Zusammenarbeit mit der Steuergruppe ist zerbrochen."


def confidential_urls(sr: SupportRequest, document: Attachment) -> dict[str, tuple[str, str]]:
    """Every URL that shows or changes the request's content, with its method."""
    base = f"/anfragen/{sr.pk}/"
    return {
        "detail": ("GET", base),
        "timeline": ("GET", f"{base}?fragment=timeline"),
        "kontrakt-pdf": ("GET", f"{base}kontrakt/1/pdf/"),
        "kontrakt-form": ("GET", f"{base}kontrakt/"),
        "document": ("GET", f"{base}anhaenge/{document.pk}/"),
        "access-log": ("GET", f"{base}zugriffe/"),
        "note": ("POST", f"{base}notiz/"),
        "upload": ("POST", f"{base}dokument/"),
        "step": ("POST", f"{base}schritt/start/"),
    }


def agreed_with_document(cast: Cast) -> tuple[SupportRequest, Attachment]:
    sr = bring_to_state(cast, State.AGREED)
    document = record_services.document_upload(
        request=sr, by=cast.supporter, filename="Plan.pdf", content_type="", content=b"%PDF"
    )
    return sr, document


def assert_locked_out(client: Client, sr: SupportRequest, document: Attachment) -> None:
    for name, (method, url) in confidential_urls(sr, document).items():
        response = client.get(url) if method == "GET" else client.post(url, {})
        assert response.status_code == 404, name


def test_the_supporter_reaches_every_url_before(cast: Cast, client_as: ClientAs) -> None:
    # Guards the tests below: while involved, no URL answers the supporter with 404.
    sr, document = agreed_with_document(cast)
    expected = {
        "detail": 200,
        "timeline": 200,
        "kontrakt-pdf": 200,
        "kontrakt-form": 200,  # binding: the form proposes an amendment
        "document": 200,
        "access-log": 403,  # the school's and the coordination's
        "note": 400,  # an empty form
        "upload": 400,
        "step": 302,
    }
    client = client_as(cast.supporter)
    for name, (method, url) in confidential_urls(sr, document).items():
        response = client.get(url) if method == "GET" else client.post(url, {})
        assert response.status_code == expected[name], name


def test_the_coordination_ends_an_accompaniment(cast: Cast, client_as: ClientAs) -> None:
    sr, document = agreed_with_document(cast)
    proposal = Proposal.objects.get(request=sr, supporter=cast.supporter)
    before = OutboxMessage.objects.count()

    response = client_as(cast.coordinator).post(
        f"/anfragen/{sr.pk}/begleitung/{proposal.pk}/beenden/", {"remove-reason": REASON}
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.removed_by) == (Proposal.Status.REMOVED, cast.coordinator)
    assert proposal.removed_at is not None
    event = TimelineEvent.objects.filter(request=sr).last()
    assert event is not None
    assert (event.kind, event.actor, event.note) == ("proposal_removed", cast.coordinator, REASON)
    assert event.visibility == Visibility.COORDINATION
    assert new_mails(before) == {("proposal_removed", to(cast.supporter.email))}
    mail = OutboxMessage.objects.get(template="support/mail/proposal_removed")
    assert REASON not in mail.body
    assert REASON not in mail.subject
    # From this moment on, nothing of the request opens for the supporter.
    assert_locked_out(client_as(cast.supporter), sr, document)
    assert client_as(cast.supporter).get("/begleitung/").context["proposals"].count() == 0
    # The school and the coordination read why.
    assert REASON in client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/").content.decode()


def test_the_school_withdraws_a_proposal_and_the_coordination_hears_of_it(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    proposal = Proposal.objects.get(request=sr)
    before = OutboxMessage.objects.count()
    request_services.proposal_remove(proposal=proposal, by=cast.school_contact_a, reason=REASON)
    assert new_mails(before) == {
        ("proposal_removed", to(cast.supporter.email)),
        ("proposal_removed_coordination", to(cast.coordinator.email)),
    }
    for mail in OutboxMessage.objects.order_by("pk")[before:]:
        assert REASON not in mail.body
    assert client_as(cast.supporter).get(f"/anfragen/{sr.pk}/").status_code == 404
    assert REASON in client_as(cast.coordinator).get(f"/anfragen/{sr.pk}/").content.decode()


def test_the_page_offers_the_right_words(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    proposal = Proposal.objects.get(request=sr)
    action = f"/anfragen/{sr.pk}/begleitung/{proposal.pk}/beenden/"
    for name in ("coordinator", "school_contact_a"):
        assert action in client_as(getattr(cast, name)).get(f"/anfragen/{sr.pk}/").content.decode()
    assert action not in client_as(cast.supporter).get(f"/anfragen/{sr.pk}/").content.decode()


def test_removing_needs_a_reason_and_happens_once(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    proposal = Proposal.objects.get(request=sr)
    url = f"/anfragen/{sr.pk}/begleitung/{proposal.pk}/beenden/"
    response = client_as(cast.coordinator).post(url, {"remove-reason": ""})
    assert response.status_code == 400
    assert set(response.context["remove_form"].errors) == {"reason"}
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED

    request_services.proposal_remove(proposal=proposal, by=cast.coordinator, reason=REASON)
    with pytest.raises(WorkflowError):
        request_services.proposal_remove(proposal=proposal, by=cast.coordinator, reason=REASON)
    assert client_as(cast.coordinator).post(url, {"remove-reason": REASON}).status_code == 400


def test_a_supporter_cannot_remove_anyone(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    proposal = Proposal.objects.get(request=sr)
    with pytest.raises(WorkflowError):
        request_services.proposal_remove(proposal=proposal, by=cast.supporter, reason=REASON)
    response = client_as(cast.supporter).post(
        f"/anfragen/{sr.pk}/begleitung/{proposal.pk}/beenden/", {"remove-reason": REASON}
    )
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED


def test_a_declined_proposal_cannot_be_removed(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    proposal = Proposal.objects.get(request=sr)
    request_services.proposal_decline(proposal=proposal, by=cast.supporter, reason="Keine Zeit")
    with pytest.raises(WorkflowError):
        request_services.proposal_remove(proposal=proposal, by=cast.coordinator, reason=REASON)


def test_the_process_goes_on_without_the_removed_supporter(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    request_services.proposal_remove(
        proposal=Proposal.objects.get(request=sr), by=cast.coordinator, reason=REASON
    )
    # The removed supporter can neither decide nor act; another can be proposed.
    with pytest.raises(WorkflowError):
        request_services.proposal_accept(
            proposal=Proposal.objects.get(request=sr), by=cast.supporter
        )
    request_services.request_propose(
        request=sr, by=cast.coordinator, supporters=[cast.other_supporter]
    )
    assert services_base.supporter_addresses(sr, undecided=True) == [cast.other_supporter.email]


def test_after_withdrawal_every_confidential_url_is_closed_to_supporters(
    cast: Cast, client_as: ClientAs
) -> None:
    sr, document = agreed_with_document(cast)
    request_services.request_withdraw(
        request=sr, by=cast.school_contact_a, reason="Hat sich erledigt."
    )
    assert_locked_out(client_as(cast.supporter), sr, document)
    # Nothing to end any more: the withdrawal already did.
    with pytest.raises(WorkflowError):
        request_services.proposal_remove(
            proposal=Proposal.objects.get(request=sr), by=cast.coordinator, reason=REASON
        )
    # The school and the coordination still read the request.
    assert client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/").status_code == 200
    assert client_as(cast.coordinator).get(f"/anfragen/{sr.pk}/").status_code == 200
