"""The joint final reflection: written by one side, confirmed by the other; a rewrite asks the
other side again; the process completes only after both confirmed. Retention clears its text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from lotse.core.models import Person
from lotse.support.models import (
    EvaluationAnswer,
    EvaluationQuestion,
    FinalReflection,
    State,
    SupportRequest,
    Visibility,
)
from lotse.support.retention import anonymise_requests
from lotse.support.services import completion as completion_services
from lotse.support.services import requests as request_services
from lotse.support.workflow import WorkflowError
from tests.factories import Cast, bring_to_state
from tests.helpers import snapshot

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]


def reflection(sr: SupportRequest) -> FinalReflection:
    return FinalReflection.objects.get(request=sr)


def test_one_side_writes_the_other_confirms_then_the_process_completes(cast: Cast) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    with pytest.raises(WorkflowError, match="zuerst die gemeinsame Abschlussreflexion"):
        request_services.request_complete(request=sr, by=cast.supporter)

    written = completion_services.final_reflection_write(
        request=sr, by=cast.school_contact_a, text="Viel erreicht."
    )
    assert written.school_confirmed_by == cast.school_contact_a
    assert written.supporter_confirmed_at is None
    with pytest.raises(WorkflowError, match="Beide Seiten müssen"):
        request_services.request_complete(request=sr, by=cast.supporter)

    confirmed = completion_services.final_reflection_confirm(request=sr, by=cast.supporter)
    assert confirmed.confirmed
    request_services.request_complete(request=sr, by=cast.supporter)
    sr.refresh_from_db()
    assert sr.state == State.COMPLETED


def test_a_rewrite_resets_the_other_sides_confirmation(cast: Cast) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING, reflected=True)
    assert reflection(sr).confirmed
    completion_services.final_reflection_write(
        request=sr, by=cast.supporter, text="Neu formuliert."
    )
    rewritten = reflection(sr)
    assert rewritten.text == "Neu formuliert."
    assert rewritten.supporter_confirmed_by == cast.supporter
    assert rewritten.school_confirmed_at is None
    assert not rewritten.confirmed
    with pytest.raises(WorkflowError):
        request_services.request_complete(request=sr, by=cast.supporter)


def test_a_side_cannot_confirm_twice(cast: Cast) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    completion_services.final_reflection_write(request=sr, by=cast.supporter, text="Text")
    with pytest.raises(WorkflowError, match="bereits bestätigt"):
        completion_services.final_reflection_confirm(request=sr, by=cast.supporter)


@pytest.mark.parametrize("who", ["coordinator", "outsider", "school_contact_b", "admin"])
def test_only_the_participants_write_and_confirm(cast: Cast, who: str) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    completion_services.final_reflection_write(request=sr, by=cast.supporter, text="Text")
    before = snapshot(sr)
    with pytest.raises(WorkflowError):
        completion_services.final_reflection_write(request=sr, by=getattr(cast, who), text="Anders")
    with pytest.raises(WorkflowError):
        completion_services.final_reflection_confirm(request=sr, by=getattr(cast, who))
    assert snapshot(sr) == before
    assert reflection(sr).text == "Text"


def test_no_final_reflection_before_the_accompaniment_runs(cast: Cast) -> None:
    sr = bring_to_state(cast, State.AGREED)
    with pytest.raises(WorkflowError):
        completion_services.final_reflection_write(request=sr, by=cast.supporter, text="Zu früh")
    assert not FinalReflection.objects.filter(request=sr).exists()


def test_anonymising_clears_the_reflection_text(cast: Cast) -> None:
    sr = bring_to_state(cast, State.COMPLETED)
    question = EvaluationQuestion.objects.create(organisation=cast.organisation, text="Gut?")
    completion_services.evaluation_submit(
        request=sr, by=cast.school_contact_a, answers={question.pk: 5}
    )
    anonymise_requests(SupportRequest.objects.filter(pk=sr.pk))
    # The answers are not linked to the request: they stay as they were.
    assert list(EvaluationAnswer.objects.values_list("value", flat=True)) == [5]
    kept = reflection(sr)
    assert kept.text == ""
    assert kept.written_by is None
    assert kept.school_confirmed_by is None
    assert kept.supporter_confirmed_by is None
    assert kept.school_confirmed_at is not None


# --- views ------------------------------------------------------------------------------------


def test_the_request_page_offers_the_final_reflection(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    client = client_as(cast.supporter)
    page = client.get(f"/anfragen/{sr.pk}/").content.decode()
    assert 'id="abschluss"' in page
    assert "Abschlussreflexion schreiben" in page
    # The step "complete" is not offered yet, and the page says why.
    assert "Beide Seiten müssen die Abschlussreflexion bestätigen." not in page
    assert "Schreiben Sie zuerst die gemeinsame Abschlussreflexion." in page

    response = client.post(
        f"/anfragen/{sr.pk}/abschluss/reflexion/",
        {"reflection-text": "Wir haben viel erreicht.", "reflection-visibility": "coordination"},
    )
    assert response.status_code == 302
    written = reflection(sr)
    assert written.visibility == Visibility.COORDINATION
    assert written.supporter_confirmed_by == cast.supporter

    school = client_as(cast.school_contact_a)
    page = school.get(f"/anfragen/{sr.pk}/").content.decode()
    assert "Wir haben viel erreicht." in page
    assert "Abschlussreflexion bestätigen" in page
    assert school.post(f"/anfragen/{sr.pk}/abschluss/bestaetigen/").status_code == 302
    assert reflection(sr).confirmed

    page = client_as(cast.supporter).get(f"/anfragen/{sr.pk}/").content.decode()
    assert "Abschlussreflexion bestätigen" not in page
    assert "kann der Prozess abgeschlossen werden" in page


def test_an_empty_reflection_is_refused_in_german(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    response = client_as(cast.school_contact_a).post(
        f"/anfragen/{sr.pk}/abschluss/reflexion/", {"reflection-text": "  "}
    )
    assert response.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    assert not FinalReflection.objects.filter(request=sr).exists()


def test_confirming_twice_is_refused_in_german(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    completion_services.final_reflection_write(request=sr, by=cast.supporter, text="Text")
    response = client_as(cast.supporter).post(f"/anfragen/{sr.pk}/abschluss/bestaetigen/")
    assert response.status_code == 400
    assert "Ihre Seite hat die Abschlussreflexion bereits bestätigt." in response.content.decode()


def test_the_coordination_reads_the_reflection_only_at_its_level(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    completion_services.final_reflection_write(request=sr, by=cast.supporter, text="Nur für uns.")
    client = client_as(cast.coordinator)
    page = client.get(f"/anfragen/{sr.pk}/").content.decode()
    assert "Nur für uns." not in page
    assert client.post(f"/anfragen/{sr.pk}/abschluss/bestaetigen/").status_code == 403
    completion_services.final_reflection_write(
        request=sr, by=cast.supporter, text="Für alle.", visibility=Visibility.COORDINATION
    )
    assert "Für alle." in client.get(f"/anfragen/{sr.pk}/").content.decode()
