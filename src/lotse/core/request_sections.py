"""Sections that apps to the right of `support` add to the request page.

The request page belongs to `support`, which must not import the apps to its right (DESIGN.md
§4). An app that has something to say about a request (a training the school booked, a concept
in the library …) registers a section in its `AppConfig.ready()`: a template and a function that
returns the template's context for one request and one reader, or None when the section has
nothing to show. The function must itself check what the reader may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from lotse.core.models import Person

Context = Callable[[HttpRequest, Any, Person], dict[str, Any] | None]


@dataclass(frozen=True)
class Section:
    """One registered section of the request page."""

    key: str
    template: str
    context: Context
    order: int


@dataclass(frozen=True)
class Rendered:
    """A section as one reader sees it on one request."""

    key: str
    template: str
    context: dict[str, Any]


_SECTIONS: dict[str, Section] = {}


def register(key: str, *, template: str, context: Context, order: int = 100) -> Section:
    """Register a section (call from `AppConfig.ready()`); registering a key again replaces it."""
    section = Section(key=key, template=template, context=context, order=order)
    _SECTIONS[key] = section
    return section


def unregister(key: str) -> None:
    """Remove a section (for tests and apps that are switched off)."""
    _SECTIONS.pop(key, None)


def for_request(request: HttpRequest, support_request: Any, person: Person) -> list[Rendered]:
    """The sections this reader sees on this request, in order."""
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        context = section.context(request, support_request, person)
        if context is not None:
            shown.append(Rendered(section.key, section.template, context))
    return shown
