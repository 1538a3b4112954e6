"""Amendments of the Kontrakt: a new version binds only once both sides accepted it; until
then the version in force stays in force. The differences are shown on the request page and
on their own page."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from lotse.core.models import AccessLog, OutboxMessage, Person
from lotse.support.models import Agreement, Proposal, State, SupportRequest, TimelineEvent
from lotse.support.selectors import requests as request_selectors
from lotse.support.services import agreements as agreement_services
from lotse.support.services import requests as request_services
from lotse.support.workflow import WorkflowError
from tests.factories import GOALS, Cast, bring_to_state, draft
from tests.helpers import snapshot

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]
NEW_GOALS = "Feedback im Unterricht verankern\nElternabende neu gestalten"


def in_force(sr: SupportRequest) -> int | None:
    agreement = request_selectors.binding_agreement(request=sr)
    return agreement.version if agreement else None


def amend(cast: Cast, sr: SupportRequest, by: Person | None = None, **changes: object) -> Agreement:
    return draft(cast, sr, by=by or cast.school_contact_a, **({"goals": NEW_GOALS} | changes))


def accept(agreement: Agreement, *people: Person) -> None:
    for person in people:
        agreement_services.agreement_accept(agreement=agreement, by=person)


def mails(sr: SupportRequest, template: str) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            reference=f"support.SupportRequest:{sr.pk}", template=f"support/mail/{template}"
        )
    )


# --- services ---------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [State.AGREED, State.ACCOMPANYING])
def test_an_amendment_binds_only_when_both_sides_accepted_it(cast: Cast, state: str) -> None:
    sr = bring_to_state(cast, state)
    amendment = amend(cast, sr)
    assert amendment.version == 2
    assert in_force(sr) == 1, "the proposer's acceptance alone is not enough"
    assert not TimelineEvent.objects.filter(request=sr, kind="amendment_binding").exists()

    accept(amendment, cast.supporter)
    assert in_force(sr) == 2
    sr.refresh_from_db()
    assert sr.state == state, "an amendment changes no state"
    event = TimelineEvent.objects.get(request=sr, kind="amendment_binding")
    assert event.data == {"version": 2}
    [mail] = mails(sr, "amendment_binding")
    assert set(mail.to) == {
        "sekretariat@schule-a.example",
        cast.school_contact_a.email,
        cast.supporter.email,
        cast.coordinator.email,
    }
    # The mail says that the change binds, never what it says.
    assert "Elternabende" not in mail.body
    assert "Version 2" in mail.body


@pytest.mark.parametrize(
    ("proposer", "other"), [("school_contact_a", "supporter"), ("supporter", "school_contact_a")]
)
def test_proposing_a_change_is_the_proposers_acceptance(
    cast: Cast, client_as: ClientAs, proposer: str, other: str
) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    amendment = amend(cast, sr, by=getattr(cast, proposer))
    page = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/").content.decode()
    missing = "der unterstützenden Person" if other == "supporter" else "der Schule"
    assert f"Es fehlt noch die Zustimmung {missing}. Bis dahin bleibt Version 1" in page
    assert " und " not in page.split("Es fehlt noch die Zustimmung")[1].split(".")[0]
    with pytest.raises(WorkflowError, match="bereits angenommen"):
        accept(amendment, getattr(cast, proposer))
    accept(amendment, getattr(cast, other))
    assert in_force(sr) == 2
    [mail] = mails(sr, "amendment_proposed")
    assert "bis auch die andere Seite der Änderung zugestimmt hat" in mail.body


def test_the_proposal_is_announced_without_its_content(cast: Cast) -> None:
    sr = bring_to_state(cast, State.AGREED)
    amend(cast, sr)
    [mail] = mails(sr, "amendment_proposed")
    assert "Elternabende" not in mail.body
    assert TimelineEvent.objects.filter(request=sr, kind="amendment_proposed").exists()


def test_a_newer_proposal_replaces_one_not_yet_accepted_by_both(cast: Cast) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    second = amend(cast, sr)
    third = amend(cast, sr, by=cast.supporter, ends_on=dt.date.today() + dt.timedelta(days=300))
    with pytest.raises(WorkflowError, match="aktuelle Version"):
        accept(second, cast.supporter)
    assert in_force(sr) == 1
    accept(third, cast.school_contact_a)
    assert in_force(sr) == 3


def test_a_proposal_equal_to_the_version_in_force_is_refused(cast: Cast) -> None:
    sr = bring_to_state(cast, State.AGREED)
    before = snapshot(sr)
    with pytest.raises(WorkflowError, match="gleiche wie Version 1"):
        draft(cast, sr, by=cast.school_contact_a)
    assert snapshot(sr) == before


@pytest.mark.parametrize(
    "who", ["coordinator", "proposed_supporter", "outsider", "school_contact_b", "admin"]
)
def test_only_school_and_accepted_supporters_amend_and_accept(cast: Cast, who: str) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    Proposal.objects.create(
        request=sr, supporter=cast.other_supporter, proposed_by=cast.coordinator
    )
    person = cast.other_supporter if who == "proposed_supporter" else getattr(cast, who)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        amend(cast, sr, by=person)
    assert snapshot(sr) == before

    amendment = amend(cast, sr)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        accept(amendment, person)
    assert snapshot(sr) == before
    assert in_force(sr) == 1


@pytest.mark.parametrize("state", [State.IN_CONTACT, State.COMPLETED, State.WITHDRAWN])
def test_no_amendment_before_the_kontrakt_binds_or_after_the_process_closed(
    cast: Cast, state: str
) -> None:
    sr = bring_to_state(cast, state)
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        amend(cast, sr)
    assert snapshot(sr) == before


def test_a_pending_amendment_cannot_bind_after_the_process_completed(cast: Cast) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING, reflected=True)
    amendment = amend(cast, sr)
    request_services.request_complete(request=sr, by=cast.supporter)
    with pytest.raises(WorkflowError):
        accept(amendment, cast.supporter)
    assert in_force(sr) == 1


# --- views ------------------------------------------------------------------------------------


def form_data(agreement: Agreement, **changes: Any) -> dict[str, Any]:
    data = {
        "participants": agreement.participants,
        "goals": agreement.goals,
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat(),
        "place": agreement.place,
        "frequency": agreement.frequency,
        "resources": agreement.resources,
        "methods": agreement.method_list(),
        "other_methods": agreement.other_methods,
        "confidentiality": agreement.confidentiality,
    }
    return data | changes


def test_the_amendment_form_starts_from_the_version_in_force(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    amend(cast, sr, goals="Ganz anderes Ziel")
    client = client_as(cast.supporter)
    response = client.get(f"/anfragen/{sr.pk}/kontrakt/")
    assert response.status_code == 200
    assert response.context["form"].initial["goals"] == GOALS
    assert "Version 2 wurde vorgeschlagen" in response.content.decode()
    # The proposal can be taken up instead.
    taken = client.get(f"/anfragen/{sr.pk}/kontrakt/?vorlage=2")
    assert taken.context["form"].initial["goals"] == "Ganz anderes Ziel"


def test_extending_focuses_the_time_span(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    response = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/kontrakt/?verlaengern=1")
    assert response.context["form"].fields["ends_on"].widget.attrs["autofocus"] is True
    page = response.content.decode()
    assert "Um die Begleitung zu verlängern, wählen Sie ein neues Enddatum" in page


def test_school_proposes_a_change_and_the_page_shows_what_waits(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    agreement = Agreement.objects.get(request=sr)
    client = client_as(cast.school_contact_a)
    response = client.post(
        f"/anfragen/{sr.pk}/kontrakt/", form_data(agreement, goals=NEW_GOALS), follow=True
    )
    page = response.content.decode()
    assert (
        "Version 2 wurde als Änderung vorgeschlagen; damit hat Ihre Seite ihr zugestimmt." in page
    )
    assert "in Kraft: Version 1" in page
    assert "Vorgeschlagene Änderung: Version 2" in page
    # Proposing it was the school's acceptance: only the supporter's is missing.
    assert "Es fehlt noch die Zustimmung der unterstützenden Person." in page
    assert "Änderung annehmen (Version 2)" not in page
    assert response.context["agreement_changes"].lines("added") == ["Elternabende neu gestalten"]
    assert response.context["agreement_changes"].lines("removed") == [
        "Schuelerfeedback zweimal im Jahr"
    ]

    client = client_as(cast.supporter)
    client.post(f"/anfragen/{sr.pk}/kontrakt/2/annehmen/")
    page = client.get(f"/anfragen/{sr.pk}/").content.decode()
    assert "in Kraft: Version 2" in page
    assert "Vorgeschlagene Änderung" not in page


@pytest.mark.parametrize("state", [State.AGREED, State.ACCOMPANYING])
def test_accepting_an_amendment_says_whether_it_now_binds(
    cast: Cast, client_as: ClientAs, state: str
) -> None:
    """The message follows the version in force, not the state (which an amendment keeps)."""
    sr = bring_to_state(cast, state)
    amend(cast, sr)
    # The school proposed it and cannot accept it a second time.
    first = client_as(cast.school_contact_a).post(
        f"/anfragen/{sr.pk}/kontrakt/2/annehmen/", follow=True
    )
    assert "Ihre Seite hat diese Version bereits angenommen." in first.content.decode()
    assert "Der Kontrakt ist verbindlich." not in first.content.decode()
    second = client_as(cast.supporter).post(f"/anfragen/{sr.pk}/kontrakt/2/annehmen/", follow=True)
    assert "Der Kontrakt ist verbindlich." in second.content.decode()
    assert in_force(sr) == 2


def test_an_unchanged_proposal_is_refused_in_german(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.AGREED)
    agreement = Agreement.objects.get(request=sr)
    response = client_as(cast.supporter).post(f"/anfragen/{sr.pk}/kontrakt/", form_data(agreement))
    assert response.status_code == 400
    assert "gleiche wie Version 1" in response.content.decode()
    assert Agreement.objects.filter(request=sr).count() == 1


def test_the_changes_page_shows_the_differences_and_is_one_read(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    amend(cast, sr, ends_on=dt.date(2031, 6, 30))
    before = AccessLog.objects.count()
    response = client_as(cast.coordinator).get(f"/anfragen/{sr.pk}/kontrakt/2/aenderungen/")
    assert response.status_code == 200
    assert AccessLog.objects.count() == before + 1
    log = AccessLog.objects.order_by("-pk").first()
    assert log is not None
    assert log.what == "agreement_changes"
    assert log.object_id == 2
    page = response.content.decode()
    assert "Elternabende neu gestalten" in page
    assert "30.06.2031" in page
    changes = response.context["changes"]
    assert [f.name for f in changes.changed_fields] == ["ends_on"]
    assert changes.lines("removed") == ["Schuelerfeedback zweimal im Jahr"]


def test_a_supporter_still_deciding_does_not_read_the_changes(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    amend(cast, sr)
    Proposal.objects.create(
        request=sr, supporter=cast.other_supporter, proposed_by=cast.coordinator
    )
    before = AccessLog.objects.count()
    response = client_as(cast.other_supporter).get(f"/anfragen/{sr.pk}/kontrakt/2/aenderungen/")
    assert response.status_code == 403
    assert AccessLog.objects.count() == before


def pdf_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_pdf_says_which_version_is_in_force(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.AGREED)
    amendment = amend(cast, sr)
    client = client_as(cast.school_contact_a)
    assert "Diese Version ist in Kraft." in pdf_text(client, f"/anfragen/{sr.pk}/kontrakt/1/pdf/")
    pending = pdf_text(client, f"/anfragen/{sr.pk}/kontrakt/2/pdf/")
    assert "Vorgeschlagene Änderung" in pending
    assert "Elternabende neu gestalten" in pending

    accept(amendment, cast.supporter)
    assert "Abgelöst: Version 2 ist in Kraft." in pdf_text(
        client, f"/anfragen/{sr.pk}/kontrakt/1/pdf/"
    )
    assert "Diese Version ist in Kraft." in pdf_text(client, f"/anfragen/{sr.pk}/kontrakt/2/pdf/")


def test_the_prefilled_dates_reach_the_browser_as_iso_dates(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    agreement = Agreement.objects.get(request=sr)
    page = client_as(cast.supporter).get(f"/anfragen/{sr.pk}/kontrakt/").content.decode()
    assert f'value="{agreement.starts_on.isoformat()}"' in page
    assert f'value="{agreement.ends_on.isoformat()}"' in page


def test_what_an_amendment_changed_is_shown_against_the_version_it_replaced(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    amend(cast, sr, goals="Nie angenommen")
    third = amend(cast, sr, goals=NEW_GOALS)
    accept(third, cast.supporter)
    response = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/kontrakt/3/aenderungen/")
    assert response.context["base"].version == 1
    assert response.context["changes"].lines("added") == ["Elternabende neu gestalten"]
    assert "Nie angenommen" not in response.content.decode()


def test_the_first_version_has_nothing_to_compare_with(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED, drafted=True)
    response = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/kontrakt/1/aenderungen/")
    assert response.status_code == 200
    assert "Das ist die erste Version des Kontrakts" in response.content.decode()
    assert (
        client_as(cast.school_contact_a)
        .get(f"/anfragen/{sr.pk}/kontrakt/7/aenderungen/")
        .status_code
        == 404
    )
