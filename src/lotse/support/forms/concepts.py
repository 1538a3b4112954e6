"""Forms of Synergie: the school's concept, the reviewer's check, the library's filter."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lotse.catalog.models import QualityArea
from lotse.core.models import School
from lotse.lib import limits
from lotse.lib.forms import FreeTextField, KernForm, apply_kern_classes
from lotse.support.concept_check import CONSENT_TEXT, Finding


def _texts() -> dict[str, forms.Field]:
    """New field instances each time: a form changes its widgets' attributes."""
    return {
        "topic": forms.CharField(
            label=_("Topic"),
            max_length=200,
            help_text=_("In a few words, e.g. “Feedback culture in the teaching staff”."),
        ),
        "what_was_done": FreeTextField(
            label=_("What was done"),
            help_text=_("The steps, methods and formats of the accompaniment, in general terms."),
            rows=8,
        ),
        "what_helped": FreeTextField(
            label=_("What helped"),
            help_text=_("What other schools can learn from your experience."),
            rows=6,
        ),
    }


def harmless_field(found: Sequence[Finding], label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=[(f.key, f"„{f.text}“ – {f.label}") for f in found],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Remove what the check found from the texts above. Tick an entry only if it "
            "identifies neither the school nor a person nor a place."
        ),
    )


class ConceptForm(KernForm):
    """The school's summary; `found` adds one checkbox per finding of the check."""

    def __init__(
        self,
        *args: Any,
        areas: Iterable[QualityArea],
        found: Sequence[Finding] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields = _texts()
        self.fields["topic"] = fields["topic"]
        self.fields["school_form"] = forms.ChoiceField(
            label=_("School form"),
            choices=[("", _("— not stated —")), *School.Type.choices],
            required=False,
            help_text=_("Only the form of the school, never its name."),
        )
        self.fields["quality_areas"] = forms.ModelMultipleChoiceField(
            label=_("Areas of school quality"),
            queryset=QualityArea.objects.filter(pk__in=[a.pk for a in areas]),
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        self.fields["what_was_done"] = fields["what_was_done"]
        self.fields["what_helped"] = fields["what_helped"]
        if found:
            self.fields["harmless"] = harmless_field(
                found, _("The check found these; they identify no one:")
            )
        self.fields["consent"] = forms.BooleanField(
            label=CONSENT_TEXT,
            required=True,
            error_messages={"required": _("Without your consent nothing is released.")},
        )
        apply_kern_classes(self)


class ReviewForm(KernForm):
    """The reviewer's edit of the texts, and one checkbox per finding that remains."""

    def __init__(self, *args: Any, found: Sequence[Finding] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_texts())
        if found:
            self.fields["harmless"] = harmless_field(
                found, _("Found by the check; I have checked that these identify no one:")
            )
        apply_kern_classes(self)


class ReturnForm(KernForm):
    note = FreeTextField(
        max_length=limits.TEXT,
        label=_("Note to the school"),
        help_text=_("What the school should change before the concept can be published."),
        rows=4,
    )


class LibraryFilterForm(KernForm):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    area = forms.ModelChoiceField(
        label=_("Area of school quality"),
        queryset=QualityArea.objects.none(),
        required=False,
        empty_label=_("— all —"),
    )

    def __init__(self, *args: Any, organisation_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = QualityArea.objects.filter(  # type: ignore[attr-defined]
            organisation_id__in=organisation_ids
        ).select_related("organisation")
