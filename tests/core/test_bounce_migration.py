"""A bounce recorded before bounces had rows of their own survives the migration."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("core", "0006_search_index")]
AFTER = [("core", "0007_bounce")]


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    yield MigrationExecutor(connection)
    MigrationExecutor(connection).migrate(latest)


def test_the_one_bounce_of_a_mail_becomes_a_row_with_its_address(
    executor: MigrationExecutor,
) -> None:
    apps: Any = executor.loader.project_state(BEFORE).apps
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    when = timezone.now()
    one = OutboxMessage.objects.create(
        message_id="<1@lotse.test>",
        from_email="lotse@lasub.example",
        to=["schulleitung@43-os-dresden.example"],
        subject="Terminvorschlag",
        body="…",
        template="t",
        bounced_at=when,
        bounce_reason="Diagnostic-Code: smtp; 550 5.1.1 User unknown",
    )
    two = OutboxMessage.objects.create(
        message_id="<2@lotse.test>",
        from_email="lotse@lasub.example",
        to=["a@schule.example", "b@schule.example"],
        subject="Einladung",
        body="…",
        template="t",
        bounced_at=when,
        bounce_reason="Status: 4.2.2",
    )
    OutboxMessage.objects.create(
        message_id="<3@lotse.test>",
        from_email="lotse@lasub.example",
        to=["c@schule.example"],
        subject="Angekommen",
        body="…",
        template="t",
    )

    executor.migrate(AFTER)

    apps = executor.loader.project_state(AFTER).apps
    Bounce = apps.get_model("core", "Bounce")
    rows = {
        b.message_id: (b.recipient, b.action, b.status, b.reason, b.received_at)
        for b in Bounce.objects.all()
    }
    assert rows == {
        one.pk: (
            "schulleitung@43-os-dresden.example",
            "failed",
            "5.1.1",
            "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
            when,
        ),
        # Two recipients: the old bounce did not say which one failed.
        two.pk: ("", "", "4.2.2", "Status: 4.2.2", when),
    }
