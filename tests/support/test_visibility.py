"""Who reads which entry of a request: levels, the school's releases, notes and documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from lotse.core.models import Person
from lotse.lib import crypto
from lotse.support import visibility, workflow
from lotse.support.models import (
    Attachment,
    Meeting,
    Proposal,
    Release,
    State,
    SupportRequest,
    TimelineEvent,
    Visibility,
)
from lotse.support.selectors import requests as request_selectors
from lotse.support.services import records as record_services
from lotse.support.services import requests as request_services
from lotse.support.workflow import WorkflowError
from tests.factories import Cast, bring_to_state, person_with_role, submit_request, walk

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]


def de(message: Any) -> str:
    """A message as the German pages show it (whatever the catalogue holds today)."""
    with translation.override("de"):
        return gettext(str(message)) if isinstance(message, str) else str(message)


PLACEHOLDER = de(visibility.PLACEHOLDER)


def page(client: Client, sr: SupportRequest) -> str:
    response = client.get(f"/anfragen/{sr.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def note(sr: SupportRequest, by: Person, text: str, level: str | None = None) -> TimelineEvent:
    return record_services.note_add(request=sr, by=by, text=text, visibility=level)


# --- defaults and who reads what ------------------------------------------------------------


def test_a_supporters_note_is_for_the_participants(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    event = note(sr, cast.supporter, "Die Steuergruppe ist zerstritten.")
    assert event.visibility == Visibility.PARTICIPANTS

    for reader in (cast.school_contact_a, cast.supporter):
        assert "Die Steuergruppe ist zerstritten." in page(client_as(reader), sr)
    html = page(client_as(cast.coordinator), sr)
    assert "Die Steuergruppe ist zerstritten." not in html
    # The coordination learns that there is an entry, and who wrote it, not what it says.
    assert PLACEHOLDER in html
    assert "Berta Berger" in html


def test_a_coordinators_own_note_is_for_the_coordination_and_the_participants(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    event = note(sr, cast.coordinator, "Termin mit dem Schulamt abgestimmt.")
    assert event.visibility == Visibility.COORDINATION
    for reader in (cast.school_contact_a, cast.supporter, cast.coordinator):
        assert "Termin mit dem Schulamt abgestimmt." in page(client_as(reader), sr)


def test_the_author_always_reads_their_own_entry(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    # A coordinator is no participant, but wrote this note only for the participants.
    note(sr, cast.coordinator, "Nur für Schule und Begleitung.", Visibility.PARTICIPANTS)
    second = person_with_role("coordinator", cast.organisation, sites=[cast.site_a])
    assert "Nur für Schule und Begleitung." in page(client_as(cast.coordinator), sr)
    assert "Nur für Schule und Begleitung." not in page(client_as(second), sr)
    assert "Nur für Schule und Begleitung." in page(client_as(cast.school_contact_a), sr)


def test_a_supporter_still_deciding_reads_the_request_and_steps_but_no_entries(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    note(sr, cast.school_contact_a, "Vertraulich aus der Schule.")
    html = page(client_as(cast.supporter), sr)
    # The request's own text and the steps without notes are theirs to decide on.
    assert "Wir möchten eine Feedbackkultur im Kollegium aufbauen." in html
    assert "Eingang bestätigt" in html
    # The clarification (coordination) and the school's note (participants) are not.
    assert "Telefonat mit der Schulleitung." not in html
    assert "Vertraulich aus der Schule." not in html
    assert PLACEHOLDER in html

    request_services.proposal_accept(proposal=Proposal.objects.get(request=sr), by=cast.supporter)
    html = page(client_as(cast.supporter), sr)
    assert "Telefonat mit der Schulleitung." in html
    assert "Vertraulich aus der Schule." in html


def test_the_proposal_note_is_read_by_the_supporter_it_is_written_to(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.CLARIFIED)
    request_services.request_propose(
        request=sr, by=cast.coordinator, supporters=[cast.supporter], note="Für Sie, Frau Berger."
    )
    request_services.request_propose(
        request=sr, by=cast.coordinator, supporters=[cast.other_supporter], note="Für Herrn O."
    )
    html = page(client_as(cast.supporter), sr)
    assert "Für Sie, Frau Berger." in html
    assert "Für Herrn O." not in html
    html = page(client_as(cast.other_supporter), sr)
    assert "Für Herrn O." in html
    assert "Für Sie, Frau Berger." not in html


def test_meeting_date_and_place_are_open_but_its_participants_are_not(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    meeting = Meeting.objects.get(request=sr)
    assert meeting.visibility == Visibility.PARTICIPANTS
    html = page(client_as(cast.coordinator), sr)
    assert "Schule, Raum 3" in html
    assert "Schulleitung, Steuergruppe" not in html
    assert "Schulleitung, Steuergruppe" in page(client_as(cast.school_contact_a), sr)


def test_a_supporter_still_deciding_does_not_read_the_kontrakt(
    cast: Cast, client_as: ClientAs
) -> None:
    # Two supporters proposed; one accepts and agrees a Kontrakt, the other never decides.
    sr = walk(cast, submit_request(cast.school_a, cast.school_contact_a), "acknowledge", "clarify")
    request_services.request_propose(
        request=sr, by=cast.coordinator, supporters=[cast.supporter, cast.other_supporter]
    )
    sr = walk(
        cast,
        sr,
        "accept_proposal",
        "first_contact",
        "schedule",
        "meeting_held",
        "draft",
        "accept_supporter",
        "accept_school",
    )
    assert sr.state == State.AGREED
    client = client_as(cast.other_supporter)
    html = page(client, sr)
    assert "Feedback im Unterricht verankern" not in html
    assert client.get(f"/anfragen/{sr.pk}/kontrakt/1/pdf/").status_code == 403
    assert "Feedback im Unterricht verankern" in page(client_as(cast.coordinator), sr)


# --- documents -------------------------------------------------------------------------------


def upload(sr: SupportRequest, by: Person, name: str = "Protokoll.pdf", **kw: Any) -> Attachment:
    return record_services.document_upload(
        request=sr,
        by=by,
        filename=name,
        content_type="application/pdf",
        content=kw.pop("content", b"%PDF-1.4 Protokoll"),
        **kw,
    )


def test_a_document_is_stored_encrypted_and_named_only_for_its_readers(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    document = upload(sr, cast.supporter, "Konflikt-Protokoll.pdf", content=b"GEHEIMER INHALT")
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM support_attachment WHERE id = %s", [document.pk])
        (stored,) = cursor.fetchone()
    assert b"GEHEIMER INHALT" not in bytes(stored)

    url = f"/anfragen/{sr.pk}/anhaenge/{document.pk}/"
    school = client_as(cast.school_contact_a)
    assert "Konflikt-Protokoll.pdf" in page(school, sr)
    assert school.get(url).content == b"GEHEIMER INHALT"
    coordinator = client_as(cast.coordinator)
    html = page(coordinator, sr)
    assert "Konflikt-Protokoll.pdf" not in html
    assert PLACEHOLDER in html
    assert coordinator.get(url).status_code == 403


def test_document_upload_through_the_page(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    client = client_as(cast.coordinator)
    response = client.post(
        f"/anfragen/{sr.pk}/dokument/",
        {
            "document-file": SimpleUploadedFile("Ablauf.txt", b"Ablaufplan", "text/plain"),
            "document-visibility": "",
        },
    )
    assert response.status_code == 302
    document = Attachment.objects.get(request=sr)
    assert (document.filename, document.uploaded_by, document.visibility) == (
        "Ablauf.txt",
        cast.coordinator,
        Visibility.COORDINATION,
    )
    assert TimelineEvent.objects.filter(request=sr, kind="document_added").count() == 1


def test_a_document_over_the_limit_is_refused(
    cast: Cast, client_as: ClientAs, settings: Any
) -> None:
    settings.DOCUMENT_MAX_SIZE = 10
    sr = bring_to_state(cast, State.IN_CONTACT)
    response = client_as(cast.supporter).post(
        f"/anfragen/{sr.pk}/dokument/",
        {"document-file": SimpleUploadedFile("Gross.pdf", b"x" * 11, "application/pdf")},
    )
    assert response.status_code == 400
    assert set(response.context["document_form"].errors) == {"file"}
    assert de("The file is larger than %(limit)s MB.") % {"limit": "0"} in html_of(response)
    with pytest.raises(WorkflowError):
        upload(sr, cast.supporter, content=b"x" * 11)
    assert not Attachment.objects.exists()


def html_of(response: Any) -> str:
    return str(response.content.decode())


def test_an_empty_document_is_refused(cast: Cast) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    with pytest.raises(WorkflowError):
        upload(sr, cast.supporter, content=b"")


def test_the_document_keeps_only_the_last_part_of_its_name(cast: Cast) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    assert upload(sr, cast.supporter, "..\\..\\C:\\Plan\x07.pdf").filename == "Plan.pdf"
    assert upload(sr, cast.supporter, "a/b/../Bericht.pdf").filename == "Bericht.pdf"


# --- notes through the page ------------------------------------------------------------------


def test_school_adds_a_note_for_the_coordination(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    response = client_as(cast.school_contact_a).post(
        f"/anfragen/{sr.pk}/notiz/",
        {"note-text": "Bitte auch an die Koordination.", "note-visibility": "coordination"},
    )
    assert response.status_code == 302
    event = TimelineEvent.objects.get(request=sr, kind="note")
    assert (event.actor, event.visibility) == (cast.school_contact_a, Visibility.COORDINATION)
    assert "Bitte auch an die Koordination." in page(client_as(cast.coordinator), sr)


def test_an_empty_note_is_an_error(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    response = client_as(cast.supporter).post(f"/anfragen/{sr.pk}/notiz/", {"note-text": " "})
    assert response.status_code == 400
    assert set(response.context["note_form"].errors) == {"text"}
    assert not TimelineEvent.objects.filter(kind="note").exists()


def test_a_note_cannot_be_released_when_written(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    response = client_as(cast.school_contact_a).post(
        f"/anfragen/{sr.pk}/notiz/", {"note-text": "x", "note-visibility": "released"}
    )
    assert response.status_code == 400
    assert set(response.context["note_form"].errors) == {"visibility"}
    with pytest.raises(WorkflowError):
        note(sr, cast.school_contact_a, "x", Visibility.RELEASED)


def test_supporters_may_write_organisational_notes_for_the_coordination(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    note(sr, cast.supporter, "Bin im März verhindert.", Visibility.COORDINATION)
    assert "Bin im März verhindert." in page(client_as(cast.coordinator), sr)
    # The school sees it as well, with its level, and can narrow it.
    html = page(client_as(cast.school_contact_a), sr)
    assert "Bin im März verhindert." in html
    assert de(Visibility.COORDINATION.label) in html


def test_step_notes_take_the_level_chosen_in_the_form(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED)
    response = client_as(cast.supporter).post(
        f"/anfragen/{sr.pk}/schritt/first_contact/",
        {"first_contact-note": "Erstkontakt", "first_contact-visibility": "coordination"},
    )
    assert response.status_code == 302
    assert TimelineEvent.objects.get(kind="first_contact").visibility == Visibility.COORDINATION


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("school_contact_a", "participants"),
        ("supporter", "participants"),
        ("coordinator", "coordination"),
    ],
)
def test_the_forms_preselect_the_authors_default(
    cast: Cast, client_as: ClientAs, name: str, level: str
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    response = client_as(getattr(cast, name)).get(f"/anfragen/{sr.pk}/")
    assert response.context["note_form"]["visibility"].initial == level
    assert response.context["document_form"]["visibility"].initial == level


def test_a_supporter_still_deciding_writes_nothing(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    with pytest.raises(WorkflowError):
        note(sr, cast.supporter, "x")
    with pytest.raises(WorkflowError):
        upload(sr, cast.supporter)


# --- the school changes levels ---------------------------------------------------------------


def test_the_school_widens_and_narrows_an_entry(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    event = note(sr, cast.supporter, "Entwicklungsstand der Schule.")
    school = client_as(cast.school_contact_a)
    url = f"/anfragen/{sr.pk}/sichtbarkeit/eintrag/{event.pk}/"

    assert school.post(url, {"visibility": "coordination"}).status_code == 302
    assert "Entwicklungsstand der Schule." in page(client_as(cast.coordinator), sr)
    changed = TimelineEvent.objects.filter(request=sr, kind="visibility_changed").last()
    assert changed is not None
    assert (changed.actor, changed.data) == (
        cast.school_contact_a,
        {"entry": "note", "level": "coordination"},
    )

    assert (
        client_as(cast.school_contact_a).post(url, {"visibility": "participants"}).status_code
        == 302
    )
    assert "Entwicklungsstand der Schule." not in page(client_as(cast.coordinator), sr)


@pytest.mark.parametrize("name", ["supporter", "coordinator"])
def test_only_the_school_changes_levels(cast: Cast, client_as: ClientAs, name: str) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    event = note(sr, cast.supporter, "Notiz", Visibility.COORDINATION)
    person = getattr(cast, name)
    with pytest.raises(WorkflowError, match=de("Only the school decides who may see an entry.")):
        record_services.entry_set_visibility(entry=event, by=person, visibility="participants")
    response = client_as(person).post(
        f"/anfragen/{sr.pk}/sichtbarkeit/eintrag/{event.pk}/", {"visibility": "participants"}
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.visibility == Visibility.COORDINATION


def test_an_event_without_a_note_has_no_level_to_change(cast: Cast) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    started = TimelineEvent.objects.get(request=sr, kind="proposal_accepted")
    assert started.visibility is None
    with pytest.raises(WorkflowError):
        record_services.entry_set_visibility(
            entry=started, by=cast.school_contact_a, visibility="coordination"
        )


def test_an_entry_of_another_request_is_not_found(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    other = bring_to_state(cast, State.IN_CONTACT, subject="Andere")
    event = note(other, cast.supporter, "Fremd")
    response = client_as(cast.school_contact_a).post(
        f"/anfragen/{sr.pk}/sichtbarkeit/eintrag/{event.pk}/", {"visibility": "coordination"}
    )
    assert response.status_code == 404
    assert (
        client_as(cast.school_contact_a)
        .post(
            f"/anfragen/{sr.pk}/sichtbarkeit/unbekannt/{event.pk}/", {"visibility": "coordination"}
        )
        .status_code
        == 404
    )


def test_the_school_changes_the_level_of_a_meeting_record(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    meeting = Meeting.objects.get(request=sr)
    record_services.entry_set_visibility(
        entry=meeting, by=cast.school_contact_a, visibility="coordination"
    )
    assert "Schulleitung, Steuergruppe" in page(client_as(cast.coordinator), sr)


# --- releases --------------------------------------------------------------------------------


def test_the_school_releases_an_entry_and_revokes_it(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    event = note(sr, cast.supporter, "Fortbildung zu Feedback hat gewirkt.")
    school = client_as(cast.school_contact_a)
    response = school.post(
        f"/anfragen/{sr.pk}/freigabe/eintrag/{event.pk}/",
        {"choice": de("Annual report of the site"), "purpose": ""},
    )
    assert response.status_code == 302
    release = Release.objects.get()
    assert (release.event, release.released_by, release.purpose) == (
        event,
        cast.school_contact_a,
        de("Annual report of the site"),
    )
    assert (release.previous_visibility, release.revoked_at) == (Visibility.PARTICIPANTS, None)
    event.refresh_from_db()
    assert event.visibility == Visibility.RELEASED
    assert "Fortbildung zu Feedback hat gewirkt." in page(client_as(cast.coordinator), sr)

    response = client_as(cast.school_contact_a).post(
        f"/anfragen/{sr.pk}/freigaben/{release.pk}/widerrufen/"
    )
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.revoked_by == cast.school_contact_a
    assert release.revoked_at is not None
    event.refresh_from_db()
    assert event.visibility == Visibility.PARTICIPANTS
    html = page(client_as(cast.coordinator), sr)
    assert "Fortbildung zu Feedback hat gewirkt." not in html
    assert PLACEHOLDER in html
    kinds = list(TimelineEvent.objects.filter(request=sr).values_list("kind", flat=True))
    assert kinds[-2:] == ["released", "release_revoked"]
    # The consent and its revocation stay on record.
    assert Release.objects.count() == 1


def test_the_organisation_reads_a_release_for_its_purpose(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    event = note(sr, cast.supporter, "Gelungene Hospitationsrunde.")
    release = record_services.entry_release(
        entry=event, by=cast.school_contact_a, purpose="Jahresbericht"
    )
    base = f"/organisation/{cast.organisation.slug}/freigaben/"
    for staff in (cast.admin, cast.other_coordinator):
        client = client_as(staff)
        listing = client.get(base)
        assert listing.status_code == 200
        assert "Jahresbericht" in listing.content.decode()
        # The list names purpose and school, never the content.
        assert "Gelungene Hospitationsrunde." not in listing.content.decode()
        detail = client.get(f"{base}{release.pk}/")
        assert "Gelungene Hospitationsrunde." in detail.content.decode()
    assert client_as(cast.other_admin).get(f"{base}{release.pk}/").status_code == 404

    record_services.release_revoke(release=release, by=cast.school_contact_a)
    assert client_as(cast.admin).get(f"{base}{release.pk}/").status_code == 404
    assert "Jahresbericht" not in client_as(cast.admin).get(base).content.decode()


def test_a_released_document_is_downloaded_by_the_organisation(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    document = upload(sr, cast.supporter, content=b"Bericht fuer alle")
    release = record_services.entry_release(
        entry=document, by=cast.school_contact_a, purpose="Evaluation"
    )
    url = f"/organisation/{cast.organisation.slug}/freigaben/{release.pk}/datei/"
    assert client_as(cast.admin).get(url).content == b"Bericht fuer alle"
    note_release = record_services.entry_release(
        entry=note(sr, cast.supporter, "x"), by=cast.school_contact_a, purpose="Evaluation"
    )
    other = f"/organisation/{cast.organisation.slug}/freigaben/{note_release.pk}/datei/"
    assert client_as(cast.admin).get(other).status_code == 404


def test_two_purposes_keep_the_entry_released_until_both_are_revoked(cast: Cast) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    event = note(sr, cast.supporter, "Notiz", Visibility.COORDINATION)
    first = record_services.entry_release(
        entry=event, by=cast.school_contact_a, purpose="Jahresbericht"
    )
    second = record_services.entry_release(
        entry=event, by=cast.school_contact_a, purpose="Evaluation"
    )
    assert second.previous_visibility == Visibility.COORDINATION
    record_services.release_revoke(release=first, by=cast.school_contact_a)
    event.refresh_from_db()
    assert event.visibility == Visibility.RELEASED
    record_services.release_revoke(release=second, by=cast.school_contact_a)
    event.refresh_from_db()
    assert event.visibility == Visibility.COORDINATION


def test_release_refusals(cast: Cast) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    event = note(sr, cast.supporter, "Notiz")
    school = cast.school_contact_a
    with pytest.raises(WorkflowError, match=de("Please name the purpose of the release.")):
        record_services.entry_release(entry=event, by=school, purpose="  ")
    release = record_services.entry_release(entry=event, by=school, purpose="Jahresbericht")
    with pytest.raises(WorkflowError):
        record_services.entry_release(entry=event, by=school, purpose="jahresbericht")
    with pytest.raises(WorkflowError, match=de("The entry is released. Revoke the release first.")):
        record_services.entry_set_visibility(entry=event, by=school, visibility="coordination")
    for person in (cast.supporter, cast.coordinator):
        with pytest.raises(WorkflowError):
            record_services.entry_release(entry=event, by=person, purpose="Anderes")
        with pytest.raises(WorkflowError):
            record_services.release_revoke(release=release, by=person)
    record_services.release_revoke(release=release, by=school)
    with pytest.raises(WorkflowError):
        record_services.release_revoke(release=release, by=school)


def test_a_release_without_purpose_is_refused_on_the_page(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    event = note(sr, cast.supporter, "Notiz")
    response = client_as(cast.school_contact_a).post(
        f"/anfragen/{sr.pk}/freigabe/eintrag/{event.pk}/", {"choice": "", "purpose": ""}
    )
    assert response.status_code == 400
    assert de("Please name the purpose of the release.") in html_of(response)
    assert not Release.objects.exists()


# --- who can see what ------------------------------------------------------------------------


def audience_names(client: Client, sr: SupportRequest) -> dict[str, set[str]]:
    audience = client.get(f"/anfragen/{sr.pk}/").context["audience"]
    return {
        "participants": {str(r.person) for r in audience.participants},
        "coordination": {str(r.person) for r in audience.coordination},
        "proposed": {str(r.person) for r in audience.proposed},
        "released": {str(r.person) for r in audience.organisation_staff},
    }


def test_who_can_see_what_follows_roles_and_proposals(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    names = audience_names(client_as(cast.school_contact_a), sr)
    assert names == {
        "participants": {"Sabine Schulz"},
        "coordination": {"Sabine Schulz", "Karla Koch"},
        "proposed": {"Berta Berger"},
        # The other site's coordinator and the admin, for released entries only.
        "released": {"Lutz Lange", "Anna Admin"},
    }
    html = page(client_as(cast.school_contact_a), sr)
    assert de("Who can see what") in html
    assert f"Karla Koch ({de('Coordinator')})" in html

    request_services.proposal_accept(proposal=Proposal.objects.get(request=sr), by=cast.supporter)
    names = audience_names(client_as(cast.school_contact_a), sr)
    assert names["participants"] == {"Sabine Schulz", "Berta Berger"}
    assert names["proposed"] == set()

    request_services.proposal_remove(
        proposal=Proposal.objects.get(request=sr), by=cast.coordinator, reason="Umbesetzung"
    )
    names = audience_names(client_as(cast.school_contact_a), sr)
    assert "Berta Berger" not in names["participants"] | names["proposed"]


# --- the query layer -------------------------------------------------------------------------


def test_hidden_notes_are_neither_loaded_nor_decrypted(cast: Cast, monkeypatch: Any) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    hidden_note = note(sr, cast.supporter, "Nur für Beteiligte")
    first_contact = TimelineEvent.objects.get(request=sr, kind="first_contact")
    opened: list[bytes] = []
    real_unseal = crypto.unseal

    def unseal(sealed: bytes, *, aad: bytes) -> bytes:
        opened.append(aad)
        return real_unseal(sealed, aad=aad)

    monkeypatch.setattr(crypto, "unseal", unseal)
    coordinator = cast.person("coordinator")
    sides = workflow.sides(sr, coordinator)
    entries = request_selectors.timeline_for(person=coordinator, sides=sides, request=sr)

    hidden = [e for e in entries if e.hidden]
    assert [e.pk for e in hidden] == [first_contact.pk, hidden_note.pk]
    assert all(e.note == "" and e.detail == "" for e in hidden)
    # The query returned no ciphertext for them, so nothing of theirs was decrypted.
    row_keys = {first_contact.row_key.hex, hidden_note.row_key.hex}
    assert opened
    assert not any(aad.decode().rsplit("|", 1)[-1] in row_keys for aad in opened)
    # What reaches the template is a plain entry, not a model with an encrypted field.
    assert not any(isinstance(value, TimelineEvent) for value in vars(hidden[0]).values())


def test_the_state_events_are_for_everyone_who_sees_the_request(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    supporter = cast.person("supporter")
    entries = request_selectors.timeline_for(
        person=supporter, sides=workflow.sides(sr, supporter), request=sr
    )
    # Every step is listed; the notes of receipt and clarification are the coordination's,
    # the proposal note is written to the supporter.
    assert [e.kind for e in entries] == ["received", "acknowledged", "clarified", "proposed"]
    assert {e.kind for e in entries if e.hidden} == {"acknowledged", "clarified"}
    assert next(e for e in entries if e.kind == "proposed").note == "Passt gut."


def test_the_organisations_staff_find_the_releases(cast: Cast, client_as: ClientAs) -> None:
    link = f'href="/organisation/{cast.organisation.slug}/freigaben/"'
    assert link in client_as(cast.admin).get("/").content.decode()
    assert link in client_as(cast.other_coordinator).get("/koordination/").content.decode()
    assert link not in client_as(cast.other_admin).get("/").content.decode()
