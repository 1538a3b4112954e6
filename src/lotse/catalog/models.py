"""Areas of school quality with their characteristics (Merkmale) and criteria (Kriterien), the
catalogue of support offers, and the other supporters of schools; all are data, never code."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from lotse.catalog import search
from lotse.core.models import Organisation, Site


class QualityArea(models.Model):
    """A Bereich schulischer Qualität, e.g. 'Lehren und Lernen'."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="quality_areas"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("area of school quality")
        verbose_name_plural = _("areas of school quality")
        ordering = ["organisation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="area_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Characteristic(models.Model):
    """A Merkmal of an area of school quality, e.g. 'Lehr- und Lernprozesse'."""

    area = models.ForeignKey(QualityArea, on_delete=models.CASCADE, related_name="characteristics")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("characteristic"), max_length=200)

    class Meta:
        verbose_name = _("characteristic")
        verbose_name_plural = _("characteristics")
        ordering = ["area", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """A Kriterium that describes one characteristic of school quality."""

    characteristic = models.ForeignKey(
        Characteristic, on_delete=models.CASCADE, related_name="criteria"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("criterion"), max_length=500)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["characteristic", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Offer(models.Model):
    """A support offer (Unterstützungsangebot) of the catalogue."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="offers")
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    services = models.TextField(_("services"), blank=True, help_text=_("One service per line."))
    target_groups = models.TextField(
        _("target groups"), blank=True, help_text=_("One target group per line.")
    )
    cost = models.CharField(_("cost"), max_length=200, blank=True, default="kostenfrei")
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    quality_areas = models.ManyToManyField(QualityArea, blank=True, related_name="offers")
    active = models.BooleanField(_("active"), default=True)
    # The German stems of the title and of the other texts, for the search (catalog/search.py).
    search_title = models.TextField(default="", editable=False)
    search_text = models.TextField(default="", editable=False)

    class Meta:
        verbose_name = _("support offer")
        verbose_name_plural = _("support offers")
        ordering = ["organisation", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The stems are derived from the texts like an index: kept in step on every save, from
        # wherever it comes (the catalogue pages, Django's admin, the demo data).
        self.search_title, self.search_text = search.offer_documents(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_title", "search_text"}
        super().save(*args, **kwargs)

    def service_list(self) -> list[str]:
        return [line.strip() for line in self.services.splitlines() if line.strip()]

    def target_group_list(self) -> list[str]:
        return [line.strip() for line in self.target_groups.splitlines() if line.strip()]


class SupporterType(models.Model):
    """Other supporters who help schools directly, e.g. Fachberater or Schulpsychologen."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="supporter_types"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    link = models.URLField(_("web page"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("other supporter")
        verbose_name_plural = _("other supporters")
        ordering = ["organisation", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="supporter_type_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name
