"""Synergie in the browser: the school releases a concept, the coordinator publishes it, and
the form, the review page and the library pass axe-core's WCAG 2.1 A/AA rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

OpenAs = Callable[[Any], Page]
Check = Callable[[Page, str], None]
Advance = Callable[..., Any]


def completed(cast: Any, advance: Advance) -> Any:
    from lotse.support.services import completion as completion_services
    from lotse.support.services import requests as request_services

    sr = advance("agreed")
    request_services.request_start(request=sr, by=cast.supporter)
    completion_services.final_reflection_write(request=sr, by=cast.supporter, text="Gut gelungen.")
    completion_services.final_reflection_confirm(request=sr, by=cast.school_contact)
    request_services.request_complete(request=sr, by=cast.supporter)
    return sr


def test_release_review_and_library_are_accessible(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    from lotse.support.models import Concept

    sr = completed(cast, advance)

    school = as_person(cast.school_contact)
    school.goto(f"/anfragen/{sr.pk}/")
    expect(school.locator("#synergie-heading")).to_have_text("Erfahrungen teilen (Synergie)")
    with school.expect_navigation():
        school.click("#synergie a.kern-btn")
    expect(school).to_have_url(re.compile(rf"/anfragen/{sr.pk}/konzept/$"))
    axe_check(school, "the empty concept form")

    school.fill("input[name=topic]", "Feedbackkultur im Kollegium")
    school.fill("textarea[name=what_was_done]", "Hospitationen und ein Feedbackbogen.")
    school.fill("textarea[name=what_helped]", "Die Geduld von Frau Berger in Leipzig.")
    school.check("input[name=consent]")
    with school.expect_navigation():
        school.click("main form.lotse-form button[type=submit]")
    expect(school.locator("mark.lotse-finding")).to_have_count(2)
    axe_check(school, "the concept form with findings")

    # The school removes the place and confirms the form of address as harmless.
    school.fill("textarea[name=what_helped]", "Die Geduld von Frau Berger.")
    school.check("input[name=consent]")
    with school.expect_navigation():
        school.click("main form.lotse-form button[type=submit]")
    expect(school.locator("mark.lotse-finding")).to_have_count(1)
    school.locator("input[name=harmless]").check()
    school.check("input[name=consent]")
    with school.expect_navigation():
        school.click("main form.lotse-form button[type=submit]")
    expect(school).to_have_url(re.compile(rf"/anfragen/{sr.pk}/#synergie$"))
    expect(school.locator("#synergie")).to_contain_text("wartet auf Prüfung")
    axe_check(school, "the request page with the Synergie section")
    concept = Concept.objects.get()

    coordinator = as_person(cast.coordinator)
    coordinator.goto("/")
    with coordinator.expect_navigation():
        coordinator.click("nav a:has-text('Konzepte prüfen (1)')")
    axe_check(coordinator, "the review queue")
    with coordinator.expect_navigation():
        coordinator.click(f"a[href$='/konzepte/pruefen/{concept.pk}/']")
    expect(coordinator.locator("mark.lotse-finding")).to_have_text("Frau Berger")
    axe_check(coordinator, "the review page")

    # Publishing without confirming the finding is refused; the reviewer removes it instead.
    with coordinator.expect_navigation():
        coordinator.click("button[value=publish]")
    expect(coordinator.locator("main .kern-error, main [role=alert]").first).to_be_visible()
    axe_check(coordinator, "the review page with a refusal")
    coordinator.fill("textarea[name=what_helped]", "Die Geduld der Begleitung.")
    with coordinator.expect_navigation():
        coordinator.click("button[value=publish]")
    expect(coordinator).to_have_url(re.compile(r"/konzepte/pruefen/$"))

    with school.expect_navigation():
        school.click("nav a[href='/konzepte/']")
    expect(school.locator("main")).to_contain_text("Feedbackkultur im Kollegium")
    expect(school.locator("main")).not_to_contain_text("Auwald")
    axe_check(school, "the library")
    with school.expect_navigation():
        school.click("main h2 a")
    expect(school.locator("main")).to_contain_text("Die Geduld der Begleitung.")
    axe_check(school, "a concept in the library")
