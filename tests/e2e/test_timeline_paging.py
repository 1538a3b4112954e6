"""A long timeline in the browser: "Ältere Einträge laden" brings the older entries into the
page with htmx, without leaving it; the page stays accessible."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lotse.support import timeline
from lotse.support.models import Visibility
from lotse.support.selectors.requests import TIMELINE_ROWS

pytestmark = pytest.mark.e2e

OpenAs = Callable[[Any], Page]
Check = Callable[[Page, str], None]
Advance = Callable[..., Any]


def test_older_entries_load_into_the_page(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    sr = advance("clarified")
    start = timezone.now() + dt.timedelta(minutes=1)
    for n in range(30):
        timeline.record(
            sr,
            "note",
            by=cast.coordinator,
            note=f"Notiz {n:03d}",
            visibility=Visibility.COORDINATION,
            at=start + dt.timedelta(minutes=n),
        )
    total = sr.events.count()
    page = as_person(cast.school_contact)
    page.goto(f"/anfragen/{sr.pk}/")
    entries = page.locator("#timeline li[id^=entry-]")
    expect(entries).to_have_count(TIMELINE_ROWS)
    expect(page.locator("#timeline")).not_to_contain_text("Notiz 000")
    axe_check(page, "the request page with older entries to load")

    page.get_by_role("link", name="Ältere Einträge laden").click()

    expect(entries).to_have_count(min(2 * TIMELINE_ROWS, total))
    expect(page.locator("#timeline")).to_contain_text("Notiz 000")
    assert page.url.endswith(f"/anfragen/{sr.pk}/")  # htmx: the page was not left
    if total > 2 * TIMELINE_ROWS:
        page.get_by_role("link", name="Ältere Einträge laden").click()
        expect(entries).to_have_count(total)
    expect(page.get_by_role("link", name="Ältere Einträge laden")).to_have_count(0)
