"""Questions about a person's roles; every permission check in the apps starts here."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from lotse.core.models import Organisation, Person, Role, School, Site

Kind = Role.Kind


def person_of(request: HttpRequest) -> Person:
    """The logged-in person of a request (views call it after @login_required)."""
    user = request.user
    assert isinstance(user, Person)
    return user


def _roles(person: Person | AnonymousUser) -> list[Role]:
    """All roles of a person, loaded once per request object and cached on it."""
    if not person.is_authenticated:
        return []
    cached: list[Role] | None = getattr(person, "_lotse_roles", None)
    if cached is None:
        cached = list(
            Role.objects.filter(person=person)
            .select_related("organisation", "school")
            .prefetch_related("sites")
        )
        setattr(person, "_lotse_roles", cached)  # noqa: B010 - a per-request cache, not a field
    return cached


def has_role(
    person: Person | AnonymousUser, kind: str, organisation: Organisation | None = None
) -> bool:
    """Whether the person holds a role of this kind (in this organisation, if given)."""
    return any(
        r.kind == kind and (organisation is None or r.organisation_id == organisation.pk)
        for r in _roles(person)
    )


def held(person: Person | AnonymousUser) -> list[Role]:
    """The person's roles with their organisations (from the per-request cache)."""
    return list(_roles(person))


def role_kinds(person: Person | AnonymousUser) -> set[str]:
    """The kinds of role a person holds anywhere."""
    return {r.kind for r in _roles(person)}


def contact_school_ids(person: Person | AnonymousUser) -> set[int]:
    """Schools the person speaks for as a school contact."""
    return {r.school_id for r in _roles(person) if r.kind == Kind.SCHOOL_CONTACT and r.school_id}


def contact_schools(person: Person) -> QuerySet[School]:
    """Schools the person speaks for, as a queryset."""
    return School.objects.filter(pk__in=contact_school_ids(person)).select_related(
        "district__site__organisation"
    )


def coordinated_site_ids(person: Person | AnonymousUser) -> set[int]:
    """Sites the person coordinates."""
    return {s.pk for r in _roles(person) if r.kind == Kind.COORDINATOR for s in r.sites.all()}


def coordinated_sites(person: Person) -> QuerySet[Site]:
    """Sites the person coordinates, as a queryset."""
    return Site.objects.filter(pk__in=coordinated_site_ids(person)).select_related("organisation")


def organisation_ids(person: Person | AnonymousUser, *kinds: str) -> set[int]:
    """Organisations in which the person holds one of these kinds of role."""
    return {r.organisation_id for r in _roles(person) if not kinds or r.kind in kinds}


def organisations(person: Person | AnonymousUser, *kinds: str) -> list[Organisation]:
    """Organisations in which the person holds one of these kinds of role, by name; from the
    roles already loaded (with their organisation), so without a query of their own."""
    found = {
        r.organisation_id: r.organisation for r in _roles(person) if not kinds or r.kind in kinds
    }
    return sorted(found.values(), key=lambda o: (o.name, o.pk))


def is_staff_in(person: Person | AnonymousUser, organisation_id: int) -> bool:
    """Coordinators and organisation admins are staff of their organisation."""
    return organisation_id in organisation_ids(person, Kind.COORDINATOR, Kind.ADMIN)


def organisation_for(
    request: HttpRequest, slug: str, *kinds: str
) -> tuple[Organisation, Person, str]:
    """The organisation of an `/organisation/<slug>/…` page, the logged-in person, and the first
    of `kinds` (default: admin) the person holds in it. Everyone else gets 404, as if the page
    did not exist."""
    organisation = get_object_or_404(Organisation, slug=slug)
    person = person_of(request)
    for kind in kinds or (Kind.ADMIN,):
        if has_role(person, kind, organisation):
            return organisation, person, kind
    raise Http404
