"""Areas of school quality and the catalogue of support offers; both are data, never code."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lotse.core.models import Organisation, Site


class QualityArea(models.Model):
    """A Bereich schulischer Qualität, e.g. 'Lehren und Lernen'."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="quality_areas"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("characteristics"), blank=True)

    class Meta:
        verbose_name = _("area of school quality")
        verbose_name_plural = _("areas of school quality")
        ordering = ["organisation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="area_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


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

    class Meta:
        verbose_name = _("support offer")
        verbose_name_plural = _("support offers")
        ordering = ["organisation", "title"]

    def __str__(self) -> str:
        return self.title

    def service_list(self) -> list[str]:
        return [line.strip() for line in self.services.splitlines() if line.strip()]

    def target_group_list(self) -> list[str]:
        return [line.strip() for line in self.target_groups.splitlines() if line.strip()]
