"""The school choice with the ~1,400 schools of a Saxon import: without JavaScript a search box
whose button narrows the choice on the server and shows the form again as typed; the combobox's
list of matches; every form that asks for a school uses the same field (issue 11)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from lotse.core import school_choice
from lotse.core.models import District, School
from lotse.core.schools import schools_of
from lotse.lib.forms import KernForm
from lotse.support.forms.mail import QuarantineAcceptForm
from lotse.support.forms.requests import AssignSchoolForm, PublicRequestForm, RequestForm
from lotse.support.mail import intake
from lotse.support.models import InboundMail, SupportRequest
from tests.factories import Cast, DistrictFactory, SchoolFactory, SiteFactory

pytestmark = pytest.mark.django_db

URL = "/katalog/lasub/anfrage/"
MANY = school_choice.PLAIN_UP_TO + 20


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def many(cast: Cast) -> Cast:
    """The organisation with more schools than a select can offer."""
    district = District.objects.get(pk=cast.school_a.district_id)
    SchoolFactory.create_batch(MANY, district=district, city="Meißen")
    SchoolFactory(name="Goethe-Gymnasium", number="41234567", city="Freital", district=district)
    SchoolFactory(name="Goethe-Grundschule", number="41299999", city="Pirna", district=district)
    return cast


def visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', html, re.S)
    assert select is not None, select_id
    return [visible(o) for o in re.findall(r"<option[^>]*>.*?</option>", select.group(0), re.S)]


def typed(cast: Cast, **overrides: str) -> dict[str, Any]:
    return {
        "school": "",
        "school_suche": "",
        "school_name": "",
        "contact_name": "Petra Pause",
        "contact_email": "pause@schule-a.example",
        "contact_phone": "",
        "subject": "Streitschlichtung aufbauen",
        "text": "Wir möchten Schüler zu Streitschlichtern ausbilden.",
        "offer": "",
        "quality_area": "",
        "website": "",
    } | overrides


def test_without_javascript_the_search_button_narrows_the_choice_and_keeps_what_was_typed(
    client: Client, many: Cast
) -> None:
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    # Not a select of every school: a search box, its button, and a list to fill.
    assert options(page, "id_school_wahl") == [
        "— zuerst suchen —",
        "Meine Schule steht nicht in der Liste",
    ]
    assert 'name="school_suchen"' in page
    assert "Schulen suchen" in page
    assert '<label class="kern-label" for="id_school">Schule' in page

    response = client.post(
        URL, typed(many, school_suche="goethe", school_suchen="1"), HTTP_ACCEPT_LANGUAGE="de"
    )

    assert response.status_code == 200
    assert not SupportRequest.objects.exists()
    html = response.content.decode()
    assert options(html, "id_school_wahl") == [
        "Bitte auswählen",
        "Goethe-Grundschule, Pirna (41299999)",
        "Goethe-Gymnasium, Freital (41234567)",
        "Meine Schule steht nicht in der Liste",
    ]
    assert "2 Schulen gefunden." in visible(html)
    # What was typed is there again, and nothing is marked as missing.
    assert 'value="goethe"' in html
    assert "Wir möchten Schüler zu Streitschlichtern ausbilden." in html
    assert 'value="Petra Pause"' in html
    assert "kern-error" not in html

    gymnasium = School.objects.get(number="41234567")
    sent = client.post(URL, typed(many, school=str(gymnasium.pk), school_suche="goethe"))

    assert sent.status_code == 302
    assert SupportRequest.objects.get().school == gymnasium


def test_the_search_finds_a_school_by_town_and_by_number(many: Cast) -> None:
    schools = School.objects.filter(district__organisation=many.organisation)
    assert [s.name for s in school_choice.search(schools, "freital")] == ["Goethe-Gymnasium"]
    assert [s.name for s in school_choice.search(schools, "4129")] == ["Goethe-Grundschule"]
    assert [s.name for s in school_choice.search(schools, "Goethe Pirna")] == ["Goethe-Grundschule"]
    assert list(school_choice.search(schools, "  ")) == []


def test_the_search_ignores_the_case_of_umlauts_too(many: Cast) -> None:
    """SQLite's LIKE folds only ASCII letters; a query in capitals still finds "Löbtau"."""
    district = School.objects.filter(district__organisation=many.organisation).first().district
    SchoolFactory(name="Oberschule Übigau", number="41377777", city="Löbtau", district=district)
    schools = School.objects.filter(district__organisation=many.organisation)
    for query in ("LÖBTAU", "löbtau", "ÜBIGAU", "übigau", "oberschule übigau"):
        assert [s.name for s in school_choice.search(schools, query)] == ["Oberschule Übigau"], (
            query
        )
    assert [s.name for s in schools_of(many.organisation, search="LÖBTAU")] == ["Oberschule Übigau"]


def test_sending_with_words_typed_but_no_school_chosen_asks_to_choose_and_shows_matches(
    client: Client, many: Cast
) -> None:
    response = client.post(URL, typed(many, school_suche="Freital"), HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Dieses Feld ist zwingend erforderlich." in html
    assert "Goethe-Gymnasium, Freital (41234567)" in options(html, "id_school_wahl")


def test_the_combobox_asks_for_the_matches_of_the_organisation_only(
    client: Client, many: Cast
) -> None:
    SchoolFactory(
        name="Goethe-Schule Hannover",
        district=District.objects.filter(organisation=many.other_organisation).first()
        or DistrictFactory(site=SiteFactory(organisation=many.other_organisation)),
    )
    answer = client.get("/katalog/lasub/schulen/", {"q": "Goethe"}, HTTP_ACCEPT_LANGUAGE="de")

    assert answer.status_code == 200
    data = answer.json()
    assert [r["label"] for r in data["results"]] == [
        "Goethe-Grundschule, Pirna (41299999)",
        "Goethe-Gymnasium, Freital (41234567)",
    ]
    assert data["count"] == 2
    assert data["status"] == "2 Schulen gefunden."
    # Many matches: the first few, and the live region says so.
    plenty = client.get("/katalog/lasub/schulen/", {"q": "Meißen"}, HTTP_ACCEPT_LANGUAGE="de")
    assert len(plenty.json()["results"]) == school_choice.SHOWN
    assert plenty.json()["status"].startswith(f"{MANY} Schulen gefunden. Die ersten")


def test_the_combobox_is_offered_where_many_schools_are_to_choose(
    client: Client, many: Cast
) -> None:
    html = client.get(URL).content.decode()
    assert 'data-search-url="/katalog/lasub/schulen/"' in html
    assert 'role="status"' in html
    assert "/static/lotse/school-choice" in html


def test_every_form_that_asks_for_a_school_uses_the_one_school_choice(many: Cast) -> None:
    schools = School.objects.all()
    forms: list[KernForm] = [
        PublicRequestForm(organisation=many.organisation),
        RequestForm(schools=schools, organisation_ids={many.organisation.pk}),
        AssignSchoolForm(schools=schools, organisation=many.organisation),
        QuarantineAcceptForm(schools=schools, organisation=many.organisation),
    ]
    for form in forms:
        assert isinstance(form.fields["school"], school_choice.SchoolChoiceField), form
        assert 'name="school_suchen"' in str(form["school"]), form


def test_the_coordination_assigns_a_school_by_searching_without_javascript(
    client: Client, many: Cast
) -> None:
    raw = (
        b"From: Unbekannt <jemand@irgendwo.example>\r\nTo: dresden@lasub.example\r\n"
        b"Subject: Hilfe\r\nMessage-ID: <eins@irgendwo.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nBitte melden Sie sich.\r\n"
    )
    mail = intake.mail_import(site=many.site_a, raw=raw).mail
    sr = SupportRequest.objects.get(pk=InboundMail.objects.get(pk=mail.pk).request_id)
    assert sr.school is None
    client.force_login(many.coordinator)
    url = f"/anfragen/{sr.pk}/schritt/assign_school/"

    response = client.post(
        url,
        {"assign_school-school_suche": "Freital", "assign_school-school_suchen": "1"},
        HTTP_ACCEPT_LANGUAGE="de",
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Goethe-Gymnasium, Freital (41234567)" in options(html, "id_assign_school-school_wahl")
    gymnasium = School.objects.get(number="41234567")
    done = client.post(url, {"assign_school-school": str(gymnasium.pk)})
    assert done.status_code == 302
    sr.refresh_from_db()
    assert sr.school == gymnasium
