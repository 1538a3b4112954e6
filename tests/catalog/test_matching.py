"""The pure ranking of supporters: each reason and exclusion, the order, and its properties."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from lotse.catalog.matching import (
    Candidate,
    Need,
    Period,
    Ranking,
    Weights,
    distance_km,
    exclusions,
    rank,
)

DAY = dt.date(2026, 3, 2)
DRESDEN = (51.0504, 13.7373)
LEIPZIG = (51.3397, 12.3731)
PIRNA = (50.9584, 13.9374)
SCHOOL, OTHER_SCHOOL = 7, 8
DISTRICT, OTHER_DISTRICT = 3, 4
OFFER, AREA = 11, 21


def need(**changes: object) -> Need:
    base = Need(
        organisation_id=1,
        needed_from=DAY,
        school_id=SCHOOL,
        school_type="oberschule",
        latitude=DRESDEN[0],
        longitude=DRESDEN[1],
        district_id=DISTRICT,
        offer_id=OFFER,
        quality_area_id=AREA,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def candidate(person_id: int = 1, name: str = "Berta Berger", **changes: object) -> Candidate:
    base = Candidate(
        person_id=person_id,
        name=name,
        offer_ids=frozenset({OFFER}),
        quality_area_ids=frozenset({AREA}),
        school_types=frozenset({"oberschule"}),
        district_ids=frozenset({DISTRICT}),
        latitude=PIRNA[0],
        longitude=PIRNA[1],
        max_processes=4,
        active_processes=2,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def texts(reasons: object) -> list[str]:
    with translation.override("en"):
        return [str(r) for r in reasons]  # type: ignore[attr-defined]


def only(ranking: Ranking) -> tuple[str, ...]:
    assert len(ranking.ranked) == 1, ranking
    return tuple(texts(ranking.ranked[0].reasons))


def codes(ranking: Ranking) -> list[str]:
    return [r.code for r in ranking.ranked[0].reasons]


# --- distance -----------------------------------------------------------------------------------


def test_haversine_gives_the_distance_between_dresden_and_leipzig() -> None:
    assert distance_km(*DRESDEN, *LEIPZIG) == pytest.approx(100.4, abs=0.5)
    assert distance_km(*DRESDEN, *DRESDEN) == 0


def test_distance_is_said_in_kilometres_and_counts_less_the_farther() -> None:
    weights = Weights(distance=4, max_distance_km=200)
    near = rank(need(), [candidate()], weights).ranked[0]
    far = rank(need(), [candidate(latitude=LEIPZIG[0], longitude=LEIPZIG[1])], weights).ranked[0]
    assert "17 km away" in texts(near.reasons)
    assert "100 km away" in texts(far.reasons)
    near_points = next(r.points for r in near.reasons if r.code == "distance")
    far_points = next(r.points for r in far.reasons if r.code == "distance")
    assert near_points == pytest.approx(4 * (1 - 17.2 / 200), abs=0.02)
    assert far_points == pytest.approx(4 * (1 - 100.4 / 200), abs=0.02)


def test_beyond_the_far_distance_the_distance_gives_nothing() -> None:
    ranked = rank(
        need(), [candidate(latitude=LEIPZIG[0], longitude=LEIPZIG[1])], Weights(max_distance_km=50)
    )
    reason = next(r for r in ranked.ranked[0].reasons if r.code == "distance")
    assert reason.points == 0
    assert reason.tone == "minus"


def test_missing_coordinates_count_half_and_say_why() -> None:
    weights = Weights(distance=4)
    no_home = rank(need(), [candidate(latitude=None, longitude=None)], weights)
    no_school = rank(need(latitude=None, longitude=None), [candidate()], weights)
    assert "distance unknown (no coordinates of the home base)" in only(no_home)
    assert "distance unknown (no coordinates of the school)" in only(no_school)
    for ranking in (no_home, no_school):
        reason = next(r for r in ranking.ranked[0].reasons if r.code.startswith("distance"))
        assert reason.points == 2
        assert reason.tone == "neutral"


# --- each scored reason -------------------------------------------------------------------------


def test_the_requested_offer_fits_or_not() -> None:
    assert "offers the requested support" in only(rank(need(), [candidate()], Weights()))
    missing = rank(need(), [candidate(offer_ids=frozenset({99}))], Weights())
    assert "does not offer the requested support" in only(missing)
    assert missing.ranked[0].score == rank(need(), [candidate()], Weights()).ranked[0].score - 5


def test_a_request_without_an_offer_or_area_is_not_scored_on_them() -> None:
    ranking = rank(need(offer_id=None, quality_area_id=None), [candidate()], Weights())
    assert not {"offer", "offer_missing", "area", "area_missing"} & set(codes(ranking))
    assert ranking.max_score == Weights().school_type + 3 + 3 + 2


def test_the_requested_area_fits_or_not() -> None:
    assert "works in the requested area of school quality" in only(
        rank(need(), [candidate()], Weights())
    )
    assert "does not work in the requested area of school quality" in only(
        rank(need(), [candidate(quality_area_ids=frozenset())], Weights())
    )


def test_the_type_of_school_fits_not_or_is_open() -> None:
    assert "works with this type of school" in only(rank(need(), [candidate()], Weights()))
    other = rank(need(), [candidate(school_types=frozenset({"gymnasium"}))], Weights())
    assert "does not work with this type of school" in only(other)
    any_type = rank(need(), [candidate(school_types=frozenset())], Weights(school_type=4))
    assert "names no types of school" in only(any_type)
    assert next(r.points for r in any_type.ranked[0].reasons if r.code == "school_type_any") == 2


def test_free_capacity_is_said_and_counts_as_a_share_of_the_places() -> None:
    ranking = rank(need(), [candidate(max_processes=4, active_processes=2)], Weights(capacity=3))
    assert "2 of 4 accompaniments free" in only(ranking)
    assert next(r.points for r in ranking.ranked[0].reasons if r.code == "capacity") == 1.5
    one = rank(need(), [candidate(max_processes=1, active_processes=0)], Weights())
    assert "1 of 1 accompaniment free" in only(one)


def test_earlier_work_with_the_school_counts() -> None:
    ranking = rank(need(), [candidate(earlier_request_ids=(4, 9))], Weights(history=2))
    assert "has worked with this school before (2 accompaniments)" in only(ranking)
    fresh = rank(need(), [candidate()], Weights(history=2))
    assert "has not worked with this school yet" in only(fresh)
    assert ranking.ranked[0].score == fresh.ranked[0].score + 2


def test_an_absence_soon_after_the_needed_day_is_mentioned_not_scored() -> None:
    soon = Period(DAY + dt.timedelta(days=10), DAY + dt.timedelta(days=20))
    later = Period(DAY + dt.timedelta(days=60), DAY + dt.timedelta(days=70))
    with_soon = rank(need(), [candidate(absences=(soon,))], Weights())
    with translation.override("en"):
        assert "absent from 03/12/2026 to 03/22/2026" in only(with_soon)
    assert not any(
        r.code == "absence_soon"
        for r in rank(need(), [candidate(absences=(later,))], Weights()).ranked[0].reasons
    )
    assert with_soon.ranked[0].score == rank(need(), [candidate()], Weights()).ranked[0].score


def test_without_a_profile_everything_of_the_profile_counts_half() -> None:
    bare = Candidate(person_id=5, name="Otto Olbrich", has_profile=False, active_processes=9)
    ranking = rank(need(latitude=None, longitude=None), [bare], Weights())
    reasons = only(ranking)
    assert "has no profile yet" in reasons
    assert "offers unknown (no profile)" in reasons
    assert "capacity unknown (no profile)" in reasons
    # Half of offer, area, type, distance and capacity; nothing for earlier work.
    assert ranking.ranked[0].score == (5 + 3 + 2 + 3 + 3) / 2


def test_the_score_is_the_sum_of_the_points_and_never_above_the_most_possible() -> None:
    entry = rank(need(), [candidate()], Weights()).ranked[0]
    assert entry.score == pytest.approx(sum(r.points for r in entry.reasons))
    assert entry.max_score == 5 + 3 + 2 + 3 + 3 + 2
    assert 0 < entry.percent <= 100


# --- hard exclusions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"active": False}, "not available for new requests (profile)"),
        (
            {"works_at_school_ids": frozenset({SCHOOL})},
            "works at this school (conflict of interest)",
        ),
        ({"absences": (Period(DAY - dt.timedelta(days=3), DAY),)}, "absent until 03/02/2026"),
        ({"absences": (Period(DAY, DAY + dt.timedelta(days=5)),)}, "absent until 03/07/2026"),
        ({"active_processes": 4}, "fully booked: 4 of 4 accompaniments"),
        ({"active_processes": 6}, "fully booked: 6 of 4 accompaniments"),
        ({"max_processes": 0, "active_processes": 0}, "takes on no accompaniments at present"),
        ({"district_ids": frozenset({OTHER_DISTRICT})}, "does not serve the school's district"),
    ],
    ids=[
        "inactive",
        "conflict",
        "absence ends that day",
        "absence begins that day",
        "full",
        "over",
        "no places",
        "district",
    ],
)
def test_each_hard_exclusion_takes_the_supporter_off_the_shortlist(
    changes: dict[str, object], reason: str
) -> None:
    ranking = rank(need(), [candidate(**changes)], Weights())
    assert ranking.ranked == ()
    assert len(ranking.excluded) == 1
    with translation.override("en"):
        assert texts(ranking.excluded[0].reasons) == [reason]


def test_every_exclusion_that_applies_is_named() -> None:
    c = candidate(active=False, works_at_school_ids=frozenset({SCHOOL}), active_processes=4)
    assert [r.code for r in exclusions(need(), c)] == ["inactive", "conflict", "over_capacity"]


def test_what_does_not_exclude() -> None:
    """Another school, absences before or after the day, an empty district list, and a
    request whose school is unknown do not exclude."""
    fine = [
        candidate(works_at_school_ids=frozenset({OTHER_SCHOOL})),
        candidate(absences=(Period(DAY - dt.timedelta(days=9), DAY - dt.timedelta(days=1)),)),
        candidate(absences=(Period(DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=9)),)),
        candidate(district_ids=frozenset()),
        candidate(active_processes=3),
    ]
    for c in fine:
        assert exclusions(need(), c) == (), c
    assert (
        exclusions(
            need(district_id=None, school_id=None),
            candidate(
                district_ids=frozenset({OTHER_DISTRICT}), works_at_school_ids=frozenset({SCHOOL})
            ),
        )
        == ()
    )


def test_a_supporter_without_a_profile_is_never_excluded() -> None:
    bare = Candidate(person_id=5, name="Otto", has_profile=False, active=False, active_processes=99)
    assert exclusions(need(), bare) == ()


# --- the order ----------------------------------------------------------------------------------


def test_better_fit_ranks_first() -> None:
    good = candidate(1, "Zora Zimmer")
    weak = candidate(2, "Anna Adam", offer_ids=frozenset())
    ranking = rank(need(), [weak, good], Weights())
    assert [e.candidate.person_id for e in ranking.ranked] == [1, 2]
    assert [e.rank for e in ranking.ranked] == [1, 2]


def test_ties_go_to_fewer_active_accompaniments_then_name_then_id() -> None:
    # The same share of free places (2 of 4, 1 of 2), so the same score.
    busy = candidate(1, "Anna Adam", max_processes=4, active_processes=2)
    calm = candidate(2, "Zora Zimmer", max_processes=2, active_processes=1)
    assert [e.candidate.person_id for e in rank(need(), [busy, calm], Weights()).ranked] == [2, 1]
    # Same load: by name, with case and umlauts not mattering (Ä sorts with A).
    people = [candidate(3, "Özlem Ohm"), candidate(4, "anna Adam"), candidate(5, "Ärmin Arndt")]
    assert [e.candidate.name for e in rank(need(), people, Weights()).ranked] == [
        "anna Adam",
        "Ärmin Arndt",
        "Özlem Ohm",
    ]
    # Same name: by id.
    twins = [candidate(9, "Kim Kurz"), candidate(6, "Kim Kurz")]
    assert [e.candidate.person_id for e in rank(need(), twins, Weights()).ranked] == [6, 9]


def test_the_weights_decide_between_offer_and_distance() -> None:
    near_without_offer = candidate(
        1, "Nah", offer_ids=frozenset(), latitude=DRESDEN[0], longitude=DRESDEN[1]
    )
    far_with_offer = candidate(2, "Fern", latitude=LEIPZIG[0], longitude=LEIPZIG[1])
    pool = [near_without_offer, far_with_offer]
    offer_first = rank(need(), pool, Weights(offer=8, distance=1, max_distance_km=150))
    distance_first = rank(need(), pool, Weights(offer=1, distance=8, max_distance_km=150))
    assert offer_first.ranked[0].candidate.person_id == 2
    assert distance_first.ranked[0].candidate.person_id == 1


def test_excluded_supporters_are_listed_by_name() -> None:
    pool = [
        candidate(1, "Zora", active=False),
        candidate(2, "Anna", active=False),
        candidate(3, "Mia"),
    ]
    ranking = rank(need(), pool, Weights())
    assert [e.candidate.name for e in ranking.excluded] == ["Anna", "Zora"]
    assert ranking.ranked_ids() == [3]
    assert ranking.excluded_ids() == {1, 2}


# --- properties ---------------------------------------------------------------------------------

NAMES = ["Anna Adam", "Ärmin Arndt", "berta Berger", "Otto Olbrich", "Zora Zimmer", "Kim Kurz"]
coordinates = st.one_of(st.none(), st.floats(50.2, 51.7, allow_nan=False))
periods = st.builds(
    lambda start, length: Period(
        DAY + dt.timedelta(days=start), DAY + dt.timedelta(days=start + length)
    ),
    st.integers(-20, 40),
    st.integers(0, 20),
)


@st.composite
def candidates(draw: st.DrawFn, person_id: int) -> Candidate:
    if not draw(st.integers(0, 5)):
        return Candidate(
            person_id=person_id,
            name=draw(st.sampled_from(NAMES)),
            has_profile=False,
            active_processes=draw(st.integers(0, 6)),
            earlier_request_ids=tuple(draw(st.lists(st.integers(1, 50), max_size=2))),
        )
    return Candidate(
        person_id=person_id,
        name=draw(st.sampled_from(NAMES)),
        active=draw(st.integers(0, 9)) > 0,
        offer_ids=frozenset(draw(st.sets(st.integers(10, 13), max_size=3))),
        quality_area_ids=frozenset(draw(st.sets(st.integers(20, 23), max_size=3))),
        school_types=frozenset(
            draw(st.sets(st.sampled_from(["oberschule", "gymnasium", "grundschule"]), max_size=2))
        ),
        district_ids=frozenset(draw(st.sets(st.integers(2, 5), max_size=2))),
        latitude=(lat := draw(coordinates)),
        longitude=None if lat is None else draw(st.floats(11.9, 15.0, allow_nan=False)),
        max_processes=draw(st.integers(0, 6)),
        active_processes=draw(st.integers(0, 7)),
        earlier_request_ids=tuple(draw(st.lists(st.integers(1, 50), max_size=2))),
        works_at_school_ids=frozenset(draw(st.sets(st.integers(6, 9), max_size=1))),
        absences=tuple(draw(st.lists(periods, max_size=2))),
    )


@st.composite
def pools(draw: st.DrawFn) -> list[Candidate]:
    ids = draw(st.lists(st.integers(1, 10_000), min_size=1, max_size=20, unique=True))
    return [draw(candidates(pk)) for pk in ids]


needs = st.builds(
    Need,
    organisation_id=st.just(1),
    needed_from=st.just(DAY),
    school_id=st.one_of(st.none(), st.integers(6, 9)),
    school_type=st.sampled_from(["", "oberschule", "gymnasium"]),
    latitude=st.one_of(st.none(), st.just(DRESDEN[0])),
    longitude=st.just(DRESDEN[1]),
    district_id=st.one_of(st.none(), st.integers(2, 5)),
    offer_id=st.one_of(st.none(), st.integers(10, 13)),
    quality_area_id=st.one_of(st.none(), st.integers(20, 23)),
)
weights = st.builds(
    Weights,
    offer=st.integers(0, 10),
    quality_area=st.integers(0, 10),
    school_type=st.integers(0, 10),
    distance=st.integers(0, 10),
    capacity=st.integers(0, 10),
    history=st.integers(0, 10),
    max_distance_km=st.integers(1, 300),
)


def must_be_excluded(n: Need, c: Candidate) -> bool:
    """The hard rules, written out once more, independently of the module."""
    if not c.has_profile:
        return False
    return (
        not c.active
        or (n.school_id is not None and n.school_id in c.works_at_school_ids)
        or any(p.starts_on <= n.needed_from <= p.ends_on for p in c.absences)
        or c.active_processes >= c.max_processes
        or bool(
            c.district_ids and n.district_id is not None and n.district_id not in c.district_ids
        )
    )


def position(ranking: Ranking, person_id: int) -> int:
    return next(e.rank for e in ranking.ranked if e.candidate.person_id == person_id)


@given(needs, pools(), weights)
def test_an_excluded_supporter_is_never_ranked(n: Need, pool: list[Candidate], w: Weights) -> None:
    ranking = rank(n, pool, w)
    ranked, excluded = set(ranking.ranked_ids()), ranking.excluded_ids()
    assert not ranked & excluded
    assert ranked | excluded == {c.person_id for c in pool}
    for c in pool:
        assert (c.person_id in excluded) == must_be_excluded(n, c), c
    for entry in ranking.excluded:
        assert entry.reasons


@given(needs, pools(), weights, st.data())
def test_more_free_capacity_never_lowers_a_rank(
    n: Need, pool: list[Candidate], w: Weights, data: st.DataObject
) -> None:
    ranking = rank(n, pool, w)
    profiled = [e.candidate for e in ranking.ranked if e.candidate.has_profile]
    assume(profiled)
    before = data.draw(st.sampled_from(profiled))
    if before.active_processes and data.draw(st.booleans()):
        after = dataclasses.replace(
            before, active_processes=data.draw(st.integers(0, before.active_processes - 1))
        )
    else:
        after = dataclasses.replace(
            before, max_processes=before.max_processes + data.draw(st.integers(1, 5))
        )
    assert (
        after.free_processes > before.free_processes or after.max_processes > before.max_processes
    )
    improved = rank(n, [after if c is before else c for c in pool], w)
    assert position(improved, before.person_id) <= position(ranking, before.person_id)


@given(needs, pools(), weights, st.randoms(use_true_random=False))
def test_the_order_is_deterministic_in_any_order_of_the_input(
    n: Need, pool: list[Candidate], w: Weights, rnd: random.Random
) -> None:
    first = rank(n, pool, w)
    shuffled = list(pool)
    rnd.shuffle(shuffled)
    again = rank(n, shuffled, w)
    assert first == again
    assert [e.rank for e in first.ranked] == list(range(1, len(first.ranked) + 1))
    scores = [e.score for e in first.ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= e.score <= e.max_score + 1e-9 for e in first.ranked)
