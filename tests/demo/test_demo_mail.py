"""The demo's mail: the first acknowledgement of a request came back (the school's mailbox is
full), and the coordination sees which address failed and why."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from lotse.core.models import Bounce, Person
from lotse.demo.seed import seed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]


def test_the_demo_outbox_shows_a_bounce_with_address_status_and_reason(
    client_as: Callable[[Person | None], Client],
) -> None:
    seed(with_requests=True)

    bounce = Bounce.objects.select_related("message").get()
    assert bounce.message.template == "support/mail/acknowledged"
    assert bounce.recipient == bounce.message.to[0]
    assert (bounce.action, bounce.status) == ("failed", "5.2.2")
    coordinator = Person.objects.get(email="koordination.dresden@lasub.example")
    page = client_as(coordinator).get(f"/postausgang/{bounce.message.pk}/").content.decode()
    assert bounce.recipient in page
    assert "5.2.2: das Postfach ist voll" in page
    assert "Mailbox full - quota exceeded" in page
