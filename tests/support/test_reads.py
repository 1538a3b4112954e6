"""Every read of a request's confidential content writes exactly one access-log row; lists,
refusals and the access log page itself write none. The school and the coordination see the log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lotse.core import audit
from lotse.core.models import AccessLog, OutboxMessage, Person
from lotse.support.models import InboundMail, Proposal, State, SupportRequest
from lotse.support.services import records as record_services
from lotse.support.services import requests as request_services
from tests.factories import Cast, bring_to_state

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]


@contextmanager
def new_reads() -> Iterator[list[AccessLog]]:
    """The access-log rows written inside the block, filled in when it ends."""
    before = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rows: list[AccessLog] = []
    yield rows
    rows.extend(AccessLog.objects.filter(pk__gt=before).order_by("pk"))


def one_read(client: Client, url: str, *, status: int = 200, **extra: Any) -> tuple[AccessLog, Any]:
    with new_reads() as rows:
        response = client.get(url, **extra)
    assert response.status_code == status, url
    assert len(rows) == 1, [r.what for r in rows]
    return rows[0], response


def no_read(client: Client, url: str, status: int, *, post: dict[str, Any] | None = None) -> None:
    with new_reads() as rows:
        response = client.get(url) if post is None else client.post(url, post)
    assert response.status_code == status, url
    assert rows == []


# --- one row per read ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("school_contact_a", "school_contact"),
        ("coordinator", "coordinator"),
        ("supporter", "supporter"),
    ],
)
def test_the_request_page_is_one_read_in_the_readers_role(
    cast: Cast, client_as: ClientAs, name: str, role: str
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    person = getattr(cast, name)
    row, _response = one_read(client_as(person), f"/anfragen/{sr.pk}/")
    assert (row.person, row.role, row.what, row.object_id) == (person, role, "request", None)
    assert (row.subject_type, row.subject_id) == ("support.supportrequest", sr.pk)
    assert row.organisation_id == cast.organisation.pk


def test_a_supporter_still_deciding_reads_as_supporter(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    row, _ = one_read(client_as(cast.supporter), f"/anfragen/{sr.pk}/")
    assert row.role == "supporter"


def test_the_timeline_refresh_is_one_read(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.CLARIFIED)
    row, response = one_read(
        client_as(cast.coordinator),
        f"/anfragen/{sr.pk}/?fragment=timeline",
        HTTP_HX_REQUEST="true",
    )
    assert "<html" not in response.content.decode()
    assert (row.what, row.role) == ("timeline", "coordinator")


def test_the_kontrakt_pdf_is_one_read_of_its_version(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.AGREED)
    row, response = one_read(client_as(cast.school_contact_a), f"/anfragen/{sr.pk}/kontrakt/1/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert (row.what, row.object_id, row.role) == ("agreement_pdf", 1, "school_contact")


def test_the_kontrakt_form_is_one_read_of_the_version_it_shows(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED, drafted=True)
    row, _ = one_read(client_as(cast.supporter), f"/anfragen/{sr.pk}/kontrakt/")
    assert (row.what, row.object_id) == ("agreement", 1)
    # Refused with 400 because incomplete, the form shows the content again: one more read.
    with new_reads() as rows:
        response = client_as(cast.supporter).post(f"/anfragen/{sr.pk}/kontrakt/", {"goals": ""})
    assert response.status_code == 400
    assert [r.what for r in rows] == ["agreement"]


def test_an_attachment_download_is_one_read_of_that_file(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    document = record_services.document_upload(
        request=sr, by=cast.supporter, filename="a.pdf", content_type="", content=b"%PDF"
    )
    row, response = one_read(
        client_as(cast.supporter), f"/anfragen/{sr.pk}/anhaenge/{document.pk}/"
    )
    assert response.content == b"%PDF"
    assert (row.what, row.object_id, row.role) == ("attachment", document.pk, "supporter")


def test_a_quarantined_mail_is_one_read_of_the_mail(cast: Cast, client_as: ClientAs) -> None:
    mail = InboundMail.objects.create(
        site=cast.site_a,
        sha256="1" * 64,
        raw=b"Subject: Hilfe\r\n\r\nVertraulicher Text",
        outcome=InboundMail.Outcome.QUARANTINE,
        quarantine_reason="kaputt",
    )
    row, response = one_read(client_as(cast.coordinator), f"/koordination/quarantaene/{mail.pk}/")
    assert "Vertraulicher Text" in response.content.decode()
    assert (row.subject_type, row.subject_id, row.what, row.role) == (
        "support.inboundmail",
        mail.pk,
        "quarantine_mail",
        "coordinator",
    )


def test_a_mail_in_the_outbox_is_one_read_of_its_request(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACKNOWLEDGED)
    message = OutboxMessage.objects.filter(reference=f"support.SupportRequest:{sr.pk}").first()
    assert message is not None
    row, _response = one_read(client_as(cast.coordinator), f"/postausgang/{message.pk}/")
    assert (row.subject_type, row.subject_id, row.what, row.object_id, row.role) == (
        "support.supportrequest",
        sr.pk,
        "outbox_mail",
        message.pk,
        "coordinator",
    )
    # The school sees that the coordination read the mail about its request.
    log = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/zugriffe/")
    assert [entry.what for entry, _role, _what in log.context["rows"]] == ["outbox_mail"]


@pytest.mark.parametrize(
    ("name", "role"), [("admin", "admin"), ("other_coordinator", "coordinator")]
)
def test_a_released_entry_is_one_read_on_the_request_in_the_staff_role(
    cast: Cast, client_as: ClientAs, name: str, role: str
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    document = record_services.document_upload(
        request=sr, by=cast.supporter, filename="a.pdf", content_type="", content=b"%PDF"
    )
    release = record_services.entry_release(
        entry=document, by=cast.school_contact_a, purpose="Bericht"
    )
    base = f"/organisation/{cast.organisation.slug}/freigaben/"
    client = client_as(getattr(cast, name))
    row, _ = one_read(client, f"{base}{release.pk}/")
    # Logged on the request, so the school sees it among the reads of its request.
    assert (row.subject_id, row.what, row.object_id, row.role) == (
        sr.pk,
        "release",
        release.pk,
        role,
    )
    row, _ = one_read(client, f"{base}{release.pk}/datei/")
    assert (row.what, row.object_id) == ("attachment", document.pk)


def test_a_page_shown_again_after_a_refused_step_is_one_read(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.ACKNOWLEDGED)
    with new_reads() as rows:
        response = client_as(cast.coordinator).post(f"/anfragen/{sr.pk}/schritt/acknowledge/")
    assert response.status_code == 400
    assert [r.what for r in rows] == ["request"]


def test_a_step_that_succeeds_reads_nothing(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.RECEIVED)
    no_read(client_as(cast.coordinator), f"/anfragen/{sr.pk}/schritt/acknowledge/", 302, post={})


# --- refusals and lists write nothing --------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "outsider",
        "school_contact_b",
        "other_coordinator",
        "other_supporter",
        "admin",
        "other_admin",
    ],
)
def test_a_refused_request_page_writes_no_row(cast: Cast, client_as: ClientAs, name: str) -> None:
    sr = bring_to_state(cast, State.AGREED)
    client = client_as(getattr(cast, name))
    no_read(client, f"/anfragen/{sr.pk}/", 404)
    no_read(client, f"/anfragen/{sr.pk}/kontrakt/1/pdf/", 404)


def test_refused_reads_by_insiders_write_no_row(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    document = record_services.document_upload(
        request=sr, by=cast.supporter, filename="a.pdf", content_type="", content=b"%PDF"
    )
    # The coordination sees the document exists, but may not read it.
    no_read(client_as(cast.coordinator), f"/anfragen/{sr.pk}/anhaenge/{document.pk}/", 403)
    no_read(client_as(cast.coordinator), f"/anfragen/{sr.pk}/anhaenge/999999/", 404)
    # The Kontrakt form is for the school and the supporters.
    no_read(client_as(cast.coordinator), f"/anfragen/{sr.pk}/kontrakt/", 403)


def test_a_removed_supporter_reads_nothing(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.AGREED)
    request_services.proposal_remove(
        proposal=Proposal.objects.get(request=sr), by=cast.coordinator, reason="Umbesetzung"
    )
    client = client_as(cast.supporter)
    no_read(client, f"/anfragen/{sr.pk}/", 404)
    no_read(client, f"/anfragen/{sr.pk}/kontrakt/1/pdf/", 404)


def test_lists_without_confidential_content_write_no_row(cast: Cast, client_as: ClientAs) -> None:
    bring_to_state(cast, State.IN_CONTACT)
    InboundMail.objects.create(
        site=cast.site_a, sha256="2" * 64, raw=b"x", outcome=InboundMail.Outcome.QUARANTINE
    )
    no_read(client_as(cast.school_contact_a), "/anfragen/", 200)
    no_read(client_as(cast.coordinator), "/koordination/", 200)
    no_read(client_as(cast.coordinator), "/koordination/quarantaene/", 200)
    no_read(client_as(cast.coordinator), "/postausgang/", 200)
    no_read(client_as(cast.supporter), "/begleitung/", 200)
    no_read(client_as(cast.admin), f"/organisation/{cast.organisation.slug}/freigaben/", 200)


# --- the access log page ---------------------------------------------------------------------


def test_the_school_sees_who_read_its_request_with_role_and_time(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    client_as(cast.coordinator).get(f"/anfragen/{sr.pk}/")
    client_as(cast.supporter).get(f"/anfragen/{sr.pk}/")

    school = client_as(cast.school_contact_a)
    response = school.get(f"/anfragen/{sr.pk}/zugriffe/")
    assert response.status_code == 200
    rows = response.context["rows"]
    # Newest first: the supporter read last.
    assert [(entry.person, entry.role) for entry, _role, _what in rows] == [
        (cast.supporter, "supporter"),
        (cast.coordinator, "coordinator"),
    ]
    html = response.content.decode()
    assert "Karla Koch" in html
    assert "Berta Berger" in html
    assert timezone.localtime(rows[1][0].at).strftime("%H:%M") in html
    # The page itself reads no content, so it leaves no row.
    no_read(school, f"/anfragen/{sr.pk}/zugriffe/", 200)


def test_the_coordination_sees_the_same_log(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/")
    response = client_as(cast.coordinator).get(f"/anfragen/{sr.pk}/zugriffe/")
    assert [entry.person for entry, _r, _w in response.context["rows"]] == [cast.school_contact_a]


def test_supporters_do_not_see_the_log(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    assert client_as(cast.supporter).get(f"/anfragen/{sr.pk}/zugriffe/").status_code == 403
    assert client_as(cast.other_coordinator).get(f"/anfragen/{sr.pk}/zugriffe/").status_code == 404


def test_the_log_is_paginated(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.RECEIVED)
    for _ in range(51):
        audit.read(
            person=cast.coordinator,
            role="coordinator",
            organisation=cast.organisation,
            subject=sr,
            what="request",
        )
    client = client_as(cast.school_contact_a)
    assert len(client.get(f"/anfragen/{sr.pk}/zugriffe/").context["rows"]) == 50
    assert len(client.get(f"/anfragen/{sr.pk}/zugriffe/?page=2").context["rows"]) == 1


def test_the_request_page_links_to_the_log_for_school_and_coordination(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    link = f'href="/anfragen/{sr.pk}/zugriffe/"'
    assert link in client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/").content.decode()
    assert link in client_as(cast.coordinator).get(f"/anfragen/{sr.pk}/").content.decode()
    assert link not in client_as(cast.supporter).get(f"/anfragen/{sr.pk}/").content.decode()


def test_reads_of_one_request_are_not_shown_on_another(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.RECEIVED)
    other: SupportRequest = bring_to_state(cast, State.RECEIVED, subject="Andere")
    client_as(cast.coordinator).get(f"/anfragen/{other.pk}/")
    response = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/zugriffe/")
    assert list(response.context["rows"]) == []
