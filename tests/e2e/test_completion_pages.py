"""axe-core on the pages of amendments, completion and evaluation, used through the browser."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.e2e.conftest import PASSWORD, give_totp
from tests.e2e.test_accessibility import open_all_details

from lotse.core.models import Person, Role
from lotse.support.models import EvaluationAnswer, EvaluationQuestion, State, SupportRequest
from lotse.support.selectors import completion as completion_selectors
from lotse.support.services import requests as request_services

pytestmark = pytest.mark.e2e

OpenAs = Callable[[Any], Page]
Check = Callable[[Page, str], None]
Advance = Callable[..., Any]


@pytest.fixture
def admin(cast: Any) -> Person:
    person = Person.objects.create_user(
        "admin@lasub.example", PASSWORD, first_name="Anna", last_name="Admin"
    )
    Role.objects.create(person=person, organisation=cast.organisation, kind=Role.Kind.ADMIN)
    give_totp(person)  # staff must have a second factor
    return person


def accompanying(cast: Any, advance: Advance) -> SupportRequest:
    sr = advance("agreed")
    request_services.request_start(request=sr, by=cast.supporter)
    return SupportRequest.objects.get(pk=sr.pk)


def test_the_school_proposes_an_extension_and_reads_the_differences(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    sr = accompanying(cast, advance)
    page = as_person(cast.school_contact)
    page.goto(f"/anfragen/{sr.pk}/kontrakt/?verlaengern=1")
    expect(page.locator("input[name=ends_on]")).to_be_focused()
    axe_check(page, "the amendment form")

    new_end = timezone.localdate() + dt.timedelta(days=300)
    page.fill("input[name=ends_on]", new_end.isoformat())
    page.fill("textarea[name=goals]", "Feedback im Unterricht verankern\nElternabende gestalten")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("#kontrakt-aenderung")).to_contain_text("Version 2")
    expect(page.locator(".lotse-goal-added")).to_contain_text("Elternabende gestalten")
    open_all_details(page)
    axe_check(page, "a request page with a proposed change to the Kontrakt")

    with page.expect_navigation():
        page.click("a[href$='/kontrakt/2/aenderungen/']")
    expect(page.locator(".lotse-goal-removed")).to_contain_text("Schülerfeedback zweimal im Jahr")
    axe_check(page, "the page of a Kontrakt version's changes")


def test_the_final_reflection_and_the_evaluation(
    cast: Any, as_person: OpenAs, advance: Advance, axe_check: Check
) -> None:
    EvaluationQuestion.objects.create(
        organisation=cast.organisation, text="Hat die Begleitung geholfen?"
    )
    EvaluationQuestion.objects.create(
        organisation=cast.organisation,
        text="Würden Sie die Begleitung empfehlen?",
        kind=EvaluationQuestion.Kind.YES_NO,
        position=1,
    )
    sr = accompanying(cast, advance)
    page = as_person(cast.supporter)
    page.goto(f"/anfragen/{sr.pk}/")
    expect(page.locator("#abschluss")).to_be_visible()
    open_all_details(page)
    axe_check(page, "the completion section before the final reflection")

    page.fill("#abschluss textarea[name='reflection-text']", "Wir haben viel erreicht.")
    with page.expect_navigation():
        page.click("form[action$='/abschluss/reflexion/'] button[type=submit]")
    expect(page.locator("#abschluss")).to_contain_text("Wir haben viel erreicht.")

    school = as_person(cast.school_contact)
    school.goto(f"/anfragen/{sr.pk}/")
    with school.expect_navigation():
        school.click("form[action$='/abschluss/bestaetigen/'] button[type=submit]")
    # The evaluation is offered once the process is completed.
    request_services.request_complete(request=sr, by=cast.supporter)
    school.reload()
    open_all_details(school)
    axe_check(school, "the completion section with the evaluation prompt")

    with school.expect_navigation():
        school.click("#abschluss a[href$='/auswertung/']")
    axe_check(school, "the evaluation questionnaire")
    school.check("input[type=radio][value='4']")
    with school.expect_navigation():
        school.click("main form button[type=submit]:not([name=decline])")
    expect(school.locator("#abschluss")).to_contain_text("beantwortet oder abgelehnt")
    assert EvaluationAnswer.objects.filter(side="school", value=4).count() == 1


def test_the_question_admin_and_the_report(
    cast: Any, admin: Person, as_person: OpenAs, axe_check: Check
) -> None:
    page = as_person(admin)
    page.goto(f"/organisation/{cast.organisation.slug}/auswertung/fragen/")
    axe_check(page, "the evaluation questions without questions")
    page.fill("input[name='new-text']", "Hat die Begleitung geholfen?")
    with page.expect_navigation():
        page.click("main form.lotse-form button[type=submit]")
    expect(page.locator("main table tbody tr")).to_have_count(1)
    axe_check(page, "the evaluation questions")

    question = EvaluationQuestion.objects.get(organisation=cast.organisation)
    EvaluationAnswer.objects.bulk_create(
        EvaluationAnswer(
            organisation=cast.organisation, question=question, side=side, value=v, year=2031
        )
        for side, values in (("school", [5, 4, 4, 3, 5]), ("supporter", [2]))
        for v in values
    )
    with page.expect_navigation():
        page.click(f"main a[href$='/fragen/{question.pk}/']")
    axe_check(page, "an answered evaluation question")

    page.goto(f"/organisation/{cast.organisation.slug}/auswertung/")
    expect(page.locator("main table")).to_contain_text("4,2")
    expect(page.locator("main table")).to_contain_text("zu wenige Antworten")
    axe_check(page, "the evaluation report")
    assert completion_selectors.evaluation_report(organisation=cast.organisation)[0].cells
    assert State.COMPLETED  # the report needs no request at all
