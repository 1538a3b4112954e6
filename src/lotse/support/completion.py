"""Completing an accompaniment: the joint final reflection (and, in this module, what follows).

The reflection is written by either side and confirmed by both; a change asks both again, like a
new version of the Kontrakt. Once both confirmed it, the process can be completed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.core.models import Person
from lotse.support import timeline, workflow
from lotse.support.models import FinalReflection, SupportRequest
from lotse.support.services import _level, _lock, _mail, school_addresses, supporter_addresses
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
