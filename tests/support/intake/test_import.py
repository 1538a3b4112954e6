"""Requests by e-mail as a user notices them: every corpus mail through `intake.mail_import`.

A request appears with the decoded subject, sender, text and attachments; a reply lands in the
timeline of the request it answers; a bounce marks the Lotse mail that came back; an automatic
reply leaves no trace but its record; unreadable mail waits in the quarantine with a reason.
The same mail imported twice changes nothing the second time.
"""

from __future__ import annotations

import email
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from lotse.core.models import OutboxMessage, Person, Site
from lotse.support.mail import intake
from lotse.support.models import (
    Attachment,
    InboundMail,
    State,
    SupportRequest,
    TimelineEvent,
)
from lotse.support.services import requests as request_services
from lotse.support.workflow import WorkflowError
from tests.factories import Cast, OrganisationFactory, SiteFactory, bring_to_state
from tests.support.intake.corpus import CorpusMail, build_corpus

MAX_SIZE = 2_000_000
NAMES = [mail.name for mail in build_corpus()]
Outcome = InboundMail.Outcome
ClientAs = Callable[[Person | None], Client]


# --- fixtures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """The cast, a request that Lotse already wrote about, and the corpus aimed at it."""

    cast: Cast
    request: SupportRequest
    sent: OutboxMessage
    corpus: dict[str, CorpusMail]


@pytest.fixture
def world(cast: Cast, settings: Any) -> World:
    settings.MAIL_MAX_SIZE = MAX_SIZE
    answered = bring_to_state(cast, State.ACKNOWLEDGED)
    sent = (
        OutboxMessage.objects.filter(reference=f"support.SupportRequest:{answered.pk}")
        .order_by("-pk")
        .first()
    )
    assert sent is not None
    corpus = build_corpus(
        site_address=cast.site_a.email,
        lotse_message_id=sent.message_id,
        request_token=answered.token,
        max_size=MAX_SIZE,
    )
    return World(cast, answered, sent, {mail.name: mail for mail in corpus})


def counts() -> dict[str, int]:
    return {
        "requests": SupportRequest.objects.count(),
        "events": TimelineEvent.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "attachments": Attachment.objects.count(),
        "mails": InboundMail.objects.count(),
    }


def norm(text: str) -> str:
    return " ".join(text.split())


def simple_mail(
    sender: str,
    *,
    subject: str = "Bitte um Beratung",
    body: str = "Wir bitten um Unterstützung bei der Teamentwicklung.",
    to: str = "dresden@lasub.example",
    extra: str = "",
) -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{abs(hash((sender, subject, body)))}@schule.example>\r\n{extra}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body}\r\n"
    ).encode()


# --- what the attachments of a raw mail are, read with the standard library alone --------------


def _leaves(part: Message) -> Iterator[Message]:
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    payload = part.get_payload()
    assert isinstance(payload, list)
    for sub in payload:
        yield from _leaves(sub)


def parts_by_name(raw: bytes) -> dict[str, Message]:
    msg = email.message_from_bytes(raw, policy=policy.default)
    return {p.get_filename(): p for p in _leaves(msg) if p.get_filename()}


def assert_same_content(stored: bytes, part: Message) -> None:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()[0]
        forwarded = email.message_from_bytes(stored, policy=policy.default)
        assert str(forwarded["Subject"]) == str(inner["Subject"])
        assert str(forwarded["From"]) == str(inner["From"])
        assert forwarded.get_body() is not None
    else:
        assert stored == part.get_payload(decode=True)


# --- every corpus mail --------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_corpus_mail_gets_its_expected_outcome(world: World, name: str) -> None:
    corpus_mail = world.corpus[name]
    expected = corpus_mail.expected
    before = counts()

    result = intake.mail_import(site=world.cast.site_a, raw=corpus_mail.raw)

    assert result.created
    mail = InboundMail.objects.get(pk=result.mail.pk)
    assert mail.outcome == expected.kind, mail.quarantine_reason
    assert mail.site == world.cast.site_a
    assert mail.sender == expected.sender
    if expected.subject:
        assert norm(mail.subject) == norm(expected.subject)
    after = counts()

    if expected.kind == "request":
        request = mail.request
        assert request is not None
        assert after["requests"] == before["requests"] + 1
        assert request.channel == SupportRequest.Channel.EMAIL
        assert request.state == State.RECEIVED
        assert request.site == world.cast.site_a
        assert request.contact_email == expected.sender
        if expected.subject:
            assert norm(request.subject) == norm(expected.subject)[:200]
        else:
            assert request.subject  # a first line or "without subject", never empty
        text = norm(request.text)
        for fragment in expected.body_contains:
            assert norm(fragment) in text
        for fragment in expected.body_excludes:
            assert fragment not in request.text
        stored = list(Attachment.objects.filter(request=request, mail=mail))
        assert sorted(a.filename for a in stored) == sorted(expected.attachments)
        parts = parts_by_name(corpus_mail.raw)
        for attachment in stored:
            fresh = Attachment.objects.get(pk=attachment.pk)
            assert fresh.size == len(bytes(fresh.content))
            assert_same_content(bytes(fresh.content), parts[attachment.filename])
        # The coordinators of the site hear of the new request.
        assert after["outbox"] == before["outbox"] + 1
        assert TimelineEvent.objects.filter(request=request, kind="received").exists()

    elif expected.kind == "reply":
        assert mail.request == world.request
        assert after["requests"] == before["requests"]
        event = mail.event
        assert event is not None
        assert event.request == world.request
        assert event.kind == "mail_received"
        assert event.data["sender"] == expected.sender
        for fragment in expected.body_contains:
            assert norm(fragment) in norm(event.note)
        assert after["events"] == before["events"] + 1

    elif expected.kind == "bounce":
        assert expected.refers_to == world.sent.message_id
        world.sent.refresh_from_db()
        assert mail.bounced == world.sent
        bounces = list(world.sent.bounce_records.all())
        assert len(bounces) == 1
        assert bounces[0].reason.strip()
        assert bounces[0].failed
        assert after["requests"] == before["requests"]
        assert after["events"] == before["events"]
        assert after["outbox"] == before["outbox"]

    elif expected.kind == "auto_reply":
        assert mail.request is None
        assert {k: v for k, v in after.items() if k != "mails"} == {
            k: v for k, v in before.items() if k != "mails"
        }

    else:
        assert expected.kind == "quarantine"
        assert expected.reason_contains in mail.quarantine_reason
        assert mail.request is None
        assert after["requests"] == before["requests"]
        assert after["outbox"] == before["outbox"]
        assert after["attachments"] == before["attachments"]

    assert after["mails"] == before["mails"] + 1

    again = intake.mail_import(site=world.cast.site_a, raw=corpus_mail.raw)
    assert not again.created
    assert again.mail.pk == mail.pk
    assert counts() == after


def test_a_reply_joins_the_timeline_of_its_request_and_tells_the_coordination(
    world: World,
) -> None:
    intake.mail_import(site=world.cast.site_a, raw=world.corpus["reply_in_reply_to"].raw)

    event = TimelineEvent.objects.filter(request=world.request, kind="mail_received").get()
    assert "der 12. März passt uns gut" in event.note
    notice = OutboxMessage.objects.filter(
        reference=f"support.SupportRequest:{world.request.pk}", template__endswith="mail_received"
    ).get()
    assert world.cast.coordinator.email in notice.to


def test_replies_by_token_in_a_plus_address_find_their_request(world: World) -> None:
    local, _, domain = world.cast.site_a.email.partition("@")
    raw = simple_mail(
        "leitung@schule-a.example",
        subject="Unsere Rückmeldung",
        body="Danke, wir sind einverstanden.",
        to=f"{local}+{world.request.token.lower()}@{domain}",
    )
    result = intake.mail_import(site=world.cast.site_a, raw=raw)
    assert result.mail.outcome == Outcome.REPLY
    assert result.mail.request == world.request


@pytest.fixture
def other_site(cast: Cast) -> Site:
    """A site of another organisation, with its own mailbox address."""
    return SiteFactory(
        organisation=OrganisationFactory(slug="lasub-nord", mail_from="lotse@nord.example"),
        name="Standort Nord",
        email="nord@lasub-nord.example",
    )


def test_a_token_does_not_reach_into_another_organisation(world: World, other_site: Site) -> None:
    """Mail that reached another organisation never lands in this one's request."""
    raw = simple_mail(
        "fremd@irgendwo.example",
        subject=f"AW: Ihre Anfrage [#{world.request.token}]",
        body="Ich schreibe an die falsche Stelle.",
        to=other_site.email,
    )
    result = intake.mail_import(site=other_site, raw=raw)
    assert result.mail.outcome == Outcome.REQUEST
    assert result.mail.request is not None
    assert result.mail.request.organisation == other_site.organisation
    assert not TimelineEvent.objects.filter(request=world.request, kind="mail_received").exists()


def test_a_reference_does_not_reach_into_another_organisation(
    world: World, other_site: Site
) -> None:
    raw = simple_mail(
        "fremd@irgendwo.example",
        subject="AW: Terminvorschlag",
        body="Weitergeleitet an die falsche Stelle.",
        to=other_site.email,
        extra=f"In-Reply-To: {world.sent.message_id}\r\nReferences: {world.sent.message_id}\r\n",
    )
    result = intake.mail_import(site=other_site, raw=raw)
    assert result.mail.outcome == Outcome.REQUEST
    assert result.mail.request is not None
    assert result.mail.request.organisation == other_site.organisation
    assert not TimelineEvent.objects.filter(request=world.request, kind="mail_received").exists()


def test_a_reply_to_another_site_of_the_organisation_still_finds_its_request(
    world: World,
) -> None:
    raw = simple_mail(
        "leitung@schule-a.example",
        subject=f"AW: Ihre Anfrage [#{world.request.token}]",
        body="Wir haben an Leipzig geschrieben.",
        to=world.cast.site_b.email,
    )
    result = intake.mail_import(site=world.cast.site_b, raw=raw)
    assert result.mail.outcome == Outcome.REPLY
    assert result.mail.request == world.request


def test_an_auto_reply_sends_nothing_even_to_its_sender(world: World) -> None:
    before = OutboxMessage.objects.count()
    for name in NAMES:
        if name.startswith("auto_"):
            intake.mail_import(site=world.cast.site_a, raw=world.corpus[name].raw)
    assert OutboxMessage.objects.count() == before
    assert not SupportRequest.objects.exclude(pk=world.request.pk).exists()


# --- which school a request is from -------------------------------------------------------------


def import_request(cast: Cast, raw: bytes) -> SupportRequest:
    result = intake.mail_import(site=cast.site_a, raw=raw)
    assert result.mail.outcome == Outcome.REQUEST, result.mail.quarantine_reason
    assert result.mail.request is not None
    return result.mail.request


def test_a_known_school_contact_is_matched_to_the_school(cast: Cast) -> None:
    sr = import_request(cast, simple_mail("Sabine Schulz <Leitung@Schule-A.example>"))
    assert sr.school == cast.school_a
    assert sr.contact_email == "leitung@schule-a.example"
    assert sr.contact_name == "Sabine Schulz"


def test_the_schools_own_address_is_matched(cast: Cast) -> None:
    cast.school_b.email = "post@gymnasium-bergblick.example"
    cast.school_b.save()
    sr = import_request(cast, simple_mail("post@gymnasium-bergblick.example"))
    assert sr.school == cast.school_b


def test_another_address_of_a_known_domain_is_matched(cast: Cast) -> None:
    cast.school_b.email = "post@gymnasium-bergblick.example"
    cast.school_b.save()
    by_contact = import_request(cast, simple_mail("sekretariat@schule-a.example"))
    by_school = import_request(
        cast, simple_mail("verwaltung@gymnasium-bergblick.example", subject="Andere Anfrage")
    )
    assert by_contact.school == cast.school_a
    assert by_school.school == cast.school_b


def test_a_domain_shared_by_two_schools_matches_neither(cast: Cast) -> None:
    cast.school_a.email = "os-elbufer@schulen-dresden.example"
    cast.school_a.save()
    cast.school_b.email = "gym-bergblick@schulen-dresden.example"
    cast.school_b.save()
    sr = import_request(cast, simple_mail("lehrer@schulen-dresden.example"))
    assert sr.school is None


def test_an_unknown_sender_waits_for_the_coordination_to_assign_the_school(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = import_request(cast, simple_mail("Unbekannte Person <jemand@unbekannt.example>"))
    assert sr.school is None
    assert sr.requester == "Unbekannte Person <jemand@unbekannt.example>"
    request_services.request_acknowledge(request=sr, by=cast.coordinator, message="Danke.")
    request_services.request_clarify(request=sr, by=cast.coordinator, note="Telefonat geführt.")
    client = client_as(cast.coordinator)

    refused = client.post(
        f"/anfragen/{sr.pk}/schritt/propose/", {"propose-supporters": [cast.supporter.pk]}
    )
    assert refused.status_code == 400
    assert "Ordnen Sie zuerst die Schule zu" in refused.content.decode()
    with pytest.raises(WorkflowError):
        request_services.request_propose(
            request=sr, by=cast.coordinator, supporters=[cast.supporter]
        )
    assert SupportRequest.objects.get(pk=sr.pk).state == State.CLARIFIED

    assigned = client.post(
        f"/anfragen/{sr.pk}/schritt/assign_school/", {"assign_school-school": cast.school_a.pk}
    )
    assert assigned.status_code == 302
    sr.refresh_from_db()
    assert sr.school == cast.school_a
    assert TimelineEvent.objects.filter(request=sr, kind="school_assigned").exists()
    # The school contact of the assigned school sees the request now.
    assert client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/").status_code == 200

    client = client_as(cast.coordinator)
    proposed = client.post(
        f"/anfragen/{sr.pk}/schritt/propose/", {"propose-supporters": [cast.supporter.pk]}
    )
    assert proposed.status_code == 302
    assert SupportRequest.objects.get(pk=sr.pk).state == State.SUPPORTERS_PROPOSED


def test_assigning_a_school_is_for_the_coordination_of_the_site_only(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = import_request(cast, simple_mail("jemand@unbekannt.example"))
    for person in (cast.other_coordinator, cast.school_contact_a, cast.outsider):
        response = client_as(person).post(
            f"/anfragen/{sr.pk}/schritt/assign_school/", {"assign_school-school": cast.school_a.pk}
        )
        assert response.status_code in {403, 404}
    assert SupportRequest.objects.get(pk=sr.pk).school is None


# --- stored encrypted ------------------------------------------------------------------------


def test_raw_mail_and_attachments_are_stored_encrypted(world: World) -> None:
    corpus_mail = world.corpus["attachment_txt_not_merged"]
    result = intake.mail_import(site=world.cast.site_a, raw=corpus_mail.raw)

    column = InboundMail.objects.filter(pk=result.mail.pk).values_list("raw", flat=True).get()
    assert column is not None
    assert b"Konflikt Eltern" not in bytes(column)
    assert b"p.schmidt@gs-zittau.example" not in bytes(column)
    assert bytes(InboundMail.objects.get(pk=result.mail.pk).raw) == corpus_mail.raw

    attachment = Attachment.objects.get(mail=result.mail)
    sealed = Attachment.objects.filter(pk=attachment.pk).values_list("content", flat=True).get()
    assert b"VERTRAULICH" not in bytes(sealed)
    assert b"VERTRAULICH" in bytes(Attachment.objects.get(pk=attachment.pk).content)


# --- lotse import-mail ----------------------------------------------------------------------


def test_import_mail_command_imports_files_and_reports_duplicates(
    world: World, tmp_path: Path
) -> None:
    names = [
        "charset_utf8_8bit",
        "reply_in_reply_to",
        "auto_auto_submitted",
        "quarantine_no_from_header",
    ]
    paths = []
    for name in names:
        path = tmp_path / f"{name}.eml"
        path.write_bytes(world.corpus[name].raw)
        paths.append(str(path))

    out = io.StringIO()
    call_command("import-mail", "--site", world.cast.site_a.name, *paths, stdout=out)
    assert "4 mails read" in out.getvalue()
    for kind in ("request: 1", "reply: 1", "auto_reply: 1", "quarantine: 1"):
        assert kind in out.getvalue()
    assert InboundMail.objects.count() == 4

    out = io.StringIO()
    call_command("import-mail", "--site", str(world.cast.site_a.pk), *paths, stdout=out)
    assert "4 mails read (duplicate: 4)" in out.getvalue()
    assert InboundMail.objects.count() == 4


def test_import_mail_command_refuses_an_unknown_site(world: World, tmp_path: Path) -> None:
    path = tmp_path / "mail.eml"
    path.write_bytes(world.corpus["charset_utf8_8bit"].raw)
    with pytest.raises(CommandError, match="not found"):
        call_command("import-mail", "--site", "Standort Atlantis", str(path), stdout=io.StringIO())
    assert not InboundMail.objects.exists()
