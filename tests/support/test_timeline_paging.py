"""The request page shows the newest entries of a long timeline; older ones load on demand
("Ältere Einträge laden", with htmx or as a plain link), and loading them is a read."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from lotse.core.models import Person
from lotse.support import timeline
from lotse.support.models import State, SupportRequest, Visibility
from lotse.support.selectors.requests import TIMELINE_ROWS
from tests.factories import Cast, bring_to_state
from tests.support.test_reads import one_read

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]


def long_history(cast: Cast, entries: int) -> SupportRequest:
    """A request with `entries` notes after its way to "agreed", one hour apart, every third
    one for the participants only; note n reads "Notiz n"."""
    sr = bring_to_state(cast, State.AGREED)
    start = timezone.now() + dt.timedelta(days=1)
    for n in range(entries):
        participants = n % 3 == 0
        timeline.record(
            sr,
            "note",
            by=cast.supporter,
            note=f"Notiz {n:03d}",
            visibility=Visibility.PARTICIPANTS if participants else Visibility.COORDINATION,
            at=start + dt.timedelta(hours=n),
        )
    return sr


def shown_notes(html: str) -> list[str]:
    return re.findall(r"Notiz \d{3}", html)


def test_the_page_shows_the_newest_entries_and_links_to_the_older(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = long_history(cast, 45)
    client = client_as(cast.school_contact_a)

    html = client.get(f"/anfragen/{sr.pk}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    # The newest 20, oldest of them first; the rest is not on the page (nor decrypted).
    assert shown_notes(html) == [f"Notiz {n:03d}" for n in range(45 - TIMELINE_ROWS, 45)]
    total = sr.events.count()
    assert f"Die neuesten {TIMELINE_ROWS} von {total} Einträgen." in html
    link = f'href="/anfragen/{sr.pk}/?eintraege={2 * TIMELINE_ROWS}#timeline"'
    assert link in html
    assert "Ältere Einträge laden" in html
    # "Who can see what" still counts every entry, also those not shown.
    everything = client.get(f"/anfragen/{sr.pk}/?eintraege=5000", HTTP_ACCEPT_LANGUAGE="de")
    assert len(shown_notes(everything.content.decode())) == 45
    assert levels(html) == levels(everything.content.decode())
    assert levels(html)[0] >= 15


def levels(html: str) -> list[int]:
    """The counts of "who can see what", level by level."""
    return [int(n) for n in re.findall(r"\((\d+) Einträge?\)</dt>", html)]


def test_the_plain_link_shows_more_and_the_refresh_keeps_them(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = long_history(cast, 45)
    client = client_as(cast.school_contact_a)

    row, response = one_read(client, f"/anfragen/{sr.pk}/?eintraege={2 * TIMELINE_ROWS}")
    html = response.content.decode()

    assert shown_notes(html) == [f"Notiz {n:03d}" for n in range(45 - 2 * TIMELINE_ROWS, 45)]
    assert row.what == "request"
    # The refresh every minute asks for as many entries as the reader opened.
    assert f"?fragment=timeline&amp;eintraege={2 * TIMELINE_ROWS}" in html
    # The next batch: all that are left.
    assert f"?eintraege={sr.events.count()}#timeline" in html


def test_loading_older_entries_with_htmx_is_a_read_of_its_own(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = long_history(cast, 30)
    total = sr.events.count()

    row, response = one_read(
        client_as(cast.coordinator),
        f"/anfragen/{sr.pk}/?fragment=aeltere&eintraege={total}",
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    html = response.content.decode()

    assert "<html" not in html
    assert html.lstrip().startswith('<section id="timeline"')
    assert html.count('<li id="entry-') == total
    assert "Ältere Einträge laden" not in html
    # The coordination reads the notes for the coordination, not those for the participants.
    assert len(shown_notes(html)) == 20
    assert (row.what, row.role) == ("timeline_older", "coordinator")


def test_the_access_log_names_the_read_of_older_entries(cast: Cast, client_as: ClientAs) -> None:
    sr = long_history(cast, 25)
    client = client_as(cast.school_contact_a)
    client.get(f"/anfragen/{sr.pk}/?fragment=aeltere&eintraege=40", HTTP_HX_REQUEST="true")

    page = client.get(f"/anfragen/{sr.pk}/zugriffe/", HTTP_ACCEPT_LANGUAGE="de")

    assert "Verlauf (ältere Einträge)" in page.content.decode()
