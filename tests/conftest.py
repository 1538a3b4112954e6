"""Shared fixtures: fast settings, the named cast of STYLE.md and requests in every state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lotse.core.models import Organisation, Person, Role
from lotse.support.models import SupportRequest
from tests.factories import (
    Cast,
    DistrictFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolFactory,
    SiteFactory,
    bring_to_state,
    person_with_role,
)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any) -> None:
    """MD5 hashing for speed; tasks run at once, so no worker is needed; no SMTP server."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SMTP_HOST = ""


@pytest.fixture
def cast(db: None) -> Cast:
    """One organisation with two sites; school A and B are both served by site A. A second
    organisation has its own site, school and admin."""
    organisation = OrganisationFactory(
        slug="lasub", name="Landesamt für Schule und Bildung", mail_from="lotse@lasub.example"
    )
    site_a = SiteFactory(
        organisation=organisation, name="Standort Dresden", email="dresden@lasub.example"
    )
    site_b = SiteFactory(
        organisation=organisation, name="Standort Leipzig", email="leipzig@lasub.example"
    )
    district_a = DistrictFactory(site=site_a, name="Dresden")
    DistrictFactory(site=site_b, name="Leipzig")
    school_a = SchoolFactory(name="Oberschule am Elbufer", number="11111", district=district_a)
    school_b = SchoolFactory(
        name="Gymnasium Bergblick", number="22222", district=district_a, school_type="gymnasium"
    )
    # A second organisation with its own site and school, run by its own admin.
    other_organisation = OrganisationFactory(
        slug="lag-ssa",
        name="LAG Schulsozialarbeit Niedersachsen",
        kind=Organisation.Kind.ASSOCIATION,
        state="NI",
        mail_from="lotse@lag-ssa.example",
    )
    other_site = SiteFactory(organisation=other_organisation, name="Regionalgruppe Hannover")
    SchoolFactory(
        state="NI",
        name="IGS Linden",
        number="90001",
        district=DistrictFactory(site=other_site, name="Region Hannover"),
    )
    kind = Role.Kind
    return Cast(
        organisation=organisation,
        site_a=site_a,
        site_b=site_b,
        school_a=school_a,
        school_b=school_b,
        school_contact_a=person_with_role(
            kind.SCHOOL_CONTACT,
            organisation,
            school=school_a,
            email="leitung@schule-a.example",
            first_name="Sabine",
            last_name="Schulz",
        ),
        school_contact_b=person_with_role(
            kind.SCHOOL_CONTACT,
            organisation,
            school=school_b,
            email="leitung@schule-b.example",
            first_name="Bernd",
            last_name="Bauer",
        ),
        coordinator=person_with_role(
            kind.COORDINATOR,
            organisation,
            sites=[site_a],
            email="koordination@dresden.example",
            first_name="Karla",
            last_name="Koch",
        ),
        other_coordinator=person_with_role(
            kind.COORDINATOR,
            organisation,
            sites=[site_b],
            email="koordination@leipzig.example",
            first_name="Lutz",
            last_name="Lange",
        ),
        supporter=person_with_role(
            kind.SUPPORTER,
            organisation,
            sites=[site_a],
            email="berta@begleitung.example",
            first_name="Berta",
            last_name="Berger",
        ),
        other_supporter=person_with_role(
            kind.SUPPORTER,
            organisation,
            sites=[site_a],
            email="otto@begleitung.example",
            first_name="Otto",
            last_name="Olbrich",
        ),
        admin=person_with_role(
            kind.ADMIN,
            organisation,
            email="admin@lasub.example",
            first_name="Anna",
            last_name="Admin",
        ),
        outsider=PersonFactory(email="niemand@example.org", first_name="Nora", last_name="Niemand"),
        other_organisation=other_organisation,
        other_admin=person_with_role(
            kind.ADMIN,
            other_organisation,
            email="admin@lag-ssa.example",
            first_name="Olga",
            last_name="Otto",
        ),
    )


@pytest.fixture
def organisation(cast: Cast) -> Organisation:
    return cast.organisation


@pytest.fixture
def school_contact_a(cast: Cast) -> Person:
    return cast.school_contact_a


@pytest.fixture
def school_contact_b(cast: Cast) -> Person:
    return cast.school_contact_b


@pytest.fixture
def coordinator(cast: Cast) -> Person:
    return cast.coordinator


@pytest.fixture
def other_coordinator(cast: Cast) -> Person:
    return cast.other_coordinator


@pytest.fixture
def supporter(cast: Cast) -> Person:
    return cast.supporter


@pytest.fixture
def other_supporter(cast: Cast) -> Person:
    return cast.other_supporter


@pytest.fixture
def admin(cast: Cast) -> Person:
    return cast.admin


@pytest.fixture
def outsider(cast: Cast) -> Person:
    return cast.outsider


@pytest.fixture
def request_in_state(cast: Cast) -> Callable[..., SupportRequest]:
    """`request_in_state(state, proposal_accepted=True, drafted=False, **submit)`."""

    def make(state: str, **kwargs: Any) -> SupportRequest:
        return bring_to_state(cast, state, **kwargs)

    return make


@pytest.fixture
def client_as(client: Client) -> Callable[[Person | None], Client]:
    """The test client, logged in as the given person (or anonymous for None)."""

    def login(person: Person | None) -> Client:
        client.logout()
        if person is not None:
            client.force_login(person)
        return client

    return login
