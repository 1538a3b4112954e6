"""Issue 11, security and operations: no caching of confidential pages, login limits per address
and client, the deploy check, limits of the public form, gunicorn's control socket, small words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from lotse.core.models import Person
from lotse.support.models import State
from lotse.support.services import accompaniment as accompaniment_services
from lotse.support.services import records as record_services
from tests.concepts import published
from tests.factories import Cast, bring_to_state

ClientAs = Callable[[Person | None], Client]


# --- 1. confidential pages are not stored ------------------------------------------------------


def no_store(response: object) -> bool:
    directives = {d.strip() for d in response["Cache-Control"].split(",")}  # type: ignore[index]
    return "no-store" in directives


@pytest.mark.django_db
def test_every_page_and_file_with_confidential_content_says_no_store(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    document = record_services.document_upload(
        request=sr, by=cast.supporter, filename="a.pdf", content_type="", content=b"%PDF"
    )
    starts = timezone.now() + dt.timedelta(days=3)
    session = accompaniment_services.session_plan(
        request=sr,
        by=cast.supporter,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        place="Schule, Raum 3",
        participants="Frau Vertraulich",
    )
    concept = published(cast)
    school = client_as(cast.school_contact_a)
    urls = [
        f"/anfragen/{sr.pk}/",
        f"/anfragen/{sr.pk}/anhaenge/{document.pk}/",
        f"/anfragen/{sr.pk}/kontrakt/1/pdf/",
        f"/anfragen/{sr.pk}/termine/{session.pk}/einladung.ics",
        f"/anfragen/{sr.pk}/zugriffe/",
        "/konzepte/",
        f"/konzepte/{concept.pk}/",
    ]
    for url in urls:
        response = school.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
    fragment = school.get(f"/anfragen/{sr.pk}/?fragment=timeline", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert no_store(fragment)
    export = client_as(cast.admin).post(
        f"/organisation/{cast.organisation.slug}/personen/{cast.school_contact_a.pk}"
        "/datenschutz/export/"
    )
    assert export.status_code == 200
    assert no_store(export)


@pytest.mark.django_db
def test_public_pages_for_visitors_stay_cacheable(cast: Cast, client: Client) -> None:
    response = client.get(f"/katalog/{cast.organisation.slug}/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
