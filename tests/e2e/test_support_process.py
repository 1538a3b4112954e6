"""Steps 1–4 of the support process, clicked through in Chromium by the three people involved."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from lotse.support.models import State, SupportRequest

pytestmark = pytest.mark.e2e

SUBJECT = "Unterrichtsentwicklung im Ganztag"
GOALS = ["Gemeinsames Verständnis von Ganztag entwickeln", "Zwei Hospitationsrunden durchführen"]


def state_label(state: State) -> str:
    with translation.override("de"):
        return str(state.label)


def expect_state(page: Page, state: State, events: int) -> None:
    """The state heading names the state and the timeline lists this many steps."""
    expect(page.locator("#state-heading")).to_contain_text(state_label(state))
    expect(page.locator("#timeline li")).to_have_count(events)


def submit(page: Page, selector: str) -> None:
    """Click a submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        page.click(selector)


def take_step(page: Page, action: str, fields: dict[str, str] | None = None) -> None:
    """Open the <details> of a step on the request page, fill its form and send it."""
    form = f"form[action$='/schritt/{action}/']"
    page.click(f"details:has({form}) > summary")
    for name, value in (fields or {}).items():
        page.fill(f"{form} [name='{action}-{name}']", value)
    submit(page, f"{form} button[type=submit]")


def open_request(page: Page, subject: str) -> None:
    """Follow the link to the request from the list the person landed on after logging in."""
    with page.expect_navigation():
        page.click(f"main table a:has-text('{subject}')")
    expect(page.locator("h1")).to_have_text(subject)


def test_steps_one_to_four_in_the_browser(cast: Any, as_person: Callable[[Any], Page]) -> None:
    # Step 1: the school contact sends a request.
    school = as_person(cast.school_contact)
    assert school.url.endswith("/anfragen/")
    school.goto("/anfragen/neu/")
    expect(school.locator("select[name=school]")).to_have_value(str(cast.school.pk))
    expect(school.locator("input[name=contact_email]")).to_have_value(cast.school_contact.email)
    school.fill("input[name=subject]", SUBJECT)
    school.fill(
        "textarea[name=text]", "Wir möchten unseren Ganztag besser mit dem Unterricht verbinden."
    )
    school.fill("input[name=contact_phone]", "0341 123456")
    submit(school, "main form.lotse-form button[type=submit]")
    expect(school).to_have_url(re.compile(r"/anfragen/\d+/$"))
    detail_path = urlsplit(school.url).path
    request = SupportRequest.objects.get()
    assert detail_path == f"/anfragen/{request.pk}/"
    assert request.school == cast.school
    expect_state(school, State.RECEIVED, 1)
    expect(school.locator("[role=status]")).to_contain_text(cast.site.name)

    # Step 2: the coordinator confirms receipt, clarifies and proposes the supporter.
    coordinator = as_person(cast.coordinator)
    assert coordinator.url.endswith("/koordination/")
    expect(coordinator.locator("#results")).to_contain_text(cast.school.name)
    open_request(coordinator, SUBJECT)
    expect_state(coordinator, State.RECEIVED, 1)
    take_step(coordinator, "acknowledge", {"note": "Danke, wir melden uns diese Woche."})
    expect_state(coordinator, State.ACKNOWLEDGED, 2)
    take_step(coordinator, "clarify", {"note": "Telefonat mit Frau Schulz: Fokus Ganztag."})
    expect_state(coordinator, State.CLARIFIED, 3)
    # The shortlist of the propose step is on the page itself, not folded away.
    propose = "#vorschlag form[action$='/schritt/propose/']"
    coordinator.check(f"{propose} input[name=propose-supporters][value='{cast.supporter.pk}']")
    coordinator.fill(f"{propose} [name=propose-note]", "Passt gut zu Ihrem Schwerpunkt.")
    submit(coordinator, f"{propose} button[type=submit]")
    expect_state(coordinator, State.SUPPORTERS_PROPOSED, 4)
    expect(coordinator.locator("#timeline")).to_contain_text(cast.supporter.get_full_name())

    # Step 3: the supporter accepts, records the first contact and schedules the first meeting.
    supporter = as_person(cast.supporter)
    assert supporter.url.endswith("/begleitung/")
    open_request(supporter, SUBJECT)
    submit(supporter, "form[action$='/vorschlag/accept/'] button[type=submit]")
    expect_state(supporter, State.SUPPORTERS_PROPOSED, 5)
    take_step(supporter, "first_contact", {"note": "Telefonat mit der Schulleitung."})
    expect_state(supporter, State.IN_CONTACT, 6)
    meeting_at = timezone.localtime() + dt.timedelta(days=10)
    take_step(
        supporter,
        "schedule",
        {
            "starts_at": meeting_at.strftime("%Y-%m-%dT%H:%M"),
            "place": "Oberschule am Auwald, Raum 12",
            "participants": "Schulleitung, Steuergruppe Ganztag",
        },
    )
    expect_state(supporter, State.MEETING_SCHEDULED, 7)
    assert request.meetings.get().place == "Oberschule am Auwald, Raum 12"

    # Step 4: the supporter drafts the Kontrakt and accepts it; the school accepts it too.
    with supporter.expect_navigation():
        supporter.click(f"main a[href='{detail_path}kontrakt/']")
    expect(supporter.locator("textarea[name=participants]")).to_have_value(
        "Schulleitung, Steuergruppe Ganztag"
    )
    supporter.fill("textarea[name=goals]", "\n".join(GOALS))
    today = timezone.localdate()
    supporter.fill("input[name=starts_on]", (today + dt.timedelta(days=14)).isoformat())
    supporter.fill("input[name=ends_on]", (today + dt.timedelta(days=180)).isoformat())
    supporter.fill("input[name=frequency]", "alle vier Wochen, 90 Minuten")
    supporter.fill("textarea[name=other_methods]", "Kollegiale Hospitation")
    submit(supporter, "main form.lotse-form button[type=submit]")
    expect(supporter).to_have_url(re.compile(re.escape(detail_path) + "$"))
    expect_state(supporter, State.MEETING_SCHEDULED, 8)
    expect(supporter.locator("#agreement-heading")).to_be_visible()
    for goal in GOALS:
        expect(supporter.locator("section[aria-labelledby=agreement-heading]")).to_contain_text(
            goal
        )
    accept = f"form[action$='{detail_path}kontrakt/1/annehmen/'] button[type=submit]"
    # Before the first meeting the Kontrakt cannot bind yet, and the page says why.
    expect(supporter.locator(accept)).to_have_count(0)
    expect(supporter.locator("section[aria-labelledby=agreement-heading]")).to_contain_text(
        "erst verbindlich werden, wenn das erste Gespräch vor Ort stattgefunden hat"
    )
    # Ten days later the first meeting has taken place.
    request.meetings.update(starts_at=timezone.now() - dt.timedelta(hours=2))
    supporter.reload()
    submit(supporter, accept)
    expect_state(supporter, State.MEETING_SCHEDULED, 9)
    expect(supporter.locator(accept)).to_have_count(0)

    school.goto(detail_path)
    expect_state(school, State.MEETING_SCHEDULED, 9)
    submit(school, accept)
    expect_state(school, State.AGREED, 11)
    expect(school.locator(accept)).to_have_count(0)

    # The binding Kontrakt as a PDF names the goals and both people who accepted it.
    with school.expect_download() as download_info:
        school.click(f"a[href$='{detail_path}kontrakt/1/pdf/']")
    download = download_info.value
    assert download.suggested_filename == f"kontrakt-{request.pk}-v1.pdf"
    with open(download.path(), "rb") as handle:
        pdf = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    for goal in GOALS:
        assert goal in text
    assert cast.school_contact.get_full_name() in text
    assert cast.supporter.get_full_name() in text

    request.refresh_from_db()
    assert request.state == State.AGREED
    # The coordinator sees the new state in the inbox.
    coordinator.goto("/koordination/")
    expect(coordinator.locator("#results tbody tr")).to_contain_text(state_label(State.AGREED))
