"""The coordinators' workload view: each supporter's accompaniments against their capacity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lotse.core.models import Person, Role
from lotse.support.models import State
from lotse.support.selectors import matching as matching_selectors
from lotse.support.services import requests as request_services
from tests.factories import Cast, bring_to_state, person_with_role, supporter_profile

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]
URL = "/koordination/auslastung/"


def html(response: Any) -> str:
    return response.content.decode()


def row(page: str, person: Person) -> str:
    start = page.rindex("<tr", 0, page.index(f'id="auslastung-{person.pk}"'))
    return page[start : page.index("</tr>", start)]


@pytest.fixture
def busy_cast(cast: Cast) -> Cast:
    """Berta: one accompaniment and one proposal not answered, two places (full), absent
    from today. Otto: no profile. Paula, of site B: not shown to site A. Sven, without a home
    site: shown to everyone."""
    bring_to_state(cast, State.IN_CONTACT)
    waiting = bring_to_state(cast, State.CLARIFIED)
    request_services.request_propose(
        request=waiting, by=cast.coordinator, supporters=[cast.supporter]
    )
    today = timezone.localdate()
    supporter_profile(
        cast.supporter,
        cast.organisation,
        max_processes=2,
        hours_per_month=12,
        absences=[(today, today + dt.timedelta(days=3))],
    )
    person_with_role(
        Role.Kind.SUPPORTER,
        cast.organisation,
        sites=[cast.site_b],
        first_name="Paula",
        last_name="Pfeiffer",
    )
    sven = person_with_role(
        Role.Kind.SUPPORTER, cast.organisation, first_name="Sven", last_name="Stein"
    )
    supporter_profile(
        sven,
        cast.organisation,
        max_processes=4,
        absences=[(today + dt.timedelta(days=20), today + dt.timedelta(days=30))],
    )
    return cast


def test_the_coordinator_sees_load_capacity_and_absences(
    busy_cast: Cast, client_as: ClientAs
) -> None:
    cast = busy_cast
    client = client_as(cast.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL)
    assert response.status_code == 200
    page = html(response)
    names = [r.name for r in response.context["rows"]]
    assert set(names) == {"Berta Berger", "Otto Olbrich", "Sven Stein"}
    berta = row(page, cast.supporter)
    assert "2 / 2" in berta
    assert "1 proposal not yet answered" in berta
    assert "fully booked" in berta
    assert "12" in berta
    assert "absent until" in berta
    otto = row(page, cast.other_supporter)
    assert "no profile" in otto
    sven = Person.objects.get(first_name="Sven")
    assert "0 / 4" in row(page, sven)
    assert "all sites" in row(page, sven)


def test_an_overloaded_supporter_stands_out(busy_cast: Cast, client_as: ClientAs) -> None:
    cast = busy_cast
    profile = cast.supporter.supporter_profiles.get()
    profile.max_processes = 1
    profile.save()
    response = client_as(cast.coordinator).get(URL)
    assert response.context["over"] == 1
    assert response.context["rows"][0].person_id == cast.supporter.pk
    assert "lotse-load--over" in row(html(response), cast.supporter)


@pytest.mark.parametrize(
    ("order", "names"),
    [
        ("name", ["Berta Berger", "Otto Olbrich", "Sven Stein"]),
        ("load", ["Berta Berger", "Sven Stein", "Otto Olbrich"]),
        ("free", ["Sven Stein", "Berta Berger", "Otto Olbrich"]),
        ("absence", ["Berta Berger", "Sven Stein", "Otto Olbrich"]),
        ("unknown", ["Berta Berger", "Sven Stein", "Otto Olbrich"]),
    ],
)
def test_the_table_sorts_by_its_columns(
    busy_cast: Cast, client_as: ClientAs, order: str, names: list[str]
) -> None:
    response = client_as(busy_cast.coordinator).get(URL, {"sortierung": order})
    assert [r.name for r in response.context["rows"]] == names
    shown = response.context["order"]
    assert f'<a class="kern-link" href="?sortierung={shown}">' in html(response)
    assert 'aria-sort="' in html(response)


def test_the_other_site_sees_its_own_supporters(busy_cast: Cast, client_as: ClientAs) -> None:
    response = client_as(busy_cast.other_coordinator).get(URL)
    assert {r.name for r in response.context["rows"]} == {"Paula Pfeiffer", "Sven Stein"}


def test_the_workload_needs_the_same_queries_for_more_supporters(busy_cast: Cast) -> None:
    coordinator = Person.objects.get(pk=busy_cast.coordinator.pk)
    matching_selectors.workload_for_coordinator(
        person=coordinator
    )  # the roles, cached on the person
    with CaptureQueriesContext(connection) as few:
        matching_selectors.workload_for_coordinator(person=coordinator)
    for number in range(15):
        someone = person_with_role(
            Role.Kind.SUPPORTER,
            busy_cast.organisation,
            sites=[busy_cast.site_a],
            second_factor=False,
        )
        supporter_profile(
            someone,
            busy_cast.organisation,
            absences=[(timezone.localdate(), timezone.localdate())] if number % 2 else [],
        )
    with CaptureQueriesContext(connection) as many:
        rows = matching_selectors.workload_for_coordinator(person=coordinator)
    assert len(rows) == 18
    assert len(many.captured_queries) == len(few.captured_queries) <= 6
