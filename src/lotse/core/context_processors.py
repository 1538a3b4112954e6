"""What every page needs to draw its navigation."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from lotse.core import roles
from lotse.core.models import Organisation


def _concept_reviews(user: Any) -> list[tuple[Organisation, int]]:
    from lotse.support.selectors.concepts import organisation_reviews

    return organisation_reviews(user)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    kinds = roles.role_kinds(user) if user is not None else set()
    admin_of = (
        Organisation.objects.filter(pk__in=roles.organisation_ids(user, roles.Kind.ADMIN)).only(
            "slug", "name"
        )
        if roles.Kind.ADMIN in kinds and user is not None
        else []
    )
    return {
        "nav_admin_of": admin_of,
        # Everyone with a role reads the library of concepts (Synergie).
        "nav_has_role": bool(kinds),
        # Read (once) only when the template draws the navigation of a coordinator or admin.
        "nav_concept_reviews": SimpleLazyObject(lambda: _concept_reviews(user))
        if user is not None and kinds & {roles.Kind.COORDINATOR, roles.Kind.ADMIN}
        else [],
        "nav_is_school_contact": roles.Kind.SCHOOL_CONTACT in kinds,
        "nav_is_coordinator": roles.Kind.COORDINATOR in kinds,
        "nav_is_supporter": roles.Kind.SUPPORTER in kinds,
        "nav_is_staff": bool(kinds & {roles.Kind.COORDINATOR, roles.Kind.ADMIN}),
    }
