"""Synergie reads: the review queue, the library, the school's section of the request page and
the count of concepts waiting for review."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from lotse.catalog.models import QualityArea
from lotse.core import roles
from lotse.core.models import Organisation, Person, School
from lotse.support.concept_check import TEXT_FIELDS
from lotse.support.models import (
    Concept,
    State,
    SupportRequest,
)
from lotse.support.workflow import Side


def review_queue(*, person: Person, organisation: Organisation) -> QuerySet[Concept]:
    """Concepts waiting for this person's review, oldest first; of the content only the topic
    is loaded (the list names what each concept is about)."""
    rows = Concept.objects.filter(organisation=organisation, status=Concept.Status.SUBMITTED)
    if not roles.has_role(person, roles.Kind.ADMIN, organisation):
        rows = rows.filter(request__site_id__in=roles.coordinated_site_ids(person))
    return rows.defer("what_was_done", "what_helped", "review_note").order_by("consent_at", "pk")


def _published(person: Person, area: QualityArea | None) -> QuerySet[Concept]:
    rows = (
        Concept.objects.filter(
            organisation_id__in=roles.organisation_ids(person), status=Concept.Status.PUBLISHED
        )
        .defer("review_note")
        .prefetch_related("quality_areas")
        .order_by("-published_at", "-pk")
    )
    return rows.filter(quality_areas=area) if area is not None else rows


def _matching(concepts: Iterable[Concept], search: str) -> list[Concept]:
    words = search.casefold().split()

    # The texts are encrypted: the search runs on the decrypted texts, here.
    def matches(concept: Concept) -> bool:
        haystack = " ".join(
            [concept.school_form, *(getattr(concept, f) for f in TEXT_FIELDS)]
        ).casefold()
        return all(word in haystack for word in words)

    return [c for c in concepts if matches(c)]


def library(*, person: Person, area: QualityArea | None = None, search: str = "") -> list[Concept]:
    """Published concepts of the person's organisations (filtered by area and words)."""
    concepts = list(_published(person, area))
    return _matching(concepts, search) if search.split() else concepts


LIBRARY_PAGE = 25


def library_page(
    *, person: Person, area: QualityArea | None = None, search: str = "", page: str | None = None
) -> Page[Concept]:
    """One page of the library. Without search words only the page's topics are decrypted;
    a search has to read every published concept's texts."""
    if search.split():
        return Paginator(library(person=person, area=area, search=search), LIBRARY_PAGE).get_page(
            page
        )
    rows = _published(person, area).defer("what_was_done", "what_helped")
    return Paginator(rows, LIBRARY_PAGE).get_page(page)


def published_concept(*, person: Person, pk: int) -> Concept | None:
    """One concept of the library, or None (another organisation's, or not published)."""
    return (
        Concept.objects.filter(
            pk=pk,
            organisation_id__in=roles.organisation_ids(person),
            status=Concept.Status.PUBLISHED,
        )
        .defer("review_note")
        .prefetch_related("quality_areas")
        .first()
    )


def school_form_label(concept: Concept) -> str:
    """The school form as the library shows it ("" when not stated)."""
    if concept.school_form in School.Type.values:
        return str(School.Type(concept.school_form).label)
    return concept.school_form


def section(request: SupportRequest, sides: Collection[Side]) -> dict[str, object] | None:
    """The school's part "Erfahrungen teilen (Synergie)" of the request page, or None."""
    if request.state != State.COMPLETED or Side.SCHOOL not in sides:
        return None
    concepts = concepts_of(request)
    return {
        "concepts": concepts,
        "can_write": not any(c.status == Concept.Status.SUBMITTED for c in concepts),
        "returned": next((c for c in concepts if c.status == Concept.Status.RETURNED), None),
    }


def concepts_of(request: SupportRequest) -> list[Concept]:
    """The concepts of a request, newest first, for the school's section of the request page."""
    return list(
        Concept.objects.filter(request=request)
        .select_related("reviewed_by")
        .order_by("-consent_at", "-pk")
    )


def organisation_reviews(person: Person) -> list[tuple[Organisation, int]]:
    """For the navigation: each organisation the person reviews in, with the count waiting."""
    organisation_ids = roles.organisation_ids(person, roles.Kind.ADMIN, roles.Kind.COORDINATOR)
    if not organisation_ids:
        return []
    waiting = Concept.objects.filter(
        status=Concept.Status.SUBMITTED, organisation_id__in=organisation_ids
    )
    admin_ids = roles.organisation_ids(person, roles.Kind.ADMIN)
    waiting = waiting.filter(
        Q(organisation_id__in=admin_ids)
        | Q(request__site_id__in=roles.coordinated_site_ids(person))
    )
    counts: dict[int, int] = {}
    for organisation_id in waiting.values_list("organisation_id", flat=True):
        counts[organisation_id] = counts.get(organisation_id, 0) + 1
    organisations = Organisation.objects.filter(pk__in=organisation_ids).only("slug", "name")
    return [(o, counts.get(o.pk, 0)) for o in organisations]
