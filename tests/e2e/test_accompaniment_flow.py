"""Issue 6 end to end in Chromium: after the Kontrakt binds, school and supporter plan and
record a session with a method, goal progress and a next step, amend the Kontrakt, write and
confirm the final reflection, complete the process, answer the evaluation, and the school
releases a concept that the coordinator publishes to the library.

Everything after the binding Kontrakt happens in the browser; the only shortcut is moving the
planned session into the past, as the clock would."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect
from tests.e2e.test_accessibility import open_all_details

from lotse.support.models import (
    Concept,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationSubmission,
    Method,
    Session,
    State,
    SupportRequest,
)

pytestmark = pytest.mark.e2e

OpenAs = Callable[[Any], Page]
Check = Callable[[Page, str], None]
Advance = Callable[..., Any]

METHOD = "Fishbowl"
METHOD_TEXT = "Eine kleine Runde spricht, die anderen hören zu und fragen danach."
STEP = "Fragebogen für das Schülerfeedback entwerfen"
ADDED_GOAL = "Elternabende gemeinsam gestalten"
TOPIC = "Feedbackkultur im Kollegium aufbauen"


def state_label(state: State) -> str:
    with translation.override("de"):
        return str(state.label)


def german(day: dt.date, fmt: str = "SHORT_DATE_FORMAT") -> str:
    """The date as the German pages write it (SHORT_DATE_FORMAT, or e.g. DATE_FORMAT)."""
    with translation.override("de"):
        return formats.date_format(day, fmt)


def submit(page: Page, selector: str) -> None:
    """Click a submit button (or link) and wait for the page the server answers with."""
    with page.expect_navigation():
        page.click(selector)


def test_accompaniment_from_the_first_session_to_the_library(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    # Set-up: the Kontrakt binds (services), the organisation has a method and two questions.
    sr = advance("agreed")
    detail = f"/anfragen/{sr.pk}/"
    Method.objects.create(organisation=cast.organisation, name=METHOD, description=METHOD_TEXT)
    EvaluationQuestion.objects.create(
        organisation=cast.organisation, text="Hat die Begleitung Ihrer Schule geholfen?"
    )
    EvaluationQuestion.objects.create(
        organisation=cast.organisation,
        text="Würden Sie die Begleitung anderen Schulen empfehlen?",
        kind=EvaluationQuestion.Kind.YES_NO,
        position=1,
    )
    old_end = sr.agreements.get().ends_on

    # 1. The supporter plans a session with a method from the request page.
    supporter = as_person(cast.supporter)
    supporter.goto(detail)
    expect(supporter.locator("#agreement-heading")).to_have_text("Kontrakt – in Kraft: Version 1")
    submit(supporter, "#begleitung a:has-text('Termin planen')")
    expect(supporter).to_have_url(re.compile(rf"{detail}termine/neu/$"))
    day = timezone.localdate() + dt.timedelta(days=7)
    supporter.fill("input[name=day]", day.isoformat())
    supporter.fill("input[name=begins]", "14:00")
    supporter.fill("input[name=ends]", "15:30")
    supporter.fill("input[name=place]", "Schule, Raum 3")
    supporter.fill("textarea[name=participants]", "Steuergruppe, Schulleitung")
    supporter.get_by_label(METHOD, exact=False).check()
    submit(supporter, "main form.lotse-form button[type=submit]")
    expect(supporter).to_have_url(re.compile(rf"{detail}#begleitung$"))
    expect(supporter.locator(".lotse-messages")).to_contain_text("Der Termin ist geplant")
    expect(supporter.locator("#state-heading")).to_contain_text(state_label(State.ACCOMPANYING))

    # The school sees the next session and what the method means at the top of its page.
    school = as_person(cast.school_contact)
    school.goto(detail)
    coming_up = school.locator("#als-naechstes")
    expect(coming_up.locator("h2")).to_have_text("Als Nächstes")
    expect(coming_up).to_contain_text(f"{german(day, 'DATE_FORMAT')} 14:00–15:30")
    expect(coming_up).to_contain_text("Schule, Raum 3")
    expect(coming_up.locator("dt")).to_have_text(METHOD)
    expect(coming_up.locator("dd")).to_have_text(METHOD_TEXT)
    # ... the box comes before everything else of the request.
    assert school.locator("main h2").first.get_attribute("id") == "next-heading"

    with school.expect_download() as download_info:
        school.click("#als-naechstes a:has-text('In Ihren Kalender übernehmen (.ics)')")
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    with open(download.path(), "rb") as handle:
        ics = icalendar.Calendar.from_ical(handle.read())
    (event,) = ics.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [tz["TZID"] for tz in ics.walk("VTIMEZONE")] == ["Europe/Berlin"]
    starts = event.decoded("DTSTART")
    assert (starts.date(), starts.hour, starts.minute) == (day, 14, 0)
    assert str(starts.tzinfo) == "Europe/Berlin"
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert f"mailto:{cast.school_contact.email}" in [str(a).lower() for a in attendees]
    assert str(event["ORGANIZER"]).lower() == f"mailto:{cast.supporter.email}"
    assert METHOD_TEXT in str(event["DESCRIPTION"])

    open_all_details(school)
    axe_check(school, "the school's request page at the accompaniment stage")

    # 2. The session took place; the supporter records it with progress and a next step.
    session = Session.objects.get(request=sr)
    past = timezone.now() - dt.timedelta(hours=3)
    Session.objects.filter(pk=session.pk).update(
        starts_at=past, ends_at=past + dt.timedelta(hours=1)
    )
    supporter.goto(detail)
    expect(supporter.locator("#begleitung")).to_contain_text("noch zu dokumentieren")
    submit(supporter, "#begleitung a:has-text('Termin dokumentieren')")
    supporter.fill("textarea[name=notes]", "Offenes Gespräch über Feedback im Kollegium.")
    supporter.fill("textarea[name=reflection]", "Die Steuergruppe trägt das Vorhaben.")
    supporter.select_option("select[name=goal_1_level]", "2")
    supporter.fill("textarea[name=goal_1_note]", "Zwei Fachschaften haben begonnen.")
    supporter.fill("textarea[name=step_1_text]", STEP)
    supporter.select_option("select[name=step_1_owner]", "school")
    due = timezone.localdate() + dt.timedelta(days=10)
    supporter.fill("input[name=step_1_due]", due.isoformat())
    submit(supporter, "main form.lotse-form button[type=submit]")
    accompaniment = supporter.locator("#begleitung")
    expect(accompaniment).to_contain_text("Die Steuergruppe trägt das Vorhaben.")
    expect(accompaniment).to_contain_text("Offenes Gespräch über Feedback im Kollegium.")
    expect(accompaniment).to_contain_text("Feedback im Unterricht verankern – teilweise erreicht")
    expect(accompaniment).not_to_contain_text("noch zu dokumentieren")

    # The school sees the next step at the top and ticks it off.
    school.goto(detail)
    expect(coming_up).to_contain_text("Offene nächste Schritte")
    expect(coming_up).to_contain_text(f"{STEP} – Schule, fällig am {german(due)}")
    expect(school.locator("#begleitung")).to_contain_text("Zwei Fachschaften haben begonnen.")
    step_item = school.locator("#begleitung .lotse-steps li", has_text=STEP)
    submit(school, f"#begleitung .lotse-steps li:has-text('{STEP}') button:has-text('erledigt')")
    expect(step_item.locator("s")).to_have_text(STEP)
    expect(step_item).to_contain_text(f"erledigt am {german(timezone.localdate())}")
    expect(step_item.locator("button")).to_contain_text("Wieder öffnen")
    # Nothing else is next: the step is gone from "Als Nächstes" (and with it the box).
    expect(school.locator("#als-naechstes", has_text=STEP)).to_have_count(0)

    # 3. The school proposes a change to the Kontrakt: a later end and an added goal.
    submit(school, "#kontrakt a:has-text('Änderung vorschlagen')")
    expect(school.locator("h1")).to_have_text(
        "Änderung des Kontrakts vorschlagen (in Kraft: Version 1)"
    )
    new_end = timezone.localdate() + dt.timedelta(days=300)
    school.fill("input[name=ends_on]", new_end.isoformat())
    goals = school.locator("textarea[name=goals]")
    goals.fill(f"{goals.input_value()}\n{ADDED_GOAL}")
    submit(school, "main form.lotse-form button[type=submit]")
    amendment = school.locator("#kontrakt-aenderung")
    expect(amendment.locator("h3")).to_have_text("Vorgeschlagene Änderung: Version 2")
    expect(school.locator("#agreement-heading")).to_have_text("Kontrakt – in Kraft: Version 1")
    # Proposing it was the school's acceptance: only the supporter's is missing.
    expect(school.locator(".lotse-messages")).to_contain_text("damit hat Ihre Seite ihr zugestimmt")
    expect(amendment).to_contain_text("Es fehlt noch die Zustimmung der unterstützenden Person.")
    expect(school.locator("#kontrakt-aenderung button")).to_have_count(0)
    expect(school.locator("#agreement-heading")).to_have_text("Kontrakt – in Kraft: Version 1")

    # The supporter reads the differences and accepts; version 2 is in force.
    supporter.goto(detail)
    amendment = supporter.locator("#kontrakt-aenderung")
    expect(amendment).to_contain_text("bleibt Version 1")
    expect(amendment.locator(".lotse-goal-added")).to_have_text(re.compile(ADDED_GOAL))
    expect(amendment.locator(".lotse-goal-removed")).to_have_count(0)
    end_row = amendment.locator("table tr", has_text=german(new_end))
    expect(end_row).to_contain_text(german(old_end))
    submit(supporter, "#kontrakt-aenderung a:has-text('Alle Unterschiede auf einer Seite')")
    expect(supporter.locator("h1")).to_have_text("Änderungen in Version 2 des Kontrakts")
    expect(supporter.locator("main table")).to_contain_text(german(new_end))
    expect(supporter.locator(".lotse-goal-added")).to_contain_text(ADDED_GOAL)
    axe_check(supporter, "the page of the proposed change's differences")
    submit(supporter, "main a:has-text('Zurück zur Anfrage')")
    submit(supporter, "#kontrakt-aenderung button:has-text('Änderung annehmen (Version 2)')")
    expect(supporter.locator("#agreement-heading")).to_have_text("Kontrakt – in Kraft: Version 2")
    expect(supporter.locator("#kontrakt-aenderung")).to_have_count(0)
    expect(supporter.locator(".lotse-messages")).to_contain_text("verbindlich")
    expect(supporter.locator("#kontrakt")).to_contain_text(ADDED_GOAL)
    expect(supporter.locator("#kontrakt")).to_contain_text(german(new_end))
    expect(supporter.locator("#kontrakt a:has-text('Was Version 2 geändert hat')")).to_be_visible()
    # The goals of the new version, with the progress the first goal already made.
    expect(supporter.locator("#begleitung")).to_contain_text(ADDED_GOAL)
    expect(supporter.locator("#begleitung")).to_contain_text(
        "Feedback im Unterricht verankern – teilweise erreicht"
    )
    open_all_details(supporter)
    axe_check(supporter, "the supporter's request page with version 2 in force")

    # 4. The supporter writes the final reflection, the school confirms it.
    supporter.fill(
        "#abschluss textarea[name='reflection-text']",
        "Feedback gehört jetzt zum Unterricht; die Steuergruppe macht allein weiter.",
    )
    submit(supporter, "form[action$='/abschluss/reflexion/'] button[type=submit]")
    expect(supporter.locator("#abschluss")).to_contain_text("die Steuergruppe macht allein weiter")
    expect(supporter.locator("#abschluss")).to_contain_text("noch nicht möglich")

    school.goto(detail)
    expect(school.locator("#abschluss")).to_contain_text("die Steuergruppe macht allein weiter")
    submit(school, "#abschluss button:has-text('Abschlussreflexion bestätigen')")
    expect(school.locator("#abschluss button:has-text('bestätigen')")).to_have_count(0)

    # The supporter completes the process with the "complete" step.
    supporter.goto(detail)
    complete = "form[action$='/schritt/complete/']"
    supporter.click(f"details:has({complete}) > summary")
    submit(supporter, f"{complete} button[type=submit]")
    expect(supporter.locator("#state-heading")).to_contain_text(state_label(State.COMPLETED))
    assert SupportRequest.objects.get(pk=sr.pk).state == State.COMPLETED

    # The school answers the evaluation.
    school.goto(detail)
    expect(school.locator("#state-heading")).to_contain_text(state_label(State.COMPLETED))
    submit(school, "#abschluss a:has-text('Auswertung beantworten')")
    expect(school.locator("main fieldset, main .kern-fieldset")).to_have_count(2)
    school.locator("fieldset", has_text="Hat die Begleitung").locator("input[value='4']").check()
    school.locator("fieldset", has_text="empfehlen").get_by_label("ja").check()
    submit(school, "main form button[type=submit]:not([name=decline])")
    expect(school.locator("#abschluss")).to_contain_text("beantwortet oder abgelehnt")
    expect(school.locator("#abschluss a:has-text('Auswertung beantworten')")).to_have_count(0)
    assert EvaluationSubmission.objects.filter(request=sr, side="school").count() == 1
    assert EvaluationAnswer.objects.filter(side="school").count() == 2
    open_all_details(school)
    axe_check(school, "the school's request page after completion")

    # 5. The school releases a concept; the check finds the school's name and town first.
    expect(school.locator("#synergie-heading")).to_have_text("Erfahrungen teilen (Synergie)")
    submit(school, "#synergie a:has-text('Konzept schreiben')")
    school.fill("input[name=topic]", TOPIC)
    school.fill(
        "textarea[name=what_was_done]",
        "Die Oberschule am Auwald hat Hospitationen im Kollegium eingeführt.",
    )
    school.fill("textarea[name=what_helped]", "Ein kurzer Feedbackbogen, wie überall in Leipzig.")
    # Sent without consent: nothing is released, and the check marks the school and its town.
    submit(school, "main form.lotse-form button[type=submit]")
    expect(school.locator("main")).to_contain_text(
        "Ohne Ihr Einverständnis wird nichts freigegeben."
    )
    findings = school.locator("mark.lotse-finding")
    expect(findings).to_have_text(["Oberschule am Auwald", "Leipzig"])
    # Consent alone does not release what identifies the school.
    school.check("input[name=consent]")
    submit(school, "main form.lotse-form button[type=submit]")
    expect(school.locator("main")).to_contain_text("Die Prüfung hat gefunden")
    expect(findings).to_have_count(2)
    assert Concept.objects.count() == 0

    # The school takes both out and sends it with its consent.
    school.fill("textarea[name=what_was_done]", "Wir haben Hospitationen im Kollegium eingeführt.")
    school.fill("textarea[name=what_helped]", "Ein kurzer Feedbackbogen für jede Stunde.")
    school.check("input[name=consent]")
    submit(school, "main form.lotse-form button[type=submit]")
    expect(school).to_have_url(re.compile(rf"{detail}#synergie$"))
    expect(school.locator("#synergie")).to_contain_text(TOPIC)
    expect(school.locator("#synergie")).to_contain_text("wartet auf Prüfung")
    concept = Concept.objects.get()

    # The coordinator (with the second factor) publishes it from the review queue.
    coordinator = as_person(cast.coordinator)
    coordinator.goto("/")
    submit(coordinator, "nav a:has-text('Konzepte prüfen (1)')")
    # The queue names the concept by its topic, with site and school form.
    expect(coordinator.locator("main table tbody tr")).to_contain_text(TOPIC)
    submit(coordinator, f"a[href$='/konzepte/pruefen/{concept.pk}/']")
    expect(coordinator.locator("main")).to_contain_text(TOPIC)
    expect(coordinator.locator("mark.lotse-finding")).to_have_count(0)
    submit(coordinator, "button[value=publish]")
    expect(coordinator).to_have_url(re.compile(r"/konzepte/pruefen/$"))
    expect(coordinator.locator("main")).to_contain_text("Kein Konzept wartet auf Prüfung.")

    # The school finds it in the library, without its name or town.
    school.goto(detail)
    expect(school.locator("#synergie")).to_contain_text("in der Bibliothek")
    submit(school, "nav a[href='/konzepte/']")
    library = school.locator("main")
    expect(library).to_contain_text(TOPIC)
    expect(library).not_to_contain_text("Auwald")
    expect(library).not_to_contain_text("Leipzig")
    submit(school, f"main a:has-text('{TOPIC}')")
    expect(library).to_contain_text("Wir haben Hospitationen im Kollegium eingeführt.")
    expect(library).to_contain_text("Ein kurzer Feedbackbogen für jede Stunde.")
    expect(library).not_to_contain_text("Auwald")
    expect(library).not_to_contain_text("Leipzig")
    expect(library).not_to_contain_text(cast.school_contact.last_name)
