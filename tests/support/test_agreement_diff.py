"""The differences between two Kontrakt versions: a pure function, field by field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from hypothesis import given
from hypothesis import strategies as st

from lotse.support.agreement_diff import diff, diff_goals


@dataclass(frozen=True)
class Version:
    participants: str = "Schulleitung, Steuergruppe"
    goals: str = "Feedback im Unterricht verankern\nSchülerfeedback zweimal im Jahr"
    starts_on: dt.date = dt.date(2026, 9, 1)
    ends_on: dt.date = dt.date(2027, 1, 31)
    place: str = "Schule, Raum 3"
    frequency: str = "monatlich"
    resources: str = ""
    methods: str = ""
    other_methods: str | None = ""
    confidentiality: str = "Was besprochen wird, bleibt im Raum."


def test_a_version_compared_with_itself_has_no_changes() -> None:
    changes = diff(Version(), Version())
    assert not changes.has_changes
    assert changes.changed_fields == ()
    assert {line.status for line in changes.goals} == {"unchanged"}


def test_an_extension_changes_only_the_end_of_the_time_span() -> None:
    changes = diff(Version(), replace(Version(), ends_on=dt.date(2027, 7, 31)))
    assert [(f.name, f.old, f.new) for f in changes.changed_fields] == [
        ("ends_on", dt.date(2027, 1, 31), dt.date(2027, 7, 31))
    ]
    assert changes.time_span_changed
    assert not changes.goals_changed


def test_goals_are_compared_line_by_line() -> None:
    old = Version(goals="A\nB\nC")
    new = Version(goals="A\nB geändert\nC\nD")
    changes = diff(old, new)
    assert changes.lines("unchanged") == ["A", "C"]
    assert changes.lines("removed") == ["B"]
    assert changes.lines("added") == ["B geändert", "D"]
    assert changes.changed_fields == ()


def test_blank_lines_and_surrounding_spaces_are_no_change() -> None:
    changes = diff(Version(goals="A\nB"), Version(goals="  A  \n\nB\n"))
    assert not changes.has_changes


def test_a_field_emptied_is_a_change() -> None:
    changes = diff(Version(methods="Kollegiale Fallberatung"), Version(methods=""))
    assert [(f.name, f.old, f.new) for f in changes.changed_fields] == [
        ("methods", "Kollegiale Fallberatung", "")
    ]


lines = st.lists(st.text(alphabet="abcxyz ", min_size=1, max_size=6).map(str.strip).filter(bool))


@given(goals=lines)
def test_property_a_version_compared_with_itself_has_no_changes(goals: list[str]) -> None:
    version = Version(goals="\n".join(goals))
    assert not diff(version, version).has_changes


@given(old=lines, new=lines)
def test_property_removed_and_added_lines_rebuild_both_versions(
    old: list[str], new: list[str]
) -> None:
    result = diff_goals(old, new)
    # Every old line is kept or removed, every new line kept or added, in their order.
    assert [line.text for line in result if line.status != "added"] == old
    assert [line.text for line in result if line.status != "removed"] == new
    if old == new:
        assert all(line.status == "unchanged" for line in result)
