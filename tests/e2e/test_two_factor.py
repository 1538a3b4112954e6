"""Two-factor login in Chromium: a coordinator without a second factor is sent to set one up,
reads the key off the page, confirms a code, sees the recovery codes and goes on to the request
they wanted; the next login asks for the code. axe-core checks each of these pages."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import E2E_TOTP_SECRET, PASSWORD, fresh_totp_code, log_in, totp_code_at

pytestmark = pytest.mark.e2e

Check = Callable[[Page, str], None]
Advance = Callable[..., Any]


def wrong_code(secret: str) -> str:
    """A six-digit code that the app of this secret does not show around now."""
    now = int(time.time()) // 30
    valid = {totp_code_at(secret, now + step) for step in range(-2, 3)}
    return next(code for code in ("123456", "654321", "111111") if code not in valid)


def test_a_coordinator_sets_up_an_authenticator_app_and_then_opens_the_request(
    page: Page, cast: Any, advance: Advance, axe_check: Check
) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=cast.coordinator).delete()
    request = advance("received", subject="Ganztag gemeinsam gestalten")

    page.goto(f"/anfragen/{request.pk}/")
    expect(page).to_have_url(re.compile(r"/konto/login/\?next="))
    page.fill("input[name=login]", cast.coordinator.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[action$='/konto/login/'] button[type=submit]")

    # Sent to set up the second factor, with the reason on the page.
    expect(page).to_have_url(re.compile(r"/konto/2fa/totp/activate/$"))
    expect(page.locator(".lotse-messages .kern-alert--warning")).to_be_visible()
    expect(page.locator("img[src^='data:image/svg+xml']")).to_be_visible()
    axe_check(page, "the set-up of an authenticator app")

    # The person's app reads the key; here we compute the code as the app would.
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.fill("input[name=code]", wrong_code(secret))
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("main .kern-error")).to_be_visible()
    axe_check(page, "the set-up with a wrong code")

    page.fill("input[name=code]", totp_code_at(secret, int(time.time()) // 30))
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")

    # The recovery codes, then on to the request.
    expect(page).to_have_url(re.compile(r"/konto/2fa/recovery-codes/$"))
    expect(page.locator(".lotse-codes li")).to_have_count(10)
    axe_check(page, "the recovery codes")
    with page.expect_navigation():
        page.click(f"main a[href='/anfragen/{request.pk}/']")
    expect(page.locator("h1")).to_contain_text("Ganztag gemeinsam gestalten")

    # The overview shows the app as set up.
    page.goto("/konto/2fa/")
    expect(page.locator("#mfa-totp")).to_be_visible()
    expect(page.locator("a[href='/konto/2fa/totp/deactivate/']")).to_be_visible()
    axe_check(page, "the two-factor overview")


def test_the_next_login_asks_for_the_code(page: Page, cast: Any, axe_check: Check) -> None:
    page.goto("/konto/login/")
    page.fill("input[name=login]", cast.supporter.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[action$='/konto/login/'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/konto/2fa/authenticate/$"))
    axe_check(page, "the code step of the login")

    page.fill("input[name=code]", wrong_code(E2E_TOTP_SECRET))
    with page.expect_navigation():
        page.click("form[action$='/konto/2fa/authenticate/'] button[type=submit]:not([form])")
    expect(page).to_have_url(re.compile(r"/konto/2fa/authenticate/$"))
    expect(page.locator("main .kern-error")).to_be_visible()
    axe_check(page, "the code step with a wrong code")

    page.fill("input[name=code]", fresh_totp_code(cast.supporter.email))
    with page.expect_navigation():
        page.click("form[action$='/konto/2fa/authenticate/'] button[type=submit]:not([form])")
    page.goto("/begleitung/")
    expect(page).to_have_url(re.compile(r"/begleitung/$"))


def test_a_school_contact_is_not_asked_and_finds_two_factor_login_in_the_menu(
    page: Page, cast: Any, axe_check: Check
) -> None:
    log_in(page, cast.school_contact.email)
    page.goto("/anfragen/")
    expect(page).to_have_url(re.compile(r"/anfragen/$"))
    # The account's links are in the account menu, which the person's name opens.
    page.click("header summary.lotse-account__summary")
    with page.expect_navigation():
        page.click("nav.lotse-account-nav a[href='/konto/2fa/']")
    expect(page.locator("a[href='/konto/2fa/totp/activate/']")).to_be_visible()
    axe_check(page, "the two-factor overview of a school contact")
    page.goto("/konto/sessions/")
    axe_check(page, "the list of sessions")


def test_a_supporter_sets_up_a_security_key_and_logs_in_with_it(
    browsing: Any, cast: Any, advance: Advance, axe_check: Check
) -> None:
    """WebAuthn with Chromium's virtual authenticator (a USB security key that says yes)."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=cast.supporter).delete()
    page = browsing.new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    log_in(page, cast.supporter.email)
    expect(page).to_have_url(re.compile(r"/konto/2fa/totp/activate/$"))
    with page.expect_navigation():
        page.click("main a[href='/konto/2fa/webauthn/add/']")
    axe_check(page, "adding a security key")
    page.fill("input[name=name]", "USB-Schlüssel")
    with page.expect_navigation():
        page.click("#mfa_webauthn_add")
    expect(page).to_have_url(re.compile(r"/konto/2fa/recovery-codes/$"))
    assert Authenticator.objects.filter(user=cast.supporter, type="webauthn").count() == 1
    page.goto("/konto/2fa/webauthn/")
    expect(page.locator("main table")).to_contain_text("USB-Schlüssel")
    axe_check(page, "the list of security keys")

    page.goto("/begleitung/")
    expect(page).to_have_url(re.compile(r"/begleitung/$"))
    page.click("header summary.lotse-account__summary")
    with page.expect_navigation():
        page.click("form.lotse-logout button[type=submit]")

    page.goto("/konto/login/")
    page.fill("input[name=login]", cast.supporter.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[action$='/konto/login/'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/konto/2fa/authenticate/$"))
    axe_check(page, "the code step with a security key")
    with page.expect_navigation():
        page.click("#mfa_webauthn_authenticate")
    page.goto("/begleitung/")
    expect(page).to_have_url(re.compile(r"/begleitung/$"))
