"""The demo's supporters have profiles, so a Dresden request has a meaningful shortlist."""

from __future__ import annotations

import pytest

from lotse.catalog.models import Absence, SupporterProfile
from lotse.core.models import Person, Role
from lotse.demo.seed import seed
from lotse.support.models import SupportRequest
from lotse.support.selectors import matching as matching_selectors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]


def names(people: object) -> list[str]:
    return [e.candidate.name for e in people]  # type: ignore[attr-defined]


def test_every_demo_supporter_has_a_profile_and_seeding_twice_changes_nothing() -> None:
    seed(with_requests=False)
    supporters = Person.objects.filter(roles__kind=Role.Kind.SUPPORTER).distinct()
    assert supporters.count() == 8
    assert SupporterProfile.objects.filter(person__in=supporters).count() == 8
    assert Absence.objects.count() == 2
    assert not seed(with_requests=False).changed_anything
    assert Absence.objects.count() == 2


def test_the_clarified_demo_request_has_a_shortlist_with_reasons_and_exclusions() -> None:
    seed(with_requests=True)
    clarified = SupportRequest.objects.select_related("school").get(
        subject="Streitschlichtung in Klasse 5 und 6 aufbauen"
    )
    assert clarified.state == "clarified"
    ranking = matching_selectors.shortlist_for(request=clarified)
    assert names(ranking.ranked) == [
        "Jana Fischer",
        "Martin Vogel",
        "Anja Schubert",
        "Tobias Krüger",
    ]
    assert all(e.reasons for e in ranking.ranked)
    excluded = {e.candidate.name: {r.code for r in e.reasons} for e in ranking.excluded}
    assert excluded == {
        "Claudia Lehmann": {"district"},
        "Frank Neumann": {"district"},
        "Ines Wolf": {"absent"},
    }
    # Martin Vogel has two accompaniments of the demo and an absence coming up.
    martin = next(e for e in ranking.ranked if e.candidate.name == "Martin Vogel")
    assert martin.candidate.active_processes == 2
    assert {"capacity", "absence_soon"} <= {r.code for r in martin.reasons}

    proposed = SupportRequest.objects.select_related("school").get(
        subject="Ausbildung von Streitschlichtern", state="supporters_proposed"
    )
    conflict = {
        e.candidate.name: {r.code for r in e.reasons}
        for e in matching_selectors.shortlist_for(request=proposed).excluded
    }
    assert "conflict" in conflict["Tobias Krüger"]
