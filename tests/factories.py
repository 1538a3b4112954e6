"""factory_boy factories for the models, and the walk of a request through the real services."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

import factory
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.utils import timezone
from factory.django import DjangoModelFactory

from lotse.catalog.models import Absence, Offer, QualityArea, SupporterProfile
from lotse.core.models import District, Organisation, Person, Role, School, Site
from lotse.support.models import Agreement, Meeting, Proposal, State, SupportRequest
from lotse.support.services import agreements as agreement_services
from lotse.support.services import completion as completion_services
from lotse.support.services import requests as request_services

PASSWORD = "Lotse-Test-Passwort-1!"
# The authenticator-app secret of the staff people made here (base32, as the apps take it).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STAFF_KINDS = {Role.Kind.COORDINATOR, Role.Kind.SUPPORTER, Role.Kind.ADMIN}


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"lasub-{n}")
    name = factory.Sequence(lambda n: f"Landesamt für Schule und Bildung {n}")
    kind = Organisation.Kind.SUPPORT_SYSTEM
    state = "SN"
    acknowledgement_days = 7
    reminder_days_before = 2
    mail_from = "lotse@lasub.example"


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Standort {n}")
    email = factory.Sequence(lambda n: f"standort{n}@lasub.example")


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    site = factory.SubFactory(SiteFactory)
    organisation = factory.SelfAttribute("site.organisation")
    name = factory.Sequence(lambda n: f"Landkreis {n}")


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    state = "SN"
    number = factory.Sequence(lambda n: f"{40000 + n}")
    name = factory.Sequence(lambda n: f"Oberschule Nummer {n}")
    school_type = School.Type.OBERSCHULE
    district = factory.SubFactory(DistrictFactory)
    city = "Dresden"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Vorname{n}")
    last_name = factory.Sequence(lambda n: f"Nachname{n}")
    password = factory.django.Password(PASSWORD)


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    kind = Role.Kind.SUPPORTER

    @factory.post_generation
    def sites(self, create: bool, extracted: list[Site] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.sites.add(*extracted)


class QualityAreaFactory(DjangoModelFactory):
    class Meta:
        model = QualityArea

    organisation = factory.SubFactory(OrganisationFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Qualitätsbereich {n}")


class OfferFactory(DjangoModelFactory):
    class Meta:
        model = Offer

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Angebot {n}")


def supporter_profile(
    person: Person,
    organisation: Organisation,
    *,
    offers: Sequence[Offer] = (),
    quality_areas: Sequence[QualityArea] = (),
    districts: Sequence[District] = (),
    works_at: Sequence[School] = (),
    absences: Sequence[tuple[dt.date, dt.date]] = (),
    **values: Any,
) -> SupporterProfile:
    """A supporter's profile with its lists and absences; by default in Dresden, 3 places."""
    values.setdefault("home_postcode", "01067")
    values.setdefault("home_place", "Dresden")
    values.setdefault("latitude", Decimal("51.050400"))
    values.setdefault("longitude", Decimal("13.737300"))
    profile = SupporterProfile.objects.create(person=person, organisation=organisation, **values)
    profile.offers.set(offers)
    profile.quality_areas.set(quality_areas)
    profile.districts.set(districts)
    profile.works_at_schools.set(works_at)
    for starts_on, ends_on in absences:
        Absence.objects.create(profile=profile, starts_on=starts_on, ends_on=ends_on)
    return profile


def person_with_role(
    kind: str,
    organisation: Organisation,
    *,
    school: School | None = None,
    sites: list[Site] | None = None,
    second_factor: bool | None = None,
    **person: Any,
) -> Person:
    """A new person holding one role. Staff get an authenticator app (TOTP_SECRET), as they
    must have one to use Lotse; `second_factor=False` leaves it out, True adds it for anyone."""
    someone = PersonFactory(**person)
    RoleFactory(person=someone, organisation=organisation, kind=kind, school=school, sites=sites)
    if second_factor if second_factor is not None else kind in STAFF_KINDS:
        give_totp(someone)
    return someone


def give_totp(person: Person, secret: str = TOTP_SECRET) -> Authenticator:
    """Set up an authenticator app for the person, as allauth does after a scan."""
    return TOTP.activate(person, secret).instance


def totp_code(person: Person, *, steps_ahead: int = 0) -> str:
    """The code the person's authenticator app shows now, from the stored secret."""
    authenticator = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD + steps_ahead
    return format_hotp_value(hotp_value(secret, counter))


def submit_request(school: School, by: Person | None, **overrides: Any) -> SupportRequest:
    """Step 1 through the service, with sensible defaults."""
    values: dict[str, Any] = {
        "subject": "Feedbackkultur im Kollegium",
        "text": "Wir möchten eine Feedbackkultur im Kollegium aufbauen.",
        "contact_name": "Sekretariat",
        "contact_email": "sekretariat@schule-a.example",
    }
    values.update(overrides)
    return request_services.request_submit(school=school, by=by, **values)


# --- the named cast and the walk through the process ------------------------------------------


@dataclass
class Cast:
    """The people and places of STYLE.md's named cast."""

    organisation: Organisation
    site_a: Site
    site_b: Site
    school_a: School
    school_b: School
    school_contact_a: Person
    school_contact_b: Person
    coordinator: Person
    other_coordinator: Person
    supporter: Person
    other_supporter: Person
    admin: Person
    outsider: Person
    # The admin of a second organisation, with its own site and school: admins of two
    # organisations, so no page of one organisation opens to the other's admin.
    other_organisation: Organisation
    other_admin: Person

    def person(self, name: str) -> Person:
        """A member of the cast by fixture name, freshly loaded (role caches live on objects)."""
        return Person.objects.get(pk=getattr(self, name).pk)


def build_cast() -> Cast:
    """The named cast, made with the factories: one organisation with two sites; school A and
    B are both served by site A. A second organisation has its own site, school and admin."""
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


def reload_cast(cast: Cast) -> Cast:
    """The same cast with every member freshly loaded from the database by primary key, so
    what one test changes on its objects (and the role caches on them) stays with that test."""
    members = {f.name: getattr(cast, f.name) for f in fields(cast)}
    by_model: dict[type[Any], dict[Any, Any]] = {}
    for model in {type(member) for member in members.values()}:
        pks = [m.pk for m in members.values() if type(m) is model]
        by_model[model] = model.objects.in_bulk(pks)
    return Cast(**{name: by_model[type(m)][m.pk] for name, m in members.items()})


GOALS = "Feedback im Unterricht verankern\nSchuelerfeedback zweimal im Jahr"


def meeting_time() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=7)


def draft(cast: Cast, sr: SupportRequest, by: Person | None = None, **overrides: Any) -> Agreement:
    """A valid Kontrakt draft by the supporter (or whoever is given)."""
    values: dict[str, Any] = {
        "participants": "Schulleitung, Steuergruppe",
        "goals": GOALS,
        "starts_on": timezone.localdate(),
        "ends_on": timezone.localdate() + dt.timedelta(days=120),
        "place": "Schule, Raum 3",
        "frequency": "monatlich, 90 Minuten",
        "confidentiality": "Was besprochen wird, bleibt im Raum.",
    }
    values.update(overrides)
    return agreement_services.agreement_draft(request=sr, by=by or cast.supporter, **values)


def _latest(sr: SupportRequest) -> Agreement:
    return Agreement.objects.filter(request=sr).order_by("-version").first()  # type: ignore[return-value]


STEPS: dict[str, Callable[[Cast, SupportRequest], Any]] = {
    "acknowledge": lambda c, sr: request_services.request_acknowledge(
        request=sr, by=c.coordinator, message="Danke, wir melden uns."
    ),
    "clarify": lambda c, sr: request_services.request_clarify(
        request=sr, by=c.coordinator, note="Telefonat mit der Schulleitung."
    ),
    "propose": lambda c, sr: request_services.request_propose(
        request=sr, by=c.coordinator, supporters=[c.supporter], note="Passt gut."
    ),
    "accept_proposal": lambda c, sr: request_services.proposal_accept(
        proposal=Proposal.objects.get(request=sr, supporter=c.supporter), by=c.supporter
    ),
    "first_contact": lambda c, sr: request_services.request_first_contact(
        request=sr, by=c.supporter, note="Erstes Telefonat."
    ),
    "schedule": lambda c, sr: request_services.request_schedule_meeting(
        request=sr,
        by=c.supporter,
        starts_at=meeting_time(),
        place="Schule, Raum 3",
        participants="Schulleitung, Steuergruppe",
    ),
    # The first Kontrakt binds only after the first meeting took place: move it into the past.
    "meeting_held": lambda c, sr: Meeting.objects.filter(request=sr).update(
        starts_at=timezone.now() - dt.timedelta(hours=2)
    ),
    "draft": draft,
    "accept_supporter": lambda c, sr: agreement_services.agreement_accept(
        agreement=_latest(sr), by=c.supporter
    ),
    "accept_school": lambda c, sr: agreement_services.agreement_accept(
        agreement=_latest(sr), by=c.school_contact_a
    ),
    "start": lambda c, sr: request_services.request_start(request=sr, by=c.supporter),
    "reflect": lambda c, sr: completion_services.final_reflection_write(
        request=sr, by=c.supporter, text="Wir haben eine Feedbackkultur begonnen."
    ),
    "confirm_reflection": lambda c, sr: completion_services.final_reflection_confirm(
        request=sr, by=c.school_contact_a
    ),
    "complete": lambda c, sr: request_services.request_complete(request=sr, by=c.supporter),
    "no_collaboration": lambda c, sr: request_services.request_no_collaboration(
        request=sr, by=c.supporter, reason="Die Chemie stimmte nicht."
    ),
    "withdraw": lambda c, sr: request_services.request_withdraw(
        request=sr, by=c.school_contact_a, reason="Hat sich erledigt."
    ),
    "forward": lambda c, sr: request_services.request_forward(
        request=sr, by=c.coordinator, recipient="Schulpsychologischer Dienst"
    ),
}

_TO_IN_CONTACT = ["acknowledge", "clarify", "propose", "accept_proposal", "first_contact"]
_TO_SCHEDULED = [*_TO_IN_CONTACT, "schedule"]
_TO_AGREED = [*_TO_SCHEDULED, "meeting_held", "draft", "accept_supporter", "accept_school"]

PATHS: dict[str, list[str]] = {
    State.RECEIVED: [],
    State.ACKNOWLEDGED: ["acknowledge"],
    State.CLARIFIED: ["acknowledge", "clarify"],
    State.SUPPORTERS_PROPOSED: ["acknowledge", "clarify", "propose", "accept_proposal"],
    State.IN_CONTACT: _TO_IN_CONTACT,
    State.MEETING_SCHEDULED: _TO_SCHEDULED,
    State.AGREED: _TO_AGREED,
    State.ACCOMPANYING: [*_TO_AGREED, "start"],
    State.COMPLETED: [*_TO_AGREED, "start", "reflect", "confirm_reflection", "complete"],
    State.CLOSED_WITHOUT_AGREEMENT: [*_TO_IN_CONTACT, "no_collaboration"],
    State.WITHDRAWN: [*_TO_IN_CONTACT, "withdraw"],
    State.FORWARDED: ["acknowledge", "forward"],
}


def walk(cast: Cast, sr: SupportRequest, *steps: str) -> SupportRequest:
    """Take the named steps through the services and return the request, fresh from the DB."""
    for step in steps:
        STEPS[step](cast, sr)
        sr = SupportRequest.objects.get(pk=sr.pk)
    return sr


def bring_to_state(
    cast: Cast,
    state: str,
    *,
    proposal_accepted: bool = True,
    drafted: bool = False,
    reflected: bool = False,
    **submit: Any,
) -> SupportRequest:
    """A request of school A, taken by the real services into the given state.

    `proposal_accepted=False` leaves the supporter's proposal open (only for
    SUPPORTERS_PROPOSED); `drafted=True` adds a Kontrakt draft (only for MEETING_SCHEDULED);
    `reflected=True` adds a final reflection both sides confirmed (only for ACCOMPANYING), so
    the process can be completed.
    """
    steps = list(PATHS[state])
    if not proposal_accepted:
        assert state == State.SUPPORTERS_PROPOSED
        steps.remove("accept_proposal")
    if drafted:
        assert state == State.MEETING_SCHEDULED
        steps += ["meeting_held", "draft"]
    if reflected:
        assert state == State.ACCOMPANYING
        steps += ["reflect", "confirm_reflection"]
    sr = submit_request(cast.school_a, cast.school_contact_a, **submit)
    sr = walk(cast, sr, *steps)
    assert sr.state == state
    return sr
