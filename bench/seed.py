"""Seed a Lotse database with realistic bulk data for the benchmark.

Run it in the environment of the database to fill (DATABASE_URL, LOTSE_DATA_DIR), after
`lotse migrate`:

    DJANGO_SETTINGS_MODULE=lotse.settings python bench/seed.py \
        --requests 100000 --schools 3000 --out info.json

It writes rows with bulk_create, not through the services: the services send mail and check
the workflow per step, which is far too slow for 100,000 requests. The data follows the
process nevertheless: every request's timeline is a plausible path to its state, open
requests are recent, closed ones spread over five years, and several hundred are overdue.

One special request in the first site has a long timeline (200 events by default), three
proposals, a first meeting and two Kontrakt versions with acceptances; the benchmark
measures its detail page. The JSON written to --out names the coordinator of that site, the
password of every seeded person and the special request's pk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BATCH = 5_000
PASSWORD = "bench-lotse-2024"
# Staff must log in with a second factor: every coordinator's authenticator app has this secret.
TOTP_SECRET = "BENCHLOTSEBENCHLOTSEBENCHLOTSE22"
DAY = dt.timedelta(days=1)

SITES: dict[str, list[tuple[str, list[str]]]] = {
    # site: [(district, [towns])]
    "Bautzen": [
        ("Landkreis Bautzen", ["Bautzen", "Hoyerswerda", "Kamenz", "Bischofswerda"]),
        ("Landkreis Görlitz", ["Görlitz", "Zittau", "Löbau", "Weißwasser"]),
    ],
    "Chemnitz": [
        ("Chemnitz", ["Chemnitz"]),
        ("Erzgebirgskreis", ["Annaberg-Buchholz", "Aue-Bad Schlema", "Marienberg", "Stollberg"]),
        ("Landkreis Mittelsachsen", ["Freiberg", "Döbeln", "Mittweida", "Flöha"]),
    ],
    "Dresden": [
        ("Dresden", ["Dresden"]),
        ("Sächsische Schweiz-Osterzgebirge", ["Pirna", "Freital", "Dippoldiswalde", "Sebnitz"]),
    ],
    "Leipzig": [
        ("Leipzig", ["Leipzig"]),
        ("Landkreis Leipzig", ["Borna", "Grimma", "Markkleeberg", "Wurzen"]),
        ("Landkreis Nordsachsen", ["Torgau", "Delitzsch", "Eilenburg", "Oschatz"]),
    ],
    "Radebeul": [
        ("Landkreis Meißen", ["Meißen", "Radebeul", "Riesa", "Großenhain", "Coswig"]),
    ],
    "Zwickau": [
        ("Landkreis Zwickau", ["Zwickau", "Crimmitschau", "Glauchau", "Werdau"]),
        ("Vogtlandkreis", ["Plauen", "Reichenbach", "Auerbach", "Oelsnitz"]),
    ],
}

SCHOOL_TYPES = [  # (value, name prefix, weight)
    ("grundschule", "Grundschule", 45),
    ("oberschule", "Oberschule", 22),
    ("gymnasium", "Gymnasium", 11),
    ("foerderschule", "Förderschule", 10),
    ("berufsschule", "Berufliches Schulzentrum", 8),
    ("gesamtschule", "Gemeinschaftsschule", 4),
]

QUALITY_AREAS = [
    "Lehren und Lernen",
    "Schulkultur",
    "Führung und Schulmanagement",
    "Professionalität der Lehrkräfte",
    "Kooperation und Vernetzung",
    "Ergebnisse und Wirkungen",
]

OFFERS = [
    "Prozessbegleitung Schulentwicklung",
    "Teamentwicklung im Kollegium",
    "Moderation von Konferenzen",
    "Beratung zur Unterrichtsentwicklung",
    "Konfliktmoderation",
    "Begleitung digitaler Schulentwicklung",
    "Coaching für Schulleitungen",
    "Feedbackkultur entwickeln",
]

SUBJECTS = [
    "Begleitung unseres Schulentwicklungsprozesses",
    "Konflikte im Kollegium",
    "Teamentwicklung nach Schulleitungswechsel",
    "Unterrichtsentwicklung im Fachbereich Mathematik",
    "Umgang mit herausforderndem Verhalten",
    "Elternarbeit stärken",
    "Fortschreibung des Schulprogramms",
    "Digitale Medien im Unterricht",
    "Ganztagsangebote weiterentwickeln",
    "Inklusion im Schulalltag",
    "Moderation eines pädagogischen Tages",
    "Feedback von Schülerinnen und Schülern einführen",
    "Übergang Grundschule – weiterführende Schule",
    "Kooperation mit der Schulsozialarbeit",
]

# fmt: off
FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hannes", "Ines", "Jonas", "Katrin",
    "Lukas", "Maria", "Nils", "Olga", "Paul", "Ronja", "Stefan", "Tina", "Uwe", "Vera",
    "Wolfgang", "Yvonne", "Zoe", "Heike", "Jens", "Sabine", "Thomas", "Ute", "Frank",
]
LAST_NAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Braun",
    "Krüger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler",
]
# fmt: on

NOTES = [
    "Telefonat mit der Schulleitung, Anliegen besprochen.",
    "Die Schule wünscht einen Termin nach den Ferien.",
    "Steuergruppe hat sich konstituiert; nächster Termin vereinbart.",
    "Zwischenstand im Kollegium vorgestellt, Rückmeldungen gesammelt.",
    "Ziele für das nächste Halbjahr nachgeschärft.",
    "Auswertung der Feedbackbögen besprochen.",
]

# The states of the bulk requests, with weights: most are closed, a few thousand open.
STATE_WEIGHTS = [
    ("completed", 6_900),
    ("closed_without_agreement", 1_100),
    ("withdrawn", 500),
    ("forwarded", 1_000),
    ("received", 80),
    ("acknowledged", 70),
    ("clarified", 50),
    ("supporters_proposed", 50),
    ("in_contact", 40),
    ("meeting_scheduled", 40),
    ("agreed", 30),
    ("accompanying", 140),
]
CLOSED = {"completed", "closed_without_agreement", "withdrawn", "forwarded"}

# The canonical path through the process; a request's timeline is a prefix of it.
PATH = [
    "received",
    "acknowledged",
    "clarified",
    "proposed",
    "proposal_accepted",
    "first_contact",
    "meeting_scheduled",
    "agreement_drafted",
    "agreement_accepted",
    "agreed",
    "started",
    "completed",
]
PATH_END = {  # state -> last event of the canonical path reached in that state
    "acknowledged": "acknowledged",
    "clarified": "clarified",
    "supporters_proposed": "proposed",
    "in_contact": "first_contact",
    "meeting_scheduled": "meeting_scheduled",
    "agreed": "agreed",
    "accompanying": "started",
    "completed": "completed",
}
# Who acts for each kind of event: the school, the coordination, the supporter, or Lotse.
ACTOR = {
    "received": "school",
    "acknowledged": "coordinator",
    "clarified": "coordinator",
    "proposed": "coordinator",
    "proposal_accepted": "supporter",
    "proposal_declined": "supporter",
    "first_contact": "supporter",
    "meeting_scheduled": "supporter",
    "agreement_drafted": "supporter",
    "agreement_accepted": "school",
    "agreed": None,
    "started": "supporter",
    "completed": "supporter",
    "no_collaboration": "supporter",
    "withdrawn": "school",
    "forwarded": "coordinator",
    "reminder": None,
}


@dataclass
class Seeded:
    organisation_id: int = 0
    site_ids: list[int] = field(default_factory=list)
    coordinator_by_site: dict[int, int] = field(default_factory=dict)
    coordinator_emails: dict[int, str] = field(default_factory=dict)
    supporters_by_site: dict[int, list[int]] = field(default_factory=dict)
    supporter_names: dict[int, str] = field(default_factory=dict)
    schools: list[tuple[int, int]] = field(default_factory=list)  # (school id, site id)
    contact_by_school: dict[int, tuple[int, str, str]] = field(default_factory=dict)
    quality_area_ids: list[int] = field(default_factory=list)
    offer_ids: list[int] = field(default_factory=list)


def _progress(message: str, started: float) -> None:
    print(f"  [{time.monotonic() - started:6.1f} s] {message}", file=sys.stderr, flush=True)


def _name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def _email(first: str, last: str, n: int, domain: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "-"})
    return f"{first}.{last}.{n}@{domain}".lower().translate(table)


def seed_people_and_places(rng: random.Random, schools: int, password_hash: str) -> Seeded:
    """The organisation, its sites and districts, schools, catalogue and people with roles."""
    out = Seeded()
    towns = _seed_organisation(out)
    school_rows = _seed_schools(rng, out, towns, schools)
    _seed_people(rng, out, school_rows, password_hash)
    return out


def _seed_organisation(out: Seeded) -> list[tuple[int, int, str]]:
    """Organisation, catalogue, sites and districts; returns (district id, site id, town)."""
    from lotse.catalog.models import Offer, QualityArea
    from lotse.core.models import District, Organisation, Site

    org = Organisation.objects.create(
        slug="lasub",
        name="Landesamt für Schule und Bildung",
        kind=Organisation.Kind.SUPPORT_SYSTEM,
        state="SN",
        mail_from="unterstuetzung@lasub.example",
    )
    out.organisation_id = org.pk
    areas = QualityArea.objects.bulk_create(
        QualityArea(organisation=org, number=i, title=t) for i, t in enumerate(QUALITY_AREAS, 1)
    )
    out.quality_area_ids = [a.pk for a in areas]

    towns: list[tuple[int, int, str]] = []  # (district id, site id, town)
    for site_name, districts in SITES.items():
        site = Site.objects.create(
            organisation=org,
            name=f"Standort {site_name}",
            email=f"{site_name.lower()}@lasub.example",
            phone="0351 0000",
        )
        out.site_ids.append(site.pk)
        for district_name, district_towns in districts:
            district = District.objects.create(organisation=org, name=district_name, site=site)
            towns.extend((district.pk, site.pk, town) for town in district_towns)

    offers = Offer.objects.bulk_create(
        Offer(organisation=org, title=title, description=f"{title} durch erfahrene Begleiter.")
        for title in OFFERS
    )
    out.offer_ids = [o.pk for o in offers]
    return towns


def _seed_schools(
    rng: random.Random, out: Seeded, towns: list[tuple[int, int, str]], schools: int
) -> list[Any]:
    from lotse.core.models import School

    # Schools: spread over the towns; the three cities get four times the weight of a town.
    type_weights = [t[2] for t in SCHOOL_TYPES]
    town_weights = [4 if town in {"Dresden", "Leipzig", "Chemnitz"} else 1 for _, _, town in towns]
    counter: dict[tuple[str, str], int] = {}
    school_rows = []
    school_sites = []
    for i in range(schools):
        district_id, site_id, town = rng.choices(towns, town_weights)[0]
        value, prefix, _ = rng.choices(SCHOOL_TYPES, type_weights)[0]
        n = counter[prefix, town] = counter.get((prefix, town), 0) + 1
        school_rows.append(
            School(
                state="SN",
                number=f"{4000000 + i}",
                name=f"{n}. {prefix} {town}",
                school_type=value,
                district_id=district_id,
                street=f"Schulstraße {rng.randint(1, 120)}",
                postcode=f"0{rng.randint(1000, 9999)}",
                city=town,
                email=f"schule{4000000 + i}@schulen.sachsen.example",
            )
        )
        school_sites.append(site_id)
    School.objects.bulk_create(school_rows, batch_size=BATCH)
    out.schools = [(s.pk, site) for s, site in zip(school_rows, school_sites, strict=True)]
    return school_rows


def _seed_people(
    rng: random.Random, out: Seeded, school_rows: list[Any], password_hash: str
) -> None:
    from lotse.core.models import Person, Role

    # People: one contact per school, one coordinator per site, twelve supporters per site.
    people: list[Person] = []
    plan: list[tuple[str, Any]] = []
    for school in school_rows:
        first, last = _name(rng)
        people.append(
            Person(
                email=_email(first, last, school.pk, "schulen.sachsen.example"),
                first_name=first,
                last_name=last,
                password=password_hash,
            )
        )
        plan.append(("school_contact", school))
    for k, site_id in enumerate(out.site_ids, 1):
        first, last = _name(rng)
        people.append(
            Person(
                email=f"koordination{k}@lasub.example",
                first_name=first,
                last_name=last,
                password=password_hash,
            )
        )
        plan.append(("coordinator", site_id))
        for j in range(12):
            first, last = _name(rng)
            people.append(
                Person(
                    email=_email(first, last, k * 100 + j, "lasub.example"),
                    first_name=first,
                    last_name=last,
                    password=password_hash,
                )
            )
            plan.append(("supporter", site_id))
    Person.objects.bulk_create(people, batch_size=BATCH)

    role_rows = []
    role_sites: list[int | None] = []
    for person, (kind, target) in zip(people, plan, strict=True):
        if kind == "school_contact":
            role_rows.append(
                Role(
                    person=person,
                    organisation_id=out.organisation_id,
                    kind=kind,
                    school=target,
                    title="Schulleitung",
                )
            )
            role_sites.append(None)
            name = f"{person.first_name} {person.last_name}"
            out.contact_by_school[target.pk] = (person.pk, name, person.email)
        else:
            title = "Regionalkoordination" if kind == "coordinator" else "Prozessbegleitung"
            role_rows.append(
                Role(person=person, organisation_id=out.organisation_id, kind=kind, title=title)
            )
            role_sites.append(target)
            if kind == "coordinator":
                out.coordinator_by_site[target] = person.pk
                out.coordinator_emails[target] = person.email
            else:
                out.supporters_by_site.setdefault(target, []).append(person.pk)
                out.supporter_names[person.pk] = f"{person.first_name} {person.last_name}"
    Role.objects.bulk_create(role_rows, batch_size=BATCH)
    _seed_authenticator_apps(list(out.coordinator_by_site.values()))
    Role.sites.through.objects.bulk_create(
        Role.sites.through(role_id=role.pk, site_id=site_id)
        for role, site_id in zip(role_rows, role_sites, strict=True)
        if site_id is not None
    )


def _seed_authenticator_apps(person_ids: list[int]) -> None:
    """The coordinators' authenticator apps (TOTP_SECRET), sealed as allauth stores them."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    Authenticator.objects.bulk_create(
        Authenticator(
            user_id=pk, type=Authenticator.Type.TOTP, data={"secret": encrypt(TOTP_SECRET)}
        )
        for pk in person_ids
    )


def _state_and_times(rng: random.Random, now: dt.datetime) -> tuple[str, dt.datetime]:
    state = rng.choices([s for s, _ in STATE_WEIGHTS], [w for _, w in STATE_WEIGHTS])[0]
    if state == "received":
        # Between 5 and 30 days old: reminded two days before the deadline; most are overdue.
        return state, now - dt.timedelta(hours=rng.uniform(5 * 24, 30 * 24))
    if state in CLOSED:
        return state, now - dt.timedelta(days=rng.uniform(14, 5 * 365))
    if state in {"acknowledged", "clarified", "supporters_proposed"}:
        return state, now - dt.timedelta(days=rng.uniform(3, 60))
    return state, now - dt.timedelta(days=rng.uniform(20, 400))


def _path(rng: random.Random, state: str) -> list[str]:
    """The kinds of events on a plausible way to the state."""
    if state == "received":
        return ["received", "reminder"]
    if state in PATH_END:
        return PATH[: PATH.index(PATH_END[state]) + 1]
    if state == "closed_without_agreement":
        return [*PATH[: rng.choice([6, 7])], "no_collaboration"]
    if state == "withdrawn":
        return [*PATH[: rng.randint(1, 6)], "withdrawn"]
    return ["received", "acknowledged", "forwarded"]


def _timeline(rng: random.Random, path: list[str]) -> list[str]:
    """2 to 6 events of the path: always its first and last, some steps between."""
    n = rng.randint(2, 6)
    if len(path) <= n:
        return path
    middle = sorted(rng.sample(range(1, len(path) - 1), n - 2))
    return [path[0], *(path[i] for i in middle), path[-1]]


def seed_requests(rng: random.Random, out: Seeded, count: int, now: dt.datetime) -> int:
    """`count` requests with their timelines and, past the proposal, their accepted proposal."""
    from lotse.support.models import Proposal, SupportRequest, TimelineEvent

    # Some schools ask often, most rarely: a heavy-tailed weight per school.
    school_weights = [rng.paretovariate(1.5) for _ in out.schools]
    next_id = (SupportRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    events_total = 0
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        requests: list[SupportRequest] = []
        events: list[TimelineEvent] = []
        proposals: list[Proposal] = []
        picks = rng.choices(out.schools, school_weights, k=size)
        for school_id, site_id in picks:
            pk = next_id
            next_id += 1
            state, received = _state_and_times(rng, now)
            due = received + 7 * DAY
            contact_id, contact_name, contact_email = out.contact_by_school[school_id]
            supporter_id = rng.choice(out.supporters_by_site[site_id])
            coordinator_id = out.coordinator_by_site[site_id]
            closed_at = None
            if state in CLOSED:
                closed_at = min(received + dt.timedelta(days=rng.uniform(10, 330)), now - DAY)
            end = closed_at or now
            path = _path(rng, state)
            acknowledged_at = (
                received + dt.timedelta(hours=rng.uniform(2, 150))
                if "acknowledged" in path
                else None
            )
            requests.append(
                SupportRequest(
                    pk=pk,
                    organisation_id=out.organisation_id,
                    site_id=site_id,
                    school_id=school_id,
                    submitted_by_id=contact_id,
                    channel="email" if rng.random() < 0.15 else "form",
                    subject=rng.choice(SUBJECTS),
                    text=(
                        "Wir möchten als Kollegium an diesem Thema arbeiten und wünschen uns "
                        "eine externe Begleitung. Bitte melden Sie sich bei uns."
                    ),
                    quality_area_id=(
                        rng.choice(out.quality_area_ids) if rng.random() < 0.7 else None
                    ),
                    offer_id=rng.choice(out.offer_ids) if rng.random() < 0.4 else None,
                    contact_name=contact_name,
                    contact_email=contact_email,
                    state=state,
                    received_at=received,
                    acknowledge_due_at=due,
                    acknowledged_at=acknowledged_at,
                    reminder_sent_at=due - 2 * DAY if state == "received" else None,
                    closed_at=closed_at,
                )
            )
            kinds = _timeline(rng, path)
            span = (end - received).total_seconds()
            stamps = sorted(rng.uniform(0, span) for _ in kinds[1:])
            actors = {
                "school": contact_id,
                "coordinator": coordinator_id,
                "supporter": supporter_id,
            }
            for kind, offset in zip(kinds, [0.0, *stamps], strict=True):
                if kind == "reminder":
                    at = due - 2 * DAY
                else:
                    at = received + dt.timedelta(seconds=offset)
                role = ACTOR[kind]
                events.append(
                    TimelineEvent(
                        request_id=pk,
                        kind=kind,
                        actor_id=actors[role] if role else None,
                        created_at=at,
                        data={"supporter": out.supporter_names[supporter_id]}
                        if kind == "proposed"
                        else {},
                    )
                )
            if "proposal_accepted" in path:
                proposals.append(
                    Proposal(
                        request_id=pk,
                        supporter_id=supporter_id,
                        proposed_by_id=coordinator_id,
                        status=Proposal.Status.ACCEPTED,
                        created_at=received + 10 * DAY,
                        decided_at=received + 12 * DAY,
                    )
                )
        SupportRequest.objects.bulk_create(requests, batch_size=BATCH)
        TimelineEvent.objects.bulk_create(events, batch_size=BATCH)
        Proposal.objects.bulk_create(proposals, batch_size=BATCH)
        done += size
        events_total += len(events)
    return events_total


def seed_special(rng: random.Random, out: Seeded, events: int, now: dt.datetime) -> int:
    """A long-running accompaniment in the first site: many events, 3 proposals, 1 meeting,
    2 Kontrakt versions (the first accepted by the school only, the second by both sides)."""
    from lotse.support.models import (
        Acceptance,
        Agreement,
        Meeting,
        Proposal,
        SupportRequest,
        TimelineEvent,
    )

    site_id = out.site_ids[0]
    school_id = next(school for school, site in out.schools if site == site_id)
    contact_id, contact_name, contact_email = out.contact_by_school[school_id]
    coordinator_id = out.coordinator_by_site[site_id]
    accepted, declined, pending = out.supporters_by_site[site_id][:3]
    received = now - 420 * DAY
    sr = SupportRequest.objects.create(
        organisation_id=out.organisation_id,
        site_id=site_id,
        school_id=school_id,
        submitted_by_id=contact_id,
        subject="Begleitung unseres Schulentwicklungsprozesses über zwei Schuljahre",
        text="Unser Kollegium möchte das Schulprogramm gemeinsam fortschreiben.\n" * 5,
        quality_area_id=out.quality_area_ids[0],
        offer_id=out.offer_ids[0],
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone="0351 123456",
        state="accompanying",
        received_at=received,
        acknowledge_due_at=received + 7 * DAY,
        acknowledged_at=received + 2 * DAY,
    )
    at = iter(received + dt.timedelta(hours=h) for h in range(0, 10**6, 47))
    steps: list[tuple[str, int | None, str, dict[str, str]]] = [
        ("received", contact_id, "", {}),
        ("acknowledged", coordinator_id, "Vielen Dank, wir melden uns.", {}),
        ("clarified", coordinator_id, "Telefonat mit der Schulleitung.", {}),
        *(
            ("proposed", coordinator_id, "", {"supporter": out.supporter_names[s]})
            for s in (accepted, declined, pending)
        ),
        ("proposal_declined", declined, "Keine Kapazität in diesem Halbjahr.", {}),
        ("proposal_accepted", accepted, "", {}),
        ("first_contact", accepted, "Erstes Telefonat geführt.", {}),
        ("meeting_scheduled", accepted, "Erstgespräch in der Schule.", {}),
        ("agreement_drafted", accepted, "Version 1", {}),
        ("agreement_accepted", contact_id, "Version 1", {}),
        ("agreement_drafted", accepted, "Version 2: Ziele präzisiert", {}),
        ("agreement_accepted", contact_id, "Version 2", {}),
        ("agreement_accepted", accepted, "Version 2", {}),
        ("agreed", None, "", {}),
        ("started", accepted, "", {}),
    ]
    while len(steps) < events:  # the accompaniment: notes and follow-up meetings
        kind = "clarified" if len(steps) % 3 else "meeting_scheduled"
        steps.append((kind, accepted, rng.choice(NOTES), {}))
    if events < len(steps):
        steps = [*steps[: max(events - 1, 1)], steps[-1]][:events]
    # Notes have the level their author's entries get: the coordination's for the coordination,
    # the supporter's and the school's for the participants (the coordinator then reads about
    # half of them, as on a real page).
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            request=sr,
            kind=k,
            actor_id=a,
            created_at=next(at),
            note=n,
            visibility=(("coordination" if a == coordinator_id else "participants") if n else None),
            data=d,
        )
        for k, a, n, d in steps
    )
    for supporter, status, reason in (
        (accepted, Proposal.Status.ACCEPTED, ""),
        (declined, Proposal.Status.DECLINED, "Keine Kapazität in diesem Halbjahr."),
        (pending, Proposal.Status.PROPOSED, ""),
    ):
        Proposal.objects.create(
            request=sr,
            supporter_id=supporter,
            proposed_by_id=coordinator_id,
            status=status,
            decline_reason=reason,
            created_at=received + 5 * DAY,
            decided_at=None if status == Proposal.Status.PROPOSED else received + 8 * DAY,
        )
    Meeting.objects.create(
        request=sr,
        starts_at=received + 30 * DAY,
        place="Lehrerzimmer der Schule",
        participants="Schulleitung, Steuergruppe, Prozessbegleitung",
        created_by_id=accepted,
    )
    for version, sides in ((1, ["school"]), (2, ["school", "supporter"])):
        agreement = Agreement.objects.create(
            request=sr,
            version=version,
            participants="Schulleitung, Steuergruppe (5 Lehrkräfte), Prozessbegleitung",
            goals="Schulprogramm fortschreiben\nFeedbackkultur im Kollegium etablieren\n"
            "Steuergruppe arbeitsfähig machen",
            starts_on=(received + 40 * DAY).date(),
            ends_on=(received + 760 * DAY).date(),
            place="In der Schule",
            frequency="alle vier Wochen, 90 Minuten",
            resources="Zwei Anrechnungsstunden für die Steuergruppe",
            methods="Moderation, kollegiale Fallberatung, Feedbackbögen",
            confidentiality="Was in den Sitzungen gesagt wird, bleibt im Raum.",
            created_by_id=accepted,
            created_at=received + (35 + version * 5) * DAY,
        )
        for side in sides:
            Acceptance.objects.create(
                agreement=agreement,
                side=side,
                person_id=contact_id if side == "school" else accepted,
                accepted_at=received + (36 + version * 5) * DAY,
            )
    return sr.pk


METHODS = [
    ("Kollegiale Fallberatung", "Eine Person schildert eine Situation, die anderen beraten."),
    ("Blitzlicht", "Jede Person sagt in einem Satz, wie es ihr gerade geht."),
    ("Feedbackbogen", "Alle füllen einen kurzen Bogen aus; die Auswertung bleibt anonym."),
    ("World Café", "Kleine Gruppen sprechen an Tischen, dann wechseln sie."),
    ("Zielscheibe", "Alle markieren auf einer Scheibe, wie nah sie einem Ziel sind."),
    ("Stärken-Schwächen-Analyse", "Was läuft gut, was weniger, was nehmen wir uns vor?"),
]
CONCEPT_TOPICS = [
    "Feedbackkultur im Kollegium aufbauen",
    "Steuergruppe arbeitsfähig machen",
    "Ganztag und Unterricht verzahnen",
    "Übergang Kita–Grundschule gestalten",
    "Klassenrat einführen",
    "Elternarbeit neu aufstellen",
    "Individuelle Förderung im Fachunterricht",
]


def seed_accompaniment(
    rng: random.Random, out: Seeded, special: int, now: dt.datetime, requests: int
) -> dict[str, int]:
    """Issue 6 on top of the long accompaniment: methods, 30 held and 2 planned sessions
    (records readable by the coordination for half of them), goal progress for the three goals
    of the binding version, 64 next steps, a proposed amendment (version 3, accepted by the
    supporter only); and, for the organisation, published concepts (one per 50 requests) with a
    few waiting for review, and evaluation answers (one per 2 requests)."""
    from lotse.support.models import (
        Acceptance,
        Agreement,
        Concept,
        EvaluationAnswer,
        EvaluationQuestion,
        GoalProgress,
        Method,
        NextStep,
        Session,
    )

    sr_site = out.site_ids[0]
    supporter = out.supporters_by_site[sr_site][0]
    school_id = next(school for school, site in out.schools if site == sr_site)
    contact_id = out.contact_by_school[school_id][0]
    methods = Method.objects.bulk_create(
        Method(organisation_id=out.organisation_id, name=n, description=d) for n, d in METHODS
    )
    binding = Agreement.objects.get(request_id=special, version=2)
    goals = binding.goal_list()
    sessions: list[Session] = []
    for n in range(32):
        held = n < 30
        starts = now - (30 - n) * 14 * DAY if held else now + (n - 29) * 14 * DAY
        sessions.append(
            Session(
                request_id=special,
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=90),
                place="Lehrerzimmer der Schule",
                status="held" if held else "planned",
                participants="Schulleitung, Steuergruppe (5 Lehrkräfte)",
                notes=rng.choice(NOTES) * 3 if held else "",
                reflection="Die Steuergruppe arbeitet zunehmend selbstständig." if held else "",
                visibility="coordination" if n % 2 else "participants",
                created_by_id=supporter,
                created_at=starts - 10 * DAY,
                recorded_by_id=supporter if held else None,
                recorded_at=starts + dt.timedelta(hours=3) if held else None,
            )
        )
    Session.objects.bulk_create(sessions)
    Session.methods.through.objects.bulk_create(
        Session.methods.through(session_id=session.pk, method_id=method.pk)
        for session in sessions
        for method in rng.sample(methods, rng.randint(1, 3))
    )
    GoalProgress.objects.bulk_create(
        GoalProgress(
            session=session,
            agreement=binding,
            position=position,
            goal=goal,
            level=min(4, n // 7 + rng.randint(0, 1)),
            note="Deutliche Fortschritte seit dem letzten Termin." if n % 3 == 0 else "",
        )
        for n, session in enumerate(sessions[:30])
        for position, goal in enumerate(goals)
    )
    steps = []
    for n, session in enumerate(sessions[:32]):
        for k in range(2):
            due = (session.starts_at + (10 + 7 * k) * DAY).date()
            done = due < (now - 20 * DAY).date()
            steps.append(
                NextStep(
                    request_id=special,
                    session=session,
                    text=f"Feedbackbögen auswerten und im Kollegium vorstellen ({n}.{k})",
                    owner="school" if k == 0 else "supporter",
                    due_on=due,
                    visibility="coordination" if n % 2 else "participants",
                    done_at=session.starts_at + 9 * DAY if done else None,
                    done_by_id=(contact_id if k == 0 else supporter) if done else None,
                    created_by_id=supporter,
                    created_at=session.starts_at,
                )
            )
    NextStep.objects.bulk_create(steps)
    amendment = Agreement.objects.create(
        request_id=special,
        version=3,
        participants=binding.participants,
        goals=binding.goals + "\nElternvertretung in die Steuergruppe einbinden",
        starts_on=binding.starts_on,
        ends_on=binding.ends_on + 180 * DAY,
        place=binding.place,
        frequency="alle sechs Wochen, 90 Minuten",
        resources=binding.resources,
        methods=binding.methods,
        confidentiality=binding.confidentiality,
        created_by_id=supporter,
        created_at=now - 3 * DAY,
    )
    Acceptance.objects.create(
        agreement=amendment, side="supporter", person_id=supporter, accepted_at=now - 3 * DAY
    )

    published = max(requests // 50, 10)
    concepts = [
        Concept(
            organisation_id=out.organisation_id,
            school_form=rng.choice(["grundschule", "oberschule", "gymnasium", "foerderschule"]),
            topic=rng.choice(CONCEPT_TOPICS),
            what_was_done="Wir haben in sechs Sitzungen mit der Steuergruppe gearbeitet. " * 4,
            what_helped="Feste Termine, ein klarer Kontrakt und die Blitzlicht-Runden. " * 2,
            status="published" if n < published else "submitted",
            consent_text="Wir geben diese anonymisierte Zusammenfassung frei.",
            consent_by_id=contact_id,
            consent_at=now - (n % 700 + 10) * DAY,
            reviewed_by_id=out.coordinator_by_site[sr_site] if n < published else None,
            reviewed_at=now - (n % 700 + 5) * DAY if n < published else None,
            published_at=now - (n % 700 + 5) * DAY if n < published else None,
        )
        for n in range(published + 20)
    ]
    Concept.objects.bulk_create(concepts, batch_size=BATCH)
    Concept.quality_areas.through.objects.bulk_create(
        (
            Concept.quality_areas.through(concept_id=c.pk, qualityarea_id=area)
            for c in concepts
            for area in rng.sample(out.quality_area_ids, rng.randint(1, 2))
        ),
        batch_size=BATCH,
    )

    questions = EvaluationQuestion.objects.bulk_create(
        EvaluationQuestion(
            organisation_id=out.organisation_id,
            text=text,
            audience=audience,
            kind=kind,
            position=position,
        )
        for position, (text, audience, kind) in enumerate(
            [
                ("Die Begleitung hat uns geholfen, unsere Ziele zu erreichen.", "both", "scale"),
                ("Die Vereinbarungen im Kontrakt wurden eingehalten.", "both", "scale"),
                ("Vertraulichkeit wurde jederzeit gewahrt.", "school", "scale"),
                ("Wir können ohne Begleitung weiterarbeiten.", "school", "scale"),
                ("Würden Sie die Begleitung weiterempfehlen?", "school", "yes_no"),
                ("Die Schule hat die vereinbarten Schritte umgesetzt.", "supporter", "scale"),
                ("Die Zusammenarbeit mit der Schulleitung war tragfähig.", "supporter", "scale"),
                ("Würden Sie diese Schule wieder begleiten?", "supporter", "yes_no"),
            ]
        )
    )
    answers = []
    for _ in range(max(requests // 2, 200)):
        question = rng.choice(questions)
        side = (
            question.audience
            if question.audience != "both"
            else rng.choice(["school", "supporter"])
        )
        answers.append(
            EvaluationAnswer(
                organisation_id=out.organisation_id,
                question=question,
                side=side,
                value=rng.choice([3, 4, 4, 5, 5])
                if question.kind == "scale"
                else rng.randint(0, 1),
                year=now.year - rng.randint(0, 2),
            )
        )
    EvaluationAnswer.objects.bulk_create(answers, batch_size=BATCH)
    return {
        "sessions": len(sessions),
        "next_steps": len(steps),
        "concepts": published,
        "answers": len(answers),
    }


def seed(*, requests: int, schools: int, special_events: int = 200, seed: int = 1) -> dict:
    """Fill the (freshly migrated, empty) database; return what the benchmark needs to know."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    started = time.monotonic()
    rng = random.Random(seed)
    now = timezone.now()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # one bulk load; a crash just means re-seeding
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        out = seed_people_and_places(rng, schools, make_password(PASSWORD))
        _progress(f"{schools} schools, people and roles", started)
        events = seed_requests(rng, out, requests, now)
        _progress(f"{requests} requests with {events} timeline events", started)
        special = seed_special(rng, out, special_events, now)
        _progress(f"special request #{special} with {special_events} events", started)
        accompaniment = seed_accompaniment(rng, out, special, now, requests)
        _progress(
            "accompaniment: {sessions} sessions, {next_steps} next steps; {concepts} concepts, "
            "{answers} evaluation answers".format(**accompaniment),
            started,
        )
    site_id = out.site_ids[0]
    return {
        "requests": requests + 1,
        "schools": schools,
        "events": events + special_events,
        "coordinator": out.coordinator_emails[site_id],
        "password": PASSWORD,
        "totp_secret": TOTP_SECRET,
        "special_request": special,
        "special_events": special_events,
        "organisation": "lasub",
        **accompaniment,
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=3_000)
    parser.add_argument("--special-events", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write the JSON here instead of stdout")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
    import django

    django.setup()
    info = seed(
        requests=args.requests,
        schools=args.schools,
        special_events=args.special_events,
        seed=args.seed,
    )
    text = json.dumps(info, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
