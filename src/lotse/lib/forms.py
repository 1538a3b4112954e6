"""KERN UX markup for Django forms: one field template and the widget classes it expects."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models.utils import get_blank_choice_label
from django.forms.renderers import TemplatesSetting
from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from lotse.lib import limits

# The empty choice of a select. Django's own label ("- Select an option -") has no German
# translation in Django's catalogue, so a German page would show it in English.
EMPTY_CHOICE = _("Please choose")


class FreeTextField(forms.CharField):
    """A text of several lines (a textarea) with a maximum length (`lib/limits.py`).

    Line breaks count as one character, as the browser counts them for `maxlength` (a form
    sends them as CR LF); a longer text is refused with the length and the limit in the
    language's number format, and the form shows the text again as typed."""

    widget = forms.Textarea

    def __init__(self, *, max_length: int = limits.LONG_TEXT, rows: int = 4, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if self.max_length is not None and len(value) > self.max_length:
            raise forms.ValidationError(
                _(
                    "This text is too long: it has %(length)s characters, at most %(limit)s are "
                    "possible. Please shorten it."
                ),
                code="max_length",
                params={"length": _number(len(value)), "limit": _number(self.max_length)},
            )


def _number(value: int) -> str:
    return formats.number_format(value, use_l10n=True, force_grouping=True)


class KernFormRenderer(TemplatesSetting):
    """Renders `{{ field.as_field_group }}` and `{{ form }}` with KERN UX markup."""

    form_template_name = "lib/forms/form.html"
    field_template_name = "lib/forms/field.html"


def apply_kern_classes(form: forms.BaseForm) -> None:
    """Give each widget the KERN class of its kind, with the error variant where it failed, and
    mark the fields that are required or optional."""
    mark_required_or_optional(form)
    for name, field in form.fields.items():
        widget = field.widget
        _replace_blank_choice(field)
        # Read _errors, not errors: the property would validate the form before it is set up.
        errors = getattr(form, "_errors", None)
        failed = errors is not None and name in errors
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            css = (
                "kern-form-check__checkbox"
                if isinstance(widget, forms.CheckboxSelectMultiple)
                else "kern-form-check__radio"
            )
        elif isinstance(widget, forms.CheckboxInput):
            css = "kern-form-check__checkbox"
        elif isinstance(widget, forms.Select):
            css = "kern-form-input__select"
        else:
            css = "kern-form-input__input"
        if failed:
            css += f" {css}--error"
            widget.attrs["aria-invalid"] = "true"
        widget.attrs["class"] = css
        described = []
        auto_id = form[name].auto_id
        if field.help_text:
            described.append(f"{auto_id}-hint")
        if failed:
            described.append(f"{auto_id}-error")
        if described and not isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            widget.attrs["aria-describedby"] = " ".join(described)
        else:
            widget.attrs.pop("aria-describedby", None)


def mark_required_or_optional(form: forms.BaseForm) -> None:
    """Mark the rarer kind of field, as KERN advises: the optional fields where most are
    required, the required ones where most are optional, none where nothing is required (a
    filter). Single checkboxes and radio groups are never marked optional: leaving them as
    they are is a choice, not a gap. The field template reads `lotse_mark`."""
    markable = {
        name: field
        for name, field in form.fields.items()
        if not field.widget.is_hidden and not isinstance(field.widget, forms.CheckboxInput)
    }
    required = [f for f in markable.values() if f.required]
    optional = [
        f
        for f in markable.values()
        if not f.required and not isinstance(f.widget, forms.RadioSelect)
    ]
    for field in form.fields.values():
        field.lotse_mark = "none"  # type: ignore[attr-defined]
    if not required:
        return
    marked, mark = (
        (optional, "optional") if len(optional) <= len(required) else (required, "required")
    )
    for field in marked:
        field.lotse_mark = mark  # type: ignore[attr-defined]


def _replace_blank_choice(field: forms.Field) -> None:
    """Give a select's empty choice Lotse's label where it has Django's default one."""
    blank = str(get_blank_choice_label())
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None and str(field.empty_label) == blank:
            field.empty_label = EMPTY_CHOICE
    elif isinstance(field, forms.ChoiceField) and not callable(field.choices):
        choices = list(field.choices)
        if choices and choices[0][0] == "" and str(choices[0][1]) == blank:
            field.choices = [("", EMPTY_CHOICE), *choices[1:]]


class KernForm(forms.Form):
    """A form whose widgets carry the KERN classes."""

    # Set when a view shows the form again only to offer more choices (a school search
    # without JavaScript, `core/school_choice.py`): it is not valid, whatever it holds.
    shown_again = False

    def is_valid(self) -> bool:
        return not self.shown_again and super().is_valid()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        apply_kern_classes(self)

    def full_clean(self) -> None:
        super().full_clean()
        apply_kern_classes(self)

    def __str__(self) -> SafeString:
        # Views may add errors after validation (a service refused); mark those fields too.
        apply_kern_classes(self)
        return super().__str__()
