"""Forms of the catalogue: the search box, the admins' forms, the supporter's profile and absences,
the matching weights; services decide."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lotse.catalog.models import (
    Characteristic,
    Language,
    MatchingWeights,
    Offer,
    QualityArea,
    SupporterProfile,
    SupporterType,
)
from lotse.catalog.selectors import WEIGHT_FIELDS
from lotse.catalog.services import (
    AreaData,
    CharacteristicData,
    OfferData,
    SupporterTypeData,
)
from lotse.core.models import District, Organisation, School, Site
from lotse.lib import limits
from lotse.lib.forms import FreeTextField, KernForm


class SearchForm(KernForm):
    q = forms.CharField(
        label=_("Search the offers"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class OfferForm(KernForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = FreeTextField(label=_("Description"), required=False, rows=4)
    services = FreeTextField(
        label=_("Services (Leistungen)"),
        required=False,
        help_text=_("One service per line."),
        rows=5,
    )
    target_groups = FreeTextField(
        label=_("Target groups (Zielgruppen)"),
        required=False,
        help_text=_("One target group per line."),
        rows=4,
    )
    cost = forms.CharField(label=_("Cost"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        label=_("Site"),
        required=False,
        empty_label=_("— all sites —"),
    )
    quality_areas = forms.ModelMultipleChoiceField(
        queryset=QualityArea.objects.none(),
        label=_("Areas of school quality"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(
        label=_("Active: shown in the public catalogue"), required=False, initial=True
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )
        self.fields["quality_areas"].queryset = QualityArea.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("number")

    @staticmethod
    def initial_for(offer: Offer) -> dict[str, Any]:
        return {
            "title": offer.title,
            "description": offer.description,
            "services": offer.services,
            "target_groups": offer.target_groups,
            "cost": offer.cost,
            "contact_name": offer.contact_name,
            "contact_phone": offer.contact_phone,
            "contact_email": offer.contact_email,
            "site": offer.site_id,
            "quality_areas": [area.pk for area in offer.quality_areas.all()],
            "active": offer.active,
        }

    def data_for_service(self) -> OfferData:
        data = self.cleaned_data
        return OfferData(
            title=data["title"],
            description=data["description"],
            services=data["services"],
            target_groups=data["target_groups"],
            cost=data["cost"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            site=data["site"],
            quality_areas=list(data["quality_areas"]),
            active=data["active"],
        )


class QualityAreaForm(KernForm):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=99)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = FreeTextField(
        max_length=limits.TEXT, label=_("Description"), required=False, rows=3
    )


class CharacteristicForm(KernForm):
    """One Merkmal with its Kriterien, one per line."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Characteristic (Merkmal)"), max_length=200, required=False)
    criteria = FreeTextField(
        max_length=limits.TEXT,
        label=_("Criteria (Kriterien)"),
        required=False,
        help_text=_("One criterion per line."),
        rows=4,
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, required=False)
    delete = forms.BooleanField(label=_("Remove this characteristic"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = data.get("title", "").strip() or data.get("delete")
        if data.get("criteria", "").strip() and not named:
            self.add_error("title", _("Please name the characteristic of these criteria."))
        if any(len(line.strip()) > 500 for line in data.get("criteria", "").splitlines()):
            self.add_error("criteria", _("A criterion may have at most 500 characters."))
        return data


class BaseCharacteristicFormSet(forms.BaseFormSet):
    def characteristics(self) -> list[CharacteristicData]:
        items = []
        for index, form in enumerate(self.forms, start=1):
            data = form.cleaned_data
            if not data or (not data.get("id") and not data.get("title", "").strip()):
                continue
            items.append(
                CharacteristicData(
                    pk=data.get("id"),
                    title=data.get("title", ""),
                    criteria=data.get("criteria", "").splitlines(),
                    position=data["position"] if data.get("position") is not None else index,
                    delete=bool(data.get("delete")),
                )
            )
        return items


CharacteristicFormSet: type[BaseCharacteristicFormSet] = forms.formset_factory(  # type: ignore[assignment]
    CharacteristicForm, formset=BaseCharacteristicFormSet, extra=2, max_num=30
)


def characteristic_initial(area: QualityArea) -> list[dict[str, Any]]:
    """The formset's rows for an area's Merkmale (prefetched with their Kriterien)."""
    characteristics: list[Characteristic] = list(area.characteristics.all())
    return [
        {
            "id": c.pk,
            "title": c.title,
            "criteria": "\n".join(criterion.text for criterion in c.criteria.all()),
            "position": c.position,
        }
        for c in characteristics
    ]


def area_data(form: QualityAreaForm, formset: BaseCharacteristicFormSet) -> AreaData:
    data = form.cleaned_data
    return AreaData(
        number=data["number"],
        title=data["title"],
        description=data["description"],
        characteristics=formset.characteristics(),
    )


class SupporterTypeForm(KernForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = FreeTextField(
        max_length=limits.TEXT, label=_("Description"), required=False, rows=4
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    link = forms.URLField(
        label=_("Web page"),
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text=_("The address of a page with more information, e.g. https://…"),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, initial=0)
    active = forms.BooleanField(
        label=_("Active: shown in the public catalogue"), required=False, initial=True
    )

    @staticmethod
    def initial_for(supporter_type: SupporterType) -> dict[str, Any]:
        return {
            "name": supporter_type.name,
            "description": supporter_type.description,
            "contact_name": supporter_type.contact_name,
            "contact_phone": supporter_type.contact_phone,
            "contact_email": supporter_type.contact_email,
            "link": supporter_type.link,
            "position": supporter_type.position,
            "active": supporter_type.active,
        }

    def data_for_service(self) -> SupporterTypeData:
        data = self.cleaned_data
        return SupporterTypeData(
            name=data["name"],
            description=data["description"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            link=data["link"],
            position=data["position"],
            active=data["active"],
        )


# Home bases lie in Germany or just across its borders; anything else is a typing error
# (latitude and longitude swapped, a missing minus or decimal point).
LATITUDE_RANGE = (Decimal(45), Decimal(56))
LONGITUDE_RANGE = (Decimal(4), Decimal(20))
MAX_PROCESSES = 50
MAX_HOURS = 200
MAX_WEIGHT = 10
MAX_DISTANCE_KM = 1000


def _checkboxes(label: Any, **kwargs: Any) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=QualityArea.objects.none(),
        label=label,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


class SupporterProfileForm(KernForm):
    offers = _checkboxes(_("Support offers you provide"))
    quality_areas = _checkboxes(_("Areas of school quality you work in"))
    school_types = forms.MultipleChoiceField(
        label=_("Types of school you work with"),
        choices=School.Type.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none if you work with every type of school."),
    )
    districts = _checkboxes(
        _("Districts you serve"),
        help_text=_("Choose none if you serve every district of the organisation."),
    )
    home_postcode = forms.CharField(label=_("Postcode of your home base"), max_length=10)
    home_place = forms.CharField(label=_("Place of your home base"), max_length=120)
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        help_text=_(
            "For the distance to schools, e.g. 51.050400. Left empty, Lotse takes the "
            "schools in your place as the point."
        ),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        help_text=_("e.g. 13.737300"),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you can work in"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_processes = forms.IntegerField(
        label=_("Accompaniments you can take on at the same time"),
        min_value=0,
        max_value=MAX_PROCESSES,
        help_text=_("0 if you cannot take on any new request at present."),
    )
    hours_per_month = forms.IntegerField(
        label=_("Hours per month for accompaniments"),
        min_value=0,
        max_value=MAX_HOURS,
        required=False,
    )
    works_at = forms.CharField(
        label=_("Schools you work at (official school numbers)"),
        max_length=500,
        required=False,
        help_text=_(
            "Separated by commas. You will not be proposed to these schools (conflict of interest)."
        ),
    )
    note = FreeTextField(
        max_length=limits.TEXT,
        label=_("Note for the regional coordination"),
        required=False,
        rows=3,
    )
    active = forms.BooleanField(label=_("I am available for new requests"), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        self.organisation = organisation
        super().__init__(*args, **kwargs)
        self.fields["offers"].queryset = Offer.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, active=True
        ).order_by("title")
        self.fields["quality_areas"].queryset = QualityArea.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )
        self.fields["districts"].queryset = District.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("name")
        # An organisation without offers, areas or districts has nothing to choose there.
        for name in ("offers", "quality_areas", "districts"):
            if not self.fields[name].queryset.exists():  # type: ignore[attr-defined]
                del self.fields[name]

    @staticmethod
    def initial_for(profile: SupporterProfile | None) -> dict[str, Any]:
        if profile is None:
            return {"max_processes": 3, "active": True, "languages": [Language.GERMAN]}
        return {
            "offers": list(profile.offers.all()),
            "quality_areas": list(profile.quality_areas.all()),
            "school_types": profile.school_types,
            "districts": list(profile.districts.all()),
            "home_postcode": profile.home_postcode,
            "home_place": profile.home_place,
            "latitude": profile.latitude,
            "longitude": profile.longitude,
            "languages": profile.languages,
            "max_processes": profile.max_processes,
            "hours_per_month": profile.hours_per_month,
            "works_at": ", ".join(s.number for s in profile.works_at_schools.all()),
            "note": profile.note,
            "active": profile.active,
        }

    def clean_latitude(self) -> Decimal | None:
        value: Decimal | None = self.cleaned_data.get("latitude")
        low, high = LATITUDE_RANGE
        if value is not None and not low <= value <= high:
            raise forms.ValidationError(
                _("The latitude must lie between %(low)s and %(high)s (Germany and its borders).")
                % {"low": low, "high": high}
            )
        return value

    def clean_longitude(self) -> Decimal | None:
        value: Decimal | None = self.cleaned_data.get("longitude")
        low, high = LONGITUDE_RANGE
        if value is not None and not low <= value <= high:
            raise forms.ValidationError(
                _("The longitude must lie between %(low)s and %(high)s (Germany and its borders).")
                % {"low": low, "high": high}
            )
        return value

    def clean_works_at(self) -> list[School]:
        numbers = [n for n in re.split(r"[\s,;]+", self.cleaned_data.get("works_at") or "") if n]
        schools = {
            s.number: s
            for s in School.objects.filter(
                number__in=numbers, district__organisation=self.organisation
            )
        }
        unknown = [n for n in numbers if n not in schools]
        if unknown:
            raise forms.ValidationError(
                _("No school of the organisation has the number %(numbers)s.")
                % {"numbers": ", ".join(unknown)}
            )
        return list(dict.fromkeys(schools[n] for n in numbers))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        latitude, longitude = data.get("latitude"), data.get("longitude")
        both_or_none = (latitude is None) == (longitude is None)
        if not both_or_none and "latitude" not in self.errors and "longitude" not in self.errors:
            missing = "longitude" if longitude is None else "latitude"
            self.add_error(missing, _("Please give both latitude and longitude, or neither."))
        return data


class AbsenceForm(KernForm):
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("e.g. holiday, further training; the coordination sees it."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if isinstance(starts, dt.date) and isinstance(ends, dt.date) and ends < starts:
            self.add_error("ends_on", _("The absence must end on or after its first day."))
        return data


def _weight(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_WEIGHT,
        help_text=_("From 0 (does not count) to 10."),
    )


class MatchingWeightsForm(KernForm):
    offer = _weight(_("Offers the requested support"))
    quality_area = _weight(_("Works in the requested area of school quality"))
    school_type = _weight(_("Works with the type of school"))
    distance = _weight(_("Short distance to the school"))
    capacity = _weight(_("Free capacity"))
    history = _weight(_("Has worked with the school before"))
    max_distance_km = forms.IntegerField(
        label=_("Distance that counts as far (km)"),
        min_value=1,
        max_value=MAX_DISTANCE_KM,
        help_text=_(
            "At the school the distance gives its full weight, at this distance and beyond none."
        ),
    )

    @staticmethod
    def initial_for(weights: MatchingWeights | None) -> dict[str, Any]:
        source = weights or MatchingWeights()
        return {name: getattr(source, name) for name in WEIGHT_FIELDS}
