"""The kernel the selector modules share: entries as a person sees them, confidential columns
loaded only for readable rows, and the active releases of a request's entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from django.db.models import (
    BinaryField,
    BooleanField,
    Case,
    F,
    Model,
    Value,
    When,
)
from django.utils.functional import Promise

from lotse.core.models import Person
from lotse.lib.crypto import Sealed
from lotse.support import visibility
from lotse.support.models import (
    Release,
    SupportRequest,
    Visibility,
)
from lotse.support.workflow import Side


@dataclass(frozen=True)
class Shown:
    """What every entry with a level tells its reader: the level, and whether they read it."""

    pk: int
    visibility: str | None
    readable: bool
    releases: tuple[Release, ...]

    # The entry's name in URLs (visibility and release forms).
    slug: ClassVar[str] = ""

    @property
    def hidden(self) -> bool:
        """The entry has content the reader may not see: they see a placeholder."""
        return self.visibility is not None and not self.readable

    @property
    def placeholder(self) -> str | Promise:
        return visibility.PLACEHOLDERS.get(self.visibility or "", visibility.PLACEHOLDER)

    @property
    def visibility_label(self) -> str:
        return str(Visibility(self.visibility).label) if self.visibility else ""

    @property
    def when(self) -> dt.datetime | None:
        """The moment that names the entry (its date, or a meeting's start)."""
        return None


def readable_case(person: Person, sides: Collection[Side], *, author: str, **kw: Any) -> Case:
    return Case(
        When(visibility.readable_q(person, sides, author=author, **kw), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def sealed_if_readable(
    person: Person, sides: Collection[Side], name: str, *, author: str, **kw: Any
) -> Case:
    """The encrypted column for readable rows, NULL for the others: hidden content stays in
    the database."""
    return Case(
        When(visibility.readable_q(person, sides, author=author, **kw), then=F(name)),
        default=Value(None, output_field=BinaryField()),
        output_field=BinaryField(),
    )


def open_sealed(instance: Model, name: str, sealed: bytes | memoryview | None) -> str:
    """Decrypt a value the query returned for a readable row."""
    if sealed is None:
        return ""
    instance.__dict__[name] = Sealed(bytes(sealed))
    return str(getattr(instance, name) or "")


ReleaseMap = dict[tuple[str, int], tuple[Release, ...]]


def active_releases(request: SupportRequest) -> ReleaseMap:
    found: dict[tuple[str, int], list[Release]] = {}
    for release in (
        Release.objects.filter(request=request, revoked_at__isnull=True)
        .select_related("released_by")
        .order_by("released_at", "pk")
    ):
        for name in ("event", "meeting", "attachment", "session"):
            item_id = getattr(release, f"{name}_id")
            if item_id is not None:
                found.setdefault((name, item_id), []).append(release)
    return {key: tuple(value) for key, value in found.items()}


def with_releases[S: Shown](
    request: SupportRequest, entries: list[S], name: str, found: ReleaseMap | None
) -> tuple[list[S], ReleaseMap | None]:
    """The entries with their active releases, loaded once and only if an entry is released."""
    if not any(e.visibility == Visibility.RELEASED for e in entries):
        return entries, found
    found = found if found is not None else active_releases(request)
    return [replace(e, releases=found.get((name, e.pk), ())) for e in entries], found


BOTH_SIDES = frozenset({"school", "supporter"})


def level_counts(entries: list[Any]) -> dict[str, int]:
    counts = dict.fromkeys(Visibility, 0)
    for entry in entries:
        if entry.visibility is not None:
            counts[Visibility(entry.visibility)] += 1
    return {str(level): count for level, count in counts.items()}
