"""The school choice of the public request form with many schools, in Chromium: type part of a
name, pick with the keyboard, send; a live region says how many schools were found, and axe
finds nothing on the page (issue 11)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import Browsing, Cast, assert_accessible

from lotse.support.models import SupportRequest

pytestmark = pytest.mark.e2e


@pytest.fixture
def many_schools(cast: Cast) -> Cast:
    from lotse.core.models import School

    School.objects.bulk_create(
        School(
            state="SN",
            number=f"4{n:07d}",
            name=f"Grundschule Nummer {n}",
            school_type=School.Type.PRIMARY,
            district=cast.school.district,
            city="Meißen",
        )
        for n in range(120)
    )
    School.objects.create(
        state="SN",
        number="41234567",
        name="Goethe-Gymnasium",
        school_type=School.Type.GYMNASIUM,
        district=cast.school.district,
        city="Freital",
    )
    School.objects.create(
        state="SN",
        number="41299999",
        name="Goethe-Grundschule",
        school_type=School.Type.PRIMARY,
        district=cast.school.district,
        city="Pirna",
    )
    return cast


def test_a_school_is_found_by_typing_and_picked_with_the_keyboard(
    page: Page, many_schools: Cast
) -> None:
    page.goto(f"/katalog/{many_schools.organisation.slug}/anfrage/")
    combobox = page.get_by_role("combobox", name="Schule")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    # The search button and the select are for browsers without JavaScript.
    expect(page.get_by_role("button", name="Schulen suchen")).to_be_hidden()

    combobox.press_sequentially("goeth")

    listbox = page.get_by_role("listbox", name="Gefundene Schulen")
    expect(listbox).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="2 Schulen gefunden.")).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_text(
        [
            "Goethe-Grundschule, Pirna (41299999)",
            "Goethe-Gymnasium, Freital (41234567)",
            "Meine Schule steht nicht in der Liste",
        ]
    )
    assert_accessible(page, "the public request form with the list of schools open")

    combobox.press("ArrowDown")
    combobox.press("ArrowDown")
    gymnasium = listbox.get_by_role("option", name="Goethe-Gymnasium, Freital (41234567)")
    expect(gymnasium).to_have_attribute("aria-selected", "true")
    expect(combobox).to_have_attribute("aria-activedescendant", gymnasium.get_attribute("id"))
    combobox.press("Enter")

    expect(listbox).to_be_hidden()
    expect(combobox).to_have_value("Goethe-Gymnasium, Freital (41234567)")
    page.get_by_label("Ihr Name").fill("Petra Pause")
    page.get_by_label("E-Mail").first.fill("pause@gymnasium.example")
    page.get_by_label("Betreff").fill("Feedbackkultur")
    page.get_by_label("Wobei wünscht sich Ihre Schule").fill(
        "Wir möchten eine Feedbackkultur aufbauen."
    )
    # Enter in a field sends the form (the search button of the page without JavaScript is
    # gone, so it does not catch the Enter).
    page.get_by_label("Betreff").press("Enter")

    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Anfrage")).to_be_visible()
    request = SupportRequest.objects.get()
    assert request.school is not None
    assert request.school.name == "Goethe-Gymnasium"
    assert_accessible(page, "the page after sending")


def test_escape_closes_the_list_and_a_new_word_clears_the_choice(
    page: Page, many_schools: Cast
) -> None:
    page.goto(f"/katalog/{many_schools.organisation.slug}/anfrage/")
    combobox = page.get_by_role("combobox", name="Schule")
    combobox.press_sequentially("Pirna")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(2)
    combobox.press("ArrowDown")
    combobox.press("Enter")
    select = page.locator("select[name=school]")
    assert select.input_value() != ""

    combobox.press("Backspace")
    assert select.input_value() == ""
    expect(listbox).to_be_visible()
    combobox.press("Escape")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_attribute("aria-expanded", "false")


def test_without_the_script_the_search_button_offers_the_matches(
    browsing: Browsing, many_schools: Cast
) -> None:
    # The page as a browser shows it without the script (blocked here, so that axe can still
    # check the page; the Django test client covers the same without any JavaScript).
    page = browsing.new_page()
    page.route("**/school-choice*.js", lambda route: route.abort())
    page.goto(f"/katalog/{many_schools.organisation.slug}/anfrage/")
    page.get_by_label("Betreff").fill("Feedbackkultur")
    page.get_by_label("Schule", exact=True).fill("Freital")
    with page.expect_navigation():
        page.get_by_role("button", name="Schulen suchen").click()

    expect(page.get_by_text("1 Schule gefunden.")).to_be_visible()
    expect(page.get_by_label("Betreff")).to_have_value("Feedbackkultur")
    assert_accessible(page, "the public request form after a search without JavaScript")
    choice = page.get_by_label("Wählen Sie die Schule aus der Liste")
    choice.select_option(label="Goethe-Gymnasium, Freital (41234567)")
    page.get_by_label("Ihr Name").fill("Petra Pause")
    page.get_by_label("E-Mail").first.fill("pause@gymnasium.example")
    page.get_by_label("Wobei wünscht sich Ihre Schule").fill("Feedback im Kollegium.")
    with page.expect_navigation():
        page.get_by_role("button", name="Anfrage senden").click()

    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Anfrage")).to_be_visible()
    request = SupportRequest.objects.get()
    assert request.school is not None
    assert request.school.number == "41234567"
