"""The order of the process as users read it (issue 11): what comes next, which action first,
who completes, and hints when a date does not fit the Kontrakt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from lotse.core.models import Person
from lotse.support.models import Agreement, State
from lotse.support.services import agreements as agreement_services
from lotse.support.services import completion as completion_services
from lotse.support.workflow import WorkflowError
from tests.factories import Cast, bring_to_state, walk

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_before_a_supporter_accepted_no_one_is_said_to_make_contact(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    text = page(client_as(cast.school_contact_a), f"/anfragen/{sr.pk}/")
    assert "entscheiden, ob sie die Anfrage übernehmen" in text
    assert "nimmt Kontakt" not in text
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED)
    text = page(client_as(cast.school_contact_a), f"/anfragen/{sr.pk}/")
    assert "entscheiden, ob sie die Anfrage übernehmen" not in text


def test_the_supporter_sees_schedule_before_no_collaboration(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    text = page(client_as(cast.supporter), f"/anfragen/{sr.pk}/")
    assert text.index("Erstes Gespräch vereinbaren") < text.index("Keine Zusammenarbeit")


def test_the_school_is_told_who_completes(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    completion_services.final_reflection_write(request=sr, by=cast.supporter, text="Gut.")
    response = client_as(cast.school_contact_a).post(
        f"/anfragen/{sr.pk}/abschluss/bestaetigen/", follow=True
    )
    text = response.content.decode()
    assert "Der Prozess kann jetzt abgeschlossen werden" not in text
    assert (
        "Den Prozess schließt nun die unterstützende Person oder die Regionalkoordination ab."
        in text
    )
    # No evaluation before the process is completed.
    assert "Auswertung beantworten" not in text


def test_a_session_before_the_kontrakt_begins_gets_a_hint(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    begins = timezone.localdate() + dt.timedelta(days=10)
    Agreement.objects.filter(request=sr).update(starts_on=begins)
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    data = {
        "day": day,
        "begins": "14:00",
        "ends": "15:30",
        "place": "Schule",
        "participants": "Steuergruppe",
    }
    response = client_as(cast.supporter).post(f"/anfragen/{sr.pk}/termine/neu/", data, follow=True)
    text = response.content.decode()
    assert "Der Termin ist geplant." in text
    assert "Dieser Termin liegt vor dem Zeitraum des Kontrakts" in text
    assert begins.strftime("%d.%m.%Y") in text


def test_the_kontrakt_binds_only_after_the_first_meeting_took_place(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = walk(cast, bring_to_state(cast, State.MEETING_SCHEDULED), "draft")
    agreement = Agreement.objects.get(request=sr)
    with pytest.raises(WorkflowError, match="erst verbindlich werden, wenn das erste Gespräch"):
        agreement_services.agreement_accept(agreement=agreement, by=cast.supporter)
    text = page(client_as(cast.school_contact_a), f"/anfragen/{sr.pk}/")
    assert "wenn das erste Gespräch vor Ort stattgefunden hat" in text
    assert "Version 1 des Kontrakts annehmen" not in text

    walk(cast, sr, "meeting_held", "accept_supporter", "accept_school")
    sr.refresh_from_db()
    assert sr.state == State.AGREED
