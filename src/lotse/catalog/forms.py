"""Forms of the catalogue: the search box, and the admins' forms; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lotse.catalog.models import Characteristic, Offer, QualityArea, SupporterType
from lotse.catalog.services import (
    AreaData,
    CharacteristicData,
    OfferData,
    SupporterTypeData,
)
from lotse.core.models import Organisation, Site
from lotse.lib.forms import KernForm


class SearchForm(KernForm):
    q = forms.CharField(
        label=_("Search the offers"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class OfferForm(KernForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    services = forms.CharField(
        label=_("Services (Leistungen)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("One service per line."),
    )
    target_groups = forms.CharField(
        label=_("Target groups (Zielgruppen)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One target group per line."),
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
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CharacteristicForm(KernForm):
    """One Merkmal with its Kriterien, one per line."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Characteristic (Merkmal)"), max_length=200, required=False)
    criteria = forms.CharField(
        label=_("Criteria (Kriterien)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One criterion per line."),
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
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    link = forms.URLField(
        label=_("Web page"),
        required=False,
        assume_scheme="https",
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
