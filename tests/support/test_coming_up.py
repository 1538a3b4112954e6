"""What is next for a request ("Als Nächstes"): one source, shown once, and nothing once the
process has ended (issue 11)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from lotse.core.models import OutboxMessage, Person
from lotse.support.models import Session, State, SupportRequest
from lotse.support.services import accompaniment as accompaniment_services
from lotse.support.services import requests as request_services
from tests.factories import Cast, bring_to_state, walk

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]


def tomorrow(hour: int = 14) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def plan(cast: Cast, sr: SupportRequest) -> Session:
    return accompaniment_services.session_plan(
        request=sr,
        by=cast.supporter,
        starts_at=tomorrow(),
        ends_at=tomorrow(16),
        place="Schule, Raum 3",
        participants="Steuergruppe",
        methods=[],
    )


def page(client_as: ClientAs, person: Person, sr: SupportRequest) -> str:
    response = client_as(person).get(f"/anfragen/{sr.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_next_session_is_shown_once_in_coming_up(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    plan(cast, sr)
    text = page(client_as, cast.school_contact_a, sr)
    assert text.count("Nächster Termin") == 1
    box = text[text.index('id="als-naechstes"') : text.index('id="state-heading"')]
    assert "Nächster Termin" in box


def test_the_first_meeting_is_next_only_while_it_is_the_next_step(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    text = page(client_as, cast.school_contact_a, sr)
    assert text.count("Erstes Gespräch:") == 1
    assert "Nächster Termin" not in text

    # No collaboration: the meeting that did not take place is no longer what comes next.
    sr = walk(cast, sr, "no_collaboration")
    text = page(client_as, cast.school_contact_a, sr)
    assert 'id="als-naechstes"' not in text
    assert "Erstes Gespräch:" not in text


@pytest.mark.parametrize("end", ["complete", "withdraw", "forward"])
def test_an_ended_process_shows_no_upcoming_session_and_cancels_it(
    cast: Cast, client_as: ClientAs, end: str
) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING, reflected=(end == "complete"))
    session = plan(cast, sr)
    if end == "complete":
        request_services.request_complete(request=sr, by=cast.supporter)
    elif end == "withdraw":
        request_services.request_withdraw(request=sr, by=cast.school_contact_a)
    else:
        request_services.request_forward(request=sr, by=cast.coordinator, recipient="Amt")
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    # The calendars of school and supporter drop the date.
    [cancellation] = OutboxMessage.objects.filter(template="support/mail/session_cancelled")
    assert "METHOD:CANCEL" in cancellation.calendar
    text = page(client_as, cast.school_contact_a, sr)
    assert 'id="als-naechstes"' not in text
    assert "Nächster Termin" not in text
    assert "Erstes Gespräch:" not in text
