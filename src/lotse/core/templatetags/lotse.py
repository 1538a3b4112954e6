"""Template helpers of Lotse."""

from django import forms, template

from lotse.lib.forms import apply_kern_classes

register = template.Library()


@register.filter
def kern(form: forms.BaseForm) -> forms.BaseForm:
    """Give a form that is not a KernForm (e.g. allauth's) the KERN widget classes."""
    apply_kern_classes(form)
    return form
