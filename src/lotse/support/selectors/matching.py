"""Matching supporters to a request (the facts the ranking needs) and the coordinators'
workload view."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    FloatField,
    Q,
    TextField,
)
from django.db.models.functions import Cast
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lotse.catalog.matching import Candidate, Need, Period, Ranking, rank, sort_name
from lotse.catalog.models import Absence, SupporterProfile
from lotse.catalog.selectors import weights_for
from lotse.core import roles
from lotse.core.models import Person, Role
from lotse.support.models import (
    OPEN_STATES,
    Proposal,
    SupportRequest,
)

# A proposal holds a place of the supporter's capacity while it is open or accepted and its
# request is open: an open proposal may be accepted any day.
HOLDING = (Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED)


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


@functools.lru_cache(maxsize=256)
def _codes(raw: str | None) -> frozenset[str]:
    """A JSON list of codes as stored, as a set; the few distinct lists are parsed once."""
    value = json.loads(raw) if raw else []
    return frozenset(str(code) for code in value) if isinstance(value, list) else frozenset()


def _pairs(through: Any, column: str, profiles: Q) -> dict[int, set[int]]:
    """profile id -> ids of one of the profile's lists, in one query."""
    found: dict[int, set[int]] = defaultdict(set)
    for profile_id, target_id in through.objects.filter(profiles).values_list(
        "supporterprofile_id", column
    ):
        found[profile_id].add(target_id)
    return found


def _earlier_work(
    request: SupportRequest, supporter_ids: Collection[int] | None
) -> dict[int, list[int]]:
    """supporter id -> other requests of the same school they accompanied (accepted)."""
    earlier: dict[int, list[int]] = defaultdict(list)
    if request.school_id is None:
        return earlier
    rows = Proposal.objects.filter(
        request__organisation_id=request.organisation_id,
        request__school_id=request.school_id,
        status=Proposal.Status.ACCEPTED,
    ).exclude(request_id=request.pk)
    if supporter_ids is not None:
        rows = rows.filter(supporter_id__in=list(supporter_ids))
    for supporter_id, request_id in rows.order_by("request_id").values_list(
        "supporter_id", "request_id"
    ):
        earlier[supporter_id].append(request_id)
    return earlier


def matching_need(*, request: SupportRequest, needed_from: dt.date | None = None) -> Need:
    """What the request asks for, as matching sees it (the school is loaded with it)."""
    school = request.school
    return Need(
        organisation_id=request.organisation_id,
        needed_from=needed_from or timezone.localdate(),
        school_id=request.school_id,
        school_type=school.school_type if school else "",
        latitude=_float(school.latitude) if school else None,
        longitude=_float(school.longitude) if school else None,
        district_id=school.district_id if school else None,
        offer_id=request.offer_id,
        quality_area_id=request.quality_area_id,
    )


def matching_candidates(
    *, request: SupportRequest, need: Need, supporter_ids: Collection[int] | None = None
) -> list[Candidate]:
    """The organisation's active supporters not proposed for the request (or no longer: who
    declined or whose part ended can be proposed again), with what matching needs to know
    about each: nine queries however many supporters there are.

    `supporter_ids` narrows them to these people (the check of a proposal)."""
    organisation_id = request.organisation_id
    roles_qs = Role.objects.filter(
        organisation_id=organisation_id, kind=Role.Kind.SUPPORTER, person__is_active=True
    ).exclude(
        # Who declined or whose part ended can be proposed again.
        person_id__in=Proposal.objects.filter(request=request, status__in=HOLDING).values(
            "supporter_id"
        )
    )
    profiles_qs = SupporterProfile.objects.filter(organisation_id=organisation_id)
    through = Q(supporterprofile__organisation_id=organisation_id)
    load_qs = Proposal.objects.filter(
        request__organisation_id=organisation_id,
        request__state__in=OPEN_STATES,
        status__in=HOLDING,
    )
    absences_qs = Absence.objects.filter(
        profile__organisation_id=organisation_id, ends_on__gte=need.needed_from
    )
    if supporter_ids is not None:
        ids = list(supporter_ids)
        roles_qs = roles_qs.filter(person_id__in=ids)
        profiles_qs = profiles_qs.filter(person_id__in=ids)
        through &= Q(supporterprofile__person_id__in=ids)
        load_qs = load_qs.filter(supporter_id__in=ids)
        absences_qs = absences_qs.filter(profile__person_id__in=ids)

    people: dict[int, tuple[str, str]] = {}
    for person_id, first, last, email, title in roles_qs.values_list(
        "person_id", "person__first_name", "person__last_name", "person__email", "title"
    ).order_by("pk"):
        people.setdefault(person_id, (f"{first} {last}".strip() or email, title))
    # Coordinates as floats and the JSON lists as text (parsed once per distinct value): the
    # database's decimals and a JSON parse per row cost more than the rest of the selector.
    profiles = {
        row["person_id"]: row
        for row in profiles_qs.values(
            "pk",
            "person_id",
            "active",
            "max_processes",
            "home_place",
            "hours_per_month",
            lat=Cast("latitude", FloatField()),
            lon=Cast("longitude", FloatField()),
            types=Cast("school_types", TextField()),
            langs=Cast("languages", TextField()),
        )
    }
    offers = _pairs(SupporterProfile.offers.through, "offer_id", through)
    areas = _pairs(SupporterProfile.quality_areas.through, "qualityarea_id", through)
    districts = _pairs(SupporterProfile.districts.through, "district_id", through)
    works_at = _pairs(SupporterProfile.works_at_schools.through, "school_id", through)
    absences: dict[int, list[Period]] = defaultdict(list)
    for profile_id, starts_on, ends_on in absences_qs.order_by("starts_on", "pk").values_list(
        "profile_id", "starts_on", "ends_on"
    ):
        absences[profile_id].append(Period(starts_on, ends_on))
    load = dict(
        load_qs.values("supporter_id").annotate(n=Count("pk")).values_list("supporter_id", "n")
    )
    earlier = _earlier_work(request, supporter_ids)

    candidates = []
    for person_id, (name, title) in people.items():
        row = profiles.get(person_id)
        common: dict[str, Any] = {
            "person_id": person_id,
            "name": name,
            "title": title,
            "active_processes": load.get(person_id, 0),
            "earlier_request_ids": tuple(earlier.get(person_id, ())),
        }
        if row is None:
            candidates.append(Candidate(has_profile=False, **common))
            continue
        pk = row["pk"]
        candidates.append(
            Candidate(
                has_profile=True,
                active=row["active"],
                offer_ids=frozenset(offers.get(pk, ())),
                quality_area_ids=frozenset(areas.get(pk, ())),
                school_types=_codes(row["types"]),
                district_ids=frozenset(districts.get(pk, ())),
                latitude=row["lat"],
                longitude=row["lon"],
                max_processes=row["max_processes"],
                works_at_school_ids=frozenset(works_at.get(pk, ())),
                absences=tuple(absences.get(pk, ())),
                home_place=row["home_place"],
                languages=tuple(sorted(_codes(row["langs"]))),
                hours_per_month=row["hours_per_month"],
                **common,
            )
        )
    return candidates


def earlier_on_request(*, request: SupportRequest) -> dict[int, str]:
    """Supporters who declined the request or whose part in it ended, each with what happened
    and when, for the shortlist: they can be proposed again."""
    earlier: dict[int, str] = {}
    for supporter_id, status, decided_at, removed_at in Proposal.objects.filter(
        request=request, status__in=(Proposal.Status.DECLINED, Proposal.Status.REMOVED)
    ).values_list("supporter_id", "status", "decided_at", "removed_at"):
        if status == Proposal.Status.DECLINED:
            text = _("Declined this request on %(date)s.")
            when = decided_at
        else:
            text = _("Their part in this request ended on %(date)s.")
            when = removed_at
        day = formats.date_format(timezone.localtime(when), "SHORT_DATE_FORMAT") if when else "–"
        earlier[supporter_id] = text % {"date": day}
    return earlier


def shortlist_for(
    *,
    request: SupportRequest,
    needed_from: dt.date | None = None,
    supporter_ids: Collection[int] | None = None,
) -> Ranking:
    """The ranked shortlist of supporters for the request, and who is excluded and why."""
    need = matching_need(request=request, needed_from=needed_from)
    candidates = matching_candidates(request=request, need=need, supporter_ids=supporter_ids)
    return rank(need, candidates, weights_for(organisation_id=request.organisation_id))


@dataclass(frozen=True)
class WorkloadRow:
    """One supporter's current work against what their profile says they can take on."""

    person_id: int
    name: str
    title: str
    organisation_id: int
    sites: tuple[str, ...]
    has_profile: bool
    available: bool
    accepted: int
    proposed: int
    max_processes: int | None
    hours_per_month: int | None
    absence: Period | None  # the current absence, else the next one
    absent_now: bool

    @property
    def load(self) -> int:
        return self.accepted + self.proposed

    @property
    def free(self) -> int | None:
        return None if self.max_processes is None else max(self.max_processes - self.load, 0)

    @property
    def state(self) -> str:
        """over (more than the capacity), full, free, or unknown (no profile)."""
        if self.max_processes is None:
            return "unknown"
        if self.load > self.max_processes:
            return "over"
        if self.load == self.max_processes:
            return "full"
        return "free"

    @property
    def utilisation(self) -> float:
        """Load per place; unknown capacity sorts as empty, no places with work as overfull."""
        if not self.max_processes:
            return float("inf") if self.load and self.max_processes == 0 else 0.0
        return self.load / self.max_processes


def workload_for_coordinator(
    *, person: Person, order: str = "load", today: dt.date | None = None
) -> list[WorkloadRow]:
    """The supporters of the coordinator's sites (and those without a home site) with their
    accompaniments, capacity and absences, in six queries; the most loaded first by default."""
    today = today or timezone.localdate()
    site_ids = roles.coordinated_site_ids(person)
    organisation_ids = roles.organisation_ids(person, roles.Kind.COORDINATOR)
    supporter_roles = Role.objects.filter(
        Q(sites__in=site_ids) | Q(sites__isnull=True),
        kind=Role.Kind.SUPPORTER,
        organisation_id__in=organisation_ids,
        person__is_active=True,
    )
    people: dict[tuple[int, int], tuple[str, str]] = {}
    for person_id, org_id, first, last, email, title in (
        supporter_roles.values_list(
            "person_id",
            "organisation_id",
            "person__first_name",
            "person__last_name",
            "person__email",
            "title",
        )
        .order_by("pk")
        .distinct()
    ):
        people.setdefault((org_id, person_id), (f"{first} {last}".strip() or email, title))
    sites: dict[tuple[int, int], set[str]] = defaultdict(set)
    for person_id, org_id, site_name in Role.sites.through.objects.filter(
        role__kind=Role.Kind.SUPPORTER, role__organisation_id__in=organisation_ids
    ).values_list("role__person_id", "role__organisation_id", "site__name"):
        sites[org_id, person_id].add(site_name)
    profiles = {
        (row["organisation_id"], row["person_id"]): row
        for row in SupporterProfile.objects.filter(organisation_id__in=organisation_ids).values(
            "pk", "organisation_id", "person_id", "active", "max_processes", "hours_per_month"
        )
    }
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for supporter_id, org_id, status, n in (
        Proposal.objects.filter(
            request__organisation_id__in=organisation_ids,
            request__state__in=OPEN_STATES,
            status__in=HOLDING,
        )
        .values("supporter_id", "request__organisation_id", "status")
        .annotate(n=Count("pk"))
        .values_list("supporter_id", "request__organisation_id", "status", "n")
    ):
        counts[org_id, supporter_id][status] = n
    next_absence: dict[int, Period] = {}
    for profile_id, starts_on, ends_on in (
        Absence.objects.filter(profile__organisation_id__in=organisation_ids, ends_on__gte=today)
        .order_by("starts_on", "pk")
        .values_list("profile_id", "starts_on", "ends_on")
    ):
        next_absence.setdefault(profile_id, Period(starts_on, ends_on))

    rows = []
    for key, (name, title) in people.items():
        profile = profiles.get(key)
        absence = next_absence.get(profile["pk"]) if profile else None
        rows.append(
            WorkloadRow(
                person_id=key[1],
                name=name,
                title=title,
                organisation_id=key[0],
                sites=tuple(sorted(sites.get(key, ()))),
                has_profile=profile is not None,
                available=bool(profile["active"]) if profile else True,
                accepted=counts[key].get(Proposal.Status.ACCEPTED, 0),
                proposed=counts[key].get(Proposal.Status.PROPOSED, 0),
                max_processes=profile["max_processes"] if profile else None,
                hours_per_month=profile["hours_per_month"] if profile else None,
                absence=absence,
                absent_now=absence is not None and absence.covers(today),
            )
        )
    return sorted(rows, key=WORKLOAD_ORDERS.get(order, WORKLOAD_ORDERS["load"]))


WORKLOAD_ORDERS: dict[str, Callable[[WorkloadRow], Any]] = {
    "name": lambda r: (sort_name(r.name), r.person_id),
    # Most loaded first; without a profile (capacity unknown) last.
    "load": lambda r: (
        r.max_processes is None,
        -r.utilisation,
        -r.load,
        sort_name(r.name),
        r.person_id,
    ),
    "free": lambda r: (-(r.free if r.free is not None else -1), sort_name(r.name), r.person_id),
    "absence": lambda r: (
        r.absence is None,
        r.absence.starts_on if r.absence else dt.date.max,
        sort_name(r.name),
        r.person_id,
    ),
}
