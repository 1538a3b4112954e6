"""The iCalendar invitation of a session, read by two independent parsers (icalendar, vobject)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
import vobject
from django.test import Client

from lotse.core import outbox
from lotse.core.models import AccessLog, OutboxMessage
from lotse.support.models import Method, Session, State, SupportRequest
from lotse.support.services import accompaniment as accompaniment_services
from tests.core.test_smtp_delivery import Collector, smtp_server  # noqa: F401 - a fixture
from tests.factories import Cast, bring_to_state

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC


@pytest.fixture
def winter() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2027, 1, 5, 10, 0, tzinfo=BERLIN), tick=False):
        yield


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)


def plan(cast: Cast, sr: SupportRequest, starts: dt.datetime, **kw: Any) -> Session:
    return accompaniment_services.session_plan(
        request=sr,
        by=cast.supporter,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        place="Schule, Raum 3",
        participants="Frau Vertraulich, Steuergruppe",
        **kw,
    )


def invitation(template: str = "session_invitation") -> str:
    return OutboxMessage.objects.filter(template=f"support/mail/{template}").latest("pk").calendar


def event_of(ics: str) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return event


def test_a_winter_session_at_two_in_berlin_is_one_o_clock_utc(cast: Cast, winter: None) -> None:
    sr = bring_to_state(cast, State.AGREED)
    session = plan(cast, sr, at(2027, 1, 20, 14, 0))
    ics = invitation()

    calendar = icalendar.Calendar.from_ical(ics)
    assert str(calendar["method"]) == "REQUEST"
    assert str(calendar["version"]) == "2.0"
    assert calendar["prodid"]
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Berlin"
    event = event_of(ics)
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    start = event.decoded("dtstart")
    assert (start.hour, start.astimezone(UTC).hour) == (14, 13)
    assert event.decoded("dtend").astimezone(UTC) == dt.datetime(2027, 1, 20, 14, 30, tzinfo=UTC)
    assert str(event["uid"]) == session.uid
    assert event.decoded("sequence") == 0
    assert event.decoded("dtstamp") == dt.datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    assert str(event["location"]) == "Schule, Raum 3"
    assert "Oberschule am Elbufer" in str(event["summary"])

    parsed = vobject.readOne(ics)
    assert parsed.vevent.dtstart.value.astimezone(UTC) == dt.datetime(2027, 1, 20, 13, tzinfo=UTC)
    assert parsed.vevent.uid.value == session.uid


def test_a_summer_session_at_two_in_berlin_is_noon_utc(cast: Cast) -> None:
    with time_machine.travel(dt.datetime(2027, 6, 1, 10, 0, tzinfo=BERLIN), tick=False):
        sr = bring_to_state(cast, State.AGREED)
        plan(cast, sr, at(2027, 7, 1, 14, 0))
    ics = invitation()
    assert event_of(ics).decoded("dtstart").astimezone(UTC).hour == 12
    parsed = vobject.readOne(ics)
    assert parsed.vevent.dtstart.value.astimezone(UTC) == dt.datetime(2027, 7, 1, 12, tzinfo=UTC)
    assert parsed.vevent.dtend.value.astimezone(UTC) == dt.datetime(2027, 7, 1, 13, 30, tzinfo=UTC)


def test_the_supporter_organises_and_the_school_is_invited(cast: Cast, winter: None) -> None:
    sr = bring_to_state(cast, State.AGREED)
    plan(cast, sr, at(2027, 1, 20, 14, 0))
    ics = invitation()

    event = event_of(ics)
    organizer = event["organizer"]
    assert str(organizer) == "mailto:berta@begleitung.example"
    assert organizer.params["CN"] == "Berta Berger"
    attendees = {str(a): a.params for a in event["attendee"]}
    assert set(attendees) == {
        "mailto:sekretariat@schule-a.example",
        "mailto:leitung@schule-a.example",
    }
    assert attendees["mailto:leitung@schule-a.example"]["CN"] == "Sabine Schulz"
    for params in attendees.values():
        assert (params["ROLE"], params["PARTSTAT"]) == ("REQ-PARTICIPANT", "NEEDS-ACTION")

    parsed = vobject.readOne(ics).vevent
    assert parsed.organizer.value == "mailto:berta@begleitung.example"
    assert parsed.organizer.params["CN"] == ["Berta Berger"]
    assert {a.value for a in parsed.attendee_list} == set(attendees)
    assert {a.params["PARTSTAT"][0] for a in parsed.attendee_list} == {"NEEDS-ACTION"}


def test_the_description_explains_the_methods_and_keeps_the_record_out(
    cast: Cast, winter: None
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    fishbowl = Method.objects.create(
        organisation=cast.organisation,
        name="Fishbowl",
        description="Eine kleine Runde spricht, die anderen hören zu.",
    )
    plan(cast, sr, at(2027, 1, 20, 14, 0), methods=[fishbowl])
    ics = invitation()
    description = str(event_of(ics)["description"])
    assert "Fishbowl: Eine kleine Runde spricht, die anderen hören zu." in description
    assert f"/anfragen/{sr.pk}/" in description
    assert "Methoden dieses Termins" in description
    assert "Vertraulich" not in ics
    assert vobject.readOne(ics).vevent.description.value == description


def test_moving_keeps_the_uid_and_raises_the_sequence_cancelling_too(
    cast: Cast, winter: None
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    session = plan(cast, sr, at(2027, 1, 20, 14, 0))
    accompaniment_services.session_reschedule(
        session=session,
        by=cast.school_contact_a,
        starts_at=at(2027, 1, 27, 9, 0),
        ends_at=at(2027, 1, 27, 11, 0),
        place="Aula",
    )
    moved = event_of(invitation("session_rescheduled"))
    assert str(moved["uid"]) == session.uid
    assert moved.decoded("sequence") == 1
    assert moved.decoded("dtstart").astimezone(UTC) == dt.datetime(2027, 1, 27, 8, tzinfo=UTC)
    assert str(moved["location"]) == "Aula"

    accompaniment_services.session_cancel(session=session, by=cast.supporter)
    ics = invitation("session_cancelled")
    assert str(icalendar.Calendar.from_ical(ics)["method"]) == "CANCEL"
    cancelled = event_of(ics)
    assert str(cancelled["uid"]) == session.uid
    assert cancelled.decoded("sequence") == 2
    assert str(cancelled["status"]) == "CANCELLED"
    parsed = vobject.readOne(ics)
    assert parsed.method.value == "CANCEL"
    assert parsed.vevent.sequence.value == "2"


def test_the_invitation_leaves_by_smtp_with_a_calendar_part(
    cast: Cast,
    winter: None,
    smtp_server: Collector,  # noqa: F811 - the fixture
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    plan(cast, sr, at(2027, 1, 20, 14, 0))
    message = OutboxMessage.objects.get(template="support/mail/session_invitation")

    assert outbox.send(message.pk) == OutboxMessage.Status.SENT

    (_to, received), *_ = [m for m in smtp_server.messages if "Einladung" in m[1]["Subject"]]
    parts = [p for p in received.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == "einladung.ics"
    ics = parts[0].get_payload(decode=True).decode()
    assert event_of(ics).decoded("dtstart").astimezone(UTC).hour == 13
    text = next(p for p in received.walk() if p.get_content_type() == "text/plain")
    assert "Termin der Begleitung ist geplant" in text.get_payload(decode=True).decode()


def test_insiders_download_the_calendar_file_without_a_log_row(
    cast: Cast, client: Client, winter: None
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    session = plan(cast, sr, at(2027, 1, 20, 14, 0))
    url = f"/anfragen/{sr.pk}/termine/{session.pk}/einladung.ics"
    for person in (cast.school_contact_a, cast.supporter, cast.coordinator):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        assert str(event_of(response.content.decode())["uid"]) == session.uid
    assert not AccessLog.objects.exists()
    for person in (cast.outsider, cast.school_contact_b, cast.other_supporter):
        client.force_login(person)
        assert client.get(url).status_code == 404
