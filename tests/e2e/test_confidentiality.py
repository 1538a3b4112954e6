"""Confidential by construction, in Chromium: the school sees who can see what, releases a
supporter's note for the annual report and revokes it, and reads who has read its request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from lotse.core.models import AccessLog
from lotse.support import visibility
from lotse.support.services import records as record_services

pytestmark = pytest.mark.e2e

NOTE = "Die Steuergruppe hat die Feedbackbögen selbst entwickelt."


def de(message: Any) -> str:
    """A message as the German pages show it."""
    with translation.override("de"):
        return gettext(str(message))


def open_all_details(page: Page) -> None:
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def submit(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_the_school_releases_and_revokes_and_sees_who_read_it(
    cast: Any,
    as_person: Callable[[Any], Page],
    advance: Callable[..., Any],
    axe_check: Callable[[Page, str], None],
) -> None:
    sr = advance("in_contact")
    note = record_services.note_add(request=sr, by=cast.supporter, text=NOTE)
    entry = f"#entry-{note.pk}"
    url = f"/anfragen/{sr.pk}/"

    # The school opens the request and sees who can see what, by name and role.
    school = as_person(cast.school_contact)
    school.goto(url)
    panel = school.locator("#who-sees-what")
    expect(panel).to_contain_text(f"Berta Berger ({de('Supporter')})")
    expect(panel).to_contain_text(f"Karl Koch ({de('Coordinator')})")
    expect(school.locator(entry)).to_contain_text(NOTE)
    open_all_details(school)
    axe_check(school, "the request page with visibility and release forms")

    # The coordinator sees only that there is an entry.
    coordinator = as_person(cast.coordinator)
    coordinator.goto(url)
    expect(coordinator.locator(entry)).to_contain_text(de(visibility.PLACEHOLDER))
    expect(coordinator.locator(entry)).not_to_contain_text(NOTE)

    # The school releases the supporter's note for the site's annual report.
    school.goto(url)
    school.click(f"{entry} details.lotse-entry-controls > summary")
    release_form = f"{entry} form[action$='/freigabe/eintrag/{note.pk}/']"
    school.select_option(
        f"{release_form} select[name=choice]", label=de("Annual report of the site")
    )
    submit(school, f"{release_form} button[type=submit]")
    expect(school.locator("[role=status]")).to_be_visible()
    expect(school.locator(entry)).to_contain_text(de("Annual report of the site"))

    # Now the coordinator reads it.
    coordinator.goto(url)
    expect(coordinator.locator(entry)).to_contain_text(NOTE)

    # The school revokes the release; at once the coordinator sees the placeholder again.
    school.click(f"{entry} details.lotse-entry-controls > summary")
    submit(school, f"{entry} form[action*='/widerrufen/'] button[type=submit]")
    expect(school.locator("[role=status]")).to_be_visible()
    coordinator.goto(url)
    expect(coordinator.locator(entry)).not_to_contain_text(NOTE)
    expect(coordinator.locator(entry)).to_contain_text(de(visibility.PLACEHOLDER))

    # The school opens the access log and finds the coordinator's reads with role and time.
    school.goto(url)
    submit(school, f"a[href='/anfragen/{sr.pk}/zugriffe/']")
    expect(school.locator("h1")).to_have_text(de("Who has read it"))
    last = AccessLog.objects.filter(person=cast.coordinator).order_by("-at", "-pk").first()
    assert last is not None
    with translation.override("de"):
        when = formats.date_format(timezone.localtime(last.at), "DATETIME_FORMAT")
    newest_of_coordinator = school.locator("main table tbody tr", has_text="Karl Koch").first
    expect(newest_of_coordinator).to_contain_text(de("Coordinator"))
    expect(newest_of_coordinator).to_contain_text(when)
    expect(school.locator("main table tbody tr", has_text="Karl Koch")).to_have_count(3)
    axe_check(school, "the access log page")
