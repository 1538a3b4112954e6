"""Views of the catalogue: the public pages (no login) and the organisation admins' editing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lotse.catalog import selectors, services
from lotse.catalog.forms import (
    CharacteristicFormSet,
    OfferForm,
    QualityAreaForm,
    SearchForm,
    SupporterTypeForm,
    area_data,
    characteristic_initial,
)
from lotse.catalog.models import Offer, QualityArea, SupporterType
from lotse.core import roles
from lotse.core.models import Organisation, Person
from lotse.lib.steps import run_step

# --- public pages ---------------------------------------------------------------------------


def _public_context(request: HttpRequest, organisation: Organisation) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "search_form": SearchForm(request.GET or None),
        "may_edit": roles.has_role(request.user, roles.Kind.ADMIN, organisation),
        # An organisation without areas of school quality (e.g. an association) has a plain
        # list of offers, no matrix: its pages name no matrix and no marked cell.
        # Asked only where a page shows it (the template calls it).
        "has_areas": QualityArea.objects.filter(organisation=organisation).exists,
    }


@require_GET
def catalogue_index(request: HttpRequest) -> HttpResponse:
    """The organisations that publish a catalogue."""
    return render(
        request,
        "catalog/index.html",
        {"organisations": selectors.organisations_with_catalogue()},
    )


@require_GET
def catalogue_matrix(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's offers × the areas of school quality."""
    organisation = selectors.catalogue_organisation(slug)
    context = _public_context(request, organisation)
    context["matrix"] = selectors.offer_matrix(organisation)
    context["has_areas"] = bool(context["matrix"].areas)
    context["has_supporter_types"] = selectors.public_supporter_types(organisation).exists()
    return render(request, "catalog/matrix.html", context)


def request_link(request: HttpRequest, organisation: Organisation, offer: Offer) -> str:
    """Where "Unterstützung anfragen" leads: a school contact of the organisation gets the
    request form of the app, everyone else the public request form."""
    if roles.has_role(request.user, roles.Kind.SCHOOL_CONTACT, organisation):
        return f"{reverse('support:create')}?angebot={offer.pk}"
    return f"{reverse('support:public_request', args=[organisation.slug])}?angebot={offer.pk}"


@require_GET
def offer_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One offer: description, Leistungen, Zielgruppen, cost, contact, site; and the button."""
    organisation = selectors.catalogue_organisation(slug)
    offer = selectors.public_offer(organisation, pk)
    context = _public_context(request, organisation)
    context |= {"offer": offer, "request_url": request_link(request, organisation, offer)}
    return render(request, "catalog/offer_detail.html", context)


@require_GET
def area_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """One area of school quality: its Merkmale and Kriterien and the offers that serve it."""
    organisation = selectors.catalogue_organisation(slug)
    area = selectors.public_area(organisation, number)
    context = _public_context(request, organisation)
    context |= {"area": area, "offers": selectors.offers_serving(area)}
    return render(request, "catalog/area_detail.html", context)


@require_GET
def supporter_types(request: HttpRequest, slug: str) -> HttpResponse:
    """The other supporters of schools: Fachberater, Schulpsychologen …"""
    organisation = selectors.catalogue_organisation(slug)
    context = _public_context(request, organisation)
    context["supporter_types"] = selectors.public_supporter_types(organisation)
    return render(request, "catalog/supporter_types.html", context)


@require_GET
def offer_search(request: HttpRequest, slug: str) -> HttpResponse:
    """Offers found by words (core's search: German word forms, compounds, typos, the
    organisation's synonyms); htmx swaps in the results only."""
    organisation = selectors.catalogue_organisation(slug)
    context = _public_context(request, organisation)
    form = context["search_form"]
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    found = selectors.search_offers(organisation, query, limit=50) if query else None
    results = found.found if found else []
    context |= {
        "query": query,
        "results": results,
        "total": found.total if found else 0,
        "full": [found for found in results if found.complete],
        "partial": [found for found in results if not found.complete],
        # When nothing fits: the whole catalogue, and the request form (which sends a school
        # contact on to the form of the app).
        "request_url": reverse("support:public_request", args=[organisation.slug]),
    }
    if getattr(request, "htmx", False):
        return render(request, "catalog/search.html#results", context)
    return render(request, "catalog/search.html", context)


# --- editing, for the organisation's admins -------------------------------------------------


def _admin_organisation(request: HttpRequest, slug: str) -> tuple[Organisation, Person]:
    """The organisation, if the person administers it; everyone else gets 404."""
    organisation, person, _kind = roles.organisation_for(request, slug)
    return organisation, person


@login_required
@require_GET
def admin_index(request: HttpRequest, slug: str) -> HttpResponse:
    """The catalogue as its admins see it: every offer, area and other supporter."""
    organisation, _person = _admin_organisation(request, slug)
    return render(
        request,
        "catalog/admin_index.html",
        {
            "organisation": organisation,
            "offers": selectors.admin_offers(organisation),
            "areas": selectors.admin_areas(organisation),
            "supporter_types": selectors.admin_supporter_types(organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Create or change an offer, with its areas and site; unticking "active" hides it."""
    organisation, person = _admin_organisation(request, slug)
    offer = get_object_or_404(Offer, pk=pk, organisation=organisation) if pk else None
    form = OfferForm(
        request.POST or None,
        organisation=organisation,
        initial=OfferForm.initial_for(offer) if offer else None,
    )
    if request.method == "POST" and form.is_valid():
        outcome = run_step(
            lambda: services.offer_save(
                organisation=organisation, by=person, data=form.data_for_service(), offer=offer
            ),
            form=form,
        )
        if outcome.done:
            flash.success(
                request, _("The offer “%(title)s” has been saved.") % {"title": outcome.value}
            )
            return redirect("catalog:admin_index", slug=organisation.slug)
    return render(
        request,
        "catalog/admin_offer_form.html",
        {"organisation": organisation, "offer": offer, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Create or change an area of school quality with its Merkmale and Kriterien."""
    organisation, person = _admin_organisation(request, slug)
    area = None
    if pk:
        area = selectors.admin_areas(organisation).filter(pk=pk).first()
        if area is None:
            raise Http404
    initial = (
        {"number": area.number, "title": area.title, "description": area.description}
        if area
        else None
    )
    form = QualityAreaForm(request.POST or None, initial=initial)
    formset = CharacteristicFormSet(
        request.POST or None,
        prefix="merkmal",
        initial=characteristic_initial(area) if area else None,
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        outcome = run_step(
            lambda: services.quality_area_save(
                organisation=organisation, by=person, data=area_data(form, formset), area=area
            ),
            form=form,
        )
        if outcome.done:
            flash.success(
                request, _("The area “%(title)s” has been saved.") % {"title": outcome.value}
            )
            return redirect("catalog:admin_index", slug=organisation.slug)
    return render(
        request,
        "catalog/admin_area_form.html",
        {"organisation": organisation, "area": area, "form": form, "formset": formset},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def supporter_type_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Create or change another supporter of schools (name, description, contact, link)."""
    organisation, person = _admin_organisation(request, slug)
    supporter_type = (
        get_object_or_404(SupporterType, pk=pk, organisation=organisation) if pk else None
    )
    form = SupporterTypeForm(
        request.POST or None,
        initial=SupporterTypeForm.initial_for(supporter_type) if supporter_type else None,
    )
    if request.method == "POST" and form.is_valid():
        outcome = run_step(
            lambda: services.supporter_type_save(
                organisation=organisation,
                by=person,
                data=form.data_for_service(),
                supporter_type=supporter_type,
            ),
            form=form,
        )
        if outcome.done:
            flash.success(request, _("“%(name)s” has been saved.") % {"name": outcome.value})
            return redirect("catalog:admin_index", slug=organisation.slug)
    return render(
        request,
        "catalog/admin_supporter_type_form.html",
        {"organisation": organisation, "supporter_type": supporter_type, "form": form},
        status=400 if request.method == "POST" else 200,
    )
