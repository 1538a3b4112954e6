"""Who may see which request. Outsiders get 404: they must not learn that a request exists."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import Http404

from lotse.core import roles
from lotse.core.models import Person
from lotse.support.models import Proposal, State, SupportRequest


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
            proposals__status__in=[Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED],
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
