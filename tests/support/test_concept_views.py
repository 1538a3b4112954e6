"""Synergie pages: the school's section and form, the review, the library."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lotse.catalog.models import QualityArea
from lotse.core.models import AccessLog, Person
from lotse.support import concept_check
from lotse.support.models import Concept, State
from tests.concepts import DONE, HELPED, TOPIC, completed, published, release
from tests.factories import Cast, bring_to_state

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]
Status = Concept.Status


def form_data(**overrides: Any) -> dict[str, Any]:
    return {
        "topic": TOPIC,
        "school_form": "oberschule",
        "what_was_done": DONE,
        "what_helped": HELPED,
        "consent": "on",
        **overrides,
    }


def reads() -> int:
    return AccessLog.objects.count()


def test_the_school_sees_the_synergie_section_on_a_completed_request(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = completed(cast)
    page = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/").content.decode()
    assert "Erfahrungen teilen (Synergie)" in page
    assert "ohne Namen" in page
    assert f"/anfragen/{sr.pk}/konzept/" in page
    for name in ("supporter", "coordinator"):
        page = client_as(getattr(cast, name)).get(f"/anfragen/{sr.pk}/").content.decode()
        assert "Erfahrungen teilen" not in page


def test_no_synergie_section_before_completion(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    page = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/").content.decode()
    assert "Erfahrungen teilen" not in page
    response = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/konzept/")
    assert response.status_code == 400
    assert "sobald die Begleitung abgeschlossen ist" in response.content.decode()


def test_the_form_shows_the_findings_first_and_releases_once_they_are_resolved(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = completed(cast)
    client = client_as(cast.school_contact_a)
    assert client.get(f"/anfragen/{sr.pk}/konzept/").status_code == 200
    text = "Mit Frau Berger vom Elbufer: 0351 123456."

    response = client.post(f"/anfragen/{sr.pk}/konzept/", form_data(what_helped=text))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Was die Prüfung gefunden hat" in page
    assert '<mark class="lotse-finding">Frau Berger</mark>' in page
    assert '<mark class="lotse-finding">0351 123456</mark>' in page
    assert not Concept.objects.exists()

    found = concept_check.check_texts({"t": text}, concept_check.identifying_terms(sr)).distinct
    response = client.post(
        f"/anfragen/{sr.pk}/konzept/",
        form_data(what_helped=text, harmless=[f.key for f in found]),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/anfragen/{sr.pk}/#synergie"
    concept = Concept.objects.get()
    assert concept.status == Status.SUBMITTED
    assert concept.what_helped == text


def test_the_form_needs_the_consent(cast: Cast, client_as: ClientAs) -> None:
    sr = completed(cast)
    data = form_data()
    del data["consent"]
    response = client_as(cast.school_contact_a).post(f"/anfragen/{sr.pk}/konzept/", data)
    assert response.status_code == 400
    assert "Ohne Ihr Einverständnis wird nichts freigegeben." in response.content.decode()
    assert not Concept.objects.exists()


def test_a_cleaned_text_is_released_without_questions(cast: Cast, client_as: ClientAs) -> None:
    sr = completed(cast)
    response = client_as(cast.school_contact_a).post(f"/anfragen/{sr.pk}/konzept/", form_data())
    assert response.status_code == 302
    assert Concept.objects.get().status == Status.SUBMITTED


def test_reading_a_concept_under_review_is_one_access_log_row(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = completed(cast)
    concept = release(cast, sr, what_helped="Frau Koch half.", harmless=["Frau Koch"])
    client = client_as(cast.coordinator)
    before = reads()
    queue = client.get("/organisation/lasub/konzepte/pruefen/")
    # The queue names each concept by its topic, not "Konzept Nr. 2"; showing it is one read.
    link = f'href="/organisation/lasub/konzepte/pruefen/{concept.pk}/">{TOPIC}</a>'
    assert link in queue.content.decode()
    assert "Konzept Nr." not in queue.content.decode()
    assert reads() == before + 1
    before = reads()

    response = client.get(f"/organisation/lasub/konzepte/pruefen/{concept.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<mark class="lotse-finding">Frau Koch</mark>' in page
    assert reads() == before + 1
    row = AccessLog.objects.order_by("pk").last()
    assert row is not None
    assert (row.person, row.role, row.what, row.object_id) == (
        cast.coordinator,
        "coordinator",
        "concept",
        concept.pk,
    )
    assert (row.subject_type, row.subject_id) == ("support.supportrequest", sr.pk)


def test_publishing_with_an_unresolved_finding_is_refused_on_the_page(
    cast: Cast, client_as: ClientAs
) -> None:
    concept = release(cast, completed(cast), what_helped="Frau Koch half.", harmless=["Frau Koch"])
    client = client_as(cast.admin)
    url = f"/organisation/lasub/konzepte/pruefen/{concept.pk}/"
    data = {"action": "publish", "topic": TOPIC, "what_was_done": DONE}

    response = client.post(url, {**data, "what_helped": "Frau Koch half."})

    assert response.status_code == 400
    assert "Frau Koch" in response.content.decode()
    concept.refresh_from_db()
    assert concept.status == Status.SUBMITTED

    response = client.post(
        url, {**data, "what_helped": "Frau Koch half.", "harmless": ["frau koch"]}
    )
    assert response.status_code == 302
    concept.refresh_from_db()
    assert concept.status == Status.PUBLISHED


def test_the_reviewer_edits_then_publishes(cast: Cast, client_as: ClientAs) -> None:
    concept = release(cast, completed(cast), what_helped="Frau Koch half.", harmless=["Frau Koch"])
    client = client_as(cast.admin)
    url = f"/organisation/lasub/konzepte/pruefen/{concept.pk}/"
    edited = {"topic": TOPIC, "what_was_done": DONE, "what_helped": "Die Koordination half."}

    assert client.post(url, {"action": "check", **edited}).status_code == 302
    concept.refresh_from_db()
    assert concept.what_helped == "Die Koordination half."
    assert concept.status == Status.SUBMITTED
    page = client.get(url).content.decode()
    assert "hat nichts gefunden" in page

    assert client.post(url, {"action": "publish", **edited}).status_code == 302
    concept.refresh_from_db()
    assert concept.status == Status.PUBLISHED


def test_return_shows_the_note_to_the_school_who_revises(cast: Cast, client_as: ClientAs) -> None:
    sr = completed(cast)
    concept = release(cast, sr)
    url = f"/organisation/lasub/konzepte/pruefen/{concept.pk}/"
    response = client_as(cast.admin).post(
        url, {"action": "return", "return-note": "Bitte die Jahreszahlen weglassen."}
    )
    assert response.status_code == 302
    concept.refresh_from_db()
    assert concept.status == Status.RETURNED

    school = client_as(cast.school_contact_a)
    page = school.get(f"/anfragen/{sr.pk}/").content.decode()
    assert "Bitte die Jahreszahlen weglassen." in page
    assert "Konzept überarbeiten" in page
    before = reads()
    form = school.get(f"/anfragen/{sr.pk}/konzept/")
    assert reads() == before + 1  # the returned texts are read
    assert TOPIC in form.content.decode()

    response = school.post(f"/anfragen/{sr.pk}/konzept/", form_data(topic="Feedback, neu"))
    assert response.status_code == 302
    concept.refresh_from_db()
    assert (concept.status, concept.topic) == (Status.SUBMITTED, "Feedback, neu")


def test_a_return_without_note_is_refused(cast: Cast, client_as: ClientAs) -> None:
    concept = release(cast, completed(cast))
    url = f"/organisation/lasub/konzepte/pruefen/{concept.pk}/"
    response = client_as(cast.admin).post(url, {"action": "return", "return-note": ""})
    assert response.status_code == 400
    concept.refresh_from_db()
    assert concept.status == Status.SUBMITTED


def test_the_library_never_shows_school_request_people_or_dates(
    cast: Cast, client_as: ClientAs
) -> None:
    concept = published(cast)
    assert concept.published_at is not None
    for path in ("/konzepte/", f"/konzepte/{concept.pk}/"):
        response = client_as(cast.school_contact_b).get(path)
        assert response.status_code == 200
        page = response.content.decode()
        assert TOPIC in page
        assert str(concept.published_at.year) in page
        for hidden in (
            "Oberschule am Elbufer",
            "Feedbackkultur im Kollegium aufbauen",  # the request's text
            f"/anfragen/{concept.request_id}/",
            "Sabine Schulz",
            "Anna Admin",
            concept.published_at.strftime("%d.%m.%Y"),
        ):
            assert hidden not in page, hidden
    detail = client_as(cast.school_contact_b).get(f"/konzepte/{concept.pk}/").content.decode()
    assert DONE in detail
    assert HELPED in detail
    assert "Oberschule" in detail


def test_the_library_filters_and_needs_few_queries(cast: Cast, client_as: ClientAs) -> None:
    area = QualityArea.objects.create(organisation=cast.organisation, number=2, title="Lernen")
    first = published(cast, quality_areas=[area])
    second = published(cast, topic="Ganztag gestalten")
    client = client_as(cast.supporter)
    page = client.get(f"/konzepte/?area={area.pk}").content.decode()
    assert TOPIC in page
    assert "Ganztag gestalten" not in page
    page = client.get("/konzepte/?q=ganztag").content.decode()
    assert "Ganztag gestalten" in page
    assert TOPIC not in page
    assert "Kein Konzept passt zum Filter." in client.get("/konzepte/?q=nirgends").content.decode()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/konzepte/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(5):
        published(cast, topic="Noch ein Konzept", quality_areas=[area])
    assert count() == few
    assert {first.pk, second.pk} <= set(
        Concept.objects.filter(status=Status.PUBLISHED).values_list("pk", flat=True)
    )


def test_a_concept_of_another_organisation_is_not_found(cast: Cast, client_as: ClientAs) -> None:
    concept = published(cast)
    client = client_as(cast.other_admin)
    assert client.get(f"/konzepte/{concept.pk}/").status_code == 404
    assert TOPIC not in client.get("/konzepte/").content.decode()


def test_withdrawing_on_the_request_page_removes_it_from_the_library(
    cast: Cast, client_as: ClientAs
) -> None:
    concept = published(cast)
    school = client_as(cast.school_contact_a)
    page = school.get(f"/anfragen/{concept.request_id}/").content.decode()
    assert "Einverständnis widerrufen" in page
    response = school.post(f"/konzepte/{concept.pk}/zurueckziehen/")
    assert response.status_code == 302
    assert response["Location"] == f"/anfragen/{concept.request_id}/#synergie"
    reader = client_as(cast.supporter)
    assert reader.get(f"/konzepte/{concept.pk}/").status_code == 404
    assert TOPIC not in reader.get("/konzepte/").content.decode()


def test_the_navigation_links_the_library_and_the_queue_with_its_count(
    cast: Cast, client_as: ClientAs
) -> None:
    release(cast, completed(cast))
    school = client_as(cast.school_contact_a).get("/anfragen/").content.decode()
    assert 'href="/konzepte/"' in school
    assert "/konzepte/pruefen/" not in school
    coordinator = client_as(cast.coordinator).get("/koordination/").content.decode()
    assert 'href="/konzepte/"' in coordinator
    assert "Konzepte prüfen (1)" in coordinator
    other = client_as(cast.other_coordinator).get("/koordination/").content.decode()
    assert "Konzepte prüfen (0)" in other


def test_after_retention_the_person_who_consented_still_withdraws(
    cast: Cast, client_as: ClientAs
) -> None:
    concept = published(cast)
    Concept.objects.filter(pk=concept.pk).update(request=None)  # as retention leaves it
    assert (
        client_as(cast.school_contact_b).post(f"/konzepte/{concept.pk}/zurueckziehen/").status_code
        == 403
    )
    school = client_as(cast.school_contact_a)
    page = school.get(f"/konzepte/{concept.pk}/").content.decode()
    assert "Einverständnis widerrufen" in page
    response = school.post(f"/konzepte/{concept.pk}/zurueckziehen/")
    assert response.status_code == 302
    assert response["Location"] == "/konzepte/"
    concept.refresh_from_db()
    assert concept.status == Status.WITHDRAWN
    assert school.get(f"/konzepte/{concept.pk}/").status_code == 404


def test_the_library_shows_25_concepts_a_page_and_searches_all_pages(
    cast: Cast, client_as: ClientAs
) -> None:
    now = timezone.now()
    Concept.objects.bulk_create(
        Concept(
            organisation=cast.organisation,
            topic=f"Thema {n:02d}" + (" Ganztag" if n == 3 else ""),
            what_was_done=DONE,
            what_helped=HELPED,
            status=Status.PUBLISHED,
            consent_text="Einverstanden.",
            published_at=now - dt.timedelta(days=n),
        )
        for n in range(30)
    )
    client = client_as(cast.school_contact_b)
    first = client.get("/konzepte/").content.decode()
    assert first.count('class="lotse-entry"') == 25
    assert "Seite 1 von 2" in first
    assert "Thema 00" in first
    assert "Thema 29" not in first
    second = client.get("/konzepte/?page=2").content.decode()
    assert second.count('class="lotse-entry"') == 5
    assert "Thema 29" in second
    # The search reads every page: the match on page 1 is found from page 2's link too.
    found = client.get("/konzepte/?q=ganztag&page=1").content.decode()
    assert found.count('class="lotse-entry"') == 1
    assert "Thema 03 Ganztag" in found
