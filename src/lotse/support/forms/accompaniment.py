"""Forms of the accompaniment: planning, moving and recording a session, next steps, methods."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotse.core.models import Organisation
from lotse.lib import limits
from lotse.lib.forms import FreeTextField, KernForm, apply_kern_classes
from lotse.support.forms.base import visibility_field
from lotse.support.models import GoalProgress, Method, NextStep


class MethodChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} – {obj.description}"


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


class SessionTimeForm(KernForm):
    """Date, beginning, end and place of a session, and the methods chosen for it."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    begins = forms.TimeField(label=_("Begins"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=_("Place"), max_length=200)
    methods = MethodChoiceField(
        queryset=Method.objects.none(),
        label=_("Methods"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The invitation explains each method in plain language, so the school knows what "
            "to expect."
        ),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["methods"].queryset = Method.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, active=True
        ).order_by("name")
        apply_kern_classes(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, begins, ends = data.get("day"), data.get("begins"), data.get("ends")
        if day is None or begins is None or ends is None:
            return data
        data["starts_at"] = _at(day, begins)
        data["ends_at"] = _at(day, ends)
        if data["starts_at"] <= timezone.now():
            self.add_error("day", _("The session must take place in the future."))
        if data["ends_at"] <= data["starts_at"]:
            self.add_error("ends", _("The session must end after it begins."))
        return data


class SessionPlanForm(SessionTimeForm):
    participants = FreeTextField(
        max_length=limits.TEXT,
        label=_("Participants (groups and persons)"),
        help_text=_("The school decides who takes part."),
        rows=3,
    )
    visibility = visibility_field(_("Who may see the participants and the record?"))


class NextStepForm(KernForm):
    text = FreeTextField(max_length=limits.TEXT, label=_("Next step"), rows=2)
    owner = forms.ChoiceField(
        label=_("Who does it"), choices=NextStep.Owner.choices, widget=forms.RadioSelect
    )
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    visibility = visibility_field()

    def clean_due_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The due date must not be in the past."))
        return value


# How many empty next steps the record form offers; more can be added on the request page.
RECORD_STEP_ROWS = 3


class SessionRecordForm(KernForm):
    """The session record: who took part, notes, reflection, the goals' progress, next steps."""

    participants = FreeTextField(max_length=limits.TEXT, label=_("Who took part"), rows=3)
    notes = FreeTextField(label=_("Session notes"), required=False, rows=5)
    reflection = FreeTextField(
        label=_("Joint reflection"),
        required=False,
        help_text=_("What went well, what was difficult, what we take with us."),
        rows=4,
    )
    visibility = visibility_field(_("Who may see the record?"))

    def __init__(self, *args: Any, goals: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        levels = [("", _("— not recorded —")), *GoalProgress.Level.choices]
        for n, goal in enumerate(goals, start=1):
            self.fields[f"goal_{n}_level"] = forms.TypedChoiceField(
                label=_("Goal %(n)s: %(goal)s") % {"n": n, "goal": goal},
                choices=levels,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"goal_{n}_note"] = FreeTextField(
                max_length=limits.TEXT,
                label=_("Note on goal %(n)s") % {"n": n},
                required=False,
                rows=2,
            )
        for i in range(1, RECORD_STEP_ROWS + 1):
            self.fields[f"step_{i}_text"] = FreeTextField(
                max_length=limits.TEXT,
                label=_("Next step %(i)s") % {"i": i},
                required=False,
                rows=2,
            )
            self.fields[f"step_{i}_owner"] = forms.ChoiceField(
                label=_("Who does next step %(i)s") % {"i": i},
                choices=[("", _("— please choose —")), *NextStep.Owner.choices],
                required=False,
            )
            self.fields[f"step_{i}_due"] = forms.DateField(
                label=_("Next step %(i)s due on") % {"i": i},
                widget=forms.DateInput(attrs={"type": "date"}),
                required=False,
            )
        apply_kern_classes(self)

    def goal_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"goal_{n}_level"], self[f"goal_{n}_note"]) for n in range(1, len(self.goals) + 1)
        ]

    def step_fields(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"step_{i}_text"], self[f"step_{i}_owner"], self[f"step_{i}_due"])
            for i in range(1, RECORD_STEP_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        for i in range(1, RECORD_STEP_ROWS + 1):
            if not (data.get(f"step_{i}_text") or "").strip():
                continue
            if not data.get(f"step_{i}_owner"):
                self.add_error(f"step_{i}_owner", _("Please say who does the next step."))
            due = data.get(f"step_{i}_due")
            if due is None:
                if f"step_{i}_due" not in self.errors:
                    self.add_error(f"step_{i}_due", _("Please give a due date."))
            elif due < today:
                self.add_error(f"step_{i}_due", _("The due date must not be in the past."))
        return data


class MethodForm(KernForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = FreeTextField(
        max_length=limits.TEXT,
        label=_("Explanation in plain language"),
        help_text=_(
            "What happens, what it is good for, and what the participants do. The school reads "
            "this with the invitation, before the method is used."
        ),
        rows=5,
    )
    active = forms.BooleanField(
        label=_("Offered: supporters can choose this method"), required=False, initial=True
    )
