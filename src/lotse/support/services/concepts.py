"""Synergie: the school releases an anonymised summary (a concept) of a completed accompaniment.

The way of a concept: the school writes it and consents (SUBMITTED) → a reviewer of the
organisation (its admins, the coordinators of the request's site) checks that it names no
person, school or place and publishes it (PUBLISHED, in the library) or returns it with a note
(RETURNED; the school revises and submits again). The school may withdraw its consent at any
time, also after publication (WITHDRAWN); the concept leaves the library at once. The check
itself is in `lotse.support.concept_check`."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.catalog.models import QualityArea
from lotse.core.models import Person, Role, School
from lotse.support import permissions, timeline
from lotse.support.concept_check import (
    CONSENT_TEXT,
    PENDING,
    TEXT_FIELDS,
    Finding,
    check_concept,
    check_texts,
    identifying_terms,
    normalise,
)
from lotse.support.models import (
    Concept,
    SupportRequest,
)
from lotse.support.services.base import (
    coordinator_addresses,
    queue_mail,
    request_lock,
    school_addresses,
)
from lotse.support.workflow import WorkflowError


def reviewer_addresses(request: SupportRequest) -> list[str]:
    """The organisation's admins and the coordinators of the request's site."""
    admins = Role.objects.filter(
        kind=Role.Kind.ADMIN, organisation_id=request.organisation_id, person__is_active=True
    ).values_list("person__email", flat=True)
    return sorted({*admins, *coordinator_addresses(request)})


def _review_url(concept: Concept) -> str:
    return (
        f"{settings.BASE_URL}/organisation/{concept.organisation.slug}/konzepte/pruefen/"
        f"{concept.pk}/"
    )


def _texts(topic: str, what_was_done: str, what_helped: str) -> dict[str, str]:
    texts = {
        "topic": normalise(topic).strip(),
        "what_was_done": normalise(what_was_done).strip(),
        "what_helped": normalise(what_helped).strip(),
    }
    if not all(texts.values()):
        raise WorkflowError(_("Please fill in the topic, what was done and what helped."))
    return texts


def _refuse_unresolved(unresolved: Sequence[Finding]) -> None:
    if unresolved:
        raise WorkflowError(
            _(
                "The texts still contain what could identify the school or a person: "
                "%(found)s. Please remove it or confirm that it identifies no one."
            )
            % {"found": ", ".join(f"„{f.text}“" for f in unresolved)}
        )


@transaction.atomic
def concept_submit(
    *,
    request: SupportRequest,
    by: Person,
    topic: str,
    what_was_done: str,
    what_helped: str,
    quality_areas: Iterable[QualityArea] = (),
    school_form: str = "",
    consent: bool,
    harmless: Collection[str] = (),
) -> Concept:
    """The school releases a summary of its completed accompaniment for review (or submits a
    returned one again); it must consent, and resolve every finding of the check."""
    request = request_lock(request)
    # Not a transition of workflow.TRANSITIONS: a completed request is final, its state stays.
    reason = permissions.release_refusal(request, by)
    if reason is not None:
        raise WorkflowError(reason)
    if not consent:
        raise WorkflowError(_("Without your consent nothing is released."))
    texts = _texts(topic, what_was_done, what_helped)
    if school_form and school_form not in School.Type.values:
        raise WorkflowError(_("Please choose a school form from the list."))
    areas = list(quality_areas)
    if any(area.organisation_id != request.organisation_id for area in areas):
        raise WorkflowError(_("The selection does not belong to your organisation."))
    _refuse_unresolved(check_texts(texts, identifying_terms(request)).unresolved(harmless))
    pending = list(Concept.objects.select_for_update().filter(request=request, status__in=PENDING))
    if any(c.status == Concept.Status.SUBMITTED for c in pending):
        raise WorkflowError(_("A concept of this request is already waiting for review."))
    concept = pending[0] if pending else Concept(organisation=request.organisation, request=request)
    for name, value in texts.items():
        setattr(concept, name, value)
    concept.school_form = school_form
    concept.status = Concept.Status.SUBMITTED
    concept.consent_text = str(CONSENT_TEXT)
    concept.consent_by = by
    concept.consent_at = timezone.now()
    concept.reviewed_by = None
    concept.reviewed_at = None
    concept.save()
    concept.quality_areas.set(areas)
    timeline.record(request, "concept_resubmitted" if pending else "concept_submitted", by=by)
    queue_mail(
        request,
        "concept_submitted",
        reviewer_addresses(request),
        review_url=_review_url(concept),
    )
    return concept


def _lock_concept(concept: Concept) -> Concept:
    return (
        Concept.objects.select_for_update(of=("self",))
        .select_related("organisation", "request__site", "request__school")
        .get(pk=concept.pk)
    )


def _reviewable(concept: Concept, by: Person) -> Concept:
    concept = _lock_concept(concept)
    if not permissions.is_reviewer(by, concept):
        raise WorkflowError(_("Only the organisation's reviewers may do this."))
    if concept.status != Concept.Status.SUBMITTED or concept.request is None:
        raise WorkflowError(_("This concept is not waiting for review."))
    return concept


@transaction.atomic
def concept_edit(
    *, concept: Concept, by: Person, topic: str, what_was_done: str, what_helped: str
) -> Concept:
    """A reviewer removes identifiers from the texts (the concept stays in review)."""
    concept = _reviewable(concept, by)
    for name, value in _texts(topic, what_was_done, what_helped).items():
        setattr(concept, name, value)
    concept.save(update_fields=list(TEXT_FIELDS))
    return concept


@transaction.atomic
def concept_publish(
    *,
    concept: Concept,
    by: Person,
    topic: str | None = None,
    what_was_done: str | None = None,
    what_helped: str | None = None,
    harmless: Collection[str] = (),
) -> Concept:
    """A reviewer publishes the concept (with their edits) into the library; refused while a
    finding remains that the reviewer has not marked as identifying no one."""
    concept = _reviewable(concept, by)
    assert concept.request is not None
    texts = _texts(
        concept.topic if topic is None else topic,
        concept.what_was_done if what_was_done is None else what_was_done,
        concept.what_helped if what_helped is None else what_helped,
    )
    for name, value in texts.items():
        setattr(concept, name, value)
    _refuse_unresolved(check_concept(concept).unresolved(harmless))
    now = timezone.now()
    concept.status = Concept.Status.PUBLISHED
    concept.reviewed_by, concept.reviewed_at, concept.published_at = by, now, now
    concept.review_note = ""
    concept.save()
    timeline.record(concept.request, "concept_published", by=by)
    queue_mail(concept.request, "concept_published", school_addresses(concept.request))
    return concept


@transaction.atomic
def concept_return(*, concept: Concept, by: Person, note: str) -> Concept:
    """A reviewer returns the concept to the school with a note on what to change."""
    note = note.strip()
    if not note:
        raise WorkflowError(_("Please tell the school what to change."))
    concept = _reviewable(concept, by)
    assert concept.request is not None
    concept.status = Concept.Status.RETURNED
    concept.review_note = note
    concept.reviewed_by, concept.reviewed_at = by, timezone.now()
    concept.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    timeline.record(concept.request, "concept_returned", by=by)
    queue_mail(concept.request, "concept_returned", school_addresses(concept.request))
    return concept


@transaction.atomic
def concept_withdraw(*, concept: Concept, by: Person) -> Concept:
    """The school withdraws its consent, at any time; the concept leaves the library at once."""
    concept = _lock_concept(concept)
    if concept.status == Concept.Status.WITHDRAWN:
        raise WorkflowError(_("The consent is already withdrawn."))
    if not permissions.may_withdraw(by, concept):
        raise WorkflowError(_("Only the school may withdraw its consent."))
    concept.status = Concept.Status.WITHDRAWN
    concept.withdrawn_at = timezone.now()
    concept.save(update_fields=["status", "withdrawn_at"])
    if concept.request is not None:
        timeline.record(concept.request, "concept_withdrawn", by=by)
    return concept
