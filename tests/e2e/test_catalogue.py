"""The public catalogue in Chromium: a visitor finds an offer through the matrix and asks for
support with it; axe-core finds no WCAG 2.1 AA violation on any catalogue page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import PASSWORD, give_totp

from lotse.catalog.models import Characteristic, Criterion, Offer, QualityArea, SupporterType
from lotse.core.models import OutboxMessage, Person, Role
from lotse.support.models import SupportRequest

pytestmark = pytest.mark.e2e

Check = Callable[[Page, str], None]
OpenAs = Callable[[Any], Page]

AREAS = [
    (1, "Ergebnisse"),
    (2, "Lehren und Lernen"),
    (3, "Schulkultur"),
    (4, "Entwicklung der Professionalität"),
    (5, "Management und Führung"),
    (6, "Kooperation"),
]


@pytest.fixture
def catalogue(cast: Any) -> dict[str, Any]:
    organisation = cast.organisation
    areas = {
        number: QualityArea.objects.create(organisation=organisation, number=number, title=title)
        for number, title in AREAS
    }
    for position, (title, criteria) in enumerate(
        [
            ("Werte und Normen der Schule", ["Konflikte werden fair und gewaltfrei gelöst."]),
            ("Schulklima", ["Der Umgang ist von Wertschätzung geprägt."]),
        ],
        start=1,
    ):
        characteristic = Characteristic.objects.create(
            area=areas[3], title=title, position=position
        )
        for index, text in enumerate(criteria, start=1):
            Criterion.objects.create(characteristic=characteristic, text=text, position=index)
    mediation = Offer.objects.create(
        organisation=organisation,
        site=cast.site,
        title="Regionalbegleiter Schulmediation",
        description="Regionalbegleiter unterstützen Schulen beim Umgang mit Konflikten.",
        services="Pädagogische Tage und Konflikttrainings\nAusbildung von Schülern zu "
        "Streitschlichtern\nBeratung bei Konflikten",
        target_groups="Lehrerkollegien\nSchulleitungen\nSchüler",
        contact_name="Martin Vogel",
        contact_phone="0341 4950-245",
        contact_email="schulmediation@lasub.example",
    )
    mediation.quality_areas.add(areas[3], areas[6])
    moderation = Offer.objects.create(
        organisation=organisation,
        site=cast.site,
        title="Prozessmoderatoren",
        description="Begleitung von Schulentwicklungsvorhaben.",
        services="Moderation von Pädagogischen Tagen\nBegleitung von Steuergruppen",
        target_groups="Steuergruppen",
    )
    moderation.quality_areas.add(areas[4], areas[5])
    for position, name in enumerate(
        [
            "Fachberater",
            "Medienberater",
            "Berater Schule/Wirtschaft",
            "Schulpsychologen",
            "Beratungsstelle zur Begabtenförderung",
        ],
        start=1,
    ):
        SupporterType.objects.create(
            organisation=organisation,
            name=name,
            description=f"{name} unterstützen Schulen direkt.",
            contact_email=f"kontakt{position}@lasub.example",
            link=f"https://www.lasub.example/{position}",
            position=position,
        )
    return {"mediation": mediation, "moderation": moderation, "areas": areas}


def test_a_visitor_finds_an_offer_in_the_matrix_and_asks_for_support(
    page: Page, cast: Any, catalogue: dict[str, Any], axe_check: Check
) -> None:
    mediation = catalogue["mediation"]
    slug = cast.organisation.slug
    page.goto("/katalog/")
    axe_check(page, "the list of catalogues")
    with page.expect_navigation():
        page.click(f"main a[href='/katalog/{slug}/']")
    expect(page.locator("table caption")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)
    axe_check(page, "the matrix")

    # The cell "Regionalbegleiter Schulmediation × 6. Kooperation".
    row = page.locator("tbody tr", has=page.locator(f"a[href$='/angebote/{mediation.pk}/']"))
    with page.expect_navigation():
        row.locator("a[data-area='6']").click()
    expect(page).to_have_url(re.compile(rf"/katalog/{slug}/angebote/{mediation.pk}/$"))
    expect(page.locator("h1")).to_have_text("Regionalbegleiter Schulmediation")
    main = page.locator("main")
    expect(main).to_contain_text("Ausbildung von Schülern zu Streitschlichtern")
    expect(main).to_contain_text("Schulleitungen")
    expect(main).to_contain_text("Martin Vogel")
    expect(main).to_contain_text("Standort Leipzig")
    axe_check(page, "an offer page")

    with page.expect_navigation():
        page.click(f"main a.kern-btn[href$='/anfrage/?angebot={mediation.pk}']")
    expect(page.locator("select[name=offer]")).to_have_value(str(mediation.pk))
    expect(page.locator("select[name=quality_area]")).to_have_value(str(catalogue["areas"][3].pk))
    axe_check(page, "the public request form")

    # Sent without a school and with a wrong address: errors, and the text stays.
    page.fill("input[name=contact_name]", "Petra Pause")
    page.fill("input[name=contact_email]", "keine-adresse")
    page.fill("input[name=subject]", "Streitschlichtung aufbauen")
    page.fill("textarea[name=text]", "Wir möchten Schüler zu Streitschlichtern ausbilden.")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("select[name=school]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("textarea[name=text]")).to_have_value(
        "Wir möchten Schüler zu Streitschlichtern ausbilden."
    )
    axe_check(page, "the public request form with errors")
    assert not SupportRequest.objects.exists()

    page.select_option("select[name=school]", str(cast.school.pk))
    page.fill("input[name=contact_email]", "pause@auwald.example")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/katalog/{slug}/anfrage/gesendet/$"))
    expect(page.locator("main [role=status]")).to_contain_text("Standort Leipzig")
    axe_check(page, "the confirmation page")

    sr = SupportRequest.objects.get()
    assert (sr.school, sr.site, sr.offer) == (cast.school, cast.site, mediation)
    assert OutboxMessage.objects.filter(
        template="support/mail/received", to=["pause@auwald.example"]
    ).exists()


def test_the_area_search_and_other_supporters_pages(
    page: Page, cast: Any, catalogue: dict[str, Any], axe_check: Check
) -> None:
    slug = cast.organisation.slug
    page.goto(f"/katalog/{slug}/bereiche/3/")
    expect(page.locator("main h3")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("Konflikte werden fair und gewaltfrei gelöst.")
    axe_check(page, "an area page")

    page.goto(f"/katalog/{slug}/weitere/")
    expect(page.locator("main h2")).to_have_count(5)
    axe_check(page, "the other supporters")

    # The search form works without JavaScript …
    page.goto(f"/katalog/{slug}/")
    page.fill("input[name=q]", "Streitschlichter")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    expect(page.locator("#results .lotse-results > li")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Regionalbegleiter Schulmediation")
    axe_check(page, "the search results")
    # … and with htmx the results follow the typing.
    page.fill("input[name=q]", "Steuergruppen")
    expect(page.locator("#results")).to_contain_text("Prozessmoderatoren")
    expect(page.locator("#results .lotse-results > li")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=Steuergruppen"))
    page.fill("input[name=q]", "Quantenphysik")
    expect(page.locator("#results .lotse-results > li")).to_have_count(0)
    axe_check(page, "a search without results")


def test_the_matrix_stays_usable_on_a_small_screen(
    browsing: Any, cast: Any, catalogue: dict[str, Any], axe_check: Check
) -> None:
    page = browsing.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"/katalog/{cast.organisation.slug}/")
    region = page.locator(".lotse-matrix")
    # The table scrolls sideways inside its region, not the page …
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    # … and the offer names stay in view while it does.
    region.evaluate("el => el.scrollLeft = el.scrollWidth")
    offer = page.locator("tbody th[scope=row]").first
    box = offer.bounding_box()
    assert box is not None
    assert 0 <= box["x"] < 50
    axe_check(page, "the matrix on a small screen")


def test_a_school_contact_asks_from_the_offer_in_the_app(
    as_person: OpenAs, cast: Any, catalogue: dict[str, Any]
) -> None:
    mediation = catalogue["mediation"]
    page = as_person(cast.school_contact)
    page.goto(f"/katalog/{cast.organisation.slug}/angebote/{mediation.pk}/")
    with page.expect_navigation():
        page.click("main a.kern-btn")
    expect(page).to_have_url(re.compile(rf"/anfragen/neu/\?angebot={mediation.pk}$"))
    expect(page.locator("select[name=offer]")).to_have_value(str(mediation.pk))
    page.fill("input[name=subject]", "Streitschlichtung")
    page.fill("textarea[name=text]", "Wir möchten Streitschlichter ausbilden.")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    sr = SupportRequest.objects.get()
    assert (sr.offer, sr.submitted_by) == (mediation, cast.school_contact)
    expect(page).to_have_url(re.compile(rf"/anfragen/{sr.pk}/$"))


def test_an_admin_edits_the_catalogue(
    as_person: OpenAs, cast: Any, catalogue: dict[str, Any], axe_check: Check
) -> None:
    admin = Person.objects.create_user("admin@lasub.example", PASSWORD, first_name="Anna")
    Role.objects.create(person=admin, organisation=cast.organisation, kind=Role.Kind.ADMIN)
    give_totp(admin)
    slug = cast.organisation.slug
    page = as_person(admin)
    page.goto(f"/organisation/{slug}/katalog/")
    expect(page.locator("main table tbody tr")).to_have_count(2)
    axe_check(page, "the admin's catalogue overview")

    with page.expect_navigation():
        page.click(f"main a[href$='/katalog/angebote/{catalogue['moderation'].pk}/']")
    axe_check(page, "the offer form")
    page.uncheck("input[name=active]")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("main .kern-badge--warning")).to_have_count(1)
    assert not Offer.objects.get(pk=catalogue["moderation"].pk).active

    area = catalogue["areas"][3]
    page.goto(f"/organisation/{slug}/katalog/bereiche/{area.pk}/")
    axe_check(page, "the area form")
    page.fill(
        "textarea[name='merkmal-0-criteria']",
        "Regeln sind vereinbart.\nKonflikte werden fair gelöst.",
    )
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    first = area.characteristics.order_by("position").first()
    assert list(first.criteria.values_list("text", flat=True)) == [
        "Regeln sind vereinbart.",
        "Konflikte werden fair gelöst.",
    ]
    page.goto(f"/organisation/{slug}/katalog/weitere/neu/")
    axe_check(page, "the form for another supporter")
