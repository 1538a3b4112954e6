"""What every page needs to draw its navigation."""

from typing import Any

from django.http import HttpRequest

from lotse.core import roles


def navigation(request: HttpRequest) -> dict[str, Any]:
    kinds = roles.role_kinds(request.user) if hasattr(request, "user") else set()
    return {
        "nav_is_school_contact": roles.Kind.SCHOOL_CONTACT in kinds,
        "nav_is_coordinator": roles.Kind.COORDINATOR in kinds,
        "nav_is_supporter": roles.Kind.SUPPORTER in kinds,
        "nav_is_staff": bool(kinds & {roles.Kind.COORDINATOR, roles.Kind.ADMIN}),
    }
