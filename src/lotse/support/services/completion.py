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
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.core.models import Organisation, Person
from lotse.support import permissions, timeline, workflow
from lotse.support.models import (
    Agreement,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationSubmission,
    FinalReflection,
    SupportRequest,
)
from lotse.support.selectors import requests as request_selectors
from lotse.support.selectors.completion import BOUND, NO, SCALE, YES, questions_for
from lotse.support.services.base import (
    entry_level,
    queue_mail,
    request_lock,
    request_url,
    school_addresses,
    supporter_addresses,
)
from lotse.support.workflow import Side, WorkflowError


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
    request = request_lock(request)
    workflow.check(request, "final_reflection", by)
    level = entry_level(request, by, visibility)
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
    queue_mail(
        request,
        "final_reflection_written",
        [*school_addresses(request), *supporter_addresses(request)],
    )
    return reflection


@transaction.atomic
def final_reflection_confirm(*, request: SupportRequest, by: Person) -> FinalReflection:
    """The other side confirms the final reflection as it stands."""
    request = request_lock(request)
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


def extend_url(request: SupportRequest) -> str:
    return f"{settings.BASE_URL}/anfragen/{request.pk}/kontrakt/?verlaengern=1#id_ends_on"


def complete_url(request: SupportRequest) -> str:
    return f"{request_url(request)}#abschluss"


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
            if request_selectors.binding_agreement(request=request) != agreement:
                continue  # a draft, or a version an amendment replaced
            agreement.end_reminder_sent_at = now
            agreement.save(update_fields=["end_reminder_sent_at"])
            timeline.record(
                request, "agreement_end_reminder", by=None, data={"version": agreement.version}
            )
            queue_mail(
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


def _valid(question: EvaluationQuestion, value: int) -> bool:
    if question.kind == EvaluationQuestion.Kind.YES_NO:
        return value in (YES, NO)
    return value in SCALE


def _evaluating(request: SupportRequest, by: Person) -> tuple[SupportRequest, str]:
    """The request under its lock and the side the person answers for; refused otherwise."""
    request = request_lock(request)
    sides = workflow.sides(request, by)
    reason = permissions.evaluation_refusal(request, sides)
    if reason is not None:
        raise WorkflowError(reason)
    side = permissions.evaluation_side(sides)
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
    if not permissions.is_admin(by, organisation):
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


# --- what the request page shows of the completion ---------------------------------------------
