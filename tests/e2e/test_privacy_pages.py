"""The organisation admin's data protection pages in Chromium: accessible, and they work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import PASSWORD, give_totp

from lotse.core.models import Person, RetentionRule, Role

pytestmark = pytest.mark.e2e

OpenAs = Callable[[Any], Page]
Check = Callable[[Page, str], None]


@pytest.fixture
def admin(cast: Any) -> Person:
    person = Person.objects.create_user(
        "admin@lasub.example", PASSWORD, first_name="Anna", last_name="Admin"
    )
    Role.objects.create(person=person, organisation=cast.organisation, kind=Role.Kind.ADMIN)
    give_totp(person)  # staff must have a second factor
    return person


def test_retention_page_saves_a_rule(
    cast: Any, admin: Person, as_person: OpenAs, axe_check: Check
) -> None:
    page = as_person(admin)
    page.goto(f"/organisation/{cast.organisation.slug}/einstellungen/")
    with page.expect_navigation():
        page.click("main a[href$='/aufbewahrung/']")
    axe_check(page, "the retention page")

    page.fill("input[name='support.withdrawn-months']", "0")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    expect(page.locator(".kern-error")).to_have_count(1)
    axe_check(page, "the retention page with an error")

    page.fill("input[name='support.withdrawn-months']", "2")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    expect(page.locator(".kern-alert--success")).to_have_count(1)
    rule = RetentionRule.objects.get(organisation=cast.organisation, kind="support.withdrawn")
    assert rule.months == 2


def test_admin_finds_a_person_and_erases_them(
    cast: Any, admin: Person, as_person: OpenAs, axe_check: Check
) -> None:
    page = as_person(admin)
    page.goto(f"/organisation/{cast.organisation.slug}/personen/")
    axe_check(page, "the people of the organisation")
    page.fill("input[name='q']", "Berger")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    expect(page.locator("main table tbody tr")).to_have_count(1)
    with page.expect_navigation():
        page.click("main table a")
    axe_check(page, "a person's data protection page")

    page.fill("input[name='confirmation']", "falsch@example.org")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator(".kern-error")).to_have_count(1)
    axe_check(page, "the erasure with a wrong confirmation")

    page.fill("input[name='confirmation']", cast.supporter.email)
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator(".kern-alert--success")).to_have_count(1)
    assert Person.objects.get(pk=cast.supporter.pk).erased_at is not None
