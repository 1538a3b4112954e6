"""The school data import in Chromium: upload, preview, confirmation, result; accessible."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import PASSWORD, give_totp

from lotse.core.models import District, Person, Role, School

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "schools"
OpenAs = Callable[[Any], Page]
Check = Callable[[Page, str], None]


@pytest.fixture
def admin(cast: Any) -> Person:
    person = Person.objects.create_user(
        "admin@lasub.example", PASSWORD, first_name="Anna", last_name="Admin"
    )
    Role.objects.create(person=person, organisation=cast.organisation, kind=Role.Kind.ADMIN)
    give_totp(person)  # staff must have a second factor
    # The sample's schools are in Dresden: the district with its Kreisschlüssel.
    District.objects.create(
        organisation=cast.organisation, name="Stadt Dresden", site=cast.site, official_key="14612"
    )
    return person


def test_admin_imports_a_file_with_bad_rows(
    cast: Any, admin: Person, as_person: OpenAs, axe_check: Check
) -> None:
    page = as_person(admin)
    page.goto(f"/organisation/{cast.organisation.slug}/einstellungen/")
    with page.expect_navigation():
        page.click("main a[href$='/schulen/']")
    axe_check(page, "the school list")
    with page.expect_navigation():
        page.click("main a[href$='/schulen/import/']")
    axe_check(page, "the upload page")

    # A Windows-1252 file is refused at once, with the reason at the field.
    page.set_input_files("input[name=file]", str(SAMPLES / "generic-windows-1252.csv"))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    expect(page.locator(".kern-error")).to_contain_text("Die Datei ist nicht UTF-8-kodiert")
    axe_check(page, "the upload page with an error")

    page.set_input_files("input[name=file]", str(SAMPLES / "sachsen-schuldatenbank-fehler.csv"))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Schuldaten-Import prüfen")
    expect(page.locator("[data-count=created]")).to_have_text("2")
    expect(page.locator("[data-count=rejected]")).to_have_text("8")
    expect(page.locator("#rejected tbody tr")).to_have_count(8)
    expect(page.locator("#rejected")).to_contain_text("Sind Breite und Länge vertauscht?")
    # A further building of a school is skipped, not rejected; its reason is one click away.
    expect(page.locator("[data-count=skipped]")).to_have_text("1")
    page.locator("#skipped summary").click()
    expect(page.locator("#skipped")).to_contain_text("Weiteres Gebäude der Schule 41612520")
    axe_check(page, "the preview")
    assert not School.objects.filter(number="41612520").exists()

    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Schuldaten importiert")
    expect(page.locator(".kern-alert--success")).to_have_count(1)
    expect(page.locator("[data-count=created]")).to_have_text("2")
    axe_check(page, "the result")
    school = School.objects.select_related("district").get(number="41612520")
    assert school.district is not None
    assert school.district.site == cast.site

    with page.expect_navigation():
        page.click("main a[href$='/schulen/']")
    expect(page.locator("main table")).to_contain_text("Grundschule Löbtau-Süd Dresden")
