"""The organisation admin's school pages: the list, and the import by upload, preview and
confirmation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from lotse.core.models import District, Person, Role, School, SchoolImport
from tests.factories import Cast, SchoolFactory, person_with_role

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "schools"
ClientAs = Callable[[Person | None], Client]


@pytest.fixture
def keyed(cast: Cast) -> Cast:
    """The cast's districts with their Kreisschlüssel."""
    District.objects.filter(name="Dresden").update(official_key="14612")
    District.objects.filter(name="Leipzig").update(official_key="14713")
    return cast


def base(cast: Cast) -> str:
    return f"/organisation/{cast.organisation.slug}/schulen/"


def upload(
    client: Client,
    cast: Cast,
    name: str = "sachsen-schuldatenbank-fehler.csv",
    content: bytes | None = None,
    **fields: str,
) -> Any:
    file = SimpleUploadedFile(
        name, content if content is not None else (SAMPLES / name).read_bytes()
    )
    data = {"file": file, "file_format": "auto", "encoding": "utf-8", **fields}
    return client.post(f"{base(cast)}import/", data, HTTP_ACCEPT_LANGUAGE="de")


def text_of(response: Any) -> str:
    """The page's visible text, with whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_admin_uploads_checks_the_preview_and_confirms_the_import(
    keyed: Cast, client_as: ClientAs
) -> None:
    client = client_as(keyed.admin)
    form = client.get(f"{base(keyed)}import/", HTTP_ACCEPT_LANGUAGE="de")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.content.decode()

    response = upload(client, keyed)

    assert response.status_code == 302
    stored = SchoolImport.objects.get()
    assert response["Location"] == f"{base(keyed)}import/{stored.pk}/"
    assert (stored.uploaded_by, stored.filename) == (
        keyed.admin,
        "sachsen-schuldatenbank-fehler.csv",
    )
    assert not School.objects.filter(number="41612520").exists()  # nothing imported yet

    preview = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de")
    assert preview.status_code == 200
    page = text_of(preview)
    assert "Neu anzulegen 2" in page
    assert "Abgelehnt 8" in page
    # A further building of a school is skipped, with its reason, not rejected.
    assert "Übersprungen (weitere Gebäude) 1" in page
    assert "1 Zeile übersprungen: ein weiteres Gebäude einer bereits gelesenen Schule" in page
    assert "9 41612520 Weiteres Gebäude der Schule 41612520" in page
    assert "Gelesene Zeilen 11" in page
    assert "3 – Die amtliche Schulnummer (institution_key) fehlt." in page
    assert (
        "41613075 Ungültige Koordinaten: 13.737300, 51.050400 liegen außerhalb Deutschlands."
        in (page)
    )
    assert (
        "Grundschule Löbtau-Süd Dresden (41612520) Dresden – Standort Dresden neue Schule" in page
    )
    assert "Unbekannte Schulart „21“" in page
    assert not School.objects.filter(number="41612520").exists()  # the preview writes nothing

    confirmed = client.post(f"{base(keyed)}import/{stored.pk}/bestaetigen/")

    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"{base(keyed)}import/{stored.pk}/ergebnis/"
    school = School.objects.select_related("district__site").get(number="41612520")
    assert school.district is not None
    assert school.district.site == keyed.site_a
    stored.refresh_from_db()
    assert stored.imported_at is not None
    assert bytes(stored.content) == b""  # the file is dropped once imported
    result = client.get(confirmed["Location"], HTTP_ACCEPT_LANGUAGE="de")
    page = text_of(result)
    assert "Die Schuldaten wurden importiert." in page
    assert "Angelegt 2" in page
    assert "3 – Die amtliche Schulnummer (institution_key) fehlt." in page


def test_the_preview_shows_the_fields_an_update_changes(keyed: Cast, client_as: ClientAs) -> None:
    SchoolFactory(
        number="41612520",
        name="Grundschule Löbtau Dresden",
        school_type=School.Type.PRIMARY,
        district=District.objects.get(name="Dresden"),
        city="Dresden",
    )
    client = client_as(keyed.admin)
    response = upload(client, keyed)

    page = text_of(client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de"))

    assert "Zu aktualisieren 1" in page
    assert "Name: Grundschule Löbtau Dresden → Grundschule Löbtau-Süd Dresden" in page
    assert "Postleitzahl: – → 01159" in page


def test_confirming_twice_imports_once(keyed: Cast, client_as: ClientAs) -> None:
    client = client_as(keyed.admin)
    stored_url = upload(client, keyed)["Location"]
    client.post(f"{stored_url}bestaetigen/")
    School.objects.filter(number="41612520").update(name="Geändert")

    again = client.post(f"{stored_url}bestaetigen/")

    assert again.status_code == 302
    assert School.objects.get(number="41612520").name == "Geändert"
    # The preview of a confirmed import shows its result.
    assert client.get(stored_url)["Location"] == f"{stored_url}ergebnis/"


def test_the_result_page_of_an_unconfirmed_import_sends_to_the_preview(
    keyed: Cast, client_as: ClientAs
) -> None:
    client = client_as(keyed.admin)
    stored_url = upload(client, keyed)["Location"]

    response = client.get(f"{stored_url}ergebnis/")

    assert (response.status_code, response["Location"]) == (302, stored_url)


def test_a_file_in_another_encoding_is_refused_at_the_upload(
    keyed: Cast, client_as: ClientAs
) -> None:
    client = client_as(keyed.admin)

    response = upload(client, keyed, "generic-windows-1252.csv")

    assert response.status_code == 400
    assert "Die Datei ist nicht UTF-8-kodiert" in text_of(response)
    assert not SchoolImport.objects.exists()

    declared = upload(client, keyed, "generic-windows-1252.csv", encoding="windows-1252")
    assert declared.status_code == 302


def test_a_file_larger_than_the_limit_is_refused(
    keyed: Cast, client_as: ClientAs, settings: Any
) -> None:
    settings.SCHOOL_IMPORT_MAX_SIZE = 1024 * 1024
    client = client_as(keyed.admin)

    response = upload(
        client, keyed, "gross.csv", content=b"number;name;district\n" + b"x" * 1024 * 1024
    )

    assert response.status_code == 400
    assert "Die Datei ist größer als 1 MB." in text_of(response)
    assert not SchoolImport.objects.exists()


def test_an_upload_is_for_its_admin_only_and_for_a_day(keyed: Cast, client_as: ClientAs) -> None:
    client = client_as(keyed.admin)
    stored_url = upload(client, keyed)["Location"]
    second_admin = person_with_role(
        Role.Kind.ADMIN, keyed.organisation, email="zweite@lasub.example"
    )

    assert client_as(second_admin).get(stored_url).status_code == 404
    assert client_as(second_admin).post(f"{stored_url}bestaetigen/").status_code == 404
    assert not School.objects.filter(number="41612520").exists()

    SchoolImport.objects.update(uploaded_at=timezone.now() - dt.timedelta(hours=25))
    assert client_as(keyed.admin).get(stored_url).status_code == 404


def test_a_new_upload_deletes_the_uploads_older_than_a_day(
    keyed: Cast, client_as: ClientAs
) -> None:
    client = client_as(keyed.admin)
    upload(client, keyed)
    SchoolImport.objects.update(uploaded_at=timezone.now() - dt.timedelta(days=2))

    upload(client, keyed)

    assert SchoolImport.objects.count() == 1


def test_the_school_list_shows_the_organisations_schools_with_district_and_site(
    keyed: Cast, client_as: ClientAs
) -> None:
    client = client_as(keyed.admin)

    page = text_of(client.get(base(keyed), HTTP_ACCEPT_LANGUAGE="de"))

    assert "Oberschule am Elbufer 11111 Oberschule" in page
    assert "Dresden Standort Dresden" in page
    assert "IGS Linden" not in page  # the other organisation's school
    found = text_of(client.get(f"{base(keyed)}?q=Bergblick", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Gymnasium Bergblick" in found
    assert "Oberschule am Elbufer" not in found
    assert "1 Schule" in found


def test_the_school_list_is_paginated(keyed: Cast, client_as: ClientAs) -> None:
    district = District.objects.get(name="Leipzig")
    for n in range(55):
        SchoolFactory(number=f"4171{n:04d}", name=f"Schule {n:02d}", district=district)
    client = client_as(keyed.admin)

    first = client.get(base(keyed), HTTP_ACCEPT_LANGUAGE="de")
    second = client.get(f"{base(keyed)}?page=2", HTTP_ACCEPT_LANGUAGE="de")

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 7


def test_the_settings_page_links_to_the_schools(keyed: Cast, client_as: ClientAs) -> None:
    response = client_as(keyed.admin).get(f"/organisation/{keyed.organisation.slug}/einstellungen/")

    assert f'href="{base(keyed)}"' in response.content.decode()


def test_the_report_of_a_json_file_speaks_of_entries_not_rows(
    keyed: Cast, client_as: ClientAs
) -> None:
    client = client_as(keyed.admin)
    entry = b'{"institution_key": "41612301", "name": "Grundschule", "community_key": "14612000"}'
    response = upload(client, keyed, "schulen.json", b"[" + entry + b"," + entry + b"]")
    page = text_of(client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de"))

    assert "Gelesene Einträge 2" in page
    assert "Abgelehnte Einträge" in page
    assert "nur ihr erster Eintrag (1) wird übernommen" in page
    assert "Zeile" not in page
