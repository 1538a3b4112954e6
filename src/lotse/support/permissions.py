"""Every rights check of the support process. Outsiders get 404: they must not learn that a
request exists; insiders without the right get 403. Pages and services ask here, and a template
gets a flag computed here, never a role to decide on."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from lotse.core import roles
from lotse.core.models import Organisation, Person, School
from lotse.support import workflow
from lotse.support.models import (
    Concept,
    EvaluationSubmission,
    Proposal,
    State,
    SupportRequest,
)
from lotse.support.workflow import Side


def visible_q(person: Person | AnonymousUser) -> Q:
    """The requests a person may see: their school's, their sites', the ones proposed to them."""
    if not person.is_authenticated:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    school_ids = roles.contact_school_ids(person)
    if school_ids:
        q |= Q(
            school_id__in=school_ids,
            organisation_id__in=roles.organisation_ids(person, roles.Kind.SCHOOL_CONTACT),
        )
    site_ids = roles.coordinated_site_ids(person)
    if site_ids:
        q |= Q(site_id__in=site_ids)
    if roles.Kind.SUPPORTER in roles.role_kinds(person):
        # A withdrawal ends the supporters' access at once; a declined proposal ends it too.
        q |= Q(
            proposals__supporter=person,
            proposals__status__in=[
                Proposal.Status.PROPOSED,
                Proposal.Status.ACCEPTED,
            ],
        ) & ~Q(state=State.WITHDRAWN)
    return q


def get_request_for(person: Person | AnonymousUser, pk: int) -> SupportRequest:
    """Load a request the person may see, or raise 404."""
    request = (
        SupportRequest.objects.filter(visible_q(person), pk=pk)
        .select_related("organisation", "site", "school", "quality_area", "offer")
        .distinct()
        .first()
    )
    if request is None:
        raise Http404
    return request


def evaluation_side(sides: Collection[Side]) -> str | None:
    """The side a person answers the evaluation for: the school's, or the supporter's."""
    if Side.SCHOOL in sides:
        return EvaluationSubmission.Side.SCHOOL
    if Side.SUPPORTER in sides:
        return EvaluationSubmission.Side.SUPPORTER
    return None


def evaluation_refusal(request: SupportRequest, sides: Collection[Side]) -> str | None:
    """Why the person cannot answer the evaluation of this request now, or None."""
    side = evaluation_side(sides)
    if side is None:
        return _("Only the school and the supporter answer the evaluation.")
    if request.state != State.COMPLETED:
        # As docs/accompaniment.md says: the evaluation follows the completion.
        return _("The evaluation opens once the process is completed.")
    if EvaluationSubmission.objects.filter(request=request, side=side).exists():
        return _("Your side has already answered the evaluation or declined it.")
    return None


def is_reviewer(person: Person, concept: Concept) -> bool:
    """The organisation's admins and the coordinators of the request's site review."""
    organisation = concept.organisation
    if roles.has_role(person, roles.Kind.ADMIN, organisation):
        return True
    if concept.request is None or not roles.has_role(person, roles.Kind.COORDINATOR, organisation):
        return False
    return concept.request.site_id in roles.coordinated_site_ids(person)


def release_refusal(request: SupportRequest, person: Person) -> str | Promise | None:
    """Why the person may not release a concept of this request, or None if they may."""
    if Side.SCHOOL not in workflow.sides(request, person):
        return _("Only the school may release a concept of its accompaniment.")
    if request.state != State.COMPLETED:
        return _("A concept can be released once the accompaniment is completed.")
    return None


def reviewer_role(person: Person, organisation: Organisation) -> str:
    """The role a reviewer reads in, for the access log."""
    if roles.has_role(person, roles.Kind.ADMIN, organisation):
        return roles.Kind.ADMIN
    return roles.Kind.COORDINATOR


def may_withdraw(person: Person, concept: Concept) -> bool:
    """The school of the request withdraws; once retention has cut the link to the request,
    the person who gave the consent still can."""
    if concept.status == Concept.Status.WITHDRAWN:
        return False
    if concept.request is not None:
        return Side.SCHOOL in workflow.sides(concept.request, person)
    return concept.consent_by_id == person.pk


def require_role(request: HttpRequest, kind: str) -> Person:
    person = roles.person_of(request)
    if kind not in roles.role_kinds(person):
        raise Http404
    return person


def require_side(sr: SupportRequest, action: str, person: Person) -> None:
    """Insiders who may see the request but not take this step get 403."""
    if not workflow.sides(sr, person) & workflow.TRANSITIONS[action].sides:
        raise PermissionDenied


def get_request_for_or_none(person: Person, pk: int) -> SupportRequest | None:
    try:
        return get_request_for(person, pk)
    except Http404:
        return None


def may_write(sides: Collection[Side]) -> bool:
    """Notes and documents are written by the school, accepted supporters and the coordination."""
    return bool({Side.SCHOOL, Side.SUPPORTER, Side.COORDINATOR} & set(sides))


def may_widen(sides: Collection[Side]) -> bool:
    """Only the school changes an entry's level afterwards and releases it."""
    return Side.SCHOOL in sides


def is_admin(person: Person, organisation: Organisation) -> bool:
    """The organisation's admins set it up: mailboxes, methods, evaluation questions."""
    return roles.has_role(person, roles.Kind.ADMIN, organisation)


def is_contact_of(person: Person, school: School) -> bool:
    """A school contact sends requests for their own schools only."""
    return school.pk in roles.contact_school_ids(person)


def coordinates_site(person: Person, site_id: int) -> bool:
    """The coordinators of a site handle its mail."""
    return site_id in roles.coordinated_site_ids(person)


def writes_concept(sides: Collection[Side]) -> bool:
    """Only the school writes a concept of its accompaniment."""
    return Side.SCHOOL in sides


def admin_organisation(request: HttpRequest, slug: str) -> tuple[Organisation, Person]:
    """The organisation for one of its admins; 404 for everyone else."""
    organisation, person, _kind = roles.organisation_for(request, slug)
    return organisation, person


def staff_organisation(request: HttpRequest, slug: str) -> tuple[Organisation, Person, str]:
    """The organisation for its admins and coordinators, with the role they act in (releases,
    reviews, the evaluation report); 404 for everyone else."""
    return roles.organisation_for(request, slug, roles.Kind.ADMIN, roles.Kind.COORDINATOR)


def library_member(request: HttpRequest) -> tuple[Person, set[int]]:
    """Everyone with a role in an organisation reads its library; others get 404."""
    person = roles.person_of(request)
    organisation_ids = roles.organisation_ids(person)
    if not organisation_ids:
        raise Http404
    return person, organisation_ids


def concept_for(person: Person, pk: int) -> Concept:
    """A concept of one of the person's organisations; 404 for others."""
    concept = (
        Concept.objects.filter(pk=pk, organisation_id__in=roles.organisation_ids(person))
        .select_related("organisation", "request__organisation")
        .first()
    )
    if concept is None:
        raise Http404
    return concept


def quarantine_site_ids(person: Person) -> list[int]:
    """The sites whose quarantined mail the person handles (their coordinators); 404 for others."""
    site_ids = sorted(roles.coordinated_site_ids(person))
    if not site_ids:
        raise Http404
    return site_ids
