"""In the browser: the coordinator proposes two supporters from the shortlist of a clarified
request; the shortlist, the supporter's profile page and the workload view pass axe-core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

OpenAs = Callable[[Any], Page]
Check = Callable[[Page, str], None]
Advance = Callable[..., Any]


def _supporter(cast: Any, email: str, first: str, last: str) -> Any:
    from lotse.core.models import Person, Role

    person = Person.objects.create_user(email, cast.password, first_name=first, last_name=last)
    role = Role.objects.create(
        person=person, organisation=cast.organisation, kind=Role.Kind.SUPPORTER, title="Trainer"
    )
    role.sites.add(cast.site)
    return person


def _profile(cast: Any, person: Any, **values: Any) -> Any:
    from lotse.catalog.models import Absence, SupporterProfile

    offers = values.pop("offers", [])
    works_at = values.pop("works_at", [])
    absences = values.pop("absences", [])
    profile = SupporterProfile.objects.create(
        organisation=cast.organisation, person=person, home_place="Leipzig", **values
    )
    profile.offers.set(offers)
    profile.works_at_schools.set(works_at)
    for starts_on, ends_on in absences:
        Absence.objects.create(profile=profile, starts_on=starts_on, ends_on=ends_on, note="Urlaub")
    return profile


@pytest.fixture
def matched(cast: Any, advance: Advance) -> Any:
    """A clarified request of the Auwald school asking for mediation, and three supporters:
    Berta (offers it, near), Otto (far, no offer) and Ida (works at the school)."""
    from lotse.catalog.models import Offer
    from lotse.support.models import SupportRequest

    school = cast.school
    school.latitude, school.longitude = Decimal("51.3250"), Decimal("12.3500")
    school.save(update_fields=["latitude", "longitude"])
    offer = Offer.objects.create(organisation=cast.organisation, title="Schulmediation")
    today = timezone.localdate()
    _profile(
        cast,
        cast.supporter,
        offers=[offer],
        latitude=Decimal("51.3397"),
        longitude=Decimal("12.3731"),
        max_processes=3,
        hours_per_month=12,
        languages=["de", "en"],
        absences=[(today + dt.timedelta(days=14), today + dt.timedelta(days=21))],
    )
    otto = _supporter(cast, "otto@lasub.example", "Otto", "Olbrich")
    _profile(cast, otto, latitude=Decimal("50.8278"), longitude=Decimal("12.9214"), max_processes=2)
    ida = _supporter(cast, "ida@lasub.example", "Ida", "Iske")
    _profile(cast, ida, works_at=[school], max_processes=2)
    sr = advance("clarified", subject="Streitschlichtung aufbauen")
    SupportRequest.objects.filter(pk=sr.pk).update(offer=offer)
    return sr


def test_the_coordinator_proposes_two_supporters_from_the_shortlist(
    cast: Any, matched: Any, as_person: OpenAs, axe_check: Check
) -> None:
    from lotse.support.models import Proposal

    page = as_person(cast.coordinator)
    page.goto(f"/anfragen/{matched.pk}/")
    shortlist = page.locator("#vorschlag")
    expect(shortlist).to_be_visible()
    rows = shortlist.locator("table.lotse-shortlist__table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("th")).to_contain_text("Berta Berger")
    expect(rows.nth(1).locator("th")).to_contain_text("Otto Olbrich")
    # Each row gives its reasons: offer, distance, capacity, the coming absence.
    expect(rows.nth(0).locator(".lotse-reason")).not_to_have_count(0)
    expect(rows.nth(0)).to_contain_text("2 km")
    expect(rows.nth(1)).to_contain_text("68 km")
    # Ida is excluded, with the reason, in the collapsed section; she has no checkbox.
    excluded = shortlist.locator("details.lotse-excluded")
    expect(excluded).not_to_have_attribute("open", "")
    excluded.locator("summary").click()
    expect(excluded.locator("tbody tr")).to_have_count(1)
    expect(excluded).to_contain_text("Ida Iske")
    expect(shortlist.locator("input[name=propose-supporters]")).to_have_count(2)
    axe_check(page, "the shortlist of a clarified request")

    page.get_by_role("checkbox", name="Berta Berger").check()
    page.get_by_role("checkbox", name="Otto Olbrich").check()
    page.fill("textarea[name=propose-note]", "Bitte melden Sie sich bei der Schule.")
    with page.expect_navigation():
        shortlist.locator("button[type=submit]").last.click()
    expect(page.locator(".kern-alert--success")).to_be_visible()
    people = page.get_by_role("complementary")
    expect(people).to_contain_text("Berta Berger")
    expect(people).to_contain_text("Otto Olbrich")
    assert set(
        Proposal.objects.filter(request=matched).values_list("supporter__last_name", flat=True)
    ) == {"Berger", "Olbrich"}
    # Both are off the shortlist; only the excluded Ida is left, and the step stays open.
    expect(page.locator("#vorschlag table.lotse-shortlist__table")).to_have_count(0)
    axe_check(page, "the request page after proposing")


def test_an_error_on_the_shortlist_keeps_the_choice_and_passes_axe(
    cast: Any, matched: Any, as_person: OpenAs, axe_check: Check
) -> None:
    page = as_person(cast.coordinator)
    page.goto(f"/anfragen/{matched.pk}/")
    with page.expect_navigation():
        page.locator("#vorschlag button[type=submit]").last.click()
    expect(page.locator("#vorschlag .kern-error")).not_to_have_count(0)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    axe_check(page, "the shortlist with an error")


def test_the_supporters_profile_page_passes_axe(
    cast: Any, matched: Any, as_person: OpenAs, axe_check: Check
) -> None:
    page = as_person(cast.supporter)
    page.goto("/begleitung/profil/")
    expect(page.locator("input[name=max_processes]")).to_have_value("3")
    expect(page.locator("#absences li")).to_have_count(1)
    axe_check(page, "the supporter's profile page")

    # A bad capacity comes back with the error at the field.
    page.fill("input[name=max_processes]", "-1")
    with page.expect_navigation():
        page.locator("form[action='/begleitung/profil/'] button[type=submit]").click()
    expect(page.locator("input[name=max_processes]")).to_have_attribute("aria-invalid", "true")
    axe_check(page, "the profile page with an error")

    # An absence is added and deleted again.
    page.goto("/begleitung/profil/")
    start = timezone.localdate() + dt.timedelta(days=40)
    page.fill("input[name=absence-starts_on]", start.isoformat())
    page.fill("input[name=absence-ends_on]", (start + dt.timedelta(days=3)).isoformat())
    with page.expect_navigation():
        page.locator("form[action$='/abwesenheiten/'] button[type=submit]").click()
    expect(page.locator("#absences li")).to_have_count(2)
    with page.expect_navigation():
        page.locator("#absences li").last.locator("button").click()
    expect(page.locator("#absences li")).to_have_count(1)


def test_the_workload_view_passes_axe(
    cast: Any, matched: Any, as_person: OpenAs, axe_check: Check
) -> None:
    page = as_person(cast.coordinator)
    page.goto("/koordination/auslastung/")
    expect(page.locator("#workload tbody tr")).to_have_count(3)
    axe_check(page, "the workload view")
    with page.expect_navigation():
        page.locator("#workload thead a[href='?sortierung=name']").click()
    expect(page.locator("#workload tbody tr").first).to_contain_text("Berta Berger")
    expect(page.locator("#workload th[aria-sort=ascending]")).to_have_count(1)
