"""Data migrations: notes and attachments written before visibility levels get a level; the
Kontrakt's free-text methods become a choice from the organisation's list where they name only
listed methods, and other methods otherwise, word for word."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("support", "0002_visibility")]
AFTER = [("support", "0003_visibility_of_existing_entries")]


@pytest.fixture
def executor(request: pytest.FixtureRequest, transactional_db: None) -> Iterator[MigrationExecutor]:
    before = getattr(request, "param", BEFORE)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # every app: a later app may depend on this one
    executor.migrate(before)
    yield MigrationExecutor(connection)
    # Leave the schema as every other test expects it.
    MigrationExecutor(connection).migrate(latest)


def test_old_notes_get_the_level_of_their_kind(executor: MigrationExecutor) -> None:
    apps: Any = executor.loader.project_state(BEFORE).apps
    Organisation = apps.get_model("core", "Organisation")
    Site = apps.get_model("core", "Site")
    SupportRequest = apps.get_model("support", "SupportRequest")
    TimelineEvent = apps.get_model("support", "TimelineEvent")
    InboundMail = apps.get_model("support", "InboundMail")
    Attachment = apps.get_model("support", "Attachment")
    organisation = Organisation.objects.create(
        slug="o", name="O", kind="support_system", state="SN"
    )
    site = Site.objects.create(organisation=organisation, name="S")
    now = timezone.now()
    sr = SupportRequest.objects.create(
        organisation=organisation,
        site=site,
        subject="Alt",
        text="Alte Anfrage",
        contact_name="X",
        contact_email="x@example.org",
        acknowledge_due_at=now,
    )
    events = {
        kind: TimelineEvent.objects.create(request=sr, kind=kind, note=note)
        for kind, note in [
            ("received", ""),
            ("clarified", "Telefonat"),
            ("first_contact", "Erstkontakt"),
            ("mail_received", "Antwort der Schule"),
            ("completed", ""),
        ]
    }
    mail = InboundMail.objects.create(site=site, sha256="3" * 64, outcome="request", request=sr)
    attachment = Attachment.objects.create(
        request=sr, mail=mail, filename="a.pdf", content_type="", size=1, content=b"x"
    )

    executor.migrate(AFTER)

    apps = executor.loader.project_state(AFTER).apps
    TimelineEvent = apps.get_model("support", "TimelineEvent")
    Attachment = apps.get_model("support", "Attachment")
    levels = dict(TimelineEvent.objects.values_list("kind", "visibility"))
    assert levels == {
        "received": None,
        "clarified": "coordination",
        "first_contact": "participants",
        "mail_received": "coordination",
        "completed": None,
    }
    assert Attachment.objects.get(pk=attachment.pk).visibility == "coordination"
    # The notes are untouched.
    assert TimelineEvent.objects.get(pk=events["first_contact"].pk).note == "Erstkontakt"


METHODS_BEFORE = [("support", "0007_handled_uids")]
METHODS_AFTER = [("support", "0008_agreement_other_methods")]


@pytest.mark.parametrize("executor", [METHODS_BEFORE], indirect=True)
def test_free_text_methods_become_the_list_or_stay_as_other(executor: MigrationExecutor) -> None:
    apps: Any = executor.loader.project_state(METHODS_BEFORE).apps
    Organisation = apps.get_model("core", "Organisation")
    Site = apps.get_model("core", "Site")
    SupportRequest = apps.get_model("support", "SupportRequest")
    Agreement = apps.get_model("support", "Agreement")
    Method = apps.get_model("support", "Method")
    organisation = Organisation.objects.create(
        slug="o", name="O", kind="support_system", state="SN"
    )
    for name in ("Blitzlicht", "Kollegiale Fallberatung"):
        Method.objects.create(organisation=organisation, name=name, description="-")
    site = Site.objects.create(organisation=organisation, name="S")
    sr = SupportRequest.objects.create(
        organisation=organisation,
        site=site,
        subject="Alt",
        text="Alte Anfrage",
        contact_name="X",
        contact_email="x@example.org",
        acknowledge_due_at=timezone.now(),
    )
    texts = [
        "kollegiale Fallberatung, Blitzlicht",
        "Konflikttraining, Rollenspiele, kollegiale Fallberatung",
        "",
    ]
    for version, methods in enumerate(texts, 1):
        Agreement.objects.create(
            request=sr,
            version=version,
            participants="Schulleitung",
            goals="Ein Ziel",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            place="Schule",
            frequency="monatlich",
            methods=methods,
            confidentiality="Vertraulich.",
        )

    executor.migrate(METHODS_AFTER)

    apps = executor.loader.project_state(METHODS_AFTER).apps
    Agreement = apps.get_model("support", "Agreement")
    migrated = {
        a.version: (a.methods, a.other_methods) for a in Agreement.objects.filter(request_id=sr.pk)
    }
    assert migrated == {
        # Only listed methods: in the list's order and spelling, one per line.
        1: ("Blitzlicht\nKollegiale Fallberatung", ""),
        # Anything else: the whole text stays, word for word.
        2: ("", "Konflikttraining, Rollenspiele, kollegiale Fallberatung"),
        3: ("", ""),
    }
