"""Browser fixtures for the end-to-end tests: Chromium against pytest-django's live server.

The data is built here directly with the models, so these tests depend on nothing else in tests/.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run in a
# thread with a running loop unless told that this is fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Response,
    sync_playwright,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "Lotse-e2e-Passwort-2024!"
# The authenticator-app secret of the cast's staff (coordinator and supporter).
E2E_TOTP_SECRET = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the browser tests when there is no Chromium to drive."""
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Browsing:
    """Opens browser contexts for a test and remembers every URL the pages asked for."""

    browser: Browser
    base_url: str
    contexts: list[BrowserContext]
    requested: list[str]
    broken_assets: list[str]

    def new_page(self, **context_options: Any) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url, locale="de-DE", accept_downloads=True, **context_options
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", lambda request: self.requested.append(request.url))
        context.on("response", self._check_asset)
        self.contexts.append(context)
        return context.new_page()

    def _check_asset(self, response: Response) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.broken_assets.append(f"{response.status} {response.url}")

    def foreign_requests(self) -> list[str]:
        """Requests to any host but the live server (data: and blob: URLs stay in the page)."""
        own = urlsplit(self.base_url).netloc
        return [
            url
            for url in self.requested
            if urlsplit(url).scheme not in {"data", "blob", "about"} and urlsplit(url).netloc != own
        ]


@pytest.fixture
def browsing(browser: Browser, live_server: Any, transactional_db: None) -> Iterator[Browsing]:
    """A fresh set of contexts per test; afterwards no page may have asked another host."""
    from django.core.cache import cache

    # The cache is a database table that outlives each test's data: start every test without
    # the login rate limits and used second-factor codes of the tests before it.
    cache.clear()
    session = Browsing(
        browser=browser, base_url=live_server.url, contexts=[], requested=[], broken_assets=[]
    )
    yield session
    for context in session.contexts:
        context.close()
    foreign = session.foreign_requests()
    assert not foreign, f"requests to other hosts than the live server: {foreign}"
    broken = sorted(set(session.broken_assets))
    assert not broken, f"static files that did not load: {broken}"


@pytest.fixture
def page(browsing: Browsing) -> Page:
    """A page in a fresh browser context."""
    return browsing.new_page()


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the allauth form and wait until the app has sent us on; staff with an
    authenticator app also get past the second step, with the code their app would show."""
    page.goto("/konto/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form[action$='/konto/login/'] button[type=submit]")
    page.wait_for_url(lambda url: "/konto/login/" not in url)
    if "/konto/2fa/authenticate/" in page.url:
        page.fill("input[name=code]", fresh_totp_code(email))
        page.click("form[action$='/konto/2fa/authenticate/'] button[type=submit]:not([form])")
        page.wait_for_url(lambda url: "/konto/2fa/authenticate/" not in url)


# Codes given out per person: allauth accepts each code once, so a second login of the same
# person within one 30-second step takes the code of a neighbouring step (MFA_TOTP_TOLERANCE).
_used_codes: set[tuple[int, str]] = set()


def totp_code_at(secret: str, counter: int) -> str:
    """The code of an authenticator app for one time step, by allauth's own functions."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, counter))


def fresh_totp_code(email: str) -> str:
    """A code the person's authenticator app shows now that no login has used yet, computed
    from the secret stored for them."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    while True:
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        for step in (0, 1, -1)[: 2 * app_settings.TOTP_TOLERANCE + 1]:
            code = totp_code_at(secret, counter + step)
            if (authenticator.user_id, code) not in _used_codes:
                _used_codes.add((authenticator.user_id, code))
                return code
        time.sleep(1)


def give_totp(person: Any, secret: str = E2E_TOTP_SECRET) -> None:
    """Set up an authenticator app for the person, as allauth does after a scan."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(person, secret)


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page and return the violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node['target']}: {node['summary']}" for node in violation["nodes"])
    return "\n".join(lines)


def assert_accessible(page: Page, what: str = "") -> None:
    violations = run_axe(page)
    assert not violations, (
        f"axe found WCAG 2.1 AA violations on {what or page.url}:\n{format_violations(violations)}"
    )


@dataclass
class Cast:
    """The people of one support process, all with the password PASSWORD."""

    organisation: Any
    site: Any
    school: Any
    school_contact: Any
    coordinator: Any
    supporter: Any
    password: str = PASSWORD


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    from lotse.core.models import District, Organisation, Person, Role, School, Site

    organisation = Organisation.objects.create(
        slug="lasub-e2e",
        name="Landesamt für Schule und Bildung",
        kind=Organisation.Kind.SUPPORT_SYSTEM,
        state="SN",
        mail_from="lotse@lasub.example",
    )
    site = Site.objects.create(
        organisation=organisation, name="Standort Leipzig", email="leipzig@lasub.example"
    )
    district = District.objects.create(organisation=organisation, name="Leipzig", site=site)
    school = School.objects.create(
        state="SN",
        number="13579",
        name="Oberschule am Auwald",
        school_type=School.Type.OBERSCHULE,
        district=district,
        city="Leipzig",
    )
    school_contact = Person.objects.create_user(
        "schulleitung@auwald.example", PASSWORD, first_name="Sabine", last_name="Schulz"
    )
    Role.objects.create(
        person=school_contact,
        organisation=organisation,
        kind=Role.Kind.SCHOOL_CONTACT,
        school=school,
    )
    coordinator = Person.objects.create_user(
        "koordination@lasub.example", PASSWORD, first_name="Karl", last_name="Koch"
    )
    coordinator_role = Role.objects.create(
        person=coordinator, organisation=organisation, kind=Role.Kind.COORDINATOR
    )
    coordinator_role.sites.add(site)
    supporter = Person.objects.create_user(
        "begleitung@lasub.example", PASSWORD, first_name="Berta", last_name="Berger"
    )
    supporter_role = Role.objects.create(
        person=supporter,
        organisation=organisation,
        kind=Role.Kind.SUPPORTER,
        title="Prozessmoderatorin",
    )
    supporter_role.sites.add(site)
    # Staff must have a second factor to use Lotse; the browser tests log in with it.
    give_totp(coordinator)
    give_totp(supporter)
    return Cast(
        organisation=organisation,
        site=site,
        school=school,
        school_contact=school_contact,
        coordinator=coordinator,
        supporter=supporter,
    )


@pytest.fixture
def as_person(browsing: Browsing) -> Callable[[Any], Page]:
    """A new page in its own context, logged in as the given person."""

    def open_as(person: Any) -> Page:
        page = browsing.new_page()
        log_in(page, person.email)
        return page

    return open_as


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """PBKDF2 makes every login slow; the browser tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


STAGES = [
    "received",
    "acknowledged",
    "clarified",
    "proposed",
    "accepted",
    "in_contact",
    "meeting_scheduled",
    "meeting_held",
    "drafted",
    "agreed",
]


def advance_request(cast: Cast, until: str, subject: str = "Feedbackkultur stärken") -> Any:
    """A request of the cast's school, taken through the services up to the given stage."""
    from lotse.support.models import Proposal, SupportRequest
    from lotse.support.services import agreements as agreement_services
    from lotse.support.services import requests as request_services

    target = STAGES.index(until)
    steps: list[Callable[[Any], Any]] = [
        lambda sr: sr,
        lambda sr: request_services.request_acknowledge(
            request=sr, by=cast.coordinator, message="Danke!"
        ),
        lambda sr: request_services.request_clarify(
            request=sr, by=cast.coordinator, note="Geklärt."
        ),
        lambda sr: request_services.request_propose(
            request=sr, by=cast.coordinator, supporters=[cast.supporter], note="Bitte prüfen."
        ),
        lambda sr: request_services.proposal_accept(
            proposal=Proposal.objects.get(request=sr, supporter=cast.supporter), by=cast.supporter
        ),
        lambda sr: request_services.request_first_contact(
            request=sr, by=cast.supporter, note="Erstes Telefonat."
        ),
        lambda sr: request_services.request_schedule_meeting(
            request=sr,
            by=cast.supporter,
            starts_at=timezone.now() + dt.timedelta(days=7),
            place="Schule, Raum 3",
            participants="Schulleitung, Steuergruppe",
        ),
        # The first meeting took place (the Kontrakt binds only after it).
        lambda sr: sr.meetings.update(starts_at=timezone.now() - dt.timedelta(hours=2)),
        lambda sr: agreement_services.agreement_draft(
            request=sr,
            by=cast.supporter,
            participants="Schulleitung, Steuergruppe",
            goals="Feedback im Unterricht verankern\nSchülerfeedback zweimal im Jahr",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + dt.timedelta(days=120),
            place="Schule",
            frequency="monatlich",
            confidentiality="Was besprochen wird, bleibt im Raum.",
        ),
        lambda sr: [
            agreement_services.agreement_accept(agreement=sr.agreements.get(), by=person)
            for person in (cast.supporter, cast.school_contact)
        ],
    ]
    request = request_services.request_submit(
        school=cast.school,
        by=cast.school_contact,
        subject=subject,
        text="Wir möchten eine Feedbackkultur im Kollegium aufbauen.",
        contact_name=cast.school_contact.get_full_name(),
        contact_email=cast.school_contact.email,
    )
    for step in steps[1 : target + 1]:
        step(request)
        request = SupportRequest.objects.get(pk=request.pk)
    return request


@pytest.fixture
def login() -> Callable[..., None]:
    """`login(page, email)`: log in through the allauth form."""
    return log_in


@pytest.fixture
def axe_check() -> Callable[[Page, str], None]:
    """`axe_check(page, what)`: fail with every WCAG 2.1 AA violation axe-core finds."""
    return assert_accessible


@pytest.fixture
def advance(cast: Cast) -> Callable[..., Any]:
    """`advance(stage, subject=...)`: a request of the cast's school taken up to a stage."""

    def build(until: str, subject: str = "Feedbackkultur stärken") -> Any:
        return advance_request(cast, until, subject)

    return build
