"""The pages of the support process, clicked through by the people of the cast."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from lotse.core.models import OutboxMessage, Person
from lotse.support.models import Agreement, Meeting, Proposal, State, SupportRequest
from tests.factories import (
    GOALS,
    Cast,
    QualityAreaFactory,
    SchoolFactory,
    bring_to_state,
    person_with_role,
    submit_request,
    walk,
)
from tests.helpers import snapshot

pytestmark = pytest.mark.django_db

REQUIRED = "Dieses Feld ist zwingend erforderlich."
ClientAs = Callable[[Person | None], Client]


def detail_url(sr: SupportRequest) -> str:
    return f"/anfragen/{sr.pk}/"


def action(client: Client, sr: SupportRequest, name: str, **fields: Any) -> Any:
    """Post one step of the request page, with the form prefix the page uses."""
    data = {f"{name}-{key}": value for key, value in fields.items()}
    return client.post(f"/anfragen/{sr.pk}/schritt/{name}/", data)


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def html(response: Any) -> str:
    return response.content.decode()


def kontrakt_data(**overrides: str) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "participants": "Schulleitung, Steuergruppe",
        "goals": GOALS,
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=90)).isoformat(),
        "place": "Schule",
        "frequency": "monatlich",
        "resources": "",
        "other_methods": "Hospitation",
        "confidentiality": "Was besprochen wird, bleibt im Raum.",
    }
    data.update(overrides)
    return data


# --- home --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("coordinator", "/koordination/"),
        ("supporter", "/begleitung/"),
        ("school_contact_a", "/anfragen/"),
    ],
)
def test_home_sends_each_person_to_the_page_of_their_role(
    cast: Cast, client_as: ClientAs, name: str, target: str
) -> None:
    response = client_as(getattr(cast, name)).get("/")
    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.parametrize("name", ["outsider", "admin"])
def test_home_welcomes_people_without_a_process_role(
    cast: Cast, client_as: ClientAs, name: str
) -> None:
    response = client_as(getattr(cast, name)).get("/")
    assert response.status_code == 200
    assert "support/home.html" in [t.name for t in response.templates]


def test_anonymous_visitors_are_sent_to_the_login(client: Client) -> None:
    response = client.get("/anfragen/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/login/?next=/anfragen/"


# --- step 1: the request form --------------------------------------------------------------


def request_data(cast: Cast, **overrides: Any) -> dict[str, Any]:
    data = {
        "school": cast.school_a.pk,
        "subject": "Ganztag gestalten",
        "text": "Wir wollen unseren Ganztag neu denken.",
        "quality_area": "",
        "offer": "",
        "contact_name": "Sabine Schulz",
        "contact_email": "leitung@schule-a.example",
        "contact_phone": "",
    }
    data.update(overrides)
    return data


def test_request_form_is_prefilled_for_the_contacts_school(cast: Cast, client_as: ClientAs) -> None:
    response = client_as(cast.school_contact_a).get("/anfragen/neu/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["school"] == cast.school_a
    assert form.initial["contact_email"] == cast.school_contact_a.email
    assert form.initial["contact_name"] == "Sabine Schulz"
    assert list(form.fields["school"].queryset) == [cast.school_a]


def test_school_contact_sends_a_request(cast: Cast, client_as: ClientAs) -> None:
    area = QualityAreaFactory(organisation=cast.organisation)
    response = client_as(cast.school_contact_a).post(
        "/anfragen/neu/", request_data(cast, quality_area=area.pk)
    )

    sr = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(sr)
    assert (sr.school, sr.site, sr.state) == (cast.school_a, cast.site_a, State.RECEIVED)
    assert sr.quality_area == area
    assert sr.submitted_by == cast.school_contact_a
    assert list(sr.events.values_list("kind", flat=True)) == ["received"]
    notice = OutboxMessage.objects.get(template="support/mail/new_request")
    assert notice.to == [cast.coordinator.email]
    # The same confirmation with the reference as the public form sends (issue 11).
    confirmation = OutboxMessage.objects.get(template="support/mail/received")
    assert confirmation.to == [sr.contact_email]
    assert f"[#{sr.token}]" in confirmation.subject
    assert sr.token in confirmation.reply_to
    assert "Standort Dresden" in confirmation.body
    page = client_as(cast.school_contact_a).get(detail_url(sr))
    assert page.status_code == 200
    assert "Ganztag gestalten" in html(page)


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_request_text_is_an_error(cast: Cast, client_as: ClientAs, text: str) -> None:
    response = client_as(cast.school_contact_a).post(
        "/anfragen/neu/", request_data(cast, text=text)
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"text"}
    assert REQUIRED in html(response)
    assert not SupportRequest.objects.exists()


@pytest.mark.parametrize("school", ["other", "missing", "bogus"])
def test_unknown_school_is_an_error(cast: Cast, client_as: ClientAs, school: str) -> None:
    value = {"other": cast.school_b.pk, "missing": 999999, "bogus": "abc"}[school]
    response = client_as(cast.school_contact_a).post(
        "/anfragen/neu/", request_data(cast, school=value)
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"school"}
    assert not SupportRequest.objects.exists()


def test_missing_contact_address_is_an_error(cast: Cast, client_as: ClientAs) -> None:
    response = client_as(cast.school_contact_a).post(
        "/anfragen/neu/", request_data(cast, contact_email="")
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"contact_email"}
    assert REQUIRED in html(response)
    assert not SupportRequest.objects.exists()


def test_school_without_site_gets_the_refusal_on_the_form(cast: Cast, client_as: ClientAs) -> None:
    school = SchoolFactory(district=None)
    contact = person_with_role("school_contact", cast.organisation, school=school)
    response = client_as(contact).post("/anfragen/neu/", request_data(cast, school=school.pk))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not SupportRequest.objects.exists()


def test_school_list_shows_only_the_own_schools_requests(cast: Cast, client_as: ClientAs) -> None:
    own = submit_request(cast.school_a, cast.school_contact_a, subject="Unsere Anfrage")
    submit_request(cast.school_b, cast.school_contact_b, subject="Fremde Anfrage")
    response = client_as(cast.school_contact_a).get("/anfragen/")
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [own]
    assert "Unsere Anfrage" in html(response)
    assert "Fremde Anfrage" not in html(response)
    # The school sees what happens next without opening the request.
    assert "Der Standort bestätigt den Eingang der Anfrage." in html(response)


# --- the request page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("school_contact_a", {"withdraw"}),
        ("coordinator", {"propose", "forward"}),
        ("supporter", {"first_contact"}),
    ],
)
def test_request_page_offers_each_side_its_next_steps(
    cast: Cast, client_as: ClientAs, name: str, allowed: set[str]
) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED)
    response = client_as(getattr(cast, name)).get(detail_url(sr))
    assert response.status_code == 200
    assert response.context["allowed"] == allowed
    assert set(response.context["action_forms"]) == allowed
    for step in allowed:
        assert f"/anfragen/{sr.pk}/schritt/{step}/" in html(response)


def test_timeline_fragment_for_htmx(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.CLARIFIED)
    client = client_as(cast.coordinator)
    response = client.get(detail_url(sr) + "?fragment=timeline", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = html(response)
    assert 'id="timeline"' in content
    assert "Telefonat mit der Schulleitung." in content
    # Only the fragment: no page around it, no state box, no step forms.
    assert "<html" not in content
    assert 'id="state-heading"' not in content
    assert "/schritt/" not in content
    assert [e.kind for e in response.context["events"]] == ["received", "acknowledged", "clarified"]


# --- the steps, clicked through ------------------------------------------------------------


def test_coordinator_confirms_receipt(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.RECEIVED)
    response = action(client_as(cast.coordinator), sr, "acknowledge", note="Wir melden uns.")
    assert response.status_code == 302
    assert response["Location"] == detail_url(sr)
    sr.refresh_from_db()
    assert sr.state == State.ACKNOWLEDGED
    assert sr.events.get(kind="acknowledged").note == "Wir melden uns."
    assert OutboxMessage.objects.filter(template="support/mail/acknowledged").count() == 1


def test_refused_step_is_answered_with_400_and_changes_nothing(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.ACKNOWLEDGED)
    before = snapshot(sr)
    response = action(client_as(cast.coordinator), sr, "acknowledge", note="Nochmal")
    assert response.status_code == 400
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert snapshot(sr) == before


def test_step_of_another_side_is_forbidden(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.RECEIVED)
    before = snapshot(sr)
    assert action(client_as(cast.school_contact_a), sr, "acknowledge").status_code == 403
    assert snapshot(sr) == before


def test_posts_without_csrf_token_are_refused(cast: Cast) -> None:
    sr = bring_to_state(cast, State.RECEIVED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.coordinator)
    assert action(client, sr, "acknowledge").status_code == 403
    sr.refresh_from_db()
    assert sr.state == State.RECEIVED


@pytest.mark.parametrize("name", ["draft", "accept_agreement", "agree", "nonsense"])
def test_unknown_step_is_not_found(cast: Cast, client_as: ClientAs, name: str) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED, drafted=True)
    assert action(client_as(cast.supporter), sr, name).status_code == 404


def test_clarification_without_note_is_an_error(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACKNOWLEDGED)
    before = snapshot(sr)
    response = action(client_as(cast.coordinator), sr, "clarify", note="")
    assert response.status_code == 400
    assert set(response.context["action_forms"]["clarify"].errors) == {"note"}
    assert response.context["open_action"] == "clarify"
    assert REQUIRED in html(response)
    assert snapshot(sr) == before

    response = action(client_as(cast.coordinator), sr, "clarify", note="Telefonat am Montag.")
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.state == State.CLARIFIED


def test_coordinator_proposes_supporters(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.CLARIFIED)
    client = client_as(cast.coordinator)
    before = snapshot(sr)

    response = action(client, sr, "propose", note="Bitte schauen")
    assert response.status_code == 400
    assert set(response.context["action_forms"]["propose"].errors) == {"supporters"}
    response = action(client, sr, "propose", supporters=[cast.coordinator.pk])
    assert response.status_code == 400
    assert set(response.context["action_forms"]["propose"].errors) == {"supporters"}
    assert snapshot(sr) == before

    response = action(
        client, sr, "propose", supporters=[cast.supporter.pk, cast.other_supporter.pk], note="Bitte"
    )
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.state == State.SUPPORTERS_PROPOSED
    assert set(sr.proposals.values_list("supporter", flat=True)) == {
        cast.supporter.pk,
        cast.other_supporter.pk,
    }


def test_proposed_supporter_accepts(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    client = client_as(cast.supporter)
    page = client.get(detail_url(sr))
    assert page.context["my_proposal"] is not None
    response = client.post(f"/anfragen/{sr.pk}/vorschlag/accept/")
    assert response.status_code == 302
    assert response["Location"] == detail_url(sr)
    assert Proposal.objects.get(request=sr).status == Proposal.Status.ACCEPTED
    assert client.get(detail_url(sr)).context["my_proposal"] is None


def test_decline_without_reason_is_an_error_and_with_reason_ends_access(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    client = client_as(cast.supporter)
    before = snapshot(sr)

    response = client.post(f"/anfragen/{sr.pk}/vorschlag/decline/", {"decline-reason": ""})
    assert response.status_code == 400
    assert set(response.context["decline_form"].errors) == {"reason"}
    assert REQUIRED in html(response)
    assert snapshot(sr) == before

    response = client.post(
        f"/anfragen/{sr.pk}/vorschlag/decline/", {"decline-reason": "Keine Kapazität."}
    )
    assert response.status_code == 302
    assert response["Location"] == "/begleitung/"
    proposal = Proposal.objects.get(request=sr)
    assert (proposal.status, proposal.decline_reason) == ("declined", "Keine Kapazität.")
    assert client.get(detail_url(sr)).status_code == 404
    assert client.get("/begleitung/").context["proposals"].count() == 0


def test_unknown_decision_is_not_found(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    assert client_as(cast.supporter).post(f"/anfragen/{sr.pk}/vorschlag/maybe/").status_code == 404
    assert Proposal.objects.get(request=sr).status == Proposal.Status.PROPOSED


def test_deciding_twice_is_refused(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED)
    response = client_as(cast.supporter).post(f"/anfragen/{sr.pk}/vorschlag/accept/")
    assert response.status_code == 400
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_supporter_records_first_contact_and_schedules_the_meeting(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED)
    client = client_as(cast.supporter)
    assert action(client, sr, "first_contact", note="Telefonat mit Frau Schulz").status_code == 302
    sr.refresh_from_db()
    assert sr.state == State.IN_CONTACT

    past = timezone.now() - dt.timedelta(days=1)
    response = action(
        client, sr, "schedule", starts_at=local(past), place="Aula", participants="Kollegium"
    )
    assert response.status_code == 400
    assert set(response.context["action_forms"]["schedule"].errors) == {"starts_at"}
    assert not Meeting.objects.exists()

    response = action(client, sr, "schedule", starts_at="", place="", participants="")
    assert response.status_code == 400
    assert set(response.context["action_forms"]["schedule"].errors) == {
        "starts_at",
        "place",
        "participants",
    }
    assert REQUIRED in html(response)

    future = timezone.now() + dt.timedelta(days=10)
    response = action(
        client, sr, "schedule", starts_at=local(future), place="Aula", participants="Kollegium"
    )
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.state == State.MEETING_SCHEDULED
    meeting = Meeting.objects.get()
    assert local(meeting.starts_at) == local(future)
    assert client.get(detail_url(sr)).context["next_meeting"] == meeting


def test_no_collaboration_needs_a_note(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    client = client_as(cast.coordinator)
    response = action(client, sr, "no_collaboration", note="")
    assert response.status_code == 400
    assert set(response.context["action_forms"]["no_collaboration"].errors) == {"note"}
    assert action(client, sr, "no_collaboration", note="Kein Bedarf mehr").status_code == 302
    sr.refresh_from_db()
    assert sr.state == State.CLOSED_WITHOUT_AGREEMENT


# --- the Kontrakt ---------------------------------------------------------------------------


def test_kontrakt_form_starts_from_the_meeting(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    response = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/kontrakt/")
    assert response.status_code == 200
    assert response.context["form"].initial == {
        "participants": "Schulleitung, Steuergruppe",
        "place": "Schule, Raum 3",
    }


def test_kontrakt_form_starts_from_the_latest_version(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED, drafted=True)
    response = client_as(cast.supporter).get(f"/anfragen/{sr.pk}/kontrakt/")
    assert response.status_code == 200
    assert response.context["latest"].version == 1
    assert response.context["form"].initial["goals"] == GOALS


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"goals": ""}, "goals"),
        ({"goals": "   "}, "goals"),
        ({"ends_on": "2020-01-01"}, "ends_on"),
        ({"starts_on": "gestern"}, "starts_on"),
        ({"confidentiality": ""}, "confidentiality"),
    ],
    ids=["no goals", "blank goals", "end before start", "no date", "no confidentiality"],
)
def test_incomplete_kontrakt_is_an_error(
    cast: Cast, client_as: ClientAs, overrides: dict[str, str], field: str
) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    response = client_as(cast.supporter).post(
        f"/anfragen/{sr.pk}/kontrakt/", kontrakt_data(**overrides)
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {field}
    assert not Agreement.objects.exists()


def test_kontrakt_without_goals_shows_the_required_message(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    response = client_as(cast.supporter).post(
        f"/anfragen/{sr.pk}/kontrakt/", kontrakt_data(goals="")
    )
    assert REQUIRED in html(response)


def test_kontrakt_cannot_be_drafted_before_the_meeting(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    client = client_as(cast.supporter)
    response = client.post(f"/anfragen/{sr.pk}/kontrakt/", kontrakt_data())
    assert response.status_code == 302
    assert response["Location"] == detail_url(sr)
    assert not Agreement.objects.exists()


def test_both_sides_accept_the_kontrakt_and_download_it(cast: Cast, client_as: ClientAs) -> None:
    # The first meeting took place; the Kontrakt is written and agreed after it.
    sr = walk(cast, bring_to_state(cast, State.MEETING_SCHEDULED), "meeting_held")
    client = client_as(cast.supporter)
    response = client.post(f"/anfragen/{sr.pk}/kontrakt/", kontrakt_data())
    assert response.status_code == 302
    assert Agreement.objects.get(request=sr).version == 1

    # A change by the school is version 2; only it can be accepted now.
    client = client_as(cast.school_contact_a)
    changed = kontrakt_data(goals=GOALS + "\nElternarbeit staerken")
    assert client.post(f"/anfragen/{sr.pk}/kontrakt/", changed).status_code == 302
    response = client.post(f"/anfragen/{sr.pk}/kontrakt/1/annehmen/")
    assert response.status_code == 400
    assert client.post(f"/anfragen/{sr.pk}/kontrakt/2/annehmen/").status_code == 302
    sr.refresh_from_db()
    assert sr.state == State.MEETING_SCHEDULED
    page = client.get(detail_url(sr))
    assert page.context["can_accept_agreement"] is False

    client = client_as(cast.supporter)
    assert client.get(detail_url(sr)).context["can_accept_agreement"] is True
    assert client.post(f"/anfragen/{sr.pk}/kontrakt/2/annehmen/").status_code == 302
    sr.refresh_from_db()
    assert sr.state == State.AGREED

    response = client.get(f"/anfragen/{sr.pk}/kontrakt/2/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="kontrakt-' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for goal in [*GOALS.splitlines(), "Elternarbeit staerken"]:
        assert goal in text
    assert "Sabine Schulz" in text
    assert "Berta Berger" in text


def test_kontrakt_of_an_unknown_version_is_not_found(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED, drafted=True)
    client = client_as(cast.school_contact_a)
    assert client.get(f"/anfragen/{sr.pk}/kontrakt/9/pdf/").status_code == 404
    assert client.post(f"/anfragen/{sr.pk}/kontrakt/9/annehmen/").status_code == 404


def test_supporter_starts_and_completes_the_accompaniment(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.AGREED)
    client = client_as(cast.supporter)
    assert action(client, sr, "start").status_code == 302
    sr.refresh_from_db()
    assert sr.state == State.ACCOMPANYING
    sr = walk(cast, sr, "reflect", "confirm_reflection")
    assert action(client, sr, "complete", note="Gut gelaufen").status_code == 302
    sr.refresh_from_db()
    assert sr.state == State.COMPLETED
    assert sr.events.get(kind="completed").note == "Gut gelaufen"


# --- withdraw and forward -------------------------------------------------------------------


def test_school_withdraws_and_the_supporter_loses_access(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    assert client_as(cast.supporter).get(detail_url(sr)).status_code == 200

    response = action(client_as(cast.school_contact_a), sr, "withdraw", note="")
    assert response.status_code == 302
    assert response["Location"] == "/"
    sr.refresh_from_db()
    assert sr.state == State.WITHDRAWN
    assert client_as(cast.supporter).get(detail_url(sr)).status_code == 404
    assert client_as(cast.supporter).get("/begleitung/").context["proposals"].count() == 0
    assert client_as(cast.coordinator).get(detail_url(sr)).status_code == 200


def test_forward_without_recipient_is_an_error(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACKNOWLEDGED)
    client = client_as(cast.coordinator)
    before = snapshot(sr)
    response = action(client, sr, "forward", recipient="", reason="zuständig")
    assert response.status_code == 400
    assert set(response.context["action_forms"]["forward"].errors) == {"recipient"}
    assert REQUIRED in html(response)
    assert snapshot(sr) == before

    response = action(client, sr, "forward", recipient="Jugendamt", reason="zuständig")
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.state == State.FORWARDED


# --- the coordinator's inbox ----------------------------------------------------------------


@pytest.fixture
def inbox_cast(cast: Cast) -> dict[str, Any]:
    """A coordinator of both sites and requests in several states and at several deadlines."""
    both = person_with_role(
        "coordinator", cast.organisation, sites=[cast.site_a, cast.site_b], email="beide@lasub.de"
    )
    area = QualityAreaFactory(organisation=cast.organisation)
    school_c = SchoolFactory(
        name="Grundschule Auenwald", number="33333", district=cast.site_b.districts.get()
    )
    now = timezone.now()
    requests = {
        "overdue_old": submit_request(
            cast.school_a, None, subject="Sehr alt", received_at=now - dt.timedelta(days=12)
        ),
        "overdue": submit_request(
            cast.school_b, None, subject="Überfällig", received_at=now - dt.timedelta(days=8)
        ),
        "fresh": submit_request(
            school_c, None, subject="Frisch", quality_area=area, received_at=now
        ),
        "due_soon": submit_request(
            cast.school_a, None, subject="Bald fällig", received_at=now - dt.timedelta(days=5)
        ),
    }
    requests["running"] = walk(
        cast, submit_request(cast.school_a, None, subject="Läuft"), "acknowledge"
    )
    requests["closed"] = walk(
        cast, submit_request(cast.school_a, None, subject="Zu"), "acknowledge", "forward"
    )
    return {"coordinator": both, "area": area, "school_c": school_c, **requests}


def inbox(client: Client, **params: Any) -> list[str]:
    response = client.get("/koordination/", params)
    assert response.status_code == 200
    return [sr.subject for sr in response.context["page"].object_list]


def test_inbox_shows_open_requests_overdue_first(
    inbox_cast: dict[str, Any], client_as: ClientAs
) -> None:
    client = client_as(inbox_cast["coordinator"])
    assert inbox(client) == ["Sehr alt", "Überfällig", "Bald fällig", "Frisch", "Läuft"]


def test_inbox_with_all_states_lists_closed_requests_last_newest_first(
    cast: Cast, inbox_cast: dict[str, Any], client_as: ClientAs
) -> None:
    newer = walk(cast, submit_request(cast.school_a, None, subject="Zu, neuer"), "acknowledge")
    walk(cast, newer, "forward")
    client = client_as(inbox_cast["coordinator"])
    assert inbox(client, state="") == [
        "Sehr alt",
        "Überfällig",
        "Bald fällig",
        "Frisch",
        "Läuft",
        "Zu, neuer",
        "Zu",
    ]


def test_inbox_shows_only_the_coordinators_sites(
    cast: Cast, inbox_cast: dict[str, Any], client_as: ClientAs
) -> None:
    assert inbox(client_as(cast.other_coordinator)) == ["Frisch"]
    assert "Frisch" not in inbox(client_as(cast.coordinator))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "open"}, ["Sehr alt", "Überfällig", "Bald fällig", "Frisch", "Läuft"]),
        ({"state": "acknowledged"}, ["Läuft"]),
        ({"state": "forwarded"}, ["Zu"]),
        ({"overdue": "on"}, ["Sehr alt", "Überfällig"]),
        ({"school": "auenwald"}, ["Frisch"]),
        ({"school": "33333"}, ["Frisch"]),
        ({"school": "Bergblick"}, ["Überfällig"]),
        ({"state": "received", "school": "Elbufer"}, ["Sehr alt", "Bald fällig"]),
    ],
)
def test_inbox_filters(
    inbox_cast: dict[str, Any], client_as: ClientAs, params: dict[str, str], expected: list[str]
) -> None:
    assert inbox(client_as(inbox_cast["coordinator"]), **params) == expected


def test_inbox_filters_by_site_and_quality_area(
    cast: Cast, inbox_cast: dict[str, Any], client_as: ClientAs
) -> None:
    client = client_as(inbox_cast["coordinator"])
    assert inbox(client, site=cast.site_b.pk) == ["Frisch"]
    assert "Frisch" not in inbox(client, site=cast.site_a.pk)
    assert inbox(client, quality_area=inbox_cast["area"].pk) == ["Frisch"]


def test_inbox_ignores_a_site_the_coordinator_does_not_coordinate(
    cast: Cast, inbox_cast: dict[str, Any], client_as: ClientAs
) -> None:
    response = client_as(cast.coordinator).get("/koordination/", {"site": cast.site_b.pk})
    assert response.status_code == 200
    assert "site" in response.context["form"].errors
    assert "Frisch" not in [sr.subject for sr in response.context["page"].object_list]


def test_inbox_answers_htmx_with_the_results_only(
    inbox_cast: dict[str, Any], client_as: ClientAs
) -> None:
    client = client_as(inbox_cast["coordinator"])
    response = client.get("/koordination/", {"overdue": "on"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = html(response)
    assert 'id="results"' in content
    assert "<html" not in content
    assert "<form" not in content
    assert "Sehr alt" in content
    assert "Frisch" not in content


def test_supporter_list_shows_the_proposals(cast: Cast, client_as: ClientAs) -> None:
    accepted = bring_to_state(cast, State.IN_CONTACT, subject="Angenommen")
    open_one = bring_to_state(
        cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False, subject="Offen"
    )
    response = client_as(cast.supporter).get("/begleitung/")
    assert response.status_code == 200
    assert {p.request for p in response.context["proposals"]} == {accepted, open_one}
    response = client_as(cast.other_supporter).get("/begleitung/")
    assert list(response.context["proposals"]) == []
