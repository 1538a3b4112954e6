"""The evaluation at the end: one voluntary submission per side, answers stored apart from the
request and the person, reported only in aggregate and only with enough answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.db import models
from django.test import Client

from lotse.core.models import Organisation, Person
from lotse.support.models import (
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationSubmission,
    State,
    SupportRequest,
)
from lotse.support.selectors import completion as completion_selectors
from lotse.support.services import completion as completion_services
from lotse.support.services import requests as request_services
from lotse.support.workflow import WorkflowError
from tests.factories import Cast, bring_to_state

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]
Kind = EvaluationQuestion.Kind
Audience = EvaluationQuestion.Audience


def question(
    organisation: Organisation,
    text: str = "Hat die Begleitung geholfen?",
    *,
    kind: str = Kind.SCALE,
    audience: str = Audience.BOTH,
    position: int = 0,
    active: bool = True,
) -> EvaluationQuestion:
    return EvaluationQuestion.objects.create(
        organisation=organisation,
        text=text,
        kind=kind,
        audience=audience,
        position=position,
        active=active,
    )


@pytest.fixture
def completed(cast: Cast) -> SupportRequest:
    return bring_to_state(cast, State.COMPLETED)


def test_evaluation_answers_have_no_link_to_a_request_or_a_person() -> None:
    linked = {
        f.related_model
        for f in EvaluationAnswer._meta.get_fields()
        if isinstance(f, models.ForeignKey | models.OneToOneField | models.ManyToManyField)
    }
    assert linked == {Organisation, EvaluationQuestion}
    names = {f.name for f in EvaluationAnswer._meta.get_fields()}
    assert not names & {"request", "person", "submission", "created_at", "submitted_at"}
    assert isinstance(EvaluationAnswer._meta.pk, models.UUIDField)


def test_each_side_answers_once(cast: Cast, completed: SupportRequest) -> None:
    scale = question(cast.organisation)
    yes_no = question(cast.organisation, "Würden Sie es empfehlen?", kind=Kind.YES_NO)
    with time_machine.travel(dt.datetime(2031, 3, 1, 12, tzinfo=dt.UTC)):
        completion_services.evaluation_submit(
            request=completed, by=cast.school_contact_a, answers={scale.pk: 4, yes_no.pk: 1}
        )
    assert EvaluationSubmission.objects.get(request=completed, side="school").declined is False
    assert sorted(EvaluationAnswer.objects.values_list("value", "side", "year")) == [
        (1, "school", 2031),
        (4, "school", 2031),
    ]
    with pytest.raises(WorkflowError, match="bereits beantwortet"):
        completion_services.evaluation_submit(
            request=completed, by=cast.school_contact_a, answers={scale.pk: 2}
        )
    with pytest.raises(WorkflowError, match="bereits beantwortet"):
        completion_services.evaluation_decline(request=completed, by=cast.school_contact_a)
    assert EvaluationAnswer.objects.count() == 2

    completion_services.evaluation_submit(
        request=completed, by=cast.supporter, answers={scale.pk: 5}
    )
    assert EvaluationSubmission.objects.filter(request=completed).count() == 2


def test_declining_records_a_submission_without_answers(
    cast: Cast, completed: SupportRequest
) -> None:
    question(cast.organisation)
    submission = completion_services.evaluation_decline(request=completed, by=cast.supporter)
    assert submission.declined
    assert submission.side == "supporter"
    assert not EvaluationAnswer.objects.exists()


def test_questions_of_another_organisation_or_side_are_refused(
    cast: Cast, completed: SupportRequest
) -> None:
    foreign = question(cast.other_organisation)
    for_supporters = question(cast.organisation, audience=Audience.SUPPORTER)
    switched_off = question(cast.organisation, active=False)
    for answers in ({foreign.pk: 3}, {for_supporters.pk: 3}, {switched_off.pk: 3}):
        with pytest.raises(WorkflowError, match="gehört nicht zu dieser Auswertung"):
            completion_services.evaluation_submit(
                request=completed, by=cast.school_contact_a, answers=answers
            )
    assert not EvaluationSubmission.objects.exists()
    assert not EvaluationAnswer.objects.exists()


def test_answers_out_of_range_are_refused(cast: Cast, completed: SupportRequest) -> None:
    scale = question(cast.organisation)
    yes_no = question(cast.organisation, kind=Kind.YES_NO)
    for answers in ({scale.pk: 6}, {scale.pk: 0}, {yes_no.pk: 2}):
        with pytest.raises(WorkflowError):
            completion_services.evaluation_submit(
                request=completed, by=cast.supporter, answers=answers
            )
    assert not EvaluationSubmission.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "outsider", "school_contact_b", "admin"])
def test_only_the_two_sides_answer(cast: Cast, completed: SupportRequest, who: str) -> None:
    with pytest.raises(WorkflowError):
        completion_services.evaluation_decline(request=completed, by=getattr(cast, who))
    assert not EvaluationSubmission.objects.exists()


def test_the_evaluation_opens_after_the_process_is_completed(cast: Cast) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    with pytest.raises(WorkflowError, match="öffnet, sobald der Prozess abgeschlossen ist"):
        completion_services.evaluation_decline(request=sr, by=cast.supporter)
    completion_services.final_reflection_write(request=sr, by=cast.supporter, text="Text")
    completion_services.final_reflection_confirm(request=sr, by=cast.school_contact_a)
    # Both confirmed the reflection, the process is not completed yet: still no evaluation.
    with pytest.raises(WorkflowError, match="öffnet, sobald der Prozess abgeschlossen ist"):
        completion_services.evaluation_decline(request=sr, by=cast.supporter)
    request_services.request_complete(request=sr, by=cast.supporter)
    completion_services.evaluation_decline(request=sr, by=cast.supporter)


# --- aggregate ---------------------------------------------------------------------------------


def test_aggregate_of_a_scale_and_of_yes_no() -> None:
    scale = completion_selectors.aggregate_cell(
        kind=Kind.SCALE, side="school", year=2031, counts={5: 3, 4: 1, 1: 1}, min_answers=5
    )
    assert not scale.suppressed
    assert scale.count == 5
    assert scale.mean == pytest.approx((15 + 4 + 1) / 5)
    assert scale.distribution == (("1", 1), ("2", 0), ("3", 0), ("4", 1), ("5", 3))
    yes_no = completion_selectors.aggregate_cell(
        kind=Kind.YES_NO, side="supporter", year=2031, counts={1: 3, 0: 2}, min_answers=5
    )
    assert yes_no.share_yes == pytest.approx(0.6)
    assert [n for _label, n in yes_no.distribution] == [3, 2]


def test_a_cell_with_too_few_answers_shows_no_figures() -> None:
    cell = completion_selectors.aggregate_cell(
        kind=Kind.SCALE, side="school", year=2031, counts={5: 4}, min_answers=5
    )
    assert cell.suppressed
    assert cell.mean is None
    assert cell.distribution == ()


def answers(
    organisation: Organisation, q: EvaluationQuestion, side: str, year: int, *values: int
) -> None:
    EvaluationAnswer.objects.bulk_create(
        EvaluationAnswer(organisation=organisation, question=q, side=side, value=v, year=year)
        for v in values
    )


def test_the_report_is_per_question_side_and_year(cast: Cast) -> None:
    cast.organisation.evaluation_min_answers = 3
    cast.organisation.save()
    q = question(cast.organisation)
    answers(cast.organisation, q, "school", 2031, 5, 4, 3)
    answers(cast.organisation, q, "supporter", 2031, 5, 5)
    answers(cast.organisation, q, "school", 2030, 1, 1, 1, 1)
    answers(cast.other_organisation, question(cast.other_organisation), "school", 2031, 1, 1, 1)
    [row] = completion_selectors.evaluation_report(organisation=cast.organisation)
    cells = {(c.year, c.side): c for c in row.cells}
    assert set(cells) == {(2031, "school"), (2031, "supporter"), (2030, "school")}
    assert cells[2031, "school"].mean == pytest.approx(4.0)
    assert cells[2031, "supporter"].suppressed
    assert cells[2030, "school"].mean == pytest.approx(1.0)


# --- views ------------------------------------------------------------------------------------


def test_the_school_answers_on_its_page_and_the_report_adds_up(
    cast: Cast, completed: SupportRequest, client_as: ClientAs
) -> None:
    cast.organisation.evaluation_min_answers = 1
    cast.organisation.save()
    q = question(cast.organisation)
    question(cast.organisation, "Nur für Begleiter:innen", audience=Audience.SUPPORTER)
    client = client_as(cast.school_contact_a)
    page = client.get(f"/anfragen/{completed.pk}/").content.decode()
    assert "Auswertung beantworten" in page
    form = client.get(f"/anfragen/{completed.pk}/auswertung/")
    assert form.status_code == 200
    assert "Hat die Begleitung geholfen?" in form.content.decode()
    assert "Nur für Begleiter:innen" not in form.content.decode()
    response = client.post(f"/anfragen/{completed.pk}/auswertung/", {f"q{q.pk}": "4"})
    assert response.status_code == 302
    assert "Auswertung beantworten" not in client.get(f"/anfragen/{completed.pk}/").content.decode()

    report = client_as(cast.coordinator).get(f"/organisation/{cast.organisation.slug}/auswertung/")
    assert report.status_code == 200
    body = report.content.decode()
    assert "4,0" in body
    assert completed.subject not in body
    assert cast.school_a.name not in body


def test_the_report_hides_cells_with_too_few_answers(cast: Cast, client_as: ClientAs) -> None:
    q = question(cast.organisation)
    answers(cast.organisation, q, "school", 2031, 5, 5)
    response = client_as(cast.admin).get(f"/organisation/{cast.organisation.slug}/auswertung/")
    body = response.content.decode()
    assert "zu wenige Antworten" in body
    assert "5,0" not in body


def test_declining_on_the_page(cast: Cast, completed: SupportRequest, client_as: ClientAs) -> None:
    question(cast.organisation)
    client = client_as(cast.supporter)
    response = client.post(f"/anfragen/{completed.pk}/auswertung/", {"decline": "1"})
    assert response.status_code == 302
    assert EvaluationSubmission.objects.get(request=completed).declined
    again = client.post(f"/anfragen/{completed.pk}/auswertung/", {"decline": "1"})
    assert again.status_code == 400
    assert "bereits" in again.content.decode()


def test_an_invalid_answer_is_refused_in_german(
    cast: Cast, completed: SupportRequest, client_as: ClientAs
) -> None:
    q = question(cast.organisation)
    response = client_as(cast.supporter).post(
        f"/anfragen/{completed.pk}/auswertung/", {f"q{q.pk}": "9"}
    )
    assert response.status_code == 400
    assert "Bitte eine gültige Auswahl treffen." in response.content.decode()
    assert not EvaluationSubmission.objects.exists()


# --- the questions --------------------------------------------------------------------------


def test_admins_add_change_and_switch_off_questions(cast: Cast, client_as: ClientAs) -> None:
    client = client_as(cast.admin)
    base = f"/organisation/{cast.organisation.slug}/auswertung/fragen/"
    response = client.post(
        base,
        {
            "new-text": "War die Begleitung hilfreich?",
            "new-audience": "school",
            "new-kind": "yes_no",
            "new-position": "2",
            "new-active": "on",
        },
    )
    assert response.status_code == 302
    q = EvaluationQuestion.objects.get(organisation=cast.organisation)
    assert (q.audience, q.kind, q.position, q.active) == ("school", "yes_no", 2, True)

    response = client.post(
        f"{base}{q.pk}/",
        {
            "text": "War die Begleitung hilfreich für Sie?",
            "audience": "both",
            "kind": "yes_no",
            "position": "1",
        },
    )
    assert response.status_code == 302
    q.refresh_from_db()
    assert (q.text, q.audience, q.position, q.active) == (
        "War die Begleitung hilfreich für Sie?",
        "both",
        1,
        False,
    )


def test_an_answered_question_cannot_be_deleted_only_switched_off(
    cast: Cast, client_as: ClientAs
) -> None:
    q = question(cast.organisation)
    answers(cast.organisation, q, "school", 2031, 3)
    with pytest.raises(WorkflowError, match="kann nicht gelöscht werden"):
        completion_services.evaluation_question_delete(question=q, by=cast.admin)
    client = client_as(cast.admin)
    page = client.get(f"/organisation/{cast.organisation.slug}/auswertung/fragen/{q.pk}/")
    assert "nicht im Sinn" in page.content.decode()
    response = client.post(
        f"/organisation/{cast.organisation.slug}/auswertung/fragen/{q.pk}/loeschen/", follow=True
    )
    assert "kann nicht gelöscht werden" in response.content.decode()
    assert EvaluationQuestion.objects.filter(pk=q.pk).exists()
    with pytest.raises(WorkflowError, match="Art der Antwort"):
        completion_services.evaluation_question_save(
            organisation=cast.organisation,
            by=cast.admin,
            question=q,
            text=q.text,
            audience=q.audience,
            kind=Kind.YES_NO,
            position=0,
        )


def test_an_unanswered_question_can_be_deleted(cast: Cast, client_as: ClientAs) -> None:
    q = question(cast.organisation)
    response = client_as(cast.admin).post(
        f"/organisation/{cast.organisation.slug}/auswertung/fragen/{q.pk}/loeschen/"
    )
    assert response.status_code == 302
    assert not EvaluationQuestion.objects.filter(pk=q.pk).exists()


def test_questions_of_another_organisation_are_not_found(cast: Cast, client_as: ClientAs) -> None:
    foreign = question(cast.other_organisation)
    client = client_as(cast.admin)
    url = f"/organisation/{cast.organisation.slug}/auswertung/fragen/{foreign.pk}/"
    assert client.get(url).status_code == 404
    with pytest.raises(WorkflowError):
        completion_services.evaluation_question_save(
            organisation=cast.organisation,
            by=cast.admin,
            question=foreign,
            text="x",
            audience="both",
            kind="scale",
            position=0,
        )
    with pytest.raises(WorkflowError):
        completion_services.evaluation_question_save(
            organisation=cast.other_organisation,
            by=cast.admin,
            text="x",
            audience="both",
            kind="scale",
            position=0,
        )


def test_the_report_shows_the_share_of_yes(cast: Cast, client_as: ClientAs) -> None:
    q = question(cast.organisation, "Würden Sie es empfehlen?", kind=Kind.YES_NO)
    answers(cast.organisation, q, "supporter", 2031, 1, 1, 1, 0, 0)
    response = client_as(cast.coordinator).get(
        f"/organisation/{cast.organisation.slug}/auswertung/"
    )
    body = response.content.decode()
    assert "60 %" in body
    assert "ja: 3; nein: 2" in body
