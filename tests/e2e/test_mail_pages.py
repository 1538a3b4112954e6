"""The pages of the mail intake in Chromium: axe-core finds no WCAG 2.1 AA violation, and a
coordinator can assign the school of a mail from an unknown sender."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lotse.core.models import Role
from lotse.support.mail import intake
from lotse.support.models import InboundMail, SupportRequest

pytestmark = pytest.mark.e2e

Check = Callable[[Page, str], None]
OpenAs = Callable[[Any], Page]


def _mail_from_unknown_sender() -> bytes:
    message = EmailMessage()
    message["From"] = "Karin Lehmann <k.lehmann@post.example>"
    message["To"] = "leipzig@lasub.example"
    message["Subject"] = "Anfrage: Streitschlichtung an unserer Oberschule"
    message["Message-ID"] = "<anfrage-1@post.example>"
    message.set_content("Guten Tag,\n\nwir möchten Streitschlichter ausbilden.\n\nK. Lehmann")
    message.add_attachment(
        b"%PDF-1.4 Konzept", maintype="application", subtype="pdf", filename="Konzept Schüler.pdf"
    )
    return message.as_bytes()


BROKEN = (
    b"From: sekretariat@schule.example\r\nSubject: kaputt\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed\r\n\r\nkein Boundary\r\n"
)


def test_mailbox_pages(cast: Any, as_person: OpenAs, axe_check: Check) -> None:
    Role.objects.create(person=cast.coordinator, organisation=cast.organisation, kind="admin")
    page = as_person(cast.coordinator)
    page.goto(f"/organisation/{cast.organisation.slug}/postfaecher/")
    expect(page.locator("main table tbody tr")).to_have_count(1)
    axe_check(page, "the mailbox list")

    page.goto(f"/organisation/{cast.organisation.slug}/postfaecher/{cast.site.pk}/")
    axe_check(page, "the mailbox form")
    page.fill("input[name=host]", "127.0.0.1")
    page.fill("input[name=port]", "9")  # nothing listens on the discard port
    page.select_option("select[name=security]", "plain")
    page.fill("input[name=username]", "leipzig")
    page.fill("input[name=password]", "geheim")
    with page.expect_navigation():
        page.click("main button[name=test]")
    expect(page.locator("main .kern-alert--danger")).to_be_visible()
    axe_check(page, "the mailbox form after a failed connection test")


def test_quarantine_pages(cast: Any, as_person: OpenAs, axe_check: Check) -> None:
    mail = intake.mail_import(site=cast.site, raw=BROKEN).mail
    assert mail.outcome == InboundMail.Outcome.QUARANTINE
    page = as_person(cast.coordinator)
    page.goto("/koordination/quarantaene/")
    expect(page.locator("main table tbody tr")).to_have_count(1)
    axe_check(page, "the quarantine")

    with page.expect_navigation():
        page.click(f"main a[href$='/koordination/quarantaene/{mail.pk}/']")
    axe_check(page, "a mail in quarantine")
    with page.expect_navigation():
        page.click("main button[value=discard]")
    expect(page).to_have_url(re.compile(r"/koordination/quarantaene/$"))
    assert InboundMail.objects.get(pk=mail.pk).outcome == InboundMail.Outcome.DISCARDED


def test_coordinator_assigns_the_school_of_an_unknown_sender(
    cast: Any, as_person: OpenAs, axe_check: Check
) -> None:
    request = intake.mail_import(site=cast.site, raw=_mail_from_unknown_sender()).mail.request
    assert request is not None
    assert request.school is None
    page = as_person(cast.coordinator)
    page.goto("/koordination/")
    expect(page.locator("main table tbody")).to_contain_text("k.lehmann@post.example")
    axe_check(page, "the inbox with a request without school")

    page.goto(f"/anfragen/{request.pk}/")
    expect(page.locator("#attachments-heading")).to_be_visible()
    page.locator("details").evaluate_all("nodes => nodes.forEach(n => n.open = true)")
    axe_check(page, "a request from an unknown sender")
    page.select_option("select[name=assign_school-school]", str(cast.school.pk))
    with page.expect_navigation():
        page.click("form[action$='/schritt/assign_school/'] button[type=submit]")
    request.refresh_from_db()
    assert request.school == cast.school
    assert SupportRequest.objects.count() == 1
