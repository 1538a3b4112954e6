"""The main navigation: each app registers its entries in `AppConfig.ready()`, core draws them.

Core knows no app to its right (DESIGN.md §4). An app says which links it offers, to whom (by
kind of role) and in which order; a link that belongs to an organisation (its settings, its review
queue) is drawn once for each organisation in which the person holds one of the kinds. A badge is
a count read only when the page draws the navigation, once per page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.functional import Promise

from lotse.core import roles
from lotse.core.models import Organisation, Person

# A badge: for a person and the organisations the entry is drawn for, the count per organisation
# id (or under None for an entry that belongs to no organisation).
Badge = Callable[[Person, list[Organisation]], dict[int | None, int]]


@dataclass(frozen=True)
class Entry:
    """One link of the navigation.

    `kinds` are the kinds of role that see it; empty means everyone with any role. `public`
    entries are shown to everyone, logged in or not. `per_organisation` entries take the
    organisation's slug as their URL argument and `label` is formatted with `name`; a person
    with just one such organisation reads `short_label` where one is given. `menu` is
    `MAIN` (the links in the header) or `ADMINISTRATION` (the organisation's settings, in a
    menu of their own, so the header stays one line).
    """

    key: str
    label: str | Promise
    url_name: str
    order: int
    kinds: frozenset[str] = frozenset()
    public: bool = False
    per_organisation: bool = False
    short_label: str | Promise | None = None
    badge: Badge | None = None
    menu: str = "main"


MAIN = "main"
ADMINISTRATION = "administration"


@dataclass(frozen=True)
class Link:
    """An entry as one person sees it: label, address and the count beside it, if any."""

    key: str
    label: str
    url: str
    badge: int | None = None
    menu: str = MAIN


_ENTRIES: dict[str, Entry] = {}


def register(
    key: str,
    *,
    label: str | Promise,
    url_name: str,
    order: int,
    kinds: Iterable[str] = (),
    public: bool = False,
    per_organisation: bool = False,
    short_label: str | Promise | None = None,
    badge: Badge | None = None,
    menu: str = MAIN,
) -> Entry:
    """Register a navigation entry (call from `AppConfig.ready()`); registering a key again
    replaces it, so a reload in tests does not fail."""
    if public and (kinds or per_organisation):
        raise ValueError(f"{key}: a public entry is for everyone and belongs to no organisation")
    if menu not in (MAIN, ADMINISTRATION):
        raise ValueError(f"{key}: unknown menu {menu!r}")
    if per_organisation and short_label is None:
        raise ValueError(f"{key}: an entry per organisation needs a short label without the name")
    entry = Entry(
        key=key,
        label=label,
        url_name=url_name,
        order=order,
        kinds=frozenset(kinds),
        public=public,
        per_organisation=per_organisation,
        short_label=short_label,
        badge=badge,
        menu=menu,
    )
    _ENTRIES[key] = entry
    return entry


def entries() -> list[Entry]:
    """Every registered entry, in the order of the navigation."""
    return sorted(_ENTRIES.values(), key=lambda entry: (entry.order, entry.key))


def links_for(person: Person | AnonymousUser) -> list[Link]:
    """The links one person sees, in order, with their badges."""
    held = roles.role_kinds(person)
    authenticated = isinstance(person, Person) and person.is_authenticated
    wanted: list[Entry] = []
    for entry in entries():
        if entry.public or (authenticated and held and (not entry.kinds or entry.kinds & held)):
            wanted.append(entry)
    links: list[Link] = []
    for entry in wanted:
        if not entry.per_organisation:
            counts = entry.badge(person, []) if entry.badge and isinstance(person, Person) else {}
            links.append(
                Link(
                    entry.key,
                    str(entry.label),
                    reverse(entry.url_name),
                    counts.get(None),
                    entry.menu,
                )
            )
            continue
        # The organisations come with the roles (loaded once per request): no query here.
        mine = roles.organisations(person, *entry.kinds)
        counts = entry.badge(person, mine) if entry.badge and isinstance(person, Person) else {}
        for organisation in mine:
            text = entry.short_label if len(mine) == 1 and entry.short_label else entry.label
            links.append(
                Link(
                    entry.key,
                    str(text) % {"name": organisation.name},
                    reverse(entry.url_name, args=[organisation.slug]),
                    counts.get(organisation.pk) if entry.badge else None,
                    entry.menu,
                )
            )
    return links
