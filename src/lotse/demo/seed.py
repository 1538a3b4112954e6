"""Write the demo data of `lotse.demo.data` idempotently, keyed on natural keys."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import models, transaction
from django.utils import timezone

from lotse.catalog.models import (
    Absence,
    Characteristic,
    Criterion,
    Offer,
    QualityArea,
    SupporterProfile,
    SupporterType,
)
from lotse.core import security
from lotse.core.models import District, Organisation, Person, Role, School, Site
from lotse.demo import data, scenarios
from lotse.support.models import EvaluationQuestion, Mailbox, Method, SupportRequest

_SIX_PLACES = Decimal("0.000001")

LABELS: dict[type[models.Model], str] = {
    Organisation: "Organisationen",
    Site: "Standorte",
    District: "Landkreise/Städte",
    School: "Schulen",
    QualityArea: "Qualitätsbereiche",
    Characteristic: "Merkmale",
    Criterion: "Kriterien",
    SupporterType: "Weitere Unterstützung",
    Person: "Personen",
    Role: "Rollen",
    Offer: "Angebote",
    SupporterProfile: "Unterstützerprofile",
    Absence: "Abwesenheiten",
    Method: "Methoden",
    EvaluationQuestion: "Auswertungsfragen",
    Mailbox: "Postfächer",
}


@dataclass
class Report:
    """What one run created or changed, per model."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    requests_created: int = 0
    fresh: set[tuple[str, int]] = field(default_factory=set)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.requests_created)


def _upsert[M: models.Model](
    report: Report, model: type[M], lookup: dict[str, Any], values: dict[str, Any]
) -> M:
    """Get the row by its natural key; create it, or save only the fields that differ."""
    obj = model._default_manager.filter(**lookup).first()
    name = LABELS[model]
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        report.created[name] += 1
        report.fresh.add((model._meta.label, obj.pk))
        return obj
    changed = [key for key, value in values.items() if getattr(obj, key) != value]
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.save(update_fields=changed)
        report.updated[name] += 1
    return obj


def _set_m2m(report: Report, obj: models.Model, name: str, targets: list[models.Model]) -> None:
    manager = getattr(obj, name)
    if set(manager.values_list("pk", flat=True)) != {t.pk for t in targets}:
        manager.set(targets)
        if (obj._meta.label, obj.pk) not in report.fresh:
            report.updated[LABELS[type(obj)]] += 1


def _coordinates(town: str, index: int) -> tuple[Decimal, Decimal]:
    """The town's coordinates, nudged a little per school so map markers do not overlap."""
    lat, lon, _code = data.TOWNS[town]
    lat += ((index * 7) % 11 - 5) * 0.0021
    lon += ((index * 5) % 13 - 6) * 0.0029
    return (
        Decimal(str(lat)).quantize(_SIX_PLACES),
        Decimal(str(lon)).quantize(_SIX_PLACES),
    )


def _school_phone(school: data.SchoolData) -> str:
    code = data.TOWNS[school.city][2]
    digits = school.number[-5:]
    return f"{code} {digits[:3]}{int(digits[3:]) % 90 + 10:02d}-0"


def _seed_methods_and_questions(report: Report, org: Organisation) -> None:
    """The methods supporters explain to schools, and the questions of the evaluation."""
    for name, description in data.METHODS:
        _upsert(
            report,
            Method,
            {"organisation": org, "name": name},
            {"description": description, "active": True},
        )
    for position, (text, audience, kind) in enumerate(data.EVALUATION_QUESTIONS, 1):
        _upsert(
            report,
            EvaluationQuestion,
            {"organisation": org, "text": text},
            {"audience": audience, "kind": kind, "position": position, "active": True},
        )


def _seed_mailbox(report: Report, site: Site) -> None:
    """Each site reads the mailbox of the address it receives at: the mailbox's user name is
    the site's address, as on a real mail server, so mail from it is recognised as Lotse's
    own. It points to the test Dovecot (`scripts/dovecot.sh start`, any user name, password
    `lotse-test`) and is switched off; an admin switches it on under *Postfächer*. One that
    exists is left as the admin set it."""
    if Mailbox.objects.filter(site=site).exists():
        return
    Mailbox.objects.create(
        site=site,
        host="127.0.0.1",
        port=int(os.environ.get("LOTSE_DOVECOT_IMAP_PORT") or 10143),
        security=Mailbox.Security.PLAIN,
        username=site.email,
        password=data.DEMO_MAILBOX_PASSWORD,
        folder="INBOX",
        done_folder="Lotse/Verarbeitet",
        active=False,
    )
    report.created[LABELS[Mailbox]] += 1


def seed_organisation(report: Report, org_data: data.OrganisationData) -> Organisation:
    org = _upsert(
        report,
        Organisation,
        {"slug": org_data.slug},
        {
            "name": org_data.name,
            "kind": org_data.kind,
            "state": org_data.state,
            "mail_from": org_data.mail_from,
            "acknowledgement_days": org_data.acknowledgement_days,
        },
    )

    sites: dict[str, Site] = {}
    districts: dict[str, District] = {}
    for site_data in org_data.sites:
        site = _upsert(
            report,
            Site,
            {"organisation": org, "name": site_data.name},
            {
                "email": site_data.email,
                "phone": site_data.phone,
                "statewide": site_data.statewide,
                "description": site_data.description,
            },
        )
        sites[site.name] = site
        _seed_mailbox(report, site)
        keys = data.DISTRICT_KEYS.get(org_data.state, {})
        for district_name in site_data.districts:
            districts[district_name] = _upsert(
                report,
                District,
                {"organisation": org, "name": district_name},
                {"site": site, "official_key": keys.get(district_name, "")},
            )

    schools: dict[str, School] = {}
    index = 0
    for district_name, school_list in org_data.schools.items():
        for school_data in school_list:
            index += 1
            latitude, longitude = _coordinates(school_data.city, index)
            schools[school_data.number] = _upsert(
                report,
                School,
                {"state": org_data.state, "number": school_data.number},
                {
                    "name": school_data.name,
                    "school_type": school_data.school_type,
                    "district": districts[district_name],
                    "street": school_data.street,
                    "postcode": school_data.postcode,
                    "city": school_data.city,
                    "latitude": latitude,
                    "longitude": longitude,
                    "email": f"sekretariat@{school_data.mail_domain}.example",
                    "phone": _school_phone(school_data),
                },
            )

    areas: dict[int, QualityArea] = {}
    for number, title, characteristics in org_data.quality_areas:
        areas[number] = _upsert(
            report,
            QualityArea,
            {"organisation": org, "number": number},
            {"title": title, "description": ""},
        )
        for position, (characteristic_title, criteria) in enumerate(characteristics, start=1):
            characteristic = _upsert(
                report,
                Characteristic,
                {"area": areas[number], "title": characteristic_title},
                {"position": position},
            )
            for index, text in enumerate(criteria, start=1):
                _upsert(
                    report,
                    Criterion,
                    {"characteristic": characteristic, "text": text},
                    {"position": index},
                )

    for position, item in enumerate(org_data.supporter_types, start=1):
        _upsert(
            report,
            SupporterType,
            {"organisation": org, "name": item.name},
            {
                "description": item.description,
                "contact_name": item.contact_name,
                "contact_phone": item.contact_phone,
                "contact_email": item.contact_email,
                "link": item.link,
                "position": position,
                "active": True,
            },
        )

    people: dict[str, Person] = {}
    for person_data in org_data.people:
        people[person_data.email] = _seed_person(report, org, person_data, sites, schools)

    offers: dict[str, Offer] = {}
    for offer_data in org_data.offers:
        contact = people[offer_data.contact]
        offer = offers[offer_data.title] = _upsert(
            report,
            Offer,
            {"organisation": org, "title": offer_data.title},
            {
                "site": sites[offer_data.site] if offer_data.site else None,
                "description": offer_data.description,
                "services": "\n".join(offer_data.services),
                "target_groups": "\n".join(offer_data.target_groups),
                "cost": offer_data.cost,
                "contact_name": contact.get_full_name(),
                "contact_phone": contact.phone,
                "contact_email": contact.email,
                "active": True,
            },
        )
        _set_m2m(report, offer, "quality_areas", [areas[n] for n in offer_data.quality_areas])
    _seed_methods_and_questions(report, org)
    for profile_data in org_data.profiles:
        _seed_profile(
            report,
            org,
            profile_data,
            people=people,
            offers=offers,
            areas=areas,
            districts=districts,
            schools=schools,
        )
    return org


def _seed_profile(
    report: Report,
    org: Organisation,
    profile_data: data.ProfileData,
    *,
    people: dict[str, Person],
    offers: dict[str, Offer],
    areas: dict[int, QualityArea],
    districts: dict[str, District],
    schools: dict[str, School],
) -> SupporterProfile:
    """A supporter's profile; its absence is set when the profile is new, counted from today."""
    lat, lon, _code = data.TOWNS[profile_data.home_place]
    profile = _upsert(
        report,
        SupporterProfile,
        {"organisation": org, "person": people[profile_data.email]},
        {
            "school_types": list(profile_data.school_types),
            "home_postcode": profile_data.home_postcode,
            "home_place": profile_data.home_place,
            "latitude": Decimal(str(lat)).quantize(_SIX_PLACES),
            "longitude": Decimal(str(lon)).quantize(_SIX_PLACES),
            "languages": list(profile_data.languages),
            "max_processes": profile_data.max_processes,
            "hours_per_month": profile_data.hours_per_month,
            "active": True,
        },
    )
    _set_m2m(report, profile, "offers", [offers[title] for title in profile_data.offers])
    _set_m2m(report, profile, "quality_areas", [areas[n] for n in profile_data.quality_areas])
    _set_m2m(report, profile, "districts", [districts[name] for name in profile_data.districts])
    _set_m2m(
        report, profile, "works_at_schools", [schools[number] for number in profile_data.works_at]
    )
    fresh = (SupporterProfile._meta.label, profile.pk) in report.fresh
    if fresh and profile_data.absence is not None:
        first, last = profile_data.absence
        today = timezone.localdate()
        Absence.objects.create(
            profile=profile,
            starts_on=today + dt.timedelta(days=first),
            ends_on=today + dt.timedelta(days=last),
            note=profile_data.note,
        )
        report.created[LABELS[Absence]] += 1
    return profile


def _seed_person(
    report: Report,
    org: Organisation,
    person_data: data.PersonData,
    sites: dict[str, Site],
    schools: dict[str, School],
) -> Person:
    values: dict[str, Any] = {
        "first_name": person_data.first_name,
        "last_name": person_data.last_name,
        "phone": person_data.phone,
    }
    if person_data.superuser:
        values |= {"is_staff": True, "is_superuser": True}
    person = Person.objects.filter(email=person_data.email).first()
    if person is None:
        # The password is set once; a later run keeps a password the person changed.
        person = Person.objects.create_user(person_data.email, data.DEMO_PASSWORD, **values)
        report.created[LABELS[Person]] += 1
    else:
        person = _upsert(report, Person, {"pk": person.pk}, values)

    role = _upsert(
        report,
        Role,
        {
            "person": person,
            "organisation": org,
            "kind": person_data.role,
            "school": schools[person_data.school] if person_data.school else None,
        },
        {"title": person_data.title},
    )
    _set_m2m(report, role, "sites", [sites[name] for name in person_data.sites])
    _give_demo_authenticator(report, person)
    return person


def _give_demo_authenticator(report: Report, person: Person) -> None:
    """Staff need a second factor: an authenticator app with the published demo secret,
    unless the person already set one up."""
    person = Person.objects.get(pk=person.pk)  # roles are cached per object; read them afresh
    if not security.is_staff_person(person) or security.has_second_factor(person):
        return
    TOTP.activate(person, data.DEMO_TOTP_SECRET)
    report.created["Authenticator-Apps (Demo-Schlüssel)"] += 1


def has_demo_authenticator(person: Person) -> bool:
    """Whether the person's authenticator app is the one with the published demo secret."""
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.filter(
        user_id=person.pk, type=Authenticator.Type.TOTP
    ).first()
    return authenticator is not None and (
        decrypt(authenticator.data["secret"]) == data.DEMO_TOTP_SECRET
    )


def seed(*, with_requests: bool = True) -> Report:
    """Create or update all demo data in one transaction; requests only for a fresh org."""
    report = Report()
    with transaction.atomic():
        organisations = [seed_organisation(report, org) for org in data.ORGANISATIONS]
        lasub = organisations[0]
        if with_requests and not SupportRequest.objects.filter(organisation=lasub).exists():
            report.requests_created = scenarios.create_requests(lasub)
    return report
