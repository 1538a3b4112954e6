"""A running process whose only supporter left gets a supporter again: the coordination proposes
whoever fits, the same person too, and the process goes on where it stood."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from lotse.core.models import OutboxMessage, Person
from lotse.support.models import Proposal, State, SupportRequest
from lotse.support.services import requests as request_services
from lotse.support.workflow import WorkflowError
from tests.factories import Cast, bring_to_state
from tests.helpers import new_mails, to

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]
REASON = "Die Zusammenarbeit ist ins Stocken geraten."


def page(client: Client, sr: SupportRequest) -> str:
    return client.get(f"/anfragen/{sr.pk}/").content.decode()


def end_part(cast: Cast, client: Client, sr: SupportRequest) -> None:
    proposal = Proposal.objects.get(request=sr, supporter=cast.supporter)
    response = client.post(
        f"/anfragen/{sr.pk}/begleitung/{proposal.pk}/beenden/", {"remove-reason": REASON}
    )
    assert response.status_code == 302


def propose(client: Client, sr: SupportRequest, *people: Person) -> int:
    response = client.post(
        f"/anfragen/{sr.pk}/schritt/propose/",
        {"propose-supporters": [p.pk for p in people], "propose-note": "Noch einmal?"},
    )
    return response.status_code


def test_the_coordination_proposes_the_same_supporter_again(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    coordination = client_as(cast.coordinator)
    # While the supporter accompanies the request, nobody is proposed.
    assert 'id="vorschlag"' not in page(coordination, sr)
    assert propose(coordination, sr, cast.other_supporter) == 400

    end_part(cast, coordination, sr)
    html = page(coordination, sr)
    # The shortlist is back, with the supporter whose part ended and what happened.
    assert 'id="vorschlag"' in html
    assert f'id="propose-{cast.supporter.pk}"' in html
    assert "Ihre Mitarbeit an dieser Anfrage endete am" in html
    assert "Die Regionalkoordination wählt passende Unterstützer:innen aus." in html

    before = OutboxMessage.objects.count()
    assert propose(coordination, sr, cast.supporter) == 302
    sr.refresh_from_db()
    # The process goes on where it stood; the supporter is asked again by mail.
    assert sr.state == State.ACCOMPANYING
    proposal = Proposal.objects.get(request=sr, supporter=cast.supporter)
    assert (proposal.status, proposal.removed_at, proposal.decided_at) == (
        Proposal.Status.PROPOSED,
        None,
        None,
    )
    assert new_mails(before) == {("proposed", to(cast.supporter.email))}
    assert "Die vorgeschlagenen Unterstützer:innen entscheiden" in page(coordination, sr)

    supporter = client_as(cast.supporter)
    assert supporter.post(f"/anfragen/{sr.pk}/vorschlag/accept/").status_code == 302
    # Back on the request: the supporter plans the next session again.
    assert f"/anfragen/{sr.pk}/termine/neu/" in page(supporter, sr)


def test_someone_else_who_fits_can_be_proposed_too(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    coordination = client_as(cast.coordinator)
    end_part(cast, coordination, sr)
    assert propose(coordination, sr, cast.other_supporter) == 302
    sr.refresh_from_db()
    assert sr.state == State.MEETING_SCHEDULED
    # Once someone is proposed, nobody else is until they have decided.
    assert propose(coordination, sr, cast.supporter) == 400
    assert not Proposal.objects.filter(
        request=sr, supporter=cast.supporter, status=Proposal.Status.PROPOSED
    ).exists()


def test_who_declined_can_be_asked_again(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    request_services.proposal_decline(
        proposal=Proposal.objects.get(request=sr), by=cast.supporter, reason="Gerade keine Zeit"
    )
    coordination = client_as(cast.coordinator)
    html = page(coordination, sr)
    assert f'id="propose-{cast.supporter.pk}"' in html
    assert "Hat diese Anfrage am" in html
    assert propose(coordination, sr, cast.supporter) == 302
    proposal = Proposal.objects.get(request=sr, supporter=cast.supporter)
    assert (proposal.status, proposal.decline_reason) == (Proposal.Status.PROPOSED, "")
    # The earlier answer stays in the timeline.
    assert "Gerade keine Zeit" in page(coordination, sr)
    # Proposed twice at once is refused, as before.
    with pytest.raises(WorkflowError, match="bereits vorgeschlagen"):
        request_services.request_propose(
            request=sr, by=cast.coordinator, supporters=[cast.supporter]
        )
