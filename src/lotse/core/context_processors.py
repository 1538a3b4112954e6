"""What every page needs to draw its navigation."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from lotse.core import navigation as registry


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The links of the main navigation and of the administration menu, from the registry the
    apps fill; read (once) only when the template draws them."""
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_links": [], "nav_admin_links": []}
    links = SimpleLazyObject(lambda: registry.links_for(user))
    return {
        "nav_links": SimpleLazyObject(lambda: [x for x in links if x.menu == registry.MAIN]),
        "nav_admin_links": SimpleLazyObject(
            lambda: [x for x in links if x.menu == registry.ADMINISTRATION]
        ),
    }
