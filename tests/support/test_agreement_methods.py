"""The Kontrakt's methods come from the organisation's list of methods, as the sessions' do, with
other methods in the writer's words."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from lotse.core.models import Person
from lotse.support.models import Agreement, Method, State, SupportRequest
from lotse.support.services import agreements as agreement_services
from lotse.support.workflow import WorkflowError
from tests.factories import Cast, OrganisationFactory, bring_to_state, draft, walk

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]


def listed(cast: Cast) -> dict[str, Method]:
    methods = [
        ("Blitzlicht", "Jede Person sagt in einem Satz, wie es ihr geht."),
        ("Zielscheibe", "Jede Person markiert, wie nah wir einem Ziel sind."),
        ("Fishbowl", "Ein innerer Kreis spricht, ein äußerer hört zu."),
    ]
    return {
        name: Method.objects.create(organisation=cast.organisation, name=name, description=text)
        for name, text in methods
    }


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "participants": "Schulleitung, Steuergruppe",
        "goals": "Feedback im Unterricht verankern",
        "starts_on": "2026-09-01",
        "ends_on": "2027-01-31",
        "place": "Schule",
        "frequency": "monatlich",
        "confidentiality": "Was besprochen wird, bleibt im Raum.",
    }
    return data | overrides


def held(cast: Cast) -> SupportRequest:
    return walk(cast, bring_to_state(cast, State.MEETING_SCHEDULED), "meeting_held")


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_kontrakt_offers_the_organisations_methods_and_other(
    cast: Cast, client_as: ClientAs
) -> None:
    methods = listed(cast)
    Method.objects.create(organisation=cast.organisation, name="Alt", description="-", active=False)
    sr = held(cast)
    client = client_as(cast.supporter)
    form = text_of(client.get(f"/anfragen/{sr.pk}/kontrakt/"))
    # Each listed method with its explanation, as in the session form; no inactive one.
    assert 'type="checkbox" name="methods" value="Blitzlicht"' in form
    assert "Blitzlicht – Jede Person sagt in einem Satz, wie es ihr geht." in form
    assert 'value="Alt"' not in form
    assert "Weitere Methoden" in form

    response = client.post(
        f"/anfragen/{sr.pk}/kontrakt/",
        form_data(methods=["Zielscheibe", "Blitzlicht"], other_methods="Schulhofbegehung"),
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(request=sr)
    assert agreement.method_list() == ["Blitzlicht", "Zielscheibe"]
    assert agreement.other_methods == "Schulhofbegehung"
    page = text_of(client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/"))
    assert "Methoden</dt>" in page
    assert "Blitzlicht, Zielscheibe" in page
    assert "Weitere Methoden</dt>" in page
    assert "Schulhofbegehung" in page
    pdf = client.get(f"/anfragen/{sr.pk}/kontrakt/1/pdf/")
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Blitzlicht, Zielscheibe" in " ".join(words.split())
    assert "Schulhofbegehung" in words
    assert methods["Fishbowl"].name not in words


def test_a_method_not_on_the_list_is_refused(cast: Cast, client_as: ClientAs) -> None:
    listed(cast)
    foreign = OrganisationFactory()
    Method.objects.create(organisation=foreign, name="Geheimrezept", description="-")
    sr = held(cast)
    response = client_as(cast.supporter).post(
        f"/anfragen/{sr.pk}/kontrakt/", form_data(methods=["Geheimrezept"])
    )
    assert response.status_code == 400
    assert "Geheimrezept ist keine gültige Auswahl" in text_of(response)
    assert not Agreement.objects.filter(request=sr).exists()
    with pytest.raises(WorkflowError, match="Methoden, die Ihre Organisation anbietet"):
        draft(cast, sr, methods=["Geheimrezept"])


def test_a_change_keeps_the_methods_even_when_the_list_dropped_one(
    cast: Cast, client_as: ClientAs
) -> None:
    methods = listed(cast)
    sr = held(cast)
    draft(cast, sr, methods=["Fishbowl", "Blitzlicht"], other_methods="Schulhofbegehung")
    sr = walk(cast, sr, "accept_supporter", "accept_school")
    assert sr.state == State.AGREED
    # The admins take Fishbowl off the list; the Kontrakt keeps what was agreed.
    Method.objects.filter(pk=methods["Fishbowl"].pk).update(active=False)
    client = client_as(cast.school_contact_a)
    response = client.get(f"/anfragen/{sr.pk}/kontrakt/")
    form = response.context["form"]
    assert form.initial["methods"] == ["Blitzlicht", "Fishbowl"]
    assert "Fishbowl (nicht mehr in der Liste)" in text_of(response)
    # A change of the goals alone leaves the methods as they were: no difference shown there.
    changed = client.post(
        f"/anfragen/{sr.pk}/kontrakt/",
        form_data(
            methods=["Blitzlicht", "Fishbowl"],
            other_methods="Schulhofbegehung",
            goals="Feedback im Unterricht verankern\nElternabende neu gestalten",
            starts_on=form.initial["starts_on"].isoformat(),
            ends_on=form.initial["ends_on"].isoformat(),
            participants=form.initial["participants"],
            place=form.initial["place"],
            frequency=form.initial["frequency"],
            confidentiality=form.initial["confidentiality"],
        ),
    )
    assert changed.status_code == 302
    latest = Agreement.objects.filter(request=sr).order_by("-version").first()
    assert latest is not None
    assert latest.version == 2
    assert latest.method_list() == ["Blitzlicht", "Fishbowl"]
    page = text_of(client.get(f"/anfragen/{sr.pk}/kontrakt/2/aenderungen/"))
    assert "Elternabende neu gestalten" in page
    assert "Weitere Methoden</th>" not in page
    assert ">Methoden</th>" not in page
    # A method dropped from the list cannot come back into a Kontrakt that did not have it.
    with pytest.raises(WorkflowError, match="Methoden, die Ihre Organisation anbietet"):
        agreement_services.agreement_draft(
            request=walk(cast, bring_to_state(cast, State.MEETING_SCHEDULED), "meeting_held"),
            by=cast.supporter,
            participants="Schulleitung",
            goals="Ein Ziel",
            starts_on=latest.starts_on,
            ends_on=latest.ends_on,
            place="Schule",
            frequency="monatlich",
            methods=["Fishbowl"],
            confidentiality="Vertraulich.",
        )
