"""The supporter's own profile and absences; the organisation admin's matching weights."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lotse.catalog import selectors, services
from lotse.catalog.forms import AbsenceForm, MatchingWeightsForm, SupporterProfileForm
from lotse.catalog.models import Absence, MatchingWeights, SupporterProfile
from lotse.core import roles
from lotse.core.models import Organisation, Person


def _supporter_organisations(person: Person) -> list[Organisation]:
    """The organisations the person is a supporter in; 404 for everyone else."""
    organisations = list(
        Organisation.objects.filter(
            pk__in=roles.organisation_ids(person, roles.Kind.SUPPORTER)
        ).order_by("name")
    )
    if not organisations:
        raise Http404
    return organisations


def _chosen(organisations: list[Organisation], slug: str | None) -> Organisation:
    if not slug:
        return organisations[0]
    for organisation in organisations:
        if organisation.slug == slug:
            return organisation
    raise Http404


def _profile_url(organisation: Organisation, organisations: list[Organisation]) -> str:
    url = reverse("catalog:profile")
    return f"{url}?organisation={organisation.slug}" if len(organisations) > 1 else url


def _profile_page(
    request: HttpRequest,
    person: Person,
    organisation: Organisation,
    organisations: list[Organisation],
    *,
    form: SupporterProfileForm | None = None,
    absence_form: AbsenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    profile = selectors.profile_for(person=person, organisation=organisation)
    if form is None:
        form = SupporterProfileForm(
            organisation=organisation, initial=SupporterProfileForm.initial_for(profile)
        )
    context: dict[str, Any] = {
        "organisation": organisation,
        "organisations": organisations,
        "profile": profile,
        "form": form,
        "absence_form": absence_form or AbsenceForm(prefix="absence"),
        "absences": list(selectors.absences_ahead(profile=profile)) if profile else [],
        "works_at": list(profile.works_at_schools.all()) if profile else [],
    }
    return render(request, "catalog/profile.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The supporter keeps what they offer, where, in which languages and how much."""
    person = roles.person_of(request)
    organisations = _supporter_organisations(person)
    organisation = _chosen(
        organisations, request.POST.get("organisation") or request.GET.get("organisation")
    )
    if request.method != "POST":
        return _profile_page(request, person, organisation, organisations)
    form = SupporterProfileForm(request.POST, organisation=organisation)
    if not form.is_valid():
        return _profile_page(request, person, organisation, organisations, form=form, status=400)
    data = form.cleaned_data
    saved = services.profile_save(
        person=person,
        organisation=organisation,
        offers=list(data.get("offers", [])),
        quality_areas=list(data.get("quality_areas", [])),
        school_types=data["school_types"],
        districts=list(data.get("districts", [])),
        home_postcode=data["home_postcode"],
        home_place=data["home_place"],
        latitude=data["latitude"],
        longitude=data["longitude"],
        languages=data["languages"],
        max_processes=data["max_processes"],
        hours_per_month=data["hours_per_month"],
        works_at=data["works_at"],
        note=data["note"],
        active=data["active"],
    )
    messages.success(request, _("Your profile has been saved."))
    if data["latitude"] is None and saved.latitude is not None:
        messages.info(
            request,
            _("Lotse has taken the schools in %(place)s as the point of your home base.")
            % {"place": saved.home_place or saved.home_postcode},
        )
    elif saved.latitude is None:
        messages.warning(
            request,
            _(
                "Without coordinates the distance to schools is unknown; it counts half "
                "in the matching."
            ),
        )
    return redirect(_profile_url(organisation, organisations))


@login_required
@require_POST
def absence_add(request: HttpRequest) -> HttpResponse:
    """The supporter records an absence."""
    person = roles.person_of(request)
    organisations = _supporter_organisations(person)
    organisation = _chosen(organisations, request.POST.get("organisation"))
    profile = selectors.profile_for(person=person, organisation=organisation)
    form = AbsenceForm(request.POST, prefix="absence")
    if profile is None:
        form.add_error(None, _("Please save your profile first."))
    if profile is None or not form.is_valid():
        return _profile_page(
            request, person, organisation, organisations, absence_form=form, status=400
        )
    services.absence_add(
        profile=profile,
        by=person,
        starts_on=form.cleaned_data["starts_on"],
        ends_on=form.cleaned_data["ends_on"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("The absence has been recorded."))
    return redirect(_profile_url(organisation, organisations))


@login_required
@require_POST
def absence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """The supporter deletes one of their own absences; anyone else's is not found."""
    person = roles.person_of(request)
    organisations = _supporter_organisations(person)
    absence = get_object_or_404(
        Absence.objects.select_related("profile__organisation"),
        pk=pk,
        profile__person=person,
        profile__organisation__in=organisations,
    )
    services.absence_remove(absence=absence, by=person)
    messages.success(request, _("The absence has been deleted."))
    return redirect(_profile_url(absence.profile.organisation, organisations))


@login_required
@require_http_methods(["GET", "POST"])
def matching_weights(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation admin decides how much each criterion of the matching counts."""
    organisation, person, _kind = roles.organisation_for(request, slug)
    current = MatchingWeights.objects.filter(organisation=organisation).first()
    form = MatchingWeightsForm(
        request.POST or None, initial=MatchingWeightsForm.initial_for(current)
    )
    if request.method == "POST" and form.is_valid():
        services.matching_weights_update(organisation=organisation, by=person, **form.cleaned_data)
        messages.success(request, _("The weights of the matching have been saved."))
        return redirect("catalog:matching_weights", slug=organisation.slug)
    return render(
        request,
        "catalog/matching_weights.html",
        {
            "organisation": organisation,
            "form": form,
            "profiles": SupporterProfile.objects.filter(organisation=organisation).count(),
        },
        status=400 if request.method == "POST" else 200,
    )
