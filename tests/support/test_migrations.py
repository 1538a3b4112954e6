"""Notes and attachments written before visibility levels get a level when the migration runs."""

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
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # every app: a later app may depend on this one
    executor.migrate(BEFORE)
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
