"""Matching supporters to a request (the facts the ranking needs) and the coordinators'
workload view."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
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


@functools.lru_cache(maxsize=4096)
def _id_set(raw: str | None) -> frozenset[int]:
    """Ids as the database joined them ("3,7"), as a set; repeated lists are parsed once."""
    return frozenset(int(part) for part in raw.split(",")) if raw else frozenset()


def _ids_of(through: Any, column: str) -> Subquery:
    """The ids of one of the profile's lists (of the outer profile row), joined with commas."""
    return Subquery(
        through.objects.filter(supporterprofile_id=OuterRef("pk"))
        .order_by()
        .values("supporterprofile_id")
        .annotate(ids=StringAgg(Cast(column, TextField()), delimiter=Value(",")))
        .values("ids")[:1],
        output_field=TextField(),
    )


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


# Up to this many people, the load of supporters is counted for them alone (a proposal's
# check); for more, SQLite's planner loops over the list of ids: counting everyone's load in
# one pass is faster.
FEW = 5


def _name(first: str, last: str, email: str) -> str:
    return f"{first} {last}".strip() or email


def _not_excluded(request: SupportRequest, need: Need) -> QuerySet[SupporterProfile, Any]:
    """The profiles of the request's organisation that none of the hard exclusions of
    `catalog.matching.exclusions` rules out on sight, in SQL: available, with places, not
    absent on the day, not working at the school, serving the school's district (or naming
    none). Only the load (places taken) is left to the ranking. SQLite and PostgreSQL compute
    this list once per query it filters."""
    day = need.needed_from
    profiles = SupporterProfile.objects.filter(
        organisation_id=request.organisation_id, active=True, max_processes__gt=0
    ).exclude(
        Exists(
            Absence.objects.filter(profile_id=OuterRef("pk"), starts_on__lte=day, ends_on__gte=day)
        )
    )
    if need.school_id is not None:
        works_at = SupporterProfile.works_at_schools.through.objects
        profiles = profiles.exclude(
            Exists(works_at.filter(supporterprofile_id=OuterRef("pk"), school_id=need.school_id))
        )
    if need.district_id is not None:
        serves = SupporterProfile.districts.through.objects.filter(
            supporterprofile_id=OuterRef("pk")
        )
        profiles = profiles.filter(
            ~Exists(serves) | Exists(serves.filter(district_id=need.district_id))
        )
    return profiles.values("pk")


@dataclass(frozen=True)
class _Loaded:
    candidates: list[Candidate]
    # Supporters the SQL filter ruled out: person id -> name (their facts are not loaded).
    ruled_out: dict[int, str]
    # The facts of everyone, not only of the candidates: the excluded the page shows need
    # them too (`shortlist_for`), and then only their profiles are loaded.
    # Person id -> name, title and whether they have a profile (not only a loaded one).
    people: dict[int, tuple[str, str, bool]]
    # Profile id -> current and coming absences (of the organisation's profiles).
    absences: dict[int, list[Period]]
    # Supporter id -> accompaniments holding a place.
    load: dict[int, int]
    # Supporter id -> requests of the same school they accompanied.
    earlier: dict[int, list[int]]


def _people(roles_qs: QuerySet[Any, Any]) -> dict[int, tuple[str, str, bool]]:
    """Person id -> name, title and whether they have a profile, of the supporter roles
    (annotated with `profiled`, which the type of a plain role query does not know)."""
    people: dict[int, tuple[str, str, bool]] = {}
    for person_id, first, last, email, title, profiled in roles_qs.values_list(
        "person_id", "person__first_name", "person__last_name", "person__email", "title", "profiled"
    ).order_by("pk"):
        people.setdefault(person_id, (_name(first, last, email), title, profiled is not None))
    return people


def _load(
    request: SupportRequest,
    need: Need,
    supporter_ids: Collection[int] | None = None,
    *,
    prefilter: bool = False,
    known: _Loaded | None = None,
) -> _Loaded:
    """The candidates (of `supporter_ids`, or all): with `prefilter` only those SQL cannot
    rule out (`_not_excluded`); with `known` (a load of everyone, for the same need) only the
    profiles are loaded, the rest is taken from it."""
    organisation_id = request.organisation_id
    roles_qs = Role.objects.filter(
        organisation_id=organisation_id, kind=Role.Kind.SUPPORTER, person__is_active=True
    ).exclude(
        # Who declined or whose part ended can be proposed again.
        person_id__in=Proposal.objects.filter(request=request, status__in=HOLDING).values(
            "supporter_id"
        )
    )
    # Unsorted: they are looked up by person (the profiles' order joins and sorts by name).
    profiles_qs = SupporterProfile.objects.filter(organisation_id=organisation_id).order_by()
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
        if len(ids) <= FEW:
            load_qs = load_qs.filter(supporter_id__in=ids)
        absences_qs = absences_qs.filter(profile__person_id__in=ids)
    if prefilter:
        fit = _not_excluded(request, need)
        profiles_qs = profiles_qs.filter(pk__in=fit)
        # Who has a profile at all: one ruled out by the filter is no candidate without one.
        # (Their profile's id, or none: an integer needs no conversion per row, a bool does.)
        roles_qs = roles_qs.annotate(
            profiled=Subquery(
                SupporterProfile.objects.filter(
                    organisation_id=organisation_id, person_id=OuterRef("person_id")
                )
                .order_by()  # one at most: not sorted by name (two joins) per row
                .values("pk")[:1]
            )
        )
    else:
        roles_qs = roles_qs.annotate(profiled=Value(None, output_field=IntegerField()))

    if known is None:
        people = _people(roles_qs)
    else:
        wanted = known.people if supporter_ids is None else set(supporter_ids)
        people = {
            person_id: (name, title, False)
            for person_id, (name, title, _profiled) in known.people.items()
            if person_id in wanted
        }
    # Coordinates as floats and the JSON lists as text (parsed once per distinct value): the
    # database's decimals and a JSON parse per row cost more than the rest of the selector.
    profiles = {
        row["person_id"]: row
        for row in profiles_qs.values(
            "pk",
            "person_id",
            "max_processes",
            "home_place",
            "hours_per_month",
            # As 0 or 1: the database's bool needs a conversion per row.
            active_=Cast("active", IntegerField()),
            lat=Cast("latitude", FloatField()),
            lon=Cast("longitude", FloatField()),
            types=Cast("school_types", TextField()),
            langs=Cast("languages", TextField()),
            # The four lists with each profile, in the same query.
            offer_ids=_ids_of(SupporterProfile.offers.through, "offer_id"),
            area_ids=_ids_of(SupporterProfile.quality_areas.through, "qualityarea_id"),
            district_ids=_ids_of(SupporterProfile.districts.through, "district_id"),
            school_ids=_ids_of(SupporterProfile.works_at_schools.through, "school_id"),
        )
    }
    if known is not None:
        absences, load, earlier = known.absences, known.load, known.earlier
    else:
        # All current absences of the people (not only of the loaded profiles): the few of an
        # organisation cost less than filtering them in SQL, and serve a second load.
        absences = defaultdict(list)
        for profile_id, starts_on, ends_on in absences_qs.order_by("starts_on", "pk").values_list(
            "profile_id", "starts_on", "ends_on"
        ):
            absences[profile_id].append(Period(starts_on, ends_on))
        load = dict(
            load_qs.values("supporter_id").annotate(n=Count("pk")).values_list("supporter_id", "n")
        )
        earlier = _earlier_work(request, supporter_ids)

    candidates = []
    ruled_out: dict[int, str] = {}
    for person_id, (name, title, profiled) in people.items():
        row = profiles.get(person_id)
        if row is None and profiled:
            ruled_out[person_id] = name
            continue
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
                active=bool(row["active_"]),
                offer_ids=_id_set(row["offer_ids"]),
                quality_area_ids=_id_set(row["area_ids"]),
                school_types=_codes(row["types"]),
                district_ids=_id_set(row["district_ids"]),
                latitude=row["lat"],
                longitude=row["lon"],
                max_processes=row["max_processes"],
                works_at_school_ids=_id_set(row["school_ids"]),
                absences=tuple(absences.get(pk, ())),
                home_place=row["home_place"],
                languages=tuple(sorted(_codes(row["langs"]))),
                hours_per_month=row["hours_per_month"],
                **common,
            )
        )
    return _Loaded(candidates, ruled_out, people, absences, load, earlier)


def matching_candidates(
    *, request: SupportRequest, need: Need, supporter_ids: Collection[int] | None = None
) -> list[Candidate]:
    """The organisation's active supporters not proposed for the request (or no longer: who
    declined or whose part ended can be proposed again), with what matching needs to know
    about each: five queries however many supporters there are (the
    profiles come with their four lists, joined by the database).

    `supporter_ids` narrows them to these people (the check of a proposal)."""
    return _load(request, need, supporter_ids).candidates


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
    excluded_rows: int | None = None,
    search: str = "",
) -> Ranking:
    """The ranked shortlist of supporters for the request, and who is excluded and why.

    With `excluded_rows` (the request page) the ranked list is the same, but SQL rules out
    first whom a hard exclusion keeps off the list on sight (`_not_excluded`): only the others
    are loaded and ranked. Of the excluded, the ranking then holds the first `excluded_rows`
    by name whose name contains `search`, with their reasons (their profiles loaded alone), and
    counts them all (`Ranking.excluded_count`, `excluded_matching`)."""
    need = matching_need(request=request, needed_from=needed_from)
    weights = weights_for(organisation_id=request.organisation_id)
    if excluded_rows is None:
        candidates = matching_candidates(request=request, need=need, supporter_ids=supporter_ids)
        return rank(need, candidates, weights)
    loaded = _load(request, need, supporter_ids, prefilter=True)
    ranking = rank(need, loaded.candidates, weights)
    names = {e.candidate.person_id: e.candidate.name for e in ranking.excluded}
    names.update(loaded.ruled_out)
    term = sort_name(search.strip())
    matching = sorted(
        (sort_name(name), person_id) for person_id, name in names.items() if term in sort_name(name)
    )
    shown = {person_id for _key, person_id in matching[:excluded_rows]}
    excluded = [e for e in ranking.excluded if e.candidate.person_id in shown]
    # The reasons of those ruled out in SQL and shown: their profiles, for them alone (the
    # rest of their facts came with the first load).
    more = [person_id for person_id in shown if person_id in loaded.ruled_out]
    if more:
        facts = _load(request, need, more, known=loaded).candidates
        excluded += rank(need, facts, weights).excluded
    excluded.sort(key=lambda e: (sort_name(e.candidate.name), e.candidate.person_id))
    return replace(
        ranking,
        excluded=tuple(excluded),
        excluded_count=len(names),
        excluded_matching=len(matching),
    )


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
