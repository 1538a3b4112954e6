"""Seed a Lotse database for the matching benchmark: thousands of supporters with profiles.

Run it in the environment of the database to fill (DATABASE_URL, LOTSE_DATA_DIR), after
`lotse migrate`:

    DJANGO_SETTINGS_MODULE=lotse.settings python bench/matching_seed.py \
        --supporters 5000 --schools 3000 --requests 10000 --out info.json

On top of bench/seed.py's organisation (6 sites, 13 districts, schools, coordinators, the
request history) it writes, with bulk_create:

- `--supporters` supporters in all (bench/seed.py's 72 included), each with a home site;
  about 92 % have a profile: 1–2 offers, 1–3 areas of quality, types of school (half name
  none), districts (a fifth serve every district), a home base near a town of their site
  (5 % without coordinates), 0–6 places, 3 % set to unavailable, 2 % working at a school;
- absences for about 15 % (a third of them today, the rest in the coming weeks);
- accompaniments: each supporter holds 0–5 accepted or open proposals in open requests, so
  that about a fifth are fully booked;
- the history of bench/seed.py's requests, spread over all supporters, and 40 earlier
  accompaniments at the school of the benchmarked request;
- one clarified request at a school of the first site, asking for an offer and an area: the
  benchmark ranks the supporters for it and measures its page.

The JSON written to --out names the coordinator of that site, the password, the request and
what was seeded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import seed as base  # bench/seed.py: the organisation, schools, people and request history

DAY = dt.timedelta(days=1)
SIX = Decimal("0.000001")
# Coordinates of the towns bench/seed.py puts schools in.
TOWNS: dict[str, tuple[float, float]] = {
    "Bautzen": (51.1814, 14.4239),
    "Hoyerswerda": (51.4386, 14.2499),
    "Kamenz": (51.2676, 14.0937),
    "Bischofswerda": (51.1270, 14.1797),
    "Görlitz": (51.1526, 14.9872),
    "Zittau": (50.8961, 14.8072),
    "Löbau": (51.0994, 14.6672),
    "Weißwasser": (51.5033, 14.6380),
    "Chemnitz": (50.8278, 12.9214),
    "Annaberg-Buchholz": (50.5794, 13.0044),
    "Aue-Bad Schlema": (50.5869, 12.7006),
    "Marienberg": (50.6511, 13.1647),
    "Stollberg": (50.7083, 12.7783),
    "Freiberg": (50.9119, 13.3428),
    "Döbeln": (51.1194, 13.1067),
    "Mittweida": (50.9856, 12.9811),
    "Flöha": (50.8561, 13.0742),
    "Dresden": (51.0504, 13.7373),
    "Pirna": (50.9584, 13.9374),
    "Freital": (51.0017, 13.6489),
    "Dippoldiswalde": (50.8933, 13.6686),
    "Sebnitz": (50.9756, 14.2747),
    "Leipzig": (51.3397, 12.3731),
    "Borna": (51.1247, 12.4967),
    "Grimma": (51.2386, 12.7256),
    "Markkleeberg": (51.2778, 12.3686),
    "Wurzen": (51.3703, 12.7375),
    "Torgau": (51.5606, 13.0054),
    "Delitzsch": (51.5256, 12.3425),
    "Eilenburg": (51.4597, 12.6328),
    "Oschatz": (51.3003, 13.1072),
    "Meißen": (51.1636, 13.4775),
    "Radebeul": (51.1072, 13.6608),
    "Riesa": (51.3075, 13.2939),
    "Großenhain": (51.2889, 13.5333),
    "Coswig": (51.1264, 13.5836),
    "Zwickau": (50.7189, 12.4961),
    "Crimmitschau": (50.8150, 12.3878),
    "Glauchau": (50.8194, 12.5447),
    "Werdau": (50.7364, 12.3764),
    "Plauen": (50.4950, 12.1383),
    "Reichenbach": (50.6219, 12.3036),
    "Auerbach": (50.5111, 12.4000),
    "Oelsnitz": (50.4147, 12.1697),
}
SCHOOL_TYPES = ["grundschule", "oberschule", "gymnasium", "foerderschule", "berufsschule"]
LANGUAGES = ["en", "fr", "pl", "cs", "ru", "hsb"]


def _near(rng: random.Random, town: str, spread: float) -> tuple[Decimal, Decimal]:
    lat, lon = TOWNS[town]
    return (
        Decimal(lat + rng.uniform(-spread, spread)).quantize(SIX),
        Decimal(lon + rng.uniform(-spread, spread) * 1.6).quantize(SIX),
    )


def place_schools(rng: random.Random) -> dict[int, list[str]]:
    """Give every school coordinates in its town; return the towns of each site."""
    from lotse.core.models import School

    schools = list(School.objects.select_related("district"))
    towns: dict[int, set[str]] = {}
    for school in schools:
        school.latitude, school.longitude = _near(rng, school.city, 0.02)
        towns.setdefault(school.district.site_id, set()).add(school.city)
    School.objects.bulk_update(schools, ["latitude", "longitude"], batch_size=base.BATCH)
    return {site: sorted(names) for site, names in towns.items()}


def add_supporters(rng: random.Random, out: base.Seeded, total: int, password: str) -> None:
    """More supporters, spread over the sites, until there are `total`."""
    from lotse.core.models import Person, Role

    have = sum(len(ids) for ids in out.supporters_by_site.values())
    people, sites = [], []
    for n in range(max(total - have, 0)):
        first, last = base._name(rng)
        people.append(
            Person(
                email=base._email(first, last, 100_000 + n, "begleitung.example"),
                first_name=first,
                last_name=last,
                password=password,
            )
        )
        sites.append(rng.choice(out.site_ids))
    Person.objects.bulk_create(people, batch_size=base.BATCH)
    roles = [
        Role(
            person=p,
            organisation_id=out.organisation_id,
            kind=Role.Kind.SUPPORTER,
            title=rng.choice(["Prozessbegleitung", "Trainerin", "Supervisor", "Fachberatung"]),
        )
        for p in people
    ]
    Role.objects.bulk_create(roles, batch_size=base.BATCH)
    Role.sites.through.objects.bulk_create(
        (Role.sites.through(role_id=r.pk, site_id=s) for r, s in zip(roles, sites, strict=True)),
        batch_size=base.BATCH,
    )
    for person, site in zip(people, sites, strict=True):
        out.supporters_by_site.setdefault(site, []).append(person.pk)
        out.supporter_names[person.pk] = f"{person.first_name} {person.last_name}"


def seed_profiles(
    rng: random.Random, out: base.Seeded, towns: dict[int, list[str]], today: dt.date
) -> dict[str, int]:
    """Profiles, their lists and absences for about 92 % of the supporters."""
    from lotse.catalog.models import Absence, SupporterProfile
    from lotse.core.models import District, School

    districts_by_site: dict[int, list[int]] = {}
    for pk, site in District.objects.values_list("pk", "site_id"):
        districts_by_site.setdefault(site, []).append(pk)
    all_districts = [pk for ids in districts_by_site.values() for pk in ids]
    school_ids = list(School.objects.values_list("pk", flat=True))
    profiles: list[SupporterProfile] = []
    for site, ids in out.supporters_by_site.items():
        for person_id in ids:
            if rng.random() < 0.08:
                continue
            lat, lon = (
                _near(rng, rng.choice(towns[site]), 0.15) if rng.random() < 0.95 else (None, None)
            )
            types = rng.sample(SCHOOL_TYPES, rng.randint(1, 3)) if rng.random() < 0.5 else []
            profiles.append(
                SupporterProfile(
                    organisation_id=out.organisation_id,
                    person_id=person_id,
                    school_types=types,
                    home_place=rng.choice(towns[site]),
                    latitude=lat,
                    longitude=lon,
                    languages=["de", *rng.sample(LANGUAGES, rng.choice([0, 0, 1, 2]))],
                    max_processes=rng.choice([0, 1, 2, 2, 3, 3, 3, 4, 4, 5, 6]),
                    hours_per_month=rng.choice([None, 8, 10, 12, 16, 20, 24, 30]),
                    active=rng.random() > 0.03,
                )
            )
    SupporterProfile.objects.bulk_create(profiles, batch_size=base.BATCH)
    person_site = {p: s for s, ids in out.supporters_by_site.items() for p in ids}
    through = SupporterProfile.offers.through
    rows: dict[str, list[Any]] = {"offers": [], "areas": [], "districts": [], "works_at": []}
    absences = []
    for profile in profiles:
        for offer in rng.sample(out.offer_ids, rng.randint(1, 2)):
            rows["offers"].append(through(supporterprofile_id=profile.pk, offer_id=offer))
        for area in rng.sample(out.quality_area_ids, rng.randint(1, 3)):
            rows["areas"].append(
                SupporterProfile.quality_areas.through(
                    supporterprofile_id=profile.pk, qualityarea_id=area
                )
            )
        if rng.random() < 0.8:
            own = districts_by_site[person_site[profile.person_id]]
            served = set(rng.sample(own, rng.randint(1, len(own))))
            if rng.random() < 0.3:
                served.add(rng.choice(all_districts))
            rows["districts"].extend(
                SupporterProfile.districts.through(supporterprofile_id=profile.pk, district_id=d)
                for d in served
            )
        if rng.random() < 0.02:
            rows["works_at"].append(
                SupporterProfile.works_at_schools.through(
                    supporterprofile_id=profile.pk, school_id=rng.choice(school_ids)
                )
            )
        if rng.random() < 0.15:
            # A third began already (absent today), the others lie in the coming weeks.
            offset = rng.randint(-10, 0) if rng.random() < 0.33 else rng.randint(1, 60)
            start = today + DAY * offset
            absences.append(
                Absence(
                    profile_id=profile.pk,
                    starts_on=start,
                    ends_on=start + DAY * rng.randint(2, 21),
                    note=rng.choice(["Urlaub", "Fortbildung", ""]),
                )
            )
    SupporterProfile.offers.through.objects.bulk_create(rows["offers"], batch_size=base.BATCH)
    SupporterProfile.quality_areas.through.objects.bulk_create(rows["areas"], batch_size=base.BATCH)
    SupporterProfile.districts.through.objects.bulk_create(rows["districts"], batch_size=base.BATCH)
    SupporterProfile.works_at_schools.through.objects.bulk_create(
        rows["works_at"], batch_size=base.BATCH
    )
    Absence.objects.bulk_create(absences, batch_size=base.BATCH)
    return {"profiles": len(profiles), "absences": len(absences)}


def _request(out: base.Seeded, school_id: int, site_id: int, **values: Any) -> Any:
    from lotse.support.models import SupportRequest

    contact_id, contact_name, contact_email = out.contact_by_school[school_id]
    received = values.pop("received_at")
    return SupportRequest(
        organisation_id=out.organisation_id,
        site_id=site_id,
        school_id=school_id,
        submitted_by_id=contact_id,
        subject=values.pop("subject", "Begleitung unseres Kollegiums"),
        text="Wir wünschen uns eine externe Begleitung für unser Kollegium.",
        contact_name=contact_name,
        contact_email=contact_email,
        received_at=received,
        acknowledge_due_at=received + 7 * DAY,
        acknowledged_at=received + 2 * DAY,
        **values,
    )


def seed_loads(rng: random.Random, out: base.Seeded, now: dt.datetime) -> int:
    """Accepted and open proposals in open requests: each supporter holds 0–5."""
    from lotse.support.models import Proposal, SupportRequest

    supporters = [p for ids in out.supporters_by_site.values() for p in ids]
    pool_size = max(len(supporters) // 2, 10)
    requests = [
        _request(
            out,
            school_id,
            site_id,
            state=rng.choice(["accompanying", "accompanying", "in_contact", "supporters_proposed"]),
            received_at=now - DAY * rng.uniform(20, 300),
        )
        for school_id, site_id in rng.choices(out.schools, k=pool_size)
    ]
    SupportRequest.objects.bulk_create(requests, batch_size=base.BATCH)
    proposals = []
    for person_id in supporters:
        for request in rng.sample(requests, rng.choice([0, 0, 1, 1, 1, 2, 2, 3, 4, 5])):
            accepted = request.state != "supporters_proposed"
            proposals.append(
                Proposal(
                    request=request,
                    supporter_id=person_id,
                    status=Proposal.Status.ACCEPTED if accepted else Proposal.Status.PROPOSED,
                    created_at=request.received_at + 5 * DAY,
                )
            )
    Proposal.objects.bulk_create(proposals, batch_size=base.BATCH)
    return len(proposals)


def seed_target(rng: random.Random, out: base.Seeded, now: dt.datetime) -> int:
    """The clarified request the benchmark ranks for, and earlier work at its school."""
    from lotse.support.models import Proposal, SupportRequest

    site_id = out.site_ids[0]
    school_id = next(school for school, site in out.schools if site == site_id)
    earlier = SupportRequest.objects.bulk_create(
        _request(
            out,
            school_id,
            site_id,
            state="completed",
            received_at=now - DAY * rng.uniform(400, 1500),
            closed_at=now - DAY * rng.uniform(30, 300),
        )
        for _ in range(40)
    )
    supporters = [p for ids in out.supporters_by_site.values() for p in ids]
    Proposal.objects.bulk_create(
        Proposal(request=r, supporter_id=rng.choice(supporters), status=Proposal.Status.ACCEPTED)
        for r in earlier
    )
    target = _request(
        out,
        school_id,
        site_id,
        subject="Schulentwicklung: Feedbackkultur im Kollegium",
        state="clarified",
        received_at=now - 6 * DAY,
        offer_id=out.offer_ids[0],
        quality_area_id=out.quality_area_ids[0],
    )
    target.save()
    return target.pk


def seed(*, supporters: int, schools: int, requests: int, seed: int = 1) -> dict:
    """Fill the (freshly migrated, empty) database; return what the benchmark needs."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from lotse.catalog.models import Absence, SupporterProfile
    from lotse.support.models import Proposal, SupportRequest

    started = time.monotonic()
    rng = random.Random(seed)
    now = timezone.now()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # one bulk load; a crash just means re-seeding
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        password = make_password(base.PASSWORD)
        out = base.seed_people_and_places(rng, schools, password)
        towns = place_schools(rng)
        add_supporters(rng, out, supporters, password)
        base._progress(f"{schools} schools, {supporters} supporters", started)
        base.seed_requests(rng, out, requests, now)
        base._progress(f"{requests} requests of history", started)
        counts = seed_profiles(rng, out, towns, timezone.localdate())
        accompaniments = seed_loads(rng, out, now)
        target = seed_target(rng, out, now)
        base._progress(f"profiles, {accompaniments} accompaniments, request #{target}", started)
    return {
        "supporters": supporters,
        "profiles": SupporterProfile.objects.count(),
        "absences": Absence.objects.count(),
        "proposals": Proposal.objects.count(),
        "accompaniments": accompaniments,
        "schools": schools,
        "requests": SupportRequest.objects.count(),
        "coordinator": out.coordinator_emails[out.site_ids[0]],
        "password": base.PASSWORD,
        "totp_secret": base.TOTP_SECRET,
        "request": target,
        "seconds": round(time.monotonic() - started, 1),
        **{f"seeded_{k}": v for k, v in counts.items()},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supporters", type=int, default=5_000)
    parser.add_argument("--schools", type=int, default=3_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write the JSON here instead of stdout")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.settings")
    import django

    django.setup()
    info = seed(
        supporters=args.supporters, schools=args.schools, requests=args.requests, seed=args.seed
    )
    text = json.dumps(info, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
