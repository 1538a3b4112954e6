"""Note contents never reach mails to people outside the note's visibility, logs or error pages.

Each note-bearing action writes a sentinel. The oracle is the request page itself: whoever may
read the note sees the sentinel there. Every mail that quotes the sentinel may go only to such
readers (or to the request's own contact address, when the school reads it), and the coordinators
of the site, who read every mail of the site in the outbox, must be readers too.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lotse.core.models import OutboxMessage, Person, Role
from lotse.support.models import Meeting, Proposal, State, SupportRequest
from lotse.support.services import records as record_services
from lotse.support.services import requests as request_services
from tests.factories import Cast, bring_to_state, submit_request

pytestmark = pytest.mark.django_db

SENTINEL = "SENTINEL-7f3a9-vertraulich"
Action = Callable[[Cast], SupportRequest]


def _proposal(sr: SupportRequest, cast: Cast) -> Proposal:
    return Proposal.objects.get(request=sr, supporter=cast.supporter)


def _acknowledge(c: Cast) -> SupportRequest:
    sr = submit_request(c.school_a, c.school_contact_a)
    request_services.request_acknowledge(request=sr, by=c.coordinator, message=SENTINEL)
    return sr


def _clarify(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.ACKNOWLEDGED)
    request_services.request_clarify(request=sr, by=c.coordinator, note=SENTINEL)
    return sr


def _propose(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.CLARIFIED)
    request_services.request_propose(
        request=sr, by=c.coordinator, supporters=[c.supporter, c.other_supporter], note=SENTINEL
    )
    return sr


def _decline(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    request_services.proposal_decline(proposal=_proposal(sr, c), by=c.supporter, reason=SENTINEL)
    return sr


def _first_contact(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.SUPPORTERS_PROPOSED)
    request_services.request_first_contact(request=sr, by=c.supporter, note=SENTINEL)
    return sr


def _first_contact_for_coordination(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.SUPPORTERS_PROPOSED)
    request_services.request_first_contact(
        request=sr, by=c.supporter, note=SENTINEL, visibility="coordination"
    )
    return sr


def _no_collaboration(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.IN_CONTACT)
    request_services.request_no_collaboration(request=sr, by=c.supporter, reason=SENTINEL)
    return sr


def _schedule(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.IN_CONTACT)
    request_services.request_schedule_meeting(
        request=sr,
        by=c.supporter,
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="Aula",
        participants=SENTINEL,
    )
    return sr


def _schedule_for_coordination(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.IN_CONTACT)
    request_services.request_schedule_meeting(
        request=sr,
        by=c.supporter,
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="Aula",
        participants=SENTINEL,
        visibility="coordination",
    )
    return sr


def _complete(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.ACCOMPANYING, reflected=True)
    request_services.request_complete(request=sr, by=c.supporter, note=SENTINEL)
    return sr


def _withdraw(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.IN_CONTACT)
    request_services.request_withdraw(request=sr, by=c.school_contact_a, reason=SENTINEL)
    return sr


def _forward(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.ACKNOWLEDGED)
    request_services.request_forward(
        request=sr, by=c.coordinator, recipient="Jugendamt", reason=SENTINEL
    )
    return sr


def _note(level: str) -> Action:
    def action(c: Cast) -> SupportRequest:
        sr = bring_to_state(c, State.IN_CONTACT)
        record_services.note_add(request=sr, by=c.supporter, text=SENTINEL, visibility=level)
        return sr

    return action


def _remove(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.IN_CONTACT)
    request_services.proposal_remove(proposal=_proposal(sr, c), by=c.coordinator, reason=SENTINEL)
    return sr


def _remove_by_school(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.IN_CONTACT)
    request_services.proposal_remove(
        proposal=_proposal(sr, c), by=c.school_contact_a, reason=SENTINEL
    )
    return sr


def _mail_answer(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.IN_CONTACT)
    request_services.request_record_mail(
        request=sr, sender=c.school_contact_a.email, subject="Antwort", text=SENTINEL
    )
    return sr


def _document(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.IN_CONTACT)
    record_services.document_upload(
        request=sr, by=c.supporter, filename=f"{SENTINEL}.pdf", content_type="", content=b"x"
    )
    return sr


def _release_and_revoke(c: Cast) -> SupportRequest:
    sr = bring_to_state(c, State.IN_CONTACT)
    event = record_services.note_add(request=sr, by=c.supporter, text=SENTINEL)
    release = record_services.entry_release(
        entry=event, by=c.school_contact_a, purpose="Jahresbericht"
    )
    record_services.release_revoke(release=release, by=c.school_contact_a)
    return sr


ACTIONS: dict[str, Action] = {
    "acknowledge": _acknowledge,
    "clarify": _clarify,
    "propose": _propose,
    "decline": _decline,
    "first_contact": _first_contact,
    "first_contact_for_coordination": _first_contact_for_coordination,
    "no_collaboration": _no_collaboration,
    "schedule": _schedule,
    "schedule_for_coordination": _schedule_for_coordination,
    "complete": _complete,
    "withdraw": _withdraw,
    "forward": _forward,
    "note_participants": _note("participants"),
    "note_coordination": _note("coordination"),
    "remove": _remove,
    "remove_by_school": _remove_by_school,
    "mail_answer": _mail_answer,
    "document": _document,
    "release_and_revoke": _release_and_revoke,
}


def readers(sr: SupportRequest) -> set[str]:
    """The addresses of everyone who sees the sentinel on the request page."""
    found = set()
    for person in Person.objects.all():
        client = Client()
        client.force_login(person)
        response = client.get(f"/anfragen/{sr.pk}/")
        if response.status_code == 200 and SENTINEL in response.content.decode():
            found.add(person.email.lower())
    return found


def site_coordinators(sr: SupportRequest) -> set[str]:
    return {
        email.lower()
        for email in Role.objects.filter(kind=Role.Kind.COORDINATOR, sites=sr.site_id).values_list(
            "person__email", flat=True
        )
    }


@pytest.mark.parametrize("name", list(ACTIONS))
def test_mails_quote_a_note_only_to_its_readers(cast: Cast, name: str, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    sr = ACTIONS[name](cast)
    sr = SupportRequest.objects.get(pk=sr.pk)

    who_reads = readers(sr)
    school_reads = bool(who_reads & {cast.school_contact_a.email})
    quoting = [
        m
        for m in OutboxMessage.objects.filter(reference=f"support.SupportRequest:{sr.pk}")
        if SENTINEL in m.body or SENTINEL in m.subject
    ]
    for mail in quoting:
        for address in mail.to:
            allowed = address.lower() in who_reads or (
                address.lower() == sr.contact_email.lower() and school_reads
            )
            assert allowed, f"{mail.template} quotes the note to {address}"
        # The site's coordinators read every mail of the site in the outbox.
        assert site_coordinators(sr) <= who_reads, f"{mail.template} is readable in the outbox"
    assert SENTINEL not in caplog.text


def test_the_oracle_can_fail(cast: Cast) -> None:
    # Guards the test above: the receipt message is quoted to the school, and the school and
    # the coordination read it; a participants' note is read by no coordinator.
    sr = _acknowledge(cast)
    mail = OutboxMessage.objects.get(template="support/mail/acknowledged")
    assert SENTINEL in mail.body
    assert {cast.school_contact_a.email, cast.coordinator.email} <= readers(sr)
    sr = _note("participants")(cast)
    assert cast.coordinator.email not in readers(sr)


def test_a_meeting_mail_links_to_the_participants_instead_of_listing_them(cast: Cast) -> None:
    sr = _schedule(cast)
    mail = OutboxMessage.objects.get(template="support/mail/meeting_scheduled")
    assert SENTINEL not in mail.body
    assert f"/anfragen/{sr.pk}/" in mail.body
    assert Meeting.objects.get(request=sr).participants == SENTINEL


# --- error pages and logs --------------------------------------------------------------------


@pytest.fixture
def secret_request(cast: Cast) -> SupportRequest:
    """A request with the sentinel in a participants' note, a meeting record and a document."""
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    record_services.note_add(request=sr, by=cast.supporter, text=SENTINEL)
    request_services.request_schedule_meeting(
        request=sr,
        by=cast.supporter,
        starts_at=timezone.now() + dt.timedelta(days=2),
        place="Aula",
        participants=SENTINEL,
    )
    record_services.document_upload(
        request=sr, by=cast.supporter, filename="a.pdf", content_type="", content=b"x"
    )
    return sr


def test_no_error_page_shows_a_note(
    cast: Cast, secret_request: SupportRequest, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    sr = secret_request
    document = sr.attachments.get()
    base = f"/anfragen/{sr.pk}/"
    pages: list[tuple[Person, str, str, int]] = [
        (cast.outsider, "GET", base, 404),
        (cast.other_supporter, "GET", base, 404),
        (cast.other_coordinator, "GET", f"{base}?fragment=timeline", 404),
        (cast.admin, "GET", f"{base}anhaenge/{document.pk}/", 404),
        (cast.coordinator, "GET", f"{base}anhaenge/{document.pk}/", 403),
        (cast.coordinator, "GET", f"{base}kontrakt/", 403),
        (cast.coordinator, "POST", f"{base}schritt/schedule/", 403),
        # A refused step shows the whole page again, as the coordinator may see it.
        (cast.coordinator, "POST", f"{base}schritt/acknowledge/", 400),
        (cast.coordinator, "POST", f"{base}schritt/forward/", 400),
        (cast.coordinator, "POST", f"{base}notiz/", 400),
    ]
    for person, method, url, status in pages:
        client = Client(raise_request_exception=False)
        client.force_login(person)
        response = client.get(url) if method == "GET" else client.post(url, {})
        assert response.status_code == status, (person, url)
        assert SENTINEL not in response.content.decode(errors="replace"), (person, url)
    assert SENTINEL not in caplog.text


def test_a_crash_while_showing_a_note_does_not_put_it_on_the_error_page(
    cast: Cast, secret_request: SupportRequest, monkeypatch: Any, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the template engine broke")

    monkeypatch.setattr("lotse.support.views.base.render", broken)
    client = Client(raise_request_exception=False)
    client.force_login(cast.supporter)
    response = client.get(f"/anfragen/{secret_request.pk}/")
    assert response.status_code == 500
    assert SENTINEL not in response.content.decode(errors="replace")
    assert SENTINEL not in caplog.text
    assert "the template engine broke" in caplog.text  # the error itself is logged


def test_the_coordinators_page_holds_no_participants_content(
    cast: Cast, secret_request: SupportRequest
) -> None:
    client = Client()
    client.force_login(cast.coordinator)
    response = client.get(f"/anfragen/{secret_request.pk}/")
    assert response.status_code == 200
    assert SENTINEL not in response.content.decode()
