"""The accompaniment in the browser: planning, recording, the request page with sessions and the
methods pages, each checked with axe-core's WCAG 2.1 A/AA rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.e2e.conftest import PASSWORD, give_totp
from tests.e2e.test_accessibility import open_all_details

from lotse.core.models import Person, Role
from lotse.support.models import Method, Session

pytestmark = pytest.mark.e2e

OpenAs = Callable[[Any], Page]
Check = Callable[[Page, str], None]
Advance = Callable[..., Any]


def test_plan_record_and_read_a_session(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    sr = advance("agreed")
    Method.objects.create(
        organisation=cast.organisation,
        name="Fishbowl",
        description="Eine kleine Runde spricht, die anderen hören zu und fragen danach.",
    )
    page = as_person(cast.supporter)
    page.goto(f"/anfragen/{sr.pk}/termine/neu/")
    axe_check(page, "the empty session form")

    page.fill("input[name=place]", "")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("main .kern-error")).not_to_have_count(0)
    axe_check(page, "the session form with errors")

    day = timezone.localdate() + dt.timedelta(days=7)
    page.fill("input[name=day]", day.isoformat())
    page.fill("input[name=begins]", "14:00")
    page.fill("input[name=ends]", "15:30")
    page.fill("input[name=place]", "Schule, Raum 3")
    page.fill("textarea[name=participants]", "Steuergruppe, Schulleitung")
    page.get_by_label("Fishbowl", exact=False).check()
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("#als-naechstes")).to_contain_text("Eine kleine Runde spricht")
    open_all_details(page)
    axe_check(page, "the request page with a planned session")

    # The session took place: the supporter records it with progress and a next step.
    session = Session.objects.get(request=sr)
    past = timezone.now() - dt.timedelta(hours=2)
    Session.objects.filter(pk=session.pk).update(
        starts_at=past, ends_at=past + dt.timedelta(hours=1)
    )
    page.goto(f"/anfragen/{sr.pk}/termine/{session.pk}/protokoll/")
    axe_check(page, "the session record form")
    page.fill("textarea[name=notes]", "Offenes Gespräch im Kollegium.")
    page.fill("textarea[name=reflection]", "Wir sind gut vorangekommen.")
    page.select_option("select[name=goal_1_level]", "2")
    page.fill("textarea[name=step_1_text]", "Fragebogen entwerfen")
    page.select_option("select[name=step_1_owner]", "school")
    page.fill("input[name=step_1_due]", (timezone.localdate() + dt.timedelta(days=5)).isoformat())
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("#begleitung")).to_contain_text("Wir sind gut vorangekommen.")

    school = as_person(cast.school_contact)
    school.goto(f"/anfragen/{sr.pk}/")
    expect(school.locator("#als-naechstes")).to_contain_text("Fragebogen entwerfen")
    expect(school.locator("#begleitung")).to_contain_text("teilweise erreicht")
    open_all_details(school)
    axe_check(school, "the school's request page with a held session and next steps")


def test_the_methods_pages(cast: Any, as_person: OpenAs, axe_check: Check) -> None:
    admin = Person.objects.create_user("admin@lasub.example", PASSWORD, first_name="Anna")
    Role.objects.create(person=admin, organisation=cast.organisation, kind=Role.Kind.ADMIN)
    give_totp(admin)
    page = as_person(admin)
    base = f"/organisation/{cast.organisation.slug}/methoden/"
    page.goto(base)
    axe_check(page, "the empty methods page")

    page.goto(f"{base}neu/")
    axe_check(page, "the new method form")
    page.fill("input[name=name]", "Blitzlicht")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("main .kern-error")).not_to_have_count(0)
    axe_check(page, "the method form with errors")
    page.fill("textarea[name=description]", "Reihum sagt jede Person einen Satz.")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("main table")).to_contain_text("Blitzlicht")
    axe_check(page, "the methods page with a method")
