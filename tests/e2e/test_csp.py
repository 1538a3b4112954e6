"""The Content-Security-Policy holds on every main page: the browser blocks nothing, because no
page has inline script or style and everything comes from Lotse itself. Anonymous visitors, a
school contact, a coordinator and an admin in Django's admin, in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page
from tests.e2e.conftest import PASSWORD, Browsing, give_totp, log_in

from lotse.core.models import Person

pytestmark = pytest.mark.e2e

Advance = Callable[..., Any]

# Runs before each document's own scripts (through DevTools, which the policy does not govern)
# and records every violation the page reports.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}` +
    ` in ${event.sourceFile || document.location.pathname}:${event.lineNumber}`
  );
});
"""


class Watcher:
    """Collects the violations of one browser context, from the page and from the console."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.found: list[str] = []
        page.context.add_init_script(WATCH)
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(f"console: {message.text}")

    def visit(self, path: str, status: int = 200) -> None:
        response = self.page.goto(path, wait_until="networkidle")
        assert response is not None
        assert response.status == status, f"{path}: {response.status}"
        assert "script-src 'self'" in (response.header_value("content-security-policy") or "")
        self.collect(path)

    def collect(self, where: str) -> None:
        reported = self.page.evaluate("window.__cspViolations || []")
        self.found.extend(f"{where}: {violation}" for violation in reported)
        self.page.evaluate("window.__cspViolations = []")

    def assert_none(self) -> None:
        assert not self.found, "CSP violations:\n" + "\n".join(self.found)


def watch(page: Page) -> Watcher:
    watcher = Watcher(page)
    # The watcher sees what the policy blocks: an inline style added by a script is one.
    page.goto("/konto/login/", wait_until="networkidle")
    page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>body{}</style>')")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert any("style-src" in v for v in page.evaluate("window.__cspViolations")), watcher.found
    page.evaluate("window.__cspViolations = []")
    watcher.found.clear()
    return watcher


def test_anonymous_pages_keep_the_policy(browsing: Browsing, cast: Any) -> None:
    watcher = watch(browsing.new_page())
    slug = cast.organisation.slug
    for path in (
        "/konto/login/",
        "/konto/password/reset/",
        "/katalog/",
        f"/katalog/{slug}/",
        f"/katalog/{slug}/weitere/",
        f"/katalog/{slug}/anfrage/",
    ):
        watcher.visit(path)
    watcher.visit("/gibt-es-nicht/", status=404)
    # The catalogue search swaps its results in with htmx (and would show its indicator).
    watcher.visit(f"/katalog/{slug}/suche/")
    with watcher.page.expect_response(lambda response: "/suche/" in response.url):
        watcher.page.fill("input[name=q]", "Feedback")
    watcher.page.wait_for_load_state("networkidle")
    watcher.collect("the search after typing")
    watcher.assert_none()


def test_a_school_contacts_pages_keep_the_policy(
    browsing: Browsing, cast: Any, advance: Advance
) -> None:
    request = advance("agreed")
    page = browsing.new_page()
    watcher = watch(page)
    log_in(page, cast.school_contact.email)
    watcher.collect("the login")
    for path in (
        "/",
        "/anfragen/",
        "/anfragen/neu/",
        f"/anfragen/{request.pk}/",
        "/konzepte/",
        "/konto/2fa/",
        "/konto/2fa/totp/activate/",  # the QR code is a data: image
        "/konto/sessions/",
        "/konto/password/change/",
    ):
        watcher.visit(path)
    watcher.assert_none()


def test_a_coordinators_pages_keep_the_policy(
    browsing: Browsing, cast: Any, advance: Advance
) -> None:
    request = advance("clarified")
    page = browsing.new_page()
    watcher = watch(page)
    log_in(page, cast.coordinator.email)  # with the second factor
    watcher.collect("the login")
    for path in (
        "/koordination/",
        f"/anfragen/{request.pk}/",
        "/koordination/auslastung/",
        "/koordination/quarantaene/",
        "/postausgang/",
        "/konto/2fa/",
        "/konto/2fa/webauthn/add/",  # allauth's WebAuthn scripts and their JSON data
    ):
        watcher.visit(path)
    watcher.assert_none()


def test_djangos_admin_keeps_the_policy(browsing: Browsing, cast: Any) -> None:
    admin = Person.objects.create_superuser("root@lasub.example", PASSWORD)
    give_totp(admin)
    page = browsing.new_page()
    watcher = watch(page)
    log_in(page, admin.email)
    watcher.collect("the login")
    for path in (
        "/verwaltung/",
        "/verwaltung/core/person/",
        f"/verwaltung/core/person/{cast.coordinator.pk}/change/",
        "/verwaltung/core/organisation/add/",
    ):
        watcher.visit(path)
    watcher.assert_none()
