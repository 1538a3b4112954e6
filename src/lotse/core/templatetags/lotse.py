"""Template helpers of Lotse."""

from django import forms, template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from lotse.core import security
from lotse.lib.forms import apply_kern_classes

register = template.Library()


@register.filter
def kern(form: forms.BaseForm) -> forms.BaseForm:
    """Give a form that is not a KernForm (e.g. allauth's) the KERN widget classes."""
    apply_kern_classes(form)
    return form


@register.simple_tag(takes_context=True)
def mfa_continue_url(context: template.Context) -> str:
    """Where a person goes on after setting up a second factor: the page they wanted when
    they were sent to set it up, or the start page."""
    request = context.get("request")
    target = request.session.get(security.SESSION_MFA_NEXT, "") if request else ""
    if (
        request is not None
        and target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return str(target)
    return reverse("home")


@register.simple_tag(takes_context=True)
def second_factor_required(context: template.Context) -> bool:
    """Whether the logged-in person's role requires a second factor."""
    request = context.get("request")
    return request is not None and security.is_staff_person(request.user)


@register.filter
def in_blocks(value: str, size: int = 4) -> str:
    """A long key in blocks, as people type it off the screen ("ABCD EFGH …")."""
    text = str(value)
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


@register.simple_tag
def has_security_key(user: object) -> bool:
    """Whether the person has a WebAuthn key to log in with."""
    from allauth.mfa.models import Authenticator

    pk = getattr(user, "pk", None)
    return pk is not None and (
        Authenticator.objects.filter(user_id=pk, type=Authenticator.Type.WEBAUTHN).exists()
    )
