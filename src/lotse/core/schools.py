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
            Q(name__icontains=search) | Q(number__startswith=search) | Q(city__icontains=search)
        )
    return schools.order_by("name", "number")
