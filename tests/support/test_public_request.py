"""The public request form of the catalogue: a request without an account, into the site's
inbox, with a confirmation mail; robots and floods are kept out; a school contact who comes
from an offer gets the app's form with the offer preselected."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from lotse.catalog.models import Offer, QualityArea
from lotse.core.models import OutboxMessage
from lotse.support.models import SupportRequest
from lotse.support.services import requests as request_services
from lotse.support.workflow import WorkflowError
from tests.factories import Cast

pytestmark = pytest.mark.django_db

URL = "/katalog/lasub/anfrage/"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def offer(cast: Cast) -> Offer:
    culture = QualityArea.objects.create(organisation=cast.organisation, number=3, title="Kultur")
    cooperation = QualityArea.objects.create(
        organisation=cast.organisation, number=6, title="Kooperation"
    )
    offer = Offer.objects.create(
        organisation=cast.organisation,
        site=cast.site_b,
        title="Regionalbegleiter Schulmediation",
    )
    offer.quality_areas.add(cooperation, culture)
    return offer


def form_data(cast: Cast, offer: Offer | None = None, **overrides: Any) -> dict[str, Any]:
    data = {
        "school": str(cast.school_a.pk),
        "school_name": "",
        "contact_name": "Petra Pause",
        "contact_email": "pause@schule-a.example",
        "contact_phone": "0351 123",
        "subject": "Streitschlichtung aufbauen",
        "text": "Wir möchten Schüler zu Streitschlichtern ausbilden.",
        "offer": str(offer.pk) if offer else "",
        "quality_area": "",
        "website": "",
    }
    return data | overrides


def test_the_form_preselects_the_offer_and_its_first_area(client: Client, offer: Offer) -> None:
    response = client.get(URL, {"angebot": offer.pk})
    assert response.status_code == 200
    form = response.context["form"]
    area = QualityArea.objects.get(number=3)
    assert form["offer"].value() == offer.pk
    assert form["quality_area"].value() == area.pk
    html = response.content.decode()
    assert f'<option value="{offer.pk}" selected>' in html
    # The privacy note says who reads the request and links to how it stays confidential.
    assert 'href="#vertraulichkeit"' in html
    assert 'id="vertraulichkeit"' in html


def test_the_few_schools_of_the_organisation_are_offered_in_a_select(
    client: Client, cast: Cast
) -> None:
    html = client.get(URL).content.decode()
    assert "Oberschule am Elbufer, Dresden (11111)" in html
    assert "IGS Linden" not in html  # a school of the other organisation


def test_a_valid_request_reaches_the_schools_site_with_a_confirmation_mail(
    client: Client, cast: Cast, offer: Offer
) -> None:
    response = client.post(f"{URL}?angebot={offer.pk}", form_data(cast, offer), follow=True)
    assert response.redirect_chain[-1][0] == "/katalog/lasub/anfrage/gesendet/"
    sr = SupportRequest.objects.get()
    assert (sr.school, sr.site, sr.offer) == (cast.school_a, cast.site_a, offer)
    assert sr.submitted_by is None
    assert sr.channel == SupportRequest.Channel.FORM
    assert sr.text == "Wir möchten Schüler zu Streitschlichtern ausbilden."
    assert (sr.contact_name, sr.contact_email) == ("Petra Pause", "pause@schule-a.example")
    # The coordinators of the site hear of it; the sender gets a confirmation.
    confirmation = OutboxMessage.objects.get(template="support/mail/received")
    assert confirmation.to == ["pause@schule-a.example"]
    assert confirmation.site == cast.site_a
    assert f"[#{sr.token}]" in confirmation.subject
    assert "Regionalbegleiter Schulmediation" in confirmation.body
    assert "Standort Dresden" in confirmation.body
    assert sr.token in confirmation.reply_to
    notice = OutboxMessage.objects.get(template="support/mail/new_request")
    assert notice.to == ["koordination@dresden.example"]
    page = response.content.decode()
    # The page after sending names the reference of the confirmation mail and the site.
    assert f"#{sr.token}" in page
    assert "Standort Dresden" in page


def test_the_confirmation_page_shows_the_reference_and_the_receiving_site(
    client: Client, cast: Cast, offer: Offer
) -> None:
    Site = type(cast.site_a)
    Site.objects.filter(pk=cast.site_a.pk).update(
        email="dresden@lasub.example", phone="0351 8439-0"
    )
    response = client.post(URL, form_data(cast), follow=True, HTTP_ACCEPT_LANGUAGE="de")
    sr = SupportRequest.objects.get()
    page = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert f"Vorgangsnummer #{sr.token}" in page
    assert "Eingegangen bei Regionalkoordination Standort Dresden" in page
    assert "E-Mail dresden@lasub.example" in page
    assert "Telefon 0351 8439-0" in page
    assert "Wir haben eine Bestätigung an pause@schule-a.example geschickt" in page
    # The same reference stands in the confirmation mail's subject.
    confirmation = OutboxMessage.objects.get(template="support/mail/received")
    assert f"[#{sr.token}]" in confirmation.subject
    # Another browser, coming to the page directly, learns nothing of it.
    other = Client()
    assert sr.token not in other.get("/katalog/lasub/anfrage/gesendet/").content.decode()


def test_the_request_appears_in_the_inbox_of_the_site(
    client: Client, cast: Cast, offer: Offer
) -> None:
    client.post(URL, form_data(cast, offer))
    client.force_login(cast.coordinator)
    assert "Streitschlichtung aufbauen" in client.get("/koordination/").content.decode()
    client.force_login(cast.other_coordinator)
    assert "Streitschlichtung aufbauen" not in client.get("/koordination/").content.decode()


def test_an_unknown_school_goes_to_the_offers_site_to_be_assigned(
    client: Client, cast: Cast, offer: Offer
) -> None:
    data = form_data(cast, offer, school="andere", school_name="Freie Schule Elbtal, Pirna")
    assert client.post(URL, data).status_code == 302
    sr = SupportRequest.objects.get()
    assert sr.school is None
    assert sr.site == cast.site_b  # the offer's site
    # The school as given comes first, for the coordination who assigns it; then the text.
    first_line, _blank, rest = sr.text.partition("\n\n")
    assert first_line.endswith(": Freie Schule Elbtal, Pirna")
    assert rest == "Wir möchten Schüler zu Streitschlichtern ausbilden."
    client.force_login(cast.other_coordinator)
    inbox = client.get("/koordination/").content.decode()
    assert "Streitschlichtung aufbauen" in inbox
    assert "pause@schule-a.example" in inbox  # shown with "assign school"
    confirmation = OutboxMessage.objects.get(template="support/mail/received")
    assert "Freie Schule Elbtal, Pirna" in confirmation.body


def test_without_offer_an_unknown_school_goes_to_the_first_regional_site(
    client: Client, cast: Cast
) -> None:
    cast.site_a.__class__.objects.create(
        organisation=cast.organisation, name="A Landesweit", statewide=True
    )
    data = form_data(cast, school="andere", school_name="Freie Schule Elbtal")
    assert client.post(URL, data).status_code == 302
    assert SupportRequest.objects.get().site == cast.site_a  # "Standort Dresden", by name


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"school": ""}, "school"),
        ({"school": "andere", "school_name": ""}, "school_name"),
        ({"contact_email": "keine-adresse"}, "contact_email"),
        ({"text": "   "}, "text"),
        ({"subject": ""}, "subject"),
        ({"school": "999999"}, "school"),
    ],
)
def test_an_invalid_request_is_refused_and_keeps_the_input(
    client: Client, cast: Cast, offer: Offer, overrides: dict[str, str], field: str
) -> None:
    response = client.post(URL, form_data(cast, offer, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "Petra Pause" in html or overrides.get("contact_name") == ""
    assert not SupportRequest.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_the_errors_are_german(client: Client, cast: Cast) -> None:
    response = client.post(URL, form_data(cast, school="", contact_email="x"))
    html = response.content.decode()
    assert "Dieses Feld ist zwingend erforderlich." in html
    assert "Bitte gültige E-Mail-Adresse eingeben." in html


def test_a_robot_filling_the_trap_field_sends_nothing(
    client: Client, cast: Cast, offer: Offer
) -> None:
    response = client.post(URL, form_data(cast, offer, website="https://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == "/katalog/lasub/anfrage/gesendet/"
    assert not SupportRequest.objects.exists()
    assert not OutboxMessage.objects.exists()
    # The page looks as after a real request: a reference and a site.
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Vorgangsnummer" in page
    assert "Standort" in page


def test_the_trap_field_is_hidden_from_people(client: Client, cast: Cast) -> None:
    html = client.get(URL).content.decode()
    assert '<div class="lotse-trap" aria-hidden="true">' in html
    assert 'name="website"' in html
    assert 'tabindex="-1"' in html


def test_more_than_the_hourly_limit_from_one_address_is_refused(
    client: Client, cast: Cast, settings: Any
) -> None:
    settings.LOTSE_PUBLIC_REQUESTS_PER_HOUR = 2
    for number in range(2):
        data = form_data(cast, subject=f"Anfrage {number}")
        assert client.post(URL, data, REMOTE_ADDR="203.0.113.7").status_code == 302
    response = client.post(URL, form_data(cast, subject="Dritte"), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    assert "Dritte" in response.content.decode()  # the input stays
    assert SupportRequest.objects.count() == 2
    # Another address is not affected.
    other = client.post(URL, form_data(cast, subject="Andere"), REMOTE_ADDR="203.0.113.8")
    assert other.status_code == 302
    assert SupportRequest.objects.count() == 3


def test_invalid_attempts_do_not_count_towards_the_limit(
    client: Client, cast: Cast, settings: Any
) -> None:
    settings.LOTSE_PUBLIC_REQUESTS_PER_HOUR = 1
    for _attempt in range(3):
        assert client.post(URL, form_data(cast, text="")).status_code == 400
    assert client.post(URL, form_data(cast)).status_code == 302


def test_a_school_contact_is_sent_to_the_apps_form_with_the_offer(
    client: Client, cast: Cast, offer: Offer
) -> None:
    client.force_login(cast.school_contact_a)
    response = client.get(URL, {"angebot": offer.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/anfragen/neu/?angebot={offer.pk}"
    form = client.get(response["Location"]).context["form"]
    assert form["offer"].value() == offer.pk
    assert form["quality_area"].value() == QualityArea.objects.get(number=3).pk
    assert form["school"].value() == cast.school_a.pk


def test_the_apps_form_ignores_an_offer_of_another_organisation(client: Client, cast: Cast) -> None:
    foreign = Offer.objects.create(organisation=cast.other_organisation, title="Fremd")
    inactive = Offer.objects.create(organisation=cast.organisation, title="Ruht", active=False)
    client.force_login(cast.school_contact_a)
    for offer in (foreign, inactive):
        form = client.get("/anfragen/neu/", {"angebot": offer.pk}).context["form"]
        assert form["offer"].value() is None


def test_the_service_refuses_a_school_or_offer_of_another_organisation(cast: Cast) -> None:
    foreign_offer = Offer.objects.create(organisation=cast.other_organisation, title="Fremd")
    other_school = cast.other_organisation.districts.get().schools.get()
    common: dict[str, Any] = {
        "organisation": cast.organisation,
        "subject": "S",
        "text": "T",
        "contact_name": "N",
        "contact_email": "n@example.org",
    }
    with pytest.raises(WorkflowError):
        request_services.request_submit_public(school=other_school, **common)
    with pytest.raises(WorkflowError):
        request_services.request_submit_public(school=cast.school_a, offer=foreign_offer, **common)
    with pytest.raises(WorkflowError):
        request_services.request_submit_public(school=None, school_name="", **common)
    assert not SupportRequest.objects.exists()


def test_an_inactive_offer_is_not_preselected(client: Client, cast: Cast, offer: Offer) -> None:
    offer.active = False
    offer.save()
    form = client.get(URL, {"angebot": offer.pk}).context["form"]
    assert form["offer"].value() is None
    response = client.post(URL, form_data(cast, offer))
    assert response.status_code == 400
    assert "offer" in response.context["form"].errors
