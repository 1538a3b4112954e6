"""Forms of the completion: the final reflection, the evaluation and its questions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lotse.lib.forms import FreeTextField, KernForm, apply_kern_classes
from lotse.support import visibility
from lotse.support.forms.base import visibility_field
from lotse.support.models import EvaluationQuestion
from lotse.support.selectors.completion import NO, SCALE, YES, ReflectionShown
from lotse.support.workflow import Side


class FinalReflectionForm(KernForm):
    text = FreeTextField(
        label=_("What we reached and what we learned"),
        help_text=_(
            "Written together by the school and the supporter. Every change asks the other side "
            "to confirm it again."
        ),
        rows=6,
    )
    visibility = visibility_field()


def reflection_form(
    shown: ReflectionShown | None, sides: Collection[Side], data: Any = None
) -> FinalReflectionForm:
    """The form to write or rewrite the reflection, with the text the reader may see."""
    initial: dict[str, Any] = {"visibility": visibility.default_for(sides).value}
    if shown is not None and shown.readable:
        initial = {"text": shown.text, "visibility": shown.reflection.visibility}
    return FinalReflectionForm(data, prefix="reflection", initial=initial)


SCALE_CHOICES = [(str(v), str(v)) for v in SCALE]
YES_NO_CHOICES = [(str(YES), _("yes")), (str(NO), _("no"))]


class EvaluationForm(KernForm):
    """One optional choice per question of the organisation's evaluation."""

    def __init__(self, *args: Any, questions: Sequence[EvaluationQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            yes_no = question.kind == EvaluationQuestion.Kind.YES_NO
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.text,
                choices=YES_NO_CHOICES if yes_no else SCALE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                help_text="" if yes_no else _("1 = not at all, 5 = fully"),
            )
        apply_kern_classes(self)

    def answers(self) -> dict[int, int]:
        """The chosen answers by question; questions left out are not answered."""
        return {
            q.pk: self.cleaned_data[f"q{q.pk}"]
            for q in self.questions
            if self.cleaned_data.get(f"q{q.pk}") is not None
        }


class EvaluationQuestionForm(KernForm):
    text = forms.CharField(label=_("Question"), max_length=300)
    audience = forms.ChoiceField(
        label=_("Asked of"),
        choices=EvaluationQuestion.Audience.choices,
        initial=EvaluationQuestion.Audience.BOTH,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("Answer"),
        choices=EvaluationQuestion.Kind.choices,
        initial=EvaluationQuestion.Kind.SCALE,
        widget=forms.RadioSelect,
    )
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=999,
        initial=0,
        help_text=_("Questions are asked in ascending order of this number."),
    )
    active = forms.BooleanField(label=_("Ask this question"), required=False, initial=True)
