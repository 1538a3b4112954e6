"""Synergie services: the school releases, a reviewer publishes or returns, the school withdraws."""

from __future__ import annotations

import pytest

from lotse.catalog.models import QualityArea
from lotse.core.models import OutboxMessage
from lotse.support import concept_check
from lotse.support.models import Concept, State, TimelineEvent
from lotse.support.selectors import concepts as concept_selectors
from lotse.support.services import concepts as concept_services
from lotse.support.workflow import WorkflowError
from tests.concepts import DONE, HELPED, TOPIC, completed, published, release
from tests.factories import Cast, bring_to_state
from tests.helpers import new_mails, to

pytestmark = pytest.mark.django_db

Status = Concept.Status


def kinds(sr: object) -> list[str]:
    return list(
        TimelineEvent.objects.filter(request=sr).order_by("pk").values_list("kind", flat=True)
    )


def test_the_school_releases_a_concept_for_review(cast: Cast) -> None:
    sr = completed(cast)
    area = QualityArea.objects.create(organisation=cast.organisation, number=2, title="Lernen")
    before = OutboxMessage.objects.count()

    concept = release(cast, sr, quality_areas=[area])

    concept.refresh_from_db()
    assert concept.status == Status.SUBMITTED
    assert (concept.topic, concept.what_was_done, concept.what_helped) == (TOPIC, DONE, HELPED)
    assert concept.organisation == cast.organisation
    assert concept.consent_by == cast.school_contact_a
    assert concept.consent_text.startswith("Wir sind einverstanden")
    assert list(concept.quality_areas.all()) == [area]
    assert kinds(sr)[-1] == "concept_submitted"
    # The reviewers are told, the organisation's admins and the site's coordinators; no content.
    assert new_mails(before) == {
        ("concept_submitted", to(cast.admin.email, cast.coordinator.email))
    }
    mail = OutboxMessage.objects.order_by("pk").last()
    assert mail is not None
    assert TOPIC not in mail.body
    assert DONE not in mail.body
    assert f"/organisation/lasub/konzepte/pruefen/{concept.pk}/" in mail.body


@pytest.mark.parametrize(
    "name", ["supporter", "coordinator", "admin", "school_contact_b", "outsider", "other_admin"]
)
def test_only_the_school_of_the_request_releases(cast: Cast, name: str) -> None:
    sr = completed(cast)
    with pytest.raises(WorkflowError, match="Nur die Schule"):
        concept_services.concept_submit(
            request=sr,
            by=getattr(cast, name),
            topic=TOPIC,
            what_was_done=DONE,
            what_helped=HELPED,
            consent=True,
        )
    assert not Concept.objects.exists()


@pytest.mark.parametrize("state", [State.ACCOMPANYING, State.WITHDRAWN, State.AGREED])
def test_only_a_completed_accompaniment_can_be_released(cast: Cast, state: str) -> None:
    sr = bring_to_state(cast, state)
    with pytest.raises(WorkflowError, match="abgeschlossen"):
        release(cast, sr)
    assert not Concept.objects.exists()


def test_nothing_is_released_without_consent(cast: Cast) -> None:
    sr = completed(cast)
    with pytest.raises(WorkflowError, match="Einverständnis"):
        release(cast, sr, consent=False)
    assert not Concept.objects.exists()
    assert "concept_submitted" not in kinds(sr)


def test_the_school_must_remove_or_confirm_what_the_check_finds(cast: Cast) -> None:
    sr = completed(cast)
    text = "Frau Berger und die Oberschule am Elbufer in Dresden: 0351 123456."
    with pytest.raises(WorkflowError, match="Frau Berger"):
        release(cast, sr, what_helped=text)
    assert not Concept.objects.exists()
    # Confirming only some is not enough …
    with pytest.raises(WorkflowError, match="0351 123456"):
        release(cast, sr, what_helped=text, harmless=["Frau Berger"])
    # … all of them is (the reviewer checks again).
    found = concept_check.check_texts({"t": text}, concept_check.identifying_terms(sr)).distinct
    concept = release(cast, sr, what_helped=text, harmless=[f.text for f in found])
    assert concept.status == Status.SUBMITTED


def test_an_area_of_another_organisation_is_refused(cast: Cast) -> None:
    sr = completed(cast)
    foreign = QualityArea.objects.create(organisation=cast.other_organisation, number=1, title="X")
    with pytest.raises(WorkflowError):
        release(cast, sr, quality_areas=[foreign])


def test_one_concept_waits_for_review_at_a_time(cast: Cast) -> None:
    sr = completed(cast)
    release(cast, sr)
    with pytest.raises(WorkflowError, match="wartet bereits"):
        release(cast, sr, topic="Noch eins")
    assert Concept.objects.count() == 1


@pytest.mark.parametrize("name", ["admin", "coordinator"])
def test_a_reviewer_publishes_into_the_library(cast: Cast, name: str) -> None:
    sr = completed(cast)
    concept = release(cast, sr)
    before = OutboxMessage.objects.count()

    concept_services.concept_publish(
        concept=concept, by=getattr(cast, name), topic="Feedback lernen"
    )

    concept.refresh_from_db()
    assert concept.status == Status.PUBLISHED
    assert concept.topic == "Feedback lernen"
    assert concept.published_at is not None
    assert concept.reviewed_by == getattr(cast, name)
    assert kinds(sr)[-1] == "concept_published"
    assert new_mails(before) == {
        ("concept_published", to(sr.contact_email, cast.school_contact_a.email))
    }
    assert [c.pk for c in concept_selectors.library(person=cast.school_contact_b)] == [concept.pk]


@pytest.mark.parametrize(
    "name", ["other_coordinator", "supporter", "school_contact_a", "other_admin", "outsider"]
)
def test_only_the_reviewers_publish_and_return(cast: Cast, name: str) -> None:
    concept = release(cast, completed(cast))
    person = getattr(cast, name)
    with pytest.raises(WorkflowError, match="Prüfer"):
        concept_services.concept_publish(concept=concept, by=person)
    with pytest.raises(WorkflowError, match="Prüfer"):
        concept_services.concept_return(concept=concept, by=person, note="Bitte ändern.")
    concept.refresh_from_db()
    assert concept.status == Status.SUBMITTED


def test_publishing_is_refused_while_findings_remain_unconfirmed(cast: Cast) -> None:
    sr = completed(cast)
    concept = release(cast, sr, what_helped="Die Hilfe von Frau Koch.", harmless=["Frau Koch"])

    with pytest.raises(WorkflowError, match="Frau Koch"):
        concept_services.concept_publish(concept=concept, by=cast.admin)
    concept.refresh_from_db()
    assert concept.status == Status.SUBMITTED
    # The reviewer removes it …
    concept_services.concept_publish(
        concept=concept, by=cast.admin, what_helped="Die Hilfe der Begleitung."
    )
    concept.refresh_from_db()
    assert concept.status == Status.PUBLISHED
    assert concept.what_helped == "Die Hilfe der Begleitung."


def test_a_reviewer_may_confirm_a_finding_as_harmless(cast: Cast) -> None:
    concept = release(cast, completed(cast), what_helped="Im Park lernen.", harmless=["Park"])
    # "Park" is no part of school A's name, so the check does not find it: nothing to confirm.
    assert concept_check.check_concept(concept).distinct == []
    concept2 = concept_services.concept_return(concept=concept, by=cast.admin, note="Kürzer bitte.")
    concept2 = release(
        cast, concept2.request, what_helped="Wie am Elbufer üblich.", harmless=["Elbufer"]
    )
    with pytest.raises(WorkflowError):
        concept_services.concept_publish(concept=concept2, by=cast.admin)
    concept_services.concept_publish(concept=concept2, by=cast.admin, harmless=["elbufer"])
    concept2.refresh_from_db()
    assert concept2.status == Status.PUBLISHED


def test_return_and_resubmit(cast: Cast) -> None:
    sr = completed(cast)
    concept = release(cast, sr)
    before = OutboxMessage.objects.count()

    concept_services.concept_return(
        concept=concept, by=cast.coordinator, note="Bitte ohne Schulform."
    )

    concept.refresh_from_db()
    assert concept.status == Status.RETURNED
    assert concept.review_note == "Bitte ohne Schulform."
    assert new_mails(before) == {
        ("concept_returned", to(sr.contact_email, cast.school_contact_a.email))
    }
    body = OutboxMessage.objects.order_by("pk").last().body  # type: ignore[union-attr]
    assert "Bitte ohne Schulform" not in body
    assert concept_selectors.library(person=cast.school_contact_b) == []
    with pytest.raises(WorkflowError):
        concept_services.concept_publish(concept=concept, by=cast.admin)

    again = release(cast, sr, school_form="", topic="Feedback, überarbeitet")

    assert again.pk == concept.pk
    again.refresh_from_db()
    assert (again.status, again.school_form, again.topic) == (
        Status.SUBMITTED,
        "",
        "Feedback, überarbeitet",
    )
    assert kinds(sr)[-2:] == ["concept_returned", "concept_resubmitted"]
    assert Concept.objects.count() == 1


def test_a_return_needs_a_note(cast: Cast) -> None:
    concept = release(cast, completed(cast))
    with pytest.raises(WorkflowError):
        concept_services.concept_return(concept=concept, by=cast.admin, note="  ")


def test_withdrawing_removes_the_concept_from_the_library_at_once(cast: Cast) -> None:
    concept = published(cast)
    assert concept_selectors.published_concept(person=cast.supporter, pk=concept.pk) is not None

    concept_services.concept_withdraw(concept=concept, by=cast.school_contact_a)

    concept.refresh_from_db()
    assert concept.status == Status.WITHDRAWN
    assert concept.withdrawn_at is not None
    assert concept_selectors.library(person=cast.supporter) == []
    assert concept_selectors.published_concept(person=cast.supporter, pk=concept.pk) is None
    assert kinds(concept.request)[-1] == "concept_withdrawn"
    with pytest.raises(WorkflowError):
        concept_services.concept_withdraw(concept=concept, by=cast.school_contact_a)


@pytest.mark.parametrize("name", ["admin", "coordinator", "supporter", "school_contact_b"])
def test_only_the_school_withdraws(cast: Cast, name: str) -> None:
    concept = published(cast)
    with pytest.raises(WorkflowError):
        concept_services.concept_withdraw(concept=concept, by=getattr(cast, name))
    concept.refresh_from_db()
    assert concept.status == Status.PUBLISHED


def test_a_submitted_concept_can_be_withdrawn_before_review(cast: Cast) -> None:
    concept = release(cast, completed(cast))
    concept_services.concept_withdraw(concept=concept, by=cast.school_contact_a)
    with pytest.raises(WorkflowError):
        concept_services.concept_publish(concept=concept, by=cast.admin)


def test_the_library_is_per_organisation(cast: Cast) -> None:
    concept = published(cast)
    for name in ("school_contact_a", "school_contact_b", "supporter", "coordinator", "admin"):
        assert [c.pk for c in concept_selectors.library(person=getattr(cast, name))] == [concept.pk]
    assert concept_selectors.library(person=cast.other_admin) == []
    assert concept_selectors.published_concept(person=cast.other_admin, pk=concept.pk) is None
    assert concept_selectors.library(person=cast.outsider) == []


def test_the_library_filters_by_area_and_words(cast: Cast) -> None:
    area = QualityArea.objects.create(organisation=cast.organisation, number=2, title="Lernen")
    first = published(cast, quality_areas=[area])
    second = published(cast, topic="Ganztag gestalten", what_helped="Geduld.")
    everyone = concept_selectors.library(person=cast.supporter)
    assert {c.pk for c in everyone} == {first.pk, second.pk}
    assert [c.pk for c in concept_selectors.library(person=cast.supporter, area=area)] == [first.pk]
    assert [c.pk for c in concept_selectors.library(person=cast.supporter, search="ganztag")] == [
        second.pk
    ]
    assert [
        c.pk
        for c in concept_selectors.library(
            person=cast.supporter, search="Feedbackkultur hospitation"
        )
    ] == [first.pk]
    assert concept_selectors.library(person=cast.supporter, search="nirgends") == []


def test_the_review_queue_of_a_coordinator_holds_their_sites_only(cast: Cast) -> None:
    concept = release(cast, completed(cast))
    assert list(
        concept_selectors.review_queue(person=cast.admin, organisation=cast.organisation)
    ) == [concept]
    assert list(
        concept_selectors.review_queue(person=cast.coordinator, organisation=cast.organisation)
    ) == [concept]
    assert not concept_selectors.review_queue(
        person=cast.other_coordinator, organisation=cast.organisation
    ).exists()
    assert concept_selectors.organisation_reviews(cast.coordinator) == [(cast.organisation, 1)]
    assert concept_selectors.organisation_reviews(cast.other_coordinator) == [
        (cast.organisation, 0)
    ]
    assert concept_selectors.organisation_reviews(cast.supporter) == []
