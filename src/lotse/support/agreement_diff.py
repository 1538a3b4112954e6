"""What an amendment changes: two versions of the Kontrakt compared field by field.

A pure function of two objects with the Kontrakt's fields (an `Agreement`, or anything shaped
like it): no database, no request. The goals are compared line by line, so a reworded goal shows
as one removed and one added line."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Version(Protocol):
    participants: str
    goals: str
    starts_on: dt.date
    ends_on: dt.date
    place: str
    frequency: str
    resources: str
    methods: str
    other_methods: str | None
    confidentiality: str


# The fields besides the goals, in the order of the Kontrakt, with their names on the page.
FIELDS: tuple[tuple[str, str | Promise], ...] = (
    ("participants", _("Participants")),
    ("starts_on", _("From")),
    ("ends_on", _("Until")),
    ("place", _("Place")),
    ("frequency", _("Frequency")),
    ("resources", _("Resources")),
    ("methods", _("Methods")),
    ("other_methods", _("Other methods")),
    ("confidentiality", _("Confidentiality")),
)

GoalStatus = Literal["added", "removed", "unchanged"]


@dataclass(frozen=True)
class FieldChange:
    """One field of the Kontrakt in both versions."""

    name: str
    label: str | Promise
    old: Any
    new: Any

    @property
    def changed(self) -> bool:
        return bool(self.old != self.new)


@dataclass(frozen=True)
class GoalLine:
    text: str
    status: GoalStatus


@dataclass(frozen=True)
class AgreementDiff:
    fields: tuple[FieldChange, ...]
    goals: tuple[GoalLine, ...]

    @property
    def changed_fields(self) -> tuple[FieldChange, ...]:
        return tuple(f for f in self.fields if f.changed)

    @property
    def goals_changed(self) -> bool:
        return any(line.status != "unchanged" for line in self.goals)

    @property
    def time_span_changed(self) -> bool:
        return any(f.changed for f in self.fields if f.name in ("starts_on", "ends_on"))

    @property
    def has_changes(self) -> bool:
        return self.goals_changed or bool(self.changed_fields)

    def lines(self, status: GoalStatus) -> list[str]:
        return [line.text for line in self.goals if line.status == status]


def goal_lines(goals: str) -> list[str]:
    """The goals of a version, one per non-empty line (as `Agreement.goal_list`)."""
    return [line.strip() for line in goals.splitlines() if line.strip()]


def _normalised(value: Any) -> Any:
    if value is None:  # a text field of a version written before the field existed
        return ""
    return value.strip() if isinstance(value, str) else value


def diff_goals(old: list[str], new: list[str]) -> tuple[GoalLine, ...]:
    """A line diff: every old line is unchanged or removed, every new line unchanged or added."""
    result: list[GoalLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result += [GoalLine(text, "unchanged") for text in old[i1:i2]]
            continue
        # "replace" is a removal and an addition; "delete" and "insert" are one of them.
        result += [GoalLine(text, "removed") for text in old[i1:i2]]
        result += [GoalLine(text, "added") for text in new[j1:j2]]
    return tuple(result)


def diff(old: Version, new: Version) -> AgreementDiff:
    """Every field of `old` next to the same field of `new`, and the goals as a line diff."""
    fields = tuple(
        FieldChange(
            name=name,
            label=label,
            old=_normalised(getattr(old, name)),
            new=_normalised(getattr(new, name)),
        )
        for name, label in FIELDS
    )
    return AgreementDiff(
        fields=fields, goals=diff_goals(goal_lines(old.goals), goal_lines(new.goals))
    )
