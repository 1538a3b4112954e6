"""Completing an accompaniment: the Kontrakt's end, the joint final reflection, the evaluation.

- When the time span of the Kontrakt in force nears its end, school and supporter are reminded
  once per version: they extend it (an amendment) or complete the accompaniment.
- The final reflection is written by either side and confirmed by both; a change asks both
  again, like a new version of the Kontrakt. Once both confirmed it, the process can be
  completed.
- Then each side may answer the organisation's short evaluation, or decline it. Who answered is
  recorded (`EvaluationSubmission`), what they answered is stored apart from the request and the
  person (`EvaluationAnswer`, year only) and reported only in aggregate."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import BinaryField, BooleanField, Case, Count, F, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from lotse.core import roles
from lotse.core.models import Organisation, Person
from lotse.support import selectors, timeline, visibility, workflow
from lotse.support.models import (
    Agreement,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationSubmission,
    FinalReflection,
    State,
    SupportRequest,
)
from lotse.support.services import (
    _level,
    _lock,
    _mail,
    _url,
    school_addresses,
    supporter_addresses,
)
from lotse.support.workflow import Side, WorkflowError

BOUND = (State.AGREED, State.ACCOMPANYING)


def _side(request: SupportRequest, by: Person) -> Side:
    sides = workflow.sides(request, by)
    return Side.SCHOOL if Side.SCHOOL in sides else Side.SUPPORTER


@transaction.atomic
def final_reflection_write(
    *, request: SupportRequest, by: Person, text: str, visibility: str | None = None
) -> FinalReflection:
    """Write or rewrite the joint final reflection; the writer's side confirms it at once."""
    text = text.strip()
    if not text:
        raise WorkflowError(_("Please write the final reflection."))
    request = _lock(request)
    workflow.check(request, "final_reflection", by)
    level = _level(request, by, visibility)
    now = timezone.now()
    side = _side(request, by)
    reflection = FinalReflection.objects.select_for_update().filter(request=request).first()
    if reflection is None:
        reflection = FinalReflection(request=request)
    reflection.text = text
    reflection.visibility = level
    reflection.written_by = by
    reflection.written_at = now
    school = side == Side.SCHOOL
    reflection.school_confirmed_by = by if school else None
    reflection.school_confirmed_at = now if school else None
    reflection.supporter_confirmed_by = None if school else by
    reflection.supporter_confirmed_at = None if school else now
    reflection.save()
    timeline.record(request, "final_reflection_written", by=by)
    _mail(
        request,
        "final_reflection_written",
        [*school_addresses(request), *supporter_addresses(request)],
    )
    return reflection


@transaction.atomic
def final_reflection_confirm(*, request: SupportRequest, by: Person) -> FinalReflection:
    """The other side confirms the final reflection as it stands."""
    request = _lock(request)
    workflow.check(request, "final_reflection", by)
    reflection = FinalReflection.objects.select_for_update().filter(request=request).first()
    if reflection is None:
        raise WorkflowError(_("There is no final reflection yet."))
    side = _side(request, by)
    now = timezone.now()
    if side == Side.SCHOOL:
        if reflection.school_confirmed_at is not None:
            raise WorkflowError(_("Your side has already confirmed the final reflection."))
        reflection.school_confirmed_by, reflection.school_confirmed_at = by, now
    else:
        if reflection.supporter_confirmed_at is not None:
            raise WorkflowError(_("Your side has already confirmed the final reflection."))
        reflection.supporter_confirmed_by, reflection.supporter_confirmed_at = by, now
    reflection.save(
        update_fields=[
            "school_confirmed_by",
            "school_confirmed_at",
            "supporter_confirmed_by",
            "supporter_confirmed_at",
        ]
    )
    timeline.record(request, "final_reflection_confirmed", by=by, data={"side": str(side)})
    return reflection


# --- the end of the Kontrakt's time span ------------------------------------------------------


def end_is_near(agreement: Agreement | None, organisation: Organisation) -> bool:
    """The version in force ends within the organisation's reminder days (or has ended)."""
    if agreement is None:
        return False
    horizon = timezone.localdate() + dt.timedelta(days=organisation.agreement_end_reminder_days)
    return agreement.ends_on <= horizon


def extend_url(request: SupportRequest) -> str:
    return f"{settings.BASE_URL}/anfragen/{request.pk}/kontrakt/?verlaengern=1#id_ends_on"


def complete_url(request: SupportRequest) -> str:
    return f"{_url(request)}#abschluss"


@transaction.atomic
def agreements_remind_end(*, now: dt.datetime | None = None) -> int:
    """Remind school and supporters once per Kontrakt version that its time span ends soon.

    Only the version in force of a running accompaniment counts; an extension that binds is a
    new version and is reminded of again when its own end nears."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    for organisation in Organisation.objects.all():
        horizon = today + dt.timedelta(days=organisation.agreement_end_reminder_days)
        candidates = (
            Agreement.objects.select_for_update(of=("self",))
            .filter(
                request__organisation=organisation,
                request__state__in=BOUND,
                end_reminder_sent_at__isnull=True,
                ends_on__lte=horizon,
            )
            .select_related("request__organisation", "request__site", "request__school")
            .order_by("pk")
        )
        for agreement in candidates:
            request = agreement.request
            if selectors.binding_agreement(request=request) != agreement:
                continue  # a draft, or a version an amendment replaced
            agreement.end_reminder_sent_at = now
            agreement.save(update_fields=["end_reminder_sent_at"])
            timeline.record(
                request, "agreement_end_reminder", by=None, data={"version": agreement.version}
            )
            _mail(
                request,
                "agreement_end",
                [*school_addresses(request), *supporter_addresses(request)],
                agreement=agreement,
                extend_url=extend_url(request),
                complete_url=complete_url(request),
            )
            count += 1
    return count


# --- the evaluation questionnaire ---------------------------------------------------------------

YES, NO = 1, 0
SCALE = range(1, 6)


def evaluation_side(sides: Collection[Side]) -> str | None:
    """The side a person answers the evaluation for: the school's, or the supporter's."""
    if Side.SCHOOL in sides:
        return EvaluationSubmission.Side.SCHOOL
    if Side.SUPPORTER in sides:
        return EvaluationSubmission.Side.SUPPORTER
    return None


def evaluation_refusal(request: SupportRequest, sides: Collection[Side]) -> str | None:
    """Why the person cannot answer the evaluation of this request now, or None."""
    side = evaluation_side(sides)
    if side is None:
        return _("Only the school and the supporter answer the evaluation.")
    if request.state != State.COMPLETED:
        confirmations = (
            FinalReflection.objects.filter(request=request)
            .values_list("school_confirmed_at", "supporter_confirmed_at")
            .first()
        )
        if request.state != State.ACCOMPANYING or confirmations is None or None in confirmations:
            return _("The evaluation opens once both sides have confirmed the final reflection.")
    if EvaluationSubmission.objects.filter(request=request, side=side).exists():
        return _("Your side has already answered the evaluation or declined it.")
    return None


def questions_for(*, organisation: Organisation, side: str) -> list[EvaluationQuestion]:
    """The organisation's active questions for one side, in their order."""
    return list(
        EvaluationQuestion.objects.filter(
            organisation=organisation,
            active=True,
            audience__in=[side, EvaluationQuestion.Audience.BOTH],
        ).order_by("position", "pk")
    )


def _valid(question: EvaluationQuestion, value: int) -> bool:
    if question.kind == EvaluationQuestion.Kind.YES_NO:
        return value in (YES, NO)
    return value in SCALE


def _evaluating(request: SupportRequest, by: Person) -> tuple[SupportRequest, str]:
    """The request under its lock and the side the person answers for; refused otherwise."""
    request = _lock(request)
    sides = workflow.sides(request, by)
    reason = evaluation_refusal(request, sides)
    if reason is not None:
        raise WorkflowError(reason)
    side = evaluation_side(sides)
    assert side is not None
    return request, side


@transaction.atomic
def evaluation_submit(
    *, request: SupportRequest, by: Person, answers: Mapping[int, int]
) -> EvaluationSubmission:
    """One side answers the evaluation: the answers are stored without the request or person.

    Questions left out are simply not answered; answering at all is voluntary."""
    request, side = _evaluating(request, by)
    questions = {q.pk: q for q in questions_for(organisation=request.organisation, side=side)}
    year = timezone.localdate().year
    rows = []
    for question_id, value in answers.items():
        question = questions.get(question_id)
        if question is None:
            raise WorkflowError(_("This question is not part of this evaluation."))
        if not _valid(question, value):
            raise WorkflowError(_("Please choose one of the given answers."))
        rows.append(
            EvaluationAnswer(
                organisation=request.organisation,
                question=question,
                side=side,
                value=value,
                year=year,
            )
        )
    submission = EvaluationSubmission.objects.create(request=request, side=side)
    EvaluationAnswer.objects.bulk_create(rows)
    # The timeline says that the side is done, not whether it answered or declined.
    timeline.record(request, "evaluation_done", by=None, data={"side": side})
    return submission


@transaction.atomic
def evaluation_decline(*, request: SupportRequest, by: Person) -> EvaluationSubmission:
    """One side does not take part in the evaluation; it is not asked again."""
    request, side = _evaluating(request, by)
    submission = EvaluationSubmission.objects.create(request=request, side=side, declined=True)
    timeline.record(request, "evaluation_done", by=None, data={"side": side})
    return submission


def _require_admin(organisation: Organisation, by: Person) -> None:
    if not roles.has_role(by, roles.Kind.ADMIN, organisation):
        raise WorkflowError(_("Only the organisation's admins may change the evaluation."))


@transaction.atomic
def evaluation_question_save(
    *,
    organisation: Organisation,
    by: Person,
    question: EvaluationQuestion | None = None,
    text: str,
    audience: str,
    kind: str,
    position: int,
    active: bool = True,
) -> EvaluationQuestion:
    """An admin adds a question or changes one; an answered question keeps its kind of answer."""
    _require_admin(organisation, by)
    text = " ".join(text.split())
    if not text:
        raise WorkflowError(_("Please write the question."))
    if audience not in EvaluationQuestion.Audience.values:
        raise WorkflowError(_("Please choose whom the question is asked of."))
    if kind not in EvaluationQuestion.Kind.values:
        raise WorkflowError(_("Please choose the kind of answer."))
    if question is None:
        question = EvaluationQuestion(organisation=organisation)
    else:
        question = EvaluationQuestion.objects.select_for_update().get(pk=question.pk)
        if question.organisation_id != organisation.pk:
            raise WorkflowError(_("This question belongs to another organisation."))
        if question.kind != kind and question.answers.exists():
            raise WorkflowError(
                _(
                    "The question already has answers, so its kind of answer cannot change. "
                    "Switch it off and add a new question instead."
                )
            )
    question.text = text[:300]
    question.audience = audience
    question.kind = kind
    question.position = position
    question.active = active
    question.save()
    return question


@transaction.atomic
def evaluation_question_delete(*, question: EvaluationQuestion, by: Person) -> None:
    """An admin deletes a question nobody has answered yet; answered ones are switched off."""
    _require_admin(question.organisation, by)
    if question.answers.exists():
        raise WorkflowError(
            _("The question already has answers and cannot be deleted. Switch it off instead.")
        )
    question.delete()


# --- the aggregate report ---------------------------------------------------------------------


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


# --- what the request page shows of the completion ---------------------------------------------


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
        reflection=row, readable=row.readable, text=selectors._open(row, "text", row.sealed_text)
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
    side = evaluation_side(sides)
    my_confirmation = None
    if shown is not None and side is not None:
        my_confirmation = getattr(shown.reflection, f"{side}_confirmed_at")
    complete_reason = None
    if request.state == State.ACCOMPANYING and "complete" not in allowed:
        transition = workflow.TRANSITIONS["complete"]
        if set(sides) & transition.sides:
            complete_reason = workflow.refusal(request, "complete", person)
    evaluation_open = (
        request.state in (State.ACCOMPANYING, State.COMPLETED)
        and side is not None
        and evaluation_refusal(request, sides) is None
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
