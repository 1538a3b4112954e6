"""The look of the pages in the browser: buttons that keep their words on one or two lines, at a
desktop width and at a phone's width."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

Advance = Callable[..., Any]

WIDTHS = [(1280, 800), (390, 844)]

# Every visible button and button-like link of the main area whose text overflows its box or
# runs over more than two lines, with its text and measures.
SQUASHED_BUTTONS = """() => {
    const found = [];
    for (const el of document.querySelectorAll("main button, main a.kern-btn, main summary")) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        const label = el.querySelector(".kern-label") || el;
        const style = getComputedStyle(label);
        let lineHeight = parseFloat(style.lineHeight);
        if (Number.isNaN(lineHeight)) lineHeight = parseFloat(style.fontSize) * 1.2;
        const labelBox = label.getBoundingClientRect();
        const lines = Math.round(labelBox.height / lineHeight);
        // The words must stay inside the label and the label inside the button. (The button's
        // own scrollWidth would count KERN's wider touch area, a pseudo-element, as overflow.)
        const overflows = (label !== el && label.scrollWidth > label.clientWidth + 1)
            || labelBox.right > box.right + 1 || labelBox.left < box.left - 1;
        if (lines > 2 || overflows) {
            found.push(`${el.innerText.trim()}: ${Math.round(box.width)}px wide, `
                + `${lines} lines${overflows ? ", overflowing" : ""}`);
        }
    }
    return found;
}"""


def squashed_buttons(page: Page) -> list[str]:
    return page.evaluate(SQUASHED_BUTTONS)


@pytest.fixture
def request_with_buttons(cast: Any, advance: Advance) -> Any:
    """A running accompaniment with a planned session, an open and a done next step."""
    from lotse.support.services import accompaniment

    sr = advance("agreed")
    starts = timezone.now() + dt.timedelta(days=10)
    accompaniment.session_plan(
        request=sr,
        by=cast.supporter,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        place="Schule, Raum 3",
        participants="Steuergruppe",
    )
    due = timezone.localdate() + dt.timedelta(days=5)
    accompaniment.next_step_add(
        request=sr, by=cast.supporter, text="Fragebogen entwerfen", owner="school", due_on=due
    )
    done = accompaniment.next_step_add(
        request=sr, by=cast.supporter, text="Termine abstimmen", owner="school", due_on=due
    )
    accompaniment.next_step_done(step=done, by=cast.supporter)
    return sr


@pytest.fixture
def request_with_concept(cast: Any, advance: Advance) -> Any:
    """A completed request whose school has released a concept for review."""
    from lotse.support.services import completion, concepts
    from lotse.support.services import requests as request_services

    sr = advance("agreed", subject="Konflikte lösen")
    request_services.request_start(request=sr, by=cast.supporter)
    completion.final_reflection_write(request=sr, by=cast.supporter, text="Gut gelungen.")
    completion.final_reflection_confirm(request=sr, by=cast.school_contact)
    request_services.request_complete(request=sr, by=cast.supporter)
    concepts.concept_submit(
        request=sr,
        by=cast.school_contact,
        topic="Feedbackkultur im Kollegium",
        what_was_done="Hospitationen und ein Feedbackbogen.",
        what_helped="Geduld und klare Absprachen.",
        consent=True,
    )
    return sr


@pytest.mark.parametrize("size", WIDTHS, ids=["1280px", "390px"])
def test_buttons_keep_their_words_together(
    cast: Any,
    browsing: Any,
    request_with_buttons: Any,
    request_with_concept: Any,
    size: tuple[int, int],
) -> None:
    from tests.e2e.conftest import log_in

    width, height = size

    supporter = browsing.new_page(viewport={"width": width, "height": height})
    log_in(supporter, cast.supporter.email)
    supporter.goto(f"/anfragen/{request_with_buttons.pk}/")
    labels = supporter.locator("main button").all_inner_texts()
    for expected in ("Termin absagen", "Als erledigt markieren", "Wieder öffnen"):
        assert any(expected in label for label in labels), (expected, labels)
    assert squashed_buttons(supporter) == [], f"at {width} px"

    school = browsing.new_page(viewport={"width": width, "height": height})
    log_in(school, cast.school_contact.email)
    school.goto(f"/anfragen/{request_with_concept.pk}/")
    labels = school.locator("main button").all_inner_texts()
    assert any("Einverständnis widerrufen" in label for label in labels), labels
    assert squashed_buttons(school) == [], f"at {width} px"
    school.goto(f"/anfragen/{request_with_buttons.pk}/")
    assert squashed_buttons(school) == [], f"at {width} px"


PHONE = {"width": 390, "height": 844}


def test_the_header_on_a_phone_is_short_and_has_an_account_menu(
    cast: Any, browsing: Any, advance: Advance
) -> None:
    from tests.e2e.conftest import log_in

    sr = advance("clarified")
    page = browsing.new_page(viewport=PHONE)
    log_in(page, cast.coordinator.email)
    page.goto("/")
    header = page.locator("header.lotse-header").bounding_box()
    assert header is not None
    assert header["height"] <= 0.25 * PHONE["height"], f"header {header['height']} px high"
    # The main links are on the page (if need be, scrolled sideways), the account's are not.
    expect(page.get_by_role("link", name="Posteingang")).to_have_count(1)
    devices = page.get_by_role("link", name="Angemeldete Geräte")
    expect(devices).to_be_hidden()
    page.locator("header summary").click()
    expect(devices).to_be_visible()
    expect(page.get_by_role("link", name="Zwei-Faktor-Anmeldung")).to_be_visible()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    with page.expect_navigation():
        devices.click()
    expect(page.locator("h1")).to_be_visible()
    assert page.url.endswith("/konto/sessions/")

    # Collapsible sections are large enough to be hit with a finger.
    page.goto(f"/anfragen/{sr.pk}/")
    heights = page.evaluate(
        """() => [...document.querySelectorAll("summary")]
            .filter(s => s.getBoundingClientRect().height > 0)
            .map(s => [s.innerText.trim(), s.getBoundingClientRect().height])"""
    )
    assert heights, "no collapsible section on the request page"
    small = [(text, height) for text, height in heights if height < 44]
    assert small == [], small


def test_the_first_page_load_finds_the_favicon(browsing: Any) -> None:
    page = browsing.new_page()
    icons: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda response: (
            icons.append((response.url, response.status)) if "favicon" in response.url else None
        ),
    )
    page.goto("/")
    page.wait_for_load_state("networkidle")
    assert not [url for url in browsing.requested if url.endswith("/favicon.ico")]
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert href is not None
    assert href.endswith(".svg")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert all(status == 200 for _, status in icons), icons
