"""What the support forms share: the choice of who may see an entry, and the fields both request
forms ask (logged in and public)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lotse.catalog.models import Offer, QualityArea
from lotse.lib.forms import FreeTextField, KernForm
from lotse.support.models import CHOOSABLE


def visibility_field(label: Any = None, **kwargs: Any) -> forms.ChoiceField:
    """Who may read an entry; left empty, the author's default applies (see visibility.py)."""
    return forms.ChoiceField(
        label=label or _("Who may see this?"),
        choices=[(level.value, level.label) for level in CHOOSABLE],
        widget=forms.RadioSelect,
        required=False,
        **kwargs,
    )


class RequestFormBase(KernForm):
    """What both request forms ask, logged in and public: the situation in the school's own
    words, the area and offer if known, a phone number. Each form orders its fields itself."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = FreeTextField(
        label=_("What would your school like support with?"),
        help_text=_(
            "Describe your situation in your own words. The regional site will contact you."
        ),
        rows=8,
    )
    quality_area = forms.ModelChoiceField(
        queryset=QualityArea.objects.none(),
        required=False,
        label=_("Area of school quality"),
        empty_label=_("— not sure —"),
    )
    offer = forms.ModelChoiceField(
        queryset=Offer.objects.none(),
        required=False,
        label=_("Support offer"),
        empty_label=_("— not sure —"),
    )
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(
                _("Please describe what your school would like support with.")
            )
        return text
