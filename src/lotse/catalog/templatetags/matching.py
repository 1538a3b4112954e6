"""Template filters of the matching pages."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from lotse.catalog.models import Language

register = template.Library()


@register.filter
def language_names(codes: Iterable[str]) -> str:
    """Language codes as their names, e.g. "German, Upper Sorbian"."""
    return ", ".join(str(Language(code).label) for code in codes if code in Language.values)
