"""What the pages of the completion read: the final reflection as the person may see it, the
evaluation's questions and its aggregate report, the "Abschluss" section of the request page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BinaryField, BooleanField, Case, Count, F, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from lotse.core.models import Organisation, Person
from lotse.support import permissions, visibility, workflow
from lotse.support.models import (
    Agreement,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationSubmission,
    FinalReflection,
    State,
    SupportRequest,
)
from lotse.support.selectors import base as selectors_base
from lotse.support.workflow import Side

BOUND = (State.AGREED, State.ACCOMPANYING)


def end_is_near(agreement: Agreement | None, organisation: Organisation) -> bool:
    """The version in force ends within the organisation's reminder days (or has ended)."""
    if agreement is None:
        return False
    horizon = timezone.localdate() + dt.timedelta(days=organisation.agreement_end_reminder_days)
    return agreement.ends_on <= horizon


YES, NO = 1, 0


SCALE = range(1, 6)


def questions_for(*, organisation: Organisation, side: str) -> list[EvaluationQuestion]:
    """The organisation's active questions for one side, in their order."""
    return list(
        EvaluationQuestion.objects.filter(
            organisation=organisation,
            active=True,
            audience__in=[side, EvaluationQuestion.Audience.BOTH],
        ).order_by("position", "pk")
    )


@dataclass(frozen=True)
class Cell:
    """One question's answers from one side in one year."""

    side: str
    year: int
    count: int
    suppressed: bool
    mean: float | None = None  # scale
    share_yes: float | None = None  # yes/no, 0..1
    distribution: tuple[tuple[str, int], ...] = ()

    @property
    def side_label(self) -> str:
        return str(EvaluationSubmission.Side(self.side).label)


@dataclass(frozen=True)
class QuestionReport:
    question: EvaluationQuestion
    cells: tuple[Cell, ...] = field(default_factory=tuple)


def aggregate_cell(
    *, kind: str, side: str, year: int, counts: Mapping[int, int], min_answers: int
) -> Cell:
    """The figures of one cell from the number of answers per value; too few answers show none."""
    total = sum(counts.values())
    if total < max(min_answers, 1):
        return Cell(side=side, year=year, count=total, suppressed=True)
    if kind == EvaluationQuestion.Kind.YES_NO:
        yes = counts.get(YES, 0)
        return Cell(
            side=side,
            year=year,
            count=total,
            suppressed=False,
            share_yes=yes / total,
            distribution=((_("yes"), yes), (_("no"), counts.get(NO, 0))),
        )
    mean = sum(value * n for value, n in counts.items()) / total
    return Cell(
        side=side,
        year=year,
        count=total,
        suppressed=False,
        mean=mean,
        distribution=tuple((str(v), counts.get(v, 0)) for v in SCALE),
    )


def evaluation_report(*, organisation: Organisation) -> list[QuestionReport]:
    """Per question, side and year: the number of answers and the figures, or "too few"."""
    questions = list(
        EvaluationQuestion.objects.filter(organisation=organisation).order_by("position", "pk")
    )
    counts: dict[tuple[int, str, int], dict[int, int]] = defaultdict(dict)
    for row in (
        EvaluationAnswer.objects.filter(organisation=organisation)
        .values("question_id", "side", "year", "value")
        .annotate(n=Count("id"))
        .order_by()
    ):
        key = (row["question_id"], row["side"], row["year"])
        counts[key][row["value"]] = row["n"]
    result = []
    for question in questions:
        cells = [
            aggregate_cell(
                kind=question.kind,
                side=side,
                year=year,
                counts=values,
                min_answers=organisation.evaluation_min_answers,
            )
            for (question_id, side, year), values in sorted(
                counts.items(), key=lambda item: (-item[0][2], item[0][1])
            )
            if question_id == question.pk
        ]
        if cells or question.active:
            result.append(QuestionReport(question=question, cells=tuple(cells)))
    return result


@dataclass(frozen=True)
class ReflectionShown:
    reflection: FinalReflection
    readable: bool
    text: str

    @property
    def hidden(self) -> bool:
        return not self.readable

    @property
    def placeholder(self) -> str | Promise:
        return visibility.PLACEHOLDERS.get(self.reflection.visibility, visibility.PLACEHOLDER)


def reflection_for(
    *, person: Person, sides: Collection[Side], request: SupportRequest
) -> ReflectionShown | None:
    """The final reflection with its text only where the person reads it (filtered in SQL)."""
    q = visibility.readable_q(person, sides, author="written_by")
    row = (
        FinalReflection.objects.filter(request=request)
        .select_related("written_by", "school_confirmed_by", "supporter_confirmed_by")
        .defer("text")
        .annotate(
            readable=Case(
                When(q, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
            sealed_text=Case(
                When(q, then=F("text")),
                default=Value(None, output_field=BinaryField()),
                output_field=BinaryField(),
            ),
        )
        .first()
    )
    if row is None:
        return None
    return ReflectionShown(
        reflection=row,
        readable=row.readable,
        text=selectors_base.open_sealed(row, "text", row.sealed_text),
    )


# Whose acceptance a proposed change still waits for ("waiting for acceptance by ...").
WAITING: dict[str, str | Promise] = {
    "school": pgettext_lazy("acceptance by", "the school"),
    "supporter": pgettext_lazy("acceptance by", "the supporter"),
}


def completion_section(
    *, request: SupportRequest, person: Person, sides: Collection[Side], allowed: Iterable[str]
) -> dict[str, Any]:
    """What the "Abschluss" section of the request page needs."""
    allowed = set(allowed)
    shown = (
        reflection_for(person=person, sides=sides, request=request)
        if request.state in (State.ACCOMPANYING, State.COMPLETED)
        else None
    )
    side = permissions.evaluation_side(sides)
    my_confirmation = None
    if shown is not None and side is not None:
        my_confirmation = getattr(shown.reflection, f"{side}_confirmed_at")
    complete_reason = None
    if request.state == State.ACCOMPANYING and "complete" not in allowed:
        transition = workflow.TRANSITIONS["complete"]
        if set(sides) & transition.sides:
            complete_reason = workflow.refusal(request, "complete", person)
    evaluation_open = (
        request.state == State.COMPLETED
        and side is not None
        and permissions.evaluation_refusal(request, sides) is None
    )
    return {
        "show_completion": request.state == State.ACCOMPANYING
        or (request.state == State.COMPLETED and (shown is not None or evaluation_open)),
        "reflection": shown,
        "can_reflect": "final_reflection" in allowed,
        "can_confirm_reflection": "final_reflection" in allowed
        and shown is not None
        and my_confirmation is None,
        "complete_reason": complete_reason,
        "can_complete": "complete" in allowed,
        "evaluation_open": evaluation_open,
        "evaluation_submitted": side is not None
        and EvaluationSubmission.objects.filter(request=request, side=side).exists(),
    }
