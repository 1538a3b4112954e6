"""The shortlist on the request page: what its selector loads, what the coordinator sees, and
proposing from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lotse.catalog.models import Absence, SupporterProfile
from lotse.core.models import Person, Role
from lotse.support.models import Proposal, State, SupportRequest
from lotse.support.selectors import matching as matching_selectors
from lotse.support.services import requests as request_services
from lotse.support.workflow import WorkflowError
from tests.factories import (
    Cast,
    OfferFactory,
    QualityAreaFactory,
    bring_to_state,
    person_with_role,
    submit_request,
    supporter_profile,
)

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]
TODAY = timezone.localdate


def english(client: Client) -> Client:
    """Read the pages in English: the msgids, whatever the German catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def html(response: Any) -> str:
    return response.content.decode()


def place_school_a(cast: Cast) -> None:
    """School A in Dresden-Neustadt."""
    cast.school_a.latitude, cast.school_a.longitude = Decimal("51.0650"), Decimal("13.7500")
    cast.school_a.save(update_fields=["latitude", "longitude"])


def many_supporters(cast: Cast, count: int, start: int, requests: list[SupportRequest]) -> None:
    """`count` supporters with profiles, lists, absences and accompaniments, written in bulk."""
    offer = OfferFactory(organisation=cast.organisation)
    district = cast.school_a.district
    people = Person.objects.bulk_create(
        Person(email=f"viele{start + i}@begleitung.example", first_name="Viele", last_name=str(i))
        for i in range(count)
    )
    Role.objects.bulk_create(
        Role(person=p, organisation=cast.organisation, kind=Role.Kind.SUPPORTER) for p in people
    )
    profiles = SupporterProfile.objects.bulk_create(
        SupporterProfile(
            person=p,
            organisation=cast.organisation,
            max_processes=1 + i % 4,
            latitude=Decimal("51.1") if i % 3 else None,
            longitude=Decimal("13.6") if i % 3 else None,
            school_types=["oberschule"] if i % 2 else [],
            languages=["de"],
        )
        for i, p in enumerate(people)
    )
    SupporterProfile.offers.through.objects.bulk_create(
        SupporterProfile.offers.through(supporterprofile=p, offer=offer) for p in profiles[::2]
    )
    SupporterProfile.districts.through.objects.bulk_create(
        SupporterProfile.districts.through(supporterprofile=p, district=district)
        for p in profiles[::3]
    )
    SupporterProfile.works_at_schools.through.objects.bulk_create(
        SupporterProfile.works_at_schools.through(supporterprofile=p, school=cast.school_b)
        for p in profiles[::7]
    )
    Absence.objects.bulk_create(
        Absence(profile=p, starts_on=TODAY(), ends_on=TODAY() + dt.timedelta(days=5))
        for p in profiles[::5]
    )
    Proposal.objects.bulk_create(
        Proposal(request=requests[i % len(requests)], supporter=p, status=Proposal.Status.ACCEPTED)
        for i, p in enumerate(people[::2])
    )


def test_the_selector_needs_the_same_few_queries_for_10_and_1000_supporters(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    place_school_a(cast)
    sr = bring_to_state(cast, State.CLARIFIED)
    busy = [submit_request(cast.school_b, cast.school_contact_b) for _ in range(3)]
    many_supporters(cast, 10, 0, busy)

    def counted() -> tuple[int, int]:
        fresh = SupportRequest.objects.select_related("school").get(pk=sr.pk)
        with CaptureQueriesContext(connection) as ctx:
            ranking = matching_selectors.shortlist_for(request=fresh)
        return len(ctx.captured_queries), len(ranking.ranked) + len(ranking.excluded)

    few, people = counted()
    assert people == 12  # the cast's two supporters and ten more
    many_supporters(cast, 990, 10, busy)
    fresh = SupportRequest.objects.select_related("school").get(pk=sr.pk)
    with django_assert_max_num_queries(10):
        matching_selectors.shortlist_for(request=fresh)
    many, people = counted()
    assert people == 1002
    assert many == few <= 10


def test_candidates_carry_load_earlier_work_and_absences(cast: Cast) -> None:
    completed = bring_to_state(cast, State.COMPLETED, subject="Früher")
    running = bring_to_state(cast, State.IN_CONTACT, subject="Läuft")
    # A proposal not yet answered holds a place too; a declined one does not.
    waiting = bring_to_state(cast, State.CLARIFIED, subject="Wartet")
    request_services.request_propose(
        request=waiting, by=cast.coordinator, supporters=[cast.supporter]
    )
    declined = bring_to_state(cast, State.CLARIFIED, subject="Abgelehnt")
    request_services.request_propose(
        request=declined, by=cast.coordinator, supporters=[cast.other_supporter]
    )
    request_services.proposal_decline(
        proposal=Proposal.objects.get(request=declined, supporter=cast.other_supporter),
        by=cast.other_supporter,
        reason="Keine Zeit.",
    )
    supporter_profile(
        cast.supporter,
        cast.organisation,
        max_processes=5,
        absences=[(TODAY() + dt.timedelta(days=40), TODAY() + dt.timedelta(days=45))],
    )
    Absence.objects.create(
        profile=SupporterProfile.objects.get(person=cast.supporter),
        starts_on=TODAY() - dt.timedelta(days=30),
        ends_on=TODAY() - dt.timedelta(days=1),
    )
    sr = bring_to_state(cast, State.CLARIFIED, subject="Neu")

    need = matching_selectors.matching_need(request=sr)
    found = {c.person_id: c for c in matching_selectors.matching_candidates(request=sr, need=need)}

    berta = found[cast.supporter.pk]
    assert berta.has_profile
    # The accompaniment of "Läuft", the open proposal of "Wartet" (and of the walk's other
    # requests, which took the supporter along: "Früher" is closed and does not count).
    assert (
        berta.active_processes
        == Proposal.objects.filter(
            supporter=cast.supporter,
            status__in=["proposed", "accepted"],
            request__state__in=["supporters_proposed", "in_contact"],
        ).count()
    )
    assert berta.active_processes >= 2
    assert completed.pk in berta.earlier_request_ids
    assert running.pk in berta.earlier_request_ids
    assert waiting.pk not in berta.earlier_request_ids  # only accepted proposals are work
    # Only absences that have not ended yet are loaded.
    assert [p.starts_on for p in berta.absences] == [TODAY() + dt.timedelta(days=40)]
    otto = found[cast.other_supporter.pk]
    assert not otto.has_profile
    assert otto.active_processes == 0


def test_proposed_inactive_and_foreign_supporters_are_no_candidates(cast: Cast) -> None:
    sr = bring_to_state(cast, State.SUPPORTERS_PROPOSED, proposal_accepted=False)
    gone = person_with_role(Role.Kind.SUPPORTER, cast.organisation, email="weg@example.org")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    person_with_role(Role.Kind.SUPPORTER, cast.other_organisation, email="nds@example.org")
    ranking = matching_selectors.shortlist_for(request=sr)
    assert ranking.ranked_ids() + sorted(ranking.excluded_ids()) == [cast.other_supporter.pk]


# --- the request page ---------------------------------------------------------------------------


@pytest.fixture
def shortlist_request(cast: Cast) -> SupportRequest:
    """A clarified request of school A asking for an offer and an area, with three supporters:
    Berta (offers it, near), Otto (works at school A) and Frieda (no profile)."""
    place_school_a(cast)
    offer = OfferFactory(organisation=cast.organisation, title="Schulmediation")
    area = QualityAreaFactory(organisation=cast.organisation, number=3, title="Schulkultur")
    supporter_profile(
        cast.supporter,
        cast.organisation,
        offers=[offer],
        quality_areas=[area],
        districts=[cast.school_a.district],
        school_types=["oberschule"],
        languages=["de", "hsb"],
    )
    supporter_profile(cast.other_supporter, cast.organisation, works_at=[cast.school_a])
    person_with_role(
        Role.Kind.SUPPORTER,
        cast.organisation,
        sites=[cast.site_a],
        email="frieda@begleitung.example",
        first_name="Frieda",
        last_name="Fuchs",
    )
    return bring_to_state(cast, State.CLARIFIED, offer=offer, quality_area=area)


def test_the_coordinator_sees_the_shortlist_with_reasons_and_exclusions(
    cast: Cast, client_as: ClientAs, shortlist_request: SupportRequest
) -> None:
    response = english(client_as(cast.coordinator)).get(f"/anfragen/{shortlist_request.pk}/")
    assert response.status_code == 200
    page = html(response)
    assert 'id="vorschlag"' in page
    shortlist = response.context["shortlist"]
    assert [e.candidate.name for e in shortlist] == ["Berta Berger", "Frieda Fuchs"]
    berta = page[page.index(f'id="rang-{cast.supporter.pk}"') :]
    berta = berta[: berta.index("</tr>")]
    for reason in (
        "offers the requested support",
        "works in the requested area of school quality",
        "works with this type of school",
        "2 km away",
        "3 of 3 accompaniments free",
        "has not worked with this school yet",
        "German, Upper Sorbian",
    ):
        assert reason in berta, reason
    assert "has no profile yet" in page
    excluded = page[page.index("lotse-excluded") :]
    assert "Otto Olbrich" in excluded
    assert "works at this school (conflict of interest)" in excluded
    assert f'value="{cast.other_supporter.pk}"' not in page  # no checkbox for Otto


def test_only_the_coordinator_sees_the_shortlist(
    cast: Cast, client_as: ClientAs, shortlist_request: SupportRequest
) -> None:
    response = client_as(cast.school_contact_a).get(f"/anfragen/{shortlist_request.pk}/")
    assert response.status_code == 200
    assert "vorschlag" not in html(response)
    assert "shortlist" not in response.context


def test_proposing_two_supporters_from_the_shortlist(
    cast: Cast, client_as: ClientAs, shortlist_request: SupportRequest
) -> None:
    frieda = Person.objects.get(email="frieda@begleitung.example")
    client = client_as(cast.coordinator)
    response = client.post(
        f"/anfragen/{shortlist_request.pk}/schritt/propose/",
        {"propose-supporters": [cast.supporter.pk, frieda.pk], "propose-note": "Bitte prüfen."},
    )
    assert response.status_code == 302
    proposals = Proposal.objects.filter(request=shortlist_request)
    assert set(proposals.values_list("supporter_id", flat=True)) == {cast.supporter.pk, frieda.pk}
    assert SupportRequest.objects.get(pk=shortlist_request.pk).state == State.SUPPORTERS_PROPOSED
    # Both are off the shortlist now; the page still offers the step for more.
    page = client.get(f"/anfragen/{shortlist_request.pk}/")
    assert page.context["shortlist"] == []


def test_an_excluded_supporter_cannot_be_proposed_from_the_page(
    cast: Cast, client_as: ClientAs, shortlist_request: SupportRequest
) -> None:
    client = english(client_as(cast.coordinator))
    response = client.post(
        f"/anfragen/{shortlist_request.pk}/schritt/propose/",
        {"propose-supporters": [cast.supporter.pk, cast.other_supporter.pk]},
    )
    assert response.status_code == 400
    assert "cannot be proposed for this request; the shortlist says why" in html(response)
    # The choice comes back ticked.
    assert f'value="{cast.supporter.pk}" id="propose-{cast.supporter.pk}"' in html(response)
    assert "checked" in html(response)
    assert not Proposal.objects.filter(request=shortlist_request).exists()


def test_nothing_chosen_is_an_error(
    cast: Cast, client_as: ClientAs, shortlist_request: SupportRequest
) -> None:
    response = english(client_as(cast.coordinator)).post(
        f"/anfragen/{shortlist_request.pk}/schritt/propose/", {"propose-note": "Hallo"}
    )
    assert response.status_code == 400
    assert "Please choose at least one supporter." in html(response)


def test_the_service_refuses_an_excluded_supporter_with_the_reason(
    cast: Cast, shortlist_request: SupportRequest
) -> None:
    from django.utils import translation

    with translation.override("en"), pytest.raises(WorkflowError) as refused:
        request_services.request_propose(
            request=shortlist_request, by=cast.coordinator, supporters=[cast.other_supporter]
        )
    assert str(refused.value.message) == (
        "Otto Olbrich cannot be proposed: works at this school (conflict of interest)."
    )
    assert not Proposal.objects.filter(request=shortlist_request).exists()


def test_an_absent_or_fully_booked_supporter_is_refused(cast: Cast) -> None:
    sr = bring_to_state(cast, State.CLARIFIED)
    supporter_profile(cast.supporter, cast.organisation, absences=[(TODAY(), TODAY())])
    supporter_profile(cast.other_supporter, cast.organisation, max_processes=0)
    for person in (cast.supporter, cast.other_supporter):
        with pytest.raises(WorkflowError):
            request_services.request_propose(request=sr, by=cast.coordinator, supporters=[person])
    assert not Proposal.objects.filter(request=sr).exists()


def test_the_weights_change_the_order_on_the_page(
    cast: Cast, client_as: ClientAs, shortlist_request: SupportRequest
) -> None:
    # Frieda: no profile, so everything counts half. Give Berta a far home base and no offer
    # and area: by default she still leads; when distance and capacity are all that count
    # and Frieda has free places, Frieda leads.
    profile = SupporterProfile.objects.get(person=cast.supporter)
    profile.latitude, profile.longitude = Decimal("51.3397"), Decimal("12.3731")  # Leipzig
    profile.save()
    client = client_as(cast.coordinator)
    url = f"/anfragen/{shortlist_request.pk}/"
    assert client.get(url).context["shortlist"][0].candidate.name == "Berta Berger"

    admin = client_as(cast.admin)
    response = admin.post(
        f"/organisation/{cast.organisation.slug}/abgleich/",
        {
            "offer": "0",
            "quality_area": "0",
            "school_type": "0",
            "distance": "10",
            "capacity": "0",
            "history": "0",
            "max_distance_km": "50",
        },
    )
    assert response.status_code == 302
    client = client_as(cast.coordinator)
    assert [e.candidate.name for e in client.get(url).context["shortlist"]] == [
        "Frieda Fuchs",
        "Berta Berger",
    ]


def test_a_search_by_name_finds_supporters_beyond_the_first_rows(
    cast: Cast, client_as: ClientAs, shortlist_request: SupportRequest
) -> None:
    for number in range(20):
        person_with_role(
            Role.Kind.SUPPORTER,
            cast.organisation,
            first_name="Weitere",
            last_name=f"Person {number:02d}",
            second_factor=False,
        )
    client = english(client_as(cast.coordinator))
    page = client.get(f"/anfragen/{shortlist_request.pk}/")
    assert len(page.context["shortlist"]) == 15
    assert page.context["shortlist_more"] == 22 - 15
    assert "7 more supporters further down the list" in html(page)

    found = client.get(f"/anfragen/{shortlist_request.pk}/", {"suche": "person 19"})
    assert [e.candidate.name for e in found.context["shortlist"]] == ["Weitere Person 19"]
    otto = client.get(f"/anfragen/{shortlist_request.pk}/", {"suche": "olbrich"})
    assert otto.context["shortlist"] == []
    assert [e.candidate.name for e in otto.context["shortlist_excluded"]] == ["Otto Olbrich"]


def test_the_timeline_refresh_does_not_rank_again(
    cast: Cast, client_as: ClientAs, shortlist_request: SupportRequest
) -> None:
    client = client_as(cast.coordinator)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(
            f"/anfragen/{shortlist_request.pk}/?fragment=timeline", HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    assert 'id="timeline"' in html(response)
    assert "shortlist" not in response.context
    assert not any("catalog_supporterprofile" in q["sql"] for q in ctx.captured_queries)


# --- the request page's shortlist: excluded supporters ruled out in SQL first ------------------


def _visible_part(full: Any, term: str, rows: int) -> tuple[Any, ...]:
    """What the page shows of the excluded when the full ranking is known."""
    matching = [e for e in full.excluded if term in e.candidate.name.casefold()]
    return tuple(matching[:rows])


@pytest.mark.parametrize("days", [0, 3, 10])
def test_the_page_ranks_exactly_as_the_full_ranking(cast: Cast, days: int) -> None:
    """Ruling out in SQL (district, capacity, availability, absence, conflict) before ranking
    changes nothing of the ranking: the same supporters in the same order with the same
    reasons, the same first excluded with their reasons, the same counts."""
    place_school_a(cast)
    at_a = bring_to_state(cast, State.CLARIFIED)
    at_b = submit_request(cast.school_b, cast.school_contact_b)
    busy = [submit_request(cast.school_b, cast.school_contact_b) for _ in range(3)]
    many_supporters(cast, 120, 0, busy)
    # Some without places, some unavailable: exclusions of every kind.
    SupporterProfile.objects.filter(person__last_name__endswith="3").update(max_processes=0)
    SupporterProfile.objects.filter(person__last_name__endswith="8").update(active=False)
    needed_from = TODAY() + dt.timedelta(days=days)

    for sr in (at_a, at_b):
        fresh = SupportRequest.objects.select_related("school").get(pk=sr.pk)
        full = matching_selectors.shortlist_for(request=fresh, needed_from=needed_from)
        assert full.ranked
        assert full.excluded
        for term, rows in (("", 50), ("", 7), ("viele 1", 5), ("olbrich", 50), ("nobody", 5)):
            page = matching_selectors.shortlist_for(
                request=fresh, needed_from=needed_from, excluded_rows=rows, search=term
            )
            assert page.ranked == full.ranked
            assert page.max_score == full.max_score
            assert page.excluded == _visible_part(full, term, rows), (sr.school, term, rows)
            assert page.excluded_total == len(full.excluded)
            assert page.excluded_matching == len(_visible_part(full, term, 10_000))


def test_the_page_ranks_only_whom_sql_could_not_rule_out(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Of the excluded, only those fully booked reach the ranking (the load is counted in
    Python); everyone else excluded is ruled out in SQL, their facts not loaded."""
    place_school_a(cast)
    sr = bring_to_state(cast, State.CLARIFIED)
    busy = [submit_request(cast.school_b, cast.school_contact_b) for _ in range(3)]
    many_supporters(cast, 120, 0, busy)
    SupporterProfile.objects.filter(person__last_name__endswith="8").update(active=False)
    fresh = SupportRequest.objects.select_related("school").get(pk=sr.pk)
    full = matching_selectors.shortlist_for(request=fresh)
    ranked_sizes: list[int] = []
    real_rank = matching_selectors.rank

    def counting_rank(need: Any, candidates: Any, weights: Any) -> Any:
        candidates = list(candidates)
        ranked_sizes.append(len(candidates))
        return real_rank(need, candidates, weights)

    monkeypatch.setattr(matching_selectors, "rank", counting_rank)
    page = matching_selectors.shortlist_for(request=fresh, excluded_rows=0)

    fully_booked = [e for e in full.excluded if {r.code for r in e.reasons} == {"over_capacity"}]
    assert len(full.excluded) > len(fully_booked) + 20
    assert ranked_sizes == [len(full.ranked) + len(fully_booked)]
    assert page.ranked == full.ranked
    assert page.excluded == ()
    assert page.excluded_total == len(full.excluded)


def test_the_shown_excluded_cost_one_query_of_their_own(cast: Cast) -> None:
    """The reasons of the excluded the page shows need their profiles, nothing more: names,
    absences, load and earlier work came with the first load (one query, not four)."""
    place_school_a(cast)
    sr = bring_to_state(cast, State.CLARIFIED)
    busy = [submit_request(cast.school_b, cast.school_contact_b) for _ in range(3)]
    many_supporters(cast, 60, 0, busy)
    SupporterProfile.objects.filter(person__last_name__endswith="8").update(active=False)
    fresh = SupportRequest.objects.select_related("school").get(pk=sr.pk)

    def counted(rows: int) -> tuple[int, Any]:
        with CaptureQueriesContext(connection) as ctx:
            page = matching_selectors.shortlist_for(request=fresh, excluded_rows=rows)
        return len(ctx.captured_queries), page

    none_shown, _page = counted(0)
    shown_queries, page = counted(50)
    unavailable = [e for e in page.excluded if {r.code for r in e.reasons} == {"inactive"}]
    assert unavailable  # ruled out in SQL, shown with their reason
    assert shown_queries == none_shown + 1


def test_the_page_with_its_shortlist_needs_the_same_queries_for_10_and_1000_supporters(
    cast: Cast, client_as: ClientAs
) -> None:
    place_school_a(cast)
    sr = bring_to_state(cast, State.CLARIFIED)
    busy = [submit_request(cast.school_b, cast.school_contact_b) for _ in range(3)]
    many_supporters(cast, 10, 0, busy)
    client = client_as(cast.coordinator)

    def counted() -> int:
        client.get(f"/anfragen/{sr.pk}/")  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/anfragen/{sr.pk}/")
        assert response.status_code == 200
        assert response.context["shortlist"]
        assert response.context["shortlist_excluded"]
        return len(ctx.captured_queries)

    few = counted()
    many_supporters(cast, 990, 10, busy)
    many = counted()
    assert many == few
