"""Who may see which request. Outsiders get 404: they must not learn that a request exists."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from lotse.core import roles
from lotse.core.models import Organisation, Person
from lotse.support import workflow
from lotse.support.models import (
    Concept,
    EvaluationSubmission,
    FinalReflection,
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
        confirmations = (
            FinalReflection.objects.filter(request=request)
            .values_list("school_confirmed_at", "supporter_confirmed_at")
            .first()
        )
        if request.state != State.ACCOMPANYING or confirmations is None or None in confirmations:
            return _("The evaluation opens once both sides have confirmed the final reflection.")
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
