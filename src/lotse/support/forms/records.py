"""Forms of the request's records: a note, a document, who may see an entry, a release, ending a
supporter's part."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lotse.lib import limits
from lotse.lib.forms import FreeTextField, KernForm, apply_kern_classes
from lotse.lib.sizes import megabytes
from lotse.support.forms.base import visibility_field
from lotse.support.models import CHOOSABLE


class NoteAddForm(KernForm):
    text = FreeTextField(label=_("Note"), rows=4)
    visibility = visibility_field()


class DocumentForm(KernForm):
    file = forms.FileField(label=_("Document"))
    visibility = visibility_field()

    def __init__(self, *args: Any, max_size: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_size = max_size
        hint = _("At most %(limit)s MB; stored encrypted.") % {"limit": megabytes(max_size)}
        self.fields["file"].help_text = hint
        # The bound field was made (and its help text copied) in KernForm.__init__ already.
        self["file"].help_text = hint
        apply_kern_classes(self)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_size:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": megabytes(self.max_size)}
            )
        return upload


class VisibilityForm(KernForm):
    visibility = forms.ChoiceField(
        label=_("Who may see this?"),
        choices=[(level.value, level.label) for level in CHOOSABLE],
    )


# Purposes the school can pick; any other purpose can be written in.
RELEASE_PURPOSES = [
    _("Annual report of the site"),
    _("Evaluation of the support system"),
    _("Concept for the network library (anonymised)"),
]


class ReleaseForm(KernForm):
    choice = forms.ChoiceField(label=_("Purpose"), required=False)
    purpose = forms.CharField(label=_("Other purpose"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [  # type: ignore[attr-defined]
            ("", _("— write in a purpose —")),
            *((str(p), str(p)) for p in RELEASE_PURPOSES),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        purpose = (data.get("purpose") or "").strip() or data.get("choice") or ""
        if not purpose:
            raise forms.ValidationError(_("Please name the purpose of the release."))
        data["purpose"] = purpose
        return data


class RemoveSupporterForm(KernForm):
    reason = FreeTextField(
        max_length=limits.TEXT,
        label=_("Reason"),
        help_text=_(
            "Recorded in the timeline; the supporter is told that their part has ended, not why."
        ),
        rows=3,
    )
