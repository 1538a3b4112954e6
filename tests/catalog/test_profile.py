"""The supporter keeps their profile and absences; the organisation admin sets the weights."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from lotse.catalog import services
from lotse.catalog.models import Absence, MatchingWeights, SupporterProfile
from lotse.catalog.selectors import weights_for
from lotse.core import privacy
from lotse.core.models import Person, Role
from tests.factories import (
    Cast,
    OfferFactory,
    QualityAreaFactory,
    SchoolFactory,
    person_with_role,
    supporter_profile,
)

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]
URL = "/begleitung/profil/"


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def html(response: Any) -> str:
    return response.content.decode()


def profile_data(cast: Cast, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organisation": cast.organisation.slug,
        "home_postcode": "01099",
        "home_place": "Dresden",
        "latitude": "51.065000",
        "longitude": "13.750000",
        "max_processes": "4",
        "hours_per_month": "16",
        "languages": ["de", "en"],
        "school_types": ["oberschule", "gymnasium"],
        "note": "Dienstags nicht.",
        "active": "on",
    }
    data.update(changes)
    return data


def test_a_supporter_without_a_profile_sees_the_defaults(cast: Cast, client_as: ClientAs) -> None:
    response = client_as(cast.supporter).get(URL)
    assert response.status_code == 200
    assert response.context["profile"] is None
    assert response.context["form"].initial["max_processes"] == 3
    assert response.context["absences"] == []


def test_the_supporter_saves_their_profile(cast: Cast, client_as: ClientAs) -> None:
    offer = OfferFactory(organisation=cast.organisation)
    inactive = OfferFactory(organisation=cast.organisation, active=False)
    area = QualityAreaFactory(organisation=cast.organisation)
    district = cast.school_a.district
    client = client_as(cast.supporter)
    assert inactive not in client.get(URL).context["form"].fields["offers"].queryset
    response = client.post(
        URL,
        profile_data(
            cast,
            offers=[offer.pk],
            quality_areas=[area.pk],
            districts=[district.pk],
            works_at=f"{cast.school_b.number}, {cast.school_b.number}",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    profile = SupporterProfile.objects.get(person=cast.supporter, organisation=cast.organisation)
    assert list(profile.offers.all()) == [offer]
    assert list(profile.quality_areas.all()) == [area]
    assert list(profile.districts.all()) == [district]
    assert list(profile.works_at_schools.all()) == [cast.school_b]
    assert profile.school_types == ["oberschule", "gymnasium"]
    assert profile.languages == ["de", "en"]
    assert (profile.max_processes, profile.hours_per_month) == (4, 16)
    assert (profile.latitude, profile.longitude) == (Decimal("51.065000"), Decimal("13.750000"))
    assert profile.active
    # The page shows what was saved.
    again = client.get(URL)
    assert again.context["form"].initial["works_at"] == cast.school_b.number
    assert "Gymnasium Bergblick" in html(again)

    # Saving again changes the one profile.
    client.post(URL, profile_data(cast, max_processes="1", active=""))
    profile.refresh_from_db()
    assert (profile.max_processes, profile.active) == (1, False)
    assert SupporterProfile.objects.filter(person=cast.supporter).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"max_processes": "-1"}, "max_processes", "greater than or equal to 0"),
        ({"max_processes": ""}, "max_processes", "This field is required."),
        ({"hours_per_month": "-4"}, "hours_per_month", "greater than or equal to 0"),
        (
            {"latitude": "13.7373", "longitude": "51.0504"},
            "latitude longitude",
            "between 45 and 56",
        ),
        ({"longitude": "-13.7"}, "longitude", "between 4 and 20"),
        ({"longitude": ""}, "longitude", "both latitude and longitude, or neither"),
        ({"works_at": "99999"}, "works_at", "No school of the organisation has the number 99999"),
        ({"home_place": ""}, "home_place", "This field is required."),
    ],
    ids=[
        "negative capacity",
        "no capacity",
        "negative hours",
        "swapped coordinates",
        "longitude out of range",
        "latitude alone",
        "unknown school",
        "no place",
    ],
)
def test_bad_input_is_refused_with_the_reason(
    cast: Cast, client_as: ClientAs, changes: dict[str, str], field: str, message: str
) -> None:
    response = english(client_as(cast.supporter)).post(URL, profile_data(cast, **changes))
    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == field.split()
    assert message in html(response)
    assert not SupporterProfile.objects.exists()


def test_a_school_of_another_organisation_is_unknown(cast: Cast, client_as: ClientAs) -> None:
    foreign = SchoolFactory(number="77777")
    assert foreign.district.organisation != cast.organisation
    response = client_as(cast.supporter).post(URL, profile_data(cast, works_at="77777"))
    assert response.status_code == 400


def test_without_coordinates_the_schools_of_the_place_give_the_home_base(
    cast: Cast, client_as: ClientAs
) -> None:
    for lat, lon in (("51.0400", "13.7000"), ("51.0600", "13.8000")):
        SchoolFactory(
            district=cast.school_a.district,
            city="Pirna",
            postcode="01796",
            latitude=lat,
            longitude=lon,
        )
    client = english(client_as(cast.supporter))
    response = client.post(
        URL,
        profile_data(cast, home_postcode="01796", home_place="Pirna", latitude="", longitude=""),
        follow=True,
    )
    assert "taken the schools in Pirna as the point of your home base" in html(response)
    profile = SupporterProfile.objects.get(person=cast.supporter)
    assert (profile.latitude, profile.longitude) == (Decimal("51.050000"), Decimal("13.750000"))

    nowhere = client.post(
        URL,
        profile_data(
            cast, home_postcode="99999", home_place="Nirgendwo", latitude="", longitude=""
        ),
        follow=True,
    )
    assert "Without coordinates the distance to schools is unknown" in html(nowhere)
    profile.refresh_from_db()
    assert profile.latitude is None


def test_absences_are_added_listed_and_removed(cast: Cast, client_as: ClientAs) -> None:
    supporter_profile(cast.supporter, cast.organisation)
    client = english(client_as(cast.supporter))
    today = dt.date.today()
    response = client.post(
        "/begleitung/profil/abwesenheiten/",
        {
            "organisation": cast.organisation.slug,
            "absence-starts_on": (today + dt.timedelta(days=10)).isoformat(),
            "absence-ends_on": (today + dt.timedelta(days=20)).isoformat(),
            "absence-note": "Urlaub",
        },
    )
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert absence.note == "Urlaub"
    # A past absence is not listed.
    Absence.objects.create(
        profile=absence.profile,
        starts_on=today - dt.timedelta(days=9),
        ends_on=today - dt.timedelta(days=2),
    )
    page = client.get(URL)
    assert page.context["absences"] == [absence]
    assert "Urlaub" in html(page)

    assert (
        client.post(f"/begleitung/profil/abwesenheiten/{absence.pk}/loeschen/").status_code == 302
    )
    assert not Absence.objects.filter(pk=absence.pk).exists()


def test_an_absence_must_end_on_or_after_its_first_day(cast: Cast, client_as: ClientAs) -> None:
    supporter_profile(cast.supporter, cast.organisation)
    response = english(client_as(cast.supporter)).post(
        "/begleitung/profil/abwesenheiten/",
        {
            "organisation": cast.organisation.slug,
            "absence-starts_on": "2031-05-10",
            "absence-ends_on": "2031-05-09",
        },
    )
    assert response.status_code == 400
    assert "The absence must end on or after its first day." in html(response)
    assert not Absence.objects.exists()


def test_a_supporter_cannot_remove_anothers_absence(cast: Cast, client_as: ClientAs) -> None:
    theirs = supporter_profile(
        cast.other_supporter,
        cast.organisation,
        absences=[(dt.date(2031, 1, 1), dt.date(2031, 1, 2))],
    )
    absence = theirs.absences.get()
    response = client_as(cast.supporter).post(
        f"/begleitung/profil/abwesenheiten/{absence.pk}/loeschen/"
    )
    assert response.status_code == 404
    assert Absence.objects.filter(pk=absence.pk).exists()
    with pytest.raises(services.NotAllowed):
        services.absence_remove(absence=absence, by=cast.supporter)


def test_a_supporter_of_two_organisations_keeps_one_profile_in_each(
    cast: Cast, client_as: ClientAs
) -> None:
    Role.objects.create(
        person=cast.supporter, organisation=cast.other_organisation, kind=Role.Kind.SUPPORTER
    )
    client = client_as(cast.supporter)
    first = client.get(URL)
    assert [o.slug for o in first.context["organisations"]] == ["lag-ssa", "lasub"]
    assert first.context["organisation"].slug == "lag-ssa"
    response = client.post(URL, profile_data(cast))
    assert response["Location"] == f"{URL}?organisation=lasub"
    other = dict(profile_data(cast), organisation="lag-ssa", max_processes="1")
    client.post(URL, other)
    assert dict(
        SupporterProfile.objects.filter(person=cast.supporter).values_list(
            "organisation__slug", "max_processes"
        )
    ) == {"lasub": 4, "lag-ssa": 1}


def test_only_supporters_keep_a_profile(cast: Cast) -> None:
    with pytest.raises(services.NotAllowed):
        services.profile_save(
            person=cast.coordinator,
            organisation=cast.organisation,
            offers=[],
            quality_areas=[],
            school_types=[],
            districts=[],
            home_postcode="",
            home_place="",
            latitude=None,
            longitude=None,
            languages=[],
            max_processes=1,
            hours_per_month=None,
            works_at=[],
        )


# --- weights ------------------------------------------------------------------------------------


def weights_url(cast: Cast) -> str:
    return f"/organisation/{cast.organisation.slug}/abgleich/"


def test_the_admin_sees_the_default_weights_and_changes_them(
    cast: Cast, client_as: ClientAs
) -> None:
    client = client_as(cast.admin)
    response = client.get(weights_url(cast))
    assert response.status_code == 200
    assert response.context["form"].initial == {
        "offer": 5,
        "quality_area": 3,
        "school_type": 2,
        "distance": 3,
        "capacity": 3,
        "history": 2,
        "max_distance_km": 100,
    }
    new = {
        "offer": 8,
        "quality_area": 0,
        "school_type": 1,
        "distance": 6,
        "capacity": 4,
        "history": 0,
        "max_distance_km": 60,
    }
    response = client.post(weights_url(cast), {k: str(v) for k, v in new.items()})
    assert response.status_code == 302
    weights = weights_for(organisation_id=cast.organisation.pk)
    assert (weights.offer, weights.distance, weights.max_distance_km) == (8, 6, 60)
    assert client.get(weights_url(cast)).context["form"].initial == new
    # The other organisation keeps the defaults.
    assert weights_for(organisation_id=cast.other_organisation.pk).offer == 5


@pytest.mark.parametrize(
    ("field", "value"), [("offer", "11"), ("distance", "-1"), ("max_distance_km", "0")]
)
def test_weights_out_of_range_are_refused(
    cast: Cast, client_as: ClientAs, field: str, value: str
) -> None:
    data = {
        "offer": "5",
        "quality_area": "3",
        "school_type": "2",
        "distance": "3",
        "capacity": "3",
        "history": "2",
        "max_distance_km": "100",
        field: value,
    }
    response = client_as(cast.admin).post(weights_url(cast), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not MatchingWeights.objects.exists()


def test_the_settings_page_links_to_the_weights(cast: Cast, client_as: ClientAs) -> None:
    page = client_as(cast.admin).get(f"/organisation/{cast.organisation.slug}/einstellungen/")
    assert weights_url(cast) in html(page)


# --- data protection ----------------------------------------------------------------------------


def test_the_profile_and_absences_are_exported_and_erased_with_the_person(cast: Cast) -> None:
    supporter = person_with_role(Role.Kind.SUPPORTER, cast.organisation, email="weg@example.org")
    supporter_profile(
        supporter,
        cast.organisation,
        home_place="Radebeul",
        absences=[(dt.date(2031, 1, 1), dt.date(2031, 1, 9))],
    )
    exported = privacy.person_export(
        person=supporter, by=cast.admin, organisation=cast.organisation
    )
    text = str(exported)
    assert "Radebeul" in text
    assert "2031-01-09" in text
    privacy.person_erase(
        person=supporter,
        by=cast.admin,
        organisation=cast.organisation,
        confirmation="weg@example.org",
    )
    assert not SupporterProfile.objects.filter(person=supporter).exists()
    assert not Absence.objects.exists()
