"""Template filters of the matching pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template

from lotse.catalog.models import Language

register = template.Library()


@register.filter
def language_names(codes: Iterable[str]) -> str:
    """Language codes as their names, e.g. "German, Upper Sorbian"."""
    return ", ".join(str(Language(code).label) for code in codes if code in Language.values)


@register.filter
def lookup(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """The value of a mapping for a key, or "" (e.g. what happened earlier to a supporter)."""
    return (mapping or {}).get(key, "")
