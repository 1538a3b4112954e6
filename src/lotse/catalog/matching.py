"""Matching supporters to a request: a pure function over plain data.

`rank(need, candidates, weights)` reads nothing from the database and writes nothing: the
selector `lotse.support.selectors.matching.matching_candidates` loads the facts (in a fixed
number of queries), this module decides. That keeps the rules testable with generated data
(tests/catalog) and fast enough to rank thousands of supporters per page view (bench/matching.py).

The rules, in short (docs/decisions/0005-matching.md has the reasons):

- **Hard exclusions** take a supporter off the shortlist, with every reason that applies:
  profile set to unavailable, works at the school (conflict of interest), absent on the day
  the support is needed, no free place (active accompaniments ≥ capacity), and – when the
  profile names districts – the school's district is not among them.
- **Score**: each criterion adds `weight × fit`, with fit between 0 and 1: the requested
  offer (1 or 0), the requested area of quality (1 or 0), the type of school (1 or 0; ½ if
  the profile names none), the distance (1 at the school, falling linearly to 0 at the
  organisation's "far" distance), the free capacity (free places ÷ places), earlier work with
  the school (1 or 0). What is unknown – no profile, no coordinates – counts ½, and the
  reason says so. A criterion the request does not ask about (no offer chosen) is left out.
- **Order**: score (high first), then fewer active accompaniments, then name, then id – a
  total order, so equal input gives the same ranking in any order of the candidates.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

EARTH_RADIUS_KM = 6371.0088
# Absences that begin this many days after the needed date are mentioned (not scored).
UPCOMING_ABSENCE_DAYS = 28
UNKNOWN = 0.5  # the fit of a criterion whose facts are unknown


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each criterion counts (0 = not at all) and which distance counts as far."""

    offer: int = 5
    quality_area: int = 3
    school_type: int = 2
    distance: int = 3
    capacity: int = 3
    history: int = 2
    max_distance_km: int = 100


@dataclass(frozen=True, slots=True)
class Need:
    """What the request asks for and where, as matching sees it."""

    organisation_id: int
    needed_from: dt.date
    school_id: int | None = None
    school_type: str = ""
    latitude: float | None = None
    longitude: float | None = None
    district_id: int | None = None
    offer_id: int | None = None
    quality_area_id: int | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """An absence, both days included."""

    starts_on: dt.date
    ends_on: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True, slots=True)
class Candidate:
    """One supporter with the facts of their profile and their current work.

    Without a profile (`has_profile=False`) the profile facts are unknown: they count half,
    and nothing of the profile can exclude the supporter."""

    person_id: int
    name: str
    has_profile: bool = True
    active: bool = True
    offer_ids: frozenset[int] = frozenset()
    quality_area_ids: frozenset[int] = frozenset()
    # Empty: every type of school; every district.
    school_types: frozenset[str] = frozenset()
    district_ids: frozenset[int] = frozenset()
    latitude: float | None = None
    longitude: float | None = None
    max_processes: int = 0
    # Accompaniments running or proposed to them and not yet decided, in open requests.
    active_processes: int = 0
    # Requests of the same school the supporter accompanied (accepted proposals).
    earlier_request_ids: tuple[int, ...] = ()
    works_at_school_ids: frozenset[int] = frozenset()
    absences: tuple[Period, ...] = ()
    # Shown on the shortlist, not scored.
    title: str = ""
    home_place: str = ""
    languages: tuple[str, ...] = ()
    hours_per_month: int | None = None

    @property
    def free_processes(self) -> int:
        return max(self.max_processes - self.active_processes, 0)


def _date(day: dt.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


# The text of each reason, built when it is shown (in the reader's language).
_TEXTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "offer": lambda v: _("offers the requested support"),
    "offer_missing": lambda v: _("does not offer the requested support"),
    "offer_unknown": lambda v: _("offers unknown (no profile)"),
    "area": lambda v: _("works in the requested area of school quality"),
    "area_missing": lambda v: _("does not work in the requested area of school quality"),
    "area_unknown": lambda v: _("areas of school quality unknown (no profile)"),
    "school_type": lambda v: _("works with this type of school"),
    "school_type_missing": lambda v: _("does not work with this type of school"),
    "school_type_any": lambda v: _("names no types of school"),
    "school_type_unknown": lambda v: _("types of school unknown (no profile)"),
    "distance": lambda v: _("%(km)s km away") % {"km": formats.number_format(v["km"], 0)},
    "distance_unknown": lambda v: _("distance unknown (no coordinates of the home base)"),
    "distance_no_school": lambda v: _("distance unknown (no coordinates of the school)"),
    "capacity": lambda v: (
        ngettext(
            "%(free)s of %(max)s accompaniment free",
            "%(free)s of %(max)s accompaniments free",
            v["max"],
        )
        % v
    ),
    "capacity_unknown": lambda v: _("capacity unknown (no profile)"),
    "history": lambda v: (
        ngettext(
            "has worked with this school before (%(count)s accompaniment)",
            "has worked with this school before (%(count)s accompaniments)",
            v["count"],
        )
        % v
    ),
    "history_none": lambda v: _("has not worked with this school yet"),
    "absence_soon": lambda v: (
        _("absent from %(from)s to %(until)s")
        % {"from": _date(v["from"]), "until": _date(v["until"])}
    ),
    "no_profile": lambda v: _("has no profile yet"),
    # Hard exclusions.
    "inactive": lambda v: _("not available for new requests (profile)"),
    "conflict": lambda v: _("works at this school (conflict of interest)"),
    "absent": lambda v: _("absent until %(until)s") % {"until": _date(v["until"])},
    "over_capacity": lambda v: (
        ngettext(
            "fully booked: %(load)s of %(max)s accompaniment",
            "fully booked: %(load)s of %(max)s accompaniments",
            v["max"],
        )
        % v
    ),
    "no_capacity": lambda v: _("takes on no accompaniments at present"),
    "district": lambda v: _("does not serve the school's district"),
}
EXCLUSIONS = frozenset(
    {"inactive", "conflict", "absent", "over_capacity", "no_capacity", "district"}
)


class Reason(NamedTuple):
    """One reason for a rank or an exclusion: what it is, the points it gave out of `weight`,
    and the values its text names. `str(reason)` is the text in the active language."""

    code: str
    points: float = 0.0
    weight: float = 0.0
    values: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return _TEXTS[self.code](dict(self.values))

    @property
    def text(self) -> str:
        return str(self)

    @property
    def tone(self) -> str:
        """How the reason reads: plus (full fit), minus (none, or an exclusion) or neutral
        (half a fit, or information)."""
        if self.code in EXCLUSIONS:
            return "minus"
        if self.weight <= 0:
            return "neutral"
        if self.points >= self.weight:
            return "plus"
        if self.points <= 0:
            return "minus"
        return "neutral"


@dataclass(frozen=True, slots=True)
class Ranked:
    candidate: Candidate
    rank: int
    score: float
    max_score: float
    reasons: tuple[Reason, ...]

    @property
    def percent(self) -> int:
        """The score as a share of the most the request allowed, for a quick reading."""
        return round(100 * self.score / self.max_score) if self.max_score else 0


@dataclass(frozen=True, slots=True)
class Excluded:
    candidate: Candidate
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Ranking:
    """Everyone who may take the request, ranked, and those excluded.

    A page that shows only some of the excluded (bench/matching.py: 50 of 3,800) gets them
    alone in `excluded`: `excluded_count` then says how many there are in all, and
    `excluded_matching` how many of them match the page's search by name."""

    need: Need
    weights: Weights
    ranked: tuple[Ranked, ...] = ()
    excluded: tuple[Excluded, ...] = ()
    max_score: float = 0.0
    excluded_count: int | None = None
    excluded_matching: int | None = None

    @property
    def excluded_total(self) -> int:
        return len(self.excluded) if self.excluded_count is None else self.excluded_count

    def ranked_ids(self) -> list[int]:
        return [entry.candidate.person_id for entry in self.ranked]

    def excluded_ids(self) -> set[int]:
        return {entry.candidate.person_id for entry in self.excluded}


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def exclusions(need: Need, c: Candidate) -> tuple[Reason, ...]:
    """Every hard reason that keeps the candidate off the shortlist (empty: none)."""
    found: list[Reason] = []
    if not c.has_profile:
        # Nothing is known that could exclude them; the coordination decides.
        return ()
    if not c.active:
        found.append(Reason("inactive"))
    if need.school_id is not None and need.school_id in c.works_at_school_ids:
        found.append(Reason("conflict"))
    for period in c.absences:
        if period.covers(need.needed_from):
            found.append(Reason("absent", values=(("until", period.ends_on),)))
            break
    if c.max_processes <= 0:
        found.append(Reason("no_capacity"))
    elif c.active_processes >= c.max_processes:
        found.append(
            Reason("over_capacity", values=(("load", c.active_processes), ("max", c.max_processes)))
        )
    if c.district_ids and need.district_id is not None and need.district_id not in c.district_ids:
        found.append(Reason("district"))
    return tuple(found)


def _binary(code: str, weight: int, known: bool, fits: bool) -> Reason:
    """A criterion that fits or not; half when the profile is unknown."""
    if not known:
        return Reason(f"{code}_unknown", weight * UNKNOWN, weight)
    if fits:
        return Reason(code, float(weight), weight)
    return Reason(f"{code}_missing", 0.0, weight)


def _school_type(need: Need, c: Candidate, w: Weights) -> Reason:
    if c.has_profile and not c.school_types:
        return Reason("school_type_any", w.school_type * UNKNOWN, w.school_type)
    fits = need.school_type in c.school_types
    return _binary("school_type", w.school_type, c.has_profile, fits)


def _distance(need: Need, c: Candidate, w: Weights) -> Reason:
    if need.latitude is None or need.longitude is None:
        return Reason("distance_no_school", w.distance * UNKNOWN, w.distance)
    if c.latitude is None or c.longitude is None:
        return Reason("distance_unknown", w.distance * UNKNOWN, w.distance)
    km = distance_km(need.latitude, need.longitude, c.latitude, c.longitude)
    fit = max(0.0, 1.0 - km / max(w.max_distance_km, 1))
    return Reason("distance", w.distance * fit, w.distance, (("km", round(km)),))


def _capacity(c: Candidate, w: Weights) -> Reason:
    if not c.has_profile:
        return Reason("capacity_unknown", w.capacity * UNKNOWN, w.capacity)
    free = c.free_processes
    values = (("free", free), ("max", c.max_processes))
    return Reason("capacity", w.capacity * (free / c.max_processes), w.capacity, values)


def _history(c: Candidate, w: Weights) -> Reason:
    if c.earlier_request_ids:
        values = (("count", len(c.earlier_request_ids)),)
        return Reason("history", float(w.history), w.history, values)
    return Reason("history_none", 0.0, w.history)


def _information(need: Need, c: Candidate) -> list[Reason]:
    """What the coordination should know without it changing the score: an absence soon
    after the needed day, a missing profile."""
    found: list[Reason] = []
    horizon = need.needed_from + dt.timedelta(days=UPCOMING_ABSENCE_DAYS)
    for period in c.absences:
        if need.needed_from < period.starts_on <= horizon:
            dates = (("from", period.starts_on), ("until", period.ends_on))
            found.append(Reason("absence_soon", values=dates))
            break
    if not c.has_profile:
        found.append(Reason("no_profile"))
    return found


def _reasons(need: Need, c: Candidate, w: Weights) -> list[Reason]:
    """The reasons of one candidate who is not excluded, in a fixed order."""
    reasons: list[Reason] = []
    known = c.has_profile
    if need.offer_id is not None:
        reasons.append(_binary("offer", w.offer, known, need.offer_id in c.offer_ids))
    if need.quality_area_id is not None:
        fits = need.quality_area_id in c.quality_area_ids
        reasons.append(_binary("area", w.quality_area, known, fits))
    if need.school_type:
        reasons.append(_school_type(need, c, w))
    reasons.append(_distance(need, c, w))
    reasons.append(_capacity(c, w))
    if need.school_id is not None:
        reasons.append(_history(c, w))
    reasons.extend(_information(need, c))
    return reasons


def max_score(need: Need, w: Weights) -> float:
    """The most a candidate can score for this request: the weights of the criteria it asks
    about (an offer, an area, a type of school, a school to have worked with)."""
    total = float(w.distance + w.capacity)
    if need.offer_id is not None:
        total += w.offer
    if need.quality_area_id is not None:
        total += w.quality_area
    if need.school_type:
        total += w.school_type
    if need.school_id is not None:
        total += w.history
    return total


@functools.lru_cache(maxsize=16_384)
def sort_name(name: str) -> str:
    """A name as it sorts: case and accents do not matter (Ä with A)."""
    if name.isascii():
        return name.casefold()
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def rank(need: Need, candidates: Iterable[Candidate], weights: Weights) -> Ranking:
    """The candidates who may take the request, best first, each with the reasons for their
    score; and those who may not, each with every reason that excludes them."""
    scored: list[tuple[tuple[float, int, str, int], Candidate, float, tuple[Reason, ...]]] = []
    excluded: list[Excluded] = []
    for c in candidates:
        hard = exclusions(need, c)
        if hard:
            excluded.append(Excluded(c, hard))
            continue
        reasons = _reasons(need, c, weights)
        score = 0.0
        for reason in reasons:
            score += reason.points
        key = (-score, c.active_processes, sort_name(c.name), c.person_id)
        scored.append((key, c, score, tuple(reasons)))
    best = max_score(need, weights)
    scored.sort(key=lambda row: row[0])
    excluded.sort(key=lambda e: (sort_name(e.candidate.name), e.candidate.person_id))
    return Ranking(
        need=need,
        weights=weights,
        ranked=tuple(
            Ranked(c, position, score, best, reasons)
            for position, (_key, c, score, reasons) in enumerate(scored, 1)
        ),
        excluded=tuple(excluded),
        max_score=best,
    )
