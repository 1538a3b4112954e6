"""axe-core's WCAG 2.1 A/AA rules on every page of the support process, and forms without JS."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lotse.core import outbox
from lotse.core.models import OutboxMessage
from lotse.support.models import SupportRequest

pytestmark = pytest.mark.e2e

OpenAs = Callable[[Any], Page]
Check = Callable[[Page, str], None]
Advance = Callable[..., Any]


def open_all_details(page: Page) -> None:
    """axe skips what is hidden; open every <details> so the action forms are checked too."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    expect(page.locator("details:not([open])")).to_have_count(0)


def assert_timeline_above_footer(page: Page) -> None:
    """Nothing of the request page may spill out under the footer (KERN cards stretch)."""
    timeline = page.locator("#timeline").bounding_box()
    footer = page.locator("footer").bounding_box()
    assert timeline is not None
    assert footer is not None
    assert timeline["y"] + timeline["height"] <= footer["y"], "the timeline overlaps the footer"


def test_login_page(page: Page, axe_check: Check) -> None:
    page.goto("/konto/login/")
    expect(page.locator("input[name=login]")).to_be_visible()
    axe_check(page, "the login page")


def test_login_page_with_errors(page: Page, cast: Any, axe_check: Check) -> None:
    page.goto("/konto/login/")
    page.fill("input[name=login]", cast.school_contact.email)
    page.fill("input[name=password]", "falsch")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("main [role=alert]").first).to_be_visible()
    axe_check(page, "the login page with an error")


def test_password_reset_pages(page: Page, cast: Any, axe_check: Check) -> None:
    page.goto("/konto/password/reset/")
    expect(page.locator("input[name=email]")).to_be_visible()
    axe_check(page, "the password reset form")
    page.fill("input[name=email]", cast.school_contact.email)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/konto/password/reset/done/$"))
    axe_check(page, "the password reset confirmation")


def test_request_form_empty_and_with_errors(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    page = as_person(cast.school_contact)
    page.goto("/anfragen/neu/")
    axe_check(page, "the empty request form")

    page.fill("input[name=contact_email]", "keine-adresse")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("main .kern-error")).not_to_have_count(0)
    expect(page.locator("input[name=subject]")).to_have_attribute("aria-invalid", "true")
    axe_check(page, "the request form with errors")


def test_school_request_list_and_detail(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    advance("received", subject="Neue Anfrage")
    agreed = advance("agreed", subject="Vereinbarte Begleitung")
    page = as_person(cast.school_contact)
    expect(page.locator("main table tbody tr")).to_have_count(2)
    axe_check(page, "the school's request list")

    page.goto(f"/anfragen/{agreed.pk}/")
    open_all_details(page)
    axe_check(page, "a request page as the school")


def test_request_detail_as_school_with_kontrakt_to_accept(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    sr = advance("drafted")
    page = as_person(cast.school_contact)
    page.goto(f"/anfragen/{sr.pk}/")
    expect(page.locator("form[action$='/kontrakt/1/annehmen/']")).to_have_count(1)
    open_all_details(page)
    axe_check(page, "a request page as the school, Kontrakt to accept")


def test_coordinator_inbox(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    overdue = advance("received", subject="Überfällige Anfrage")
    SupportRequest.objects.filter(pk=overdue.pk).update(
        received_at=timezone.now() - dt.timedelta(days=10),
        acknowledge_due_at=timezone.now() - dt.timedelta(days=3),
    )
    advance("proposed", subject="Vorgeschlagene Anfrage")
    page = as_person(cast.coordinator)
    expect(page.locator("#results tbody tr")).to_have_count(2)
    expect(page.locator("#results .lotse-overdue")).to_have_count(1)
    axe_check(page, "the coordinator's inbox")

    # The filter, sent with htmx, swaps the results in place.
    page.select_option("select[name=state]", "supporters_proposed")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    axe_check(page, "the filtered inbox")


def test_request_detail_as_coordinator_with_actions(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    received = advance("received", subject="Eingegangen")
    clarified = advance("clarified", subject="Geklärt")
    page = as_person(cast.coordinator)
    page.goto(f"/anfragen/{received.pk}/")
    expect(page.locator("form[action$='/schritt/acknowledge/']")).to_have_count(1)
    open_all_details(page)
    axe_check(page, "a received request as the coordinator")

    page.goto(f"/anfragen/{clarified.pk}/")
    expect(page.locator("input[name=propose-supporters]")).to_have_count(1)
    open_all_details(page)
    assert_timeline_above_footer(page)
    axe_check(page, "a clarified request as the coordinator")

    # Proposing without a choice comes back with the error on the shortlist.
    with page.expect_navigation():
        page.click("form[action$='/schritt/propose/'] button[type=submit]")
    expect(page.locator("#vorschlag .kern-error")).not_to_have_count(0)
    open_all_details(page)
    axe_check(page, "an action form with errors")


def test_request_detail_as_supporter(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    proposed = advance("proposed", subject="Vorgeschlagen")
    scheduled = advance("meeting_scheduled", subject="Termin steht")
    page = as_person(cast.supporter)
    expect(page.locator("main table tbody tr")).to_have_count(2)
    axe_check(page, "the supporter's list")

    page.goto(f"/anfragen/{proposed.pk}/")
    expect(page.locator("form[action$='/vorschlag/accept/']")).to_have_count(1)
    open_all_details(page)
    axe_check(page, "a proposed request as the supporter")

    page.goto(f"/anfragen/{scheduled.pk}/")
    expect(page.locator(f"a[href$='/anfragen/{scheduled.pk}/kontrakt/']")).to_have_count(1)
    open_all_details(page)
    axe_check(page, "a request with a meeting as the supporter")


def test_kontrakt_form(cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check) -> None:
    sr = advance("meeting_scheduled")
    page = as_person(cast.supporter)
    page.goto(f"/anfragen/{sr.pk}/kontrakt/")
    expect(page.locator("textarea[name=goals]")).to_be_visible()
    axe_check(page, "the Kontrakt form")

    page.fill("input[name=starts_on]", "2030-06-01")
    page.fill("input[name=ends_on]", "2030-01-01")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("main .kern-error")).not_to_have_count(0)
    axe_check(page, "the Kontrakt form with errors")


def test_outbox_list_and_detail(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    advance("acknowledged")
    message = OutboxMessage.objects.filter(organisation=cast.organisation).first()
    assert message is not None
    # Two bounces, one failed and one delayed: the badges and the table of returns count too.
    outbox.record_bounce(
        message_id=message.message_id,
        reports=[
            outbox.BounceReport(
                recipient=message.to[0], action="failed", status="5.1.1", reason="User unknown"
            ),
            outbox.BounceReport(
                recipient="zweite@schule.example", action="delayed", status="4.4.1"
            ),
        ],
    )
    page = as_person(cast.coordinator)
    page.goto("/postausgang/")
    expect(page.locator("main table tbody tr")).not_to_have_count(0)
    axe_check(page, "the outbox")

    with page.expect_navigation():
        page.click(f"main a[href$='/postausgang/{message.pk}/']")
    expect(page.locator("h1")).to_have_text(message.subject)
    axe_check(page, "a mail in the outbox")


def test_request_form_works_without_javascript(
    cast: Any, browsing: Any, login: Callable[..., None]
) -> None:
    page = browsing.new_page(java_script_enabled=False)
    login(page, cast.school_contact.email)
    page.goto("/anfragen/neu/")

    # First without the required fields: the server answers with the errors.
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("main .kern-error")).not_to_have_count(0)
    assert not SupportRequest.objects.exists()

    page.fill("input[name=subject]", "Ohne JavaScript")
    page.fill("textarea[name=text]", "Auch ohne Skripte soll die Anfrage ankommen.")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    sr = SupportRequest.objects.get()
    expect(page).to_have_url(re.compile(rf"/anfragen/{sr.pk}/$"))
    expect(page.locator("h1")).to_have_text("Ohne JavaScript")
    expect(page.locator("#timeline li")).to_have_count(1)
