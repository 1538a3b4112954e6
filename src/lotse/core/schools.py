"""Reads about the schools of an organisation."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lotse.core.models import Organisation, School


def schools_of(organisation: Organisation, *, search: str = "") -> QuerySet[School]:
    """The schools in the organisation's districts, and those of its state in no district yet
    (an import assigns them), with district and site; filtered by name, number or town."""
    schools = School.objects.filter(
        Q(district__organisation=organisation) | Q(district__isnull=True, state=organisation.state)
    ).select_related("district__site")
    if search:
        schools = schools.filter(
            text_contains("name", search)
            | Q(number__startswith=search)
            | text_contains("city", search)
        )
    return schools.order_by("name", "number")


def text_starts_with(field: str, word: str) -> Q:
    """`field` begins with `word` in any case (see `text_contains`)."""
    condition = Q()
    for variant in dict.fromkeys((word, word.lower(), word.upper(), word.capitalize())):
        condition |= Q(**{f"{field}__istartswith": variant})
    return condition


def text_contains(field: str, word: str) -> Q:
    """`field` holds `word` in any case. SQLite folds only ASCII letters ("LÖBTAU" would miss
    "Löbtau"), so the word is also looked for in lower case, upper case and capitalised; on
    PostgreSQL the variants change nothing."""
    variants = dict.fromkeys((word, word.lower(), word.upper(), word.capitalize()))
    condition = Q()
    for variant in variants:
        condition |= Q(**{f"{field}__icontains": variant})
    return condition
