"""The public request form of the catalogue: anyone may ask for support, without an account.

Robots are kept out by a trap field and by two limits per hour, counted in Django's cache (a
database table that every server process shares): one per client address
(LOTSE_PUBLIC_REQUESTS_PER_HOUR), generous because a school network, a district's schools behind
one NAT address or a proxy without LOTSE_TRUSTED_PROXY_HOPS share it, and a tighter one per
sender address (LOTSE_PUBLIC_REQUESTS_PER_SENDER_PER_HOUR)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lotse.catalog import selectors as catalogue
from lotse.catalog.models import Offer
from lotse.core import roles, school_choice, security
from lotse.core.models import Organisation, Site
from lotse.lib.steps import run_step
from lotse.support.forms.requests import PublicRequestForm
from lotse.support.models import new_token
from lotse.support.services import requests as request_services

RATE_WINDOW_SECONDS = 3600


def _count_one_more(key: str, limit: int) -> bool:
    """Count one request under the key; False once the hour's limit is spent."""
    if cache.add(key, 1, timeout=RATE_WINDOW_SECONDS):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS)
        return limit >= 1
    return count <= limit


def allow_one_more(request: HttpRequest) -> bool:
    """Count one request from the client's address; False once the hour's limit is spent."""
    return _count_one_more(
        f"lotse:public-request:{security.client_ip(request)}",
        settings.LOTSE_PUBLIC_REQUESTS_PER_HOUR,
    )


def allow_one_more_from_sender(email: str) -> bool:
    """Count one request from the sender's address; False once the hour's limit is spent.
    The cache keeps a hash of the address, not the address itself."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return _count_one_more(
        f"lotse:public-request-sender:{digest}",
        settings.LOTSE_PUBLIC_REQUESTS_PER_SENDER_PER_HOUR,
    )


def _preselected_offer(organisation: Organisation, raw: str | None) -> Offer | None:
    if not raw or not raw.isdigit():
        return None
    return (
        catalogue.public_offers(organisation)
        .filter(pk=int(raw))
        .prefetch_related("quality_areas")
        .first()
    )


def _initial(offer: Offer | None) -> dict[str, Any]:
    if offer is None:
        return {}
    areas = sorted(offer.quality_areas.all(), key=lambda area: area.number)
    return {"offer": offer.pk, "quality_area": areas[0].pk if areas else None}


@require_http_methods(["GET", "POST"])
def public_request(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for support from the catalogue: a school contact of the organisation gets the form of
    the app; everyone else this form, which needs no account."""
    organisation = catalogue.catalogue_organisation(slug)
    offer = _preselected_offer(organisation, request.GET.get("angebot"))
    if roles.has_role(request.user, roles.Kind.SCHOOL_CONTACT, organisation):
        query = f"?angebot={offer.pk}" if offer else ""
        return redirect(f"{reverse('support:create')}{query}")
    form = PublicRequestForm(
        request.POST or None, organisation=organisation, initial=_initial(offer)
    )
    status = 200
    # A school search without JavaScript shows the form again with the matches.
    if request.method == "POST" and not school_choice.searching(form):
        status = 400
        if form.is_valid():
            if not allow_one_more(request):
                status = 429
                form.add_error(
                    None,
                    _(
                        "Too many requests have been sent from your connection in the last "
                        "hour. Please try again later or write to your regional site by e-mail."
                    ),
                )
            elif form.is_robot():
                # Looks like success, so that a robot learns nothing; nothing is stored. A
                # robot's sender address (maybe someone else's) is not counted.
                data = form.cleaned_data
                school = data["school"]
                site = (
                    school.district.site
                    if school is not None and school.district is not None
                    else request_services.site_for_unknown_school(organisation, data["offer"])
                )
                _remember_sent(request, f"#{new_token()}", site, data["contact_email"])
                return redirect("support:public_request_sent", slug=organisation.slug)
            elif not allow_one_more_from_sender(form.cleaned_data["contact_email"]):
                status = 429
                form.add_error(
                    None,
                    _(
                        "Too many requests have been sent from this e-mail address in the last "
                        "hour. Please try again later or write to your regional site by e-mail."
                    ),
                )
            else:
                data = form.cleaned_data
                outcome = run_step(
                    lambda: request_services.request_submit_public(
                        organisation=organisation,
                        school=data["school"],
                        school_name=data["school_name"],
                        subject=data["subject"],
                        text=data["text"],
                        contact_name=data["contact_name"],
                        contact_email=data["contact_email"],
                        contact_phone=data["contact_phone"],
                        quality_area=data["quality_area"],
                        offer=data["offer"],
                    ),
                    form=form,
                )
                if outcome.done:
                    created = outcome.value
                    # The page after the redirect names the reference and the site.
                    _remember_sent(
                        request, f"#{created.token}", created.site, created.contact_email
                    )
                    return redirect("support:public_request_sent", slug=organisation.slug)
    return render(
        request,
        "support/public_request_form.html",
        {
            "organisation": organisation,
            "form": form,
            "offer": offer,
            "acknowledgement_days": organisation.acknowledgement_days,
        },
        status=status,
    )


# The session key under which the page after sending finds what was sent.
SENT_KEY = "lotse_public_request_sent"


def _remember_sent(
    request: HttpRequest, reference: str, site: Site | None, email: str = ""
) -> None:
    """Keep the reference (as the confirmation mail's subject carries it) and the receiving
    site for the page after the redirect; only this browser's session holds them."""
    request.session[SENT_KEY] = {
        "reference": reference,
        "site": site.pk if site is not None else None,
        "email": email,
    }


@require_GET
def public_request_sent(request: HttpRequest, slug: str) -> HttpResponse:
    """What happens after a request from the catalogue: its reference, the site that received
    it and how to reach the site, and the next steps."""
    organisation = catalogue.catalogue_organisation(slug)
    sent = request.session.get(SENT_KEY) or {}
    site_pk = sent.get("site")
    site = (
        Site.objects.filter(pk=site_pk, organisation=organisation).first()
        if isinstance(site_pk, int)
        else None
    )
    return render(
        request,
        "support/public_request_sent.html",
        {
            "organisation": organisation,
            "acknowledgement_days": organisation.acknowledgement_days,
            "reference": sent.get("reference", "") if site is not None else "",
            "site": site,
            "email": sent.get("email", ""),
        },
    )
