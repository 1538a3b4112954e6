"""Areas of school quality with their characteristics (Merkmale) and criteria (Kriterien), the
catalogue of support offers, and the other supporters of schools (all data, never code); the
supporters' profiles, their absences and each organisation's weights for matching."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lotse.core.models import District, Organisation, Person, School, Site


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


class Language(models.TextChoices):
    """Languages a supporter can work in; Sorbian for the Sorbian-German schools of Lusatia."""

    GERMAN = "de", _("German")
    UPPER_SORBIAN = "hsb", _("Upper Sorbian")
    LOWER_SORBIAN = "dsb", _("Lower Sorbian")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    POLISH = "pl", _("Polish")
    CZECH = "cs", _("Czech")
    RUSSIAN = "ru", _("Russian")
    UKRAINIAN = "uk", _("Ukrainian")
    ARABIC = "ar", _("Arabic")
    TURKISH = "tr", _("Turkish")
    VIETNAMESE = "vi", _("Vietnamese")
    GERMAN_SIGN = "dgs", _("German Sign Language")


class SupporterProfile(models.Model):
    """What a supporter offers, where and how much: kept by the supporter, read by matching.

    One per person and organisation. Empty lists mean "no restriction" (all school types,
    all districts); the matching rules are in docs/decisions/0005-matching.md."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="supporter_profiles"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="supporter_profiles")
    offers = models.ManyToManyField(
        Offer, blank=True, related_name="supporter_profiles", verbose_name=_("support offers")
    )
    quality_areas = models.ManyToManyField(
        QualityArea,
        blank=True,
        related_name="supporter_profiles",
        verbose_name=_("areas of school quality"),
    )
    # School.Type values; empty: every type of school.
    school_types = models.JSONField(_("school types"), default=list, blank=True)
    districts = models.ManyToManyField(
        District, blank=True, related_name="supporter_profiles", verbose_name=_("districts served")
    )
    home_postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    home_place = models.CharField(_("place"), max_length=120, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Language values; German is assumed when empty.
    languages = models.JSONField(_("languages"), default=list, blank=True)
    max_processes = models.PositiveSmallIntegerField(
        _("accompaniments at the same time"), default=3
    )
    hours_per_month = models.PositiveSmallIntegerField(_("hours per month"), null=True, blank=True)
    note = models.TextField(_("note for the coordination"), blank=True)
    # Schools where the supporter works (teaches, leads, counsels): a conflict of interest.
    works_at_schools = models.ManyToManyField(
        School, blank=True, related_name="+", verbose_name=_("works at these schools")
    )
    active = models.BooleanField(_("available for new requests"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("supporter profile")
        verbose_name_plural = _("supporter profiles")
        ordering = ["organisation", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"], name="supporter_profile_unique_person"
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="supporter_profile_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.organisation})"

    def language_labels(self) -> list[str]:
        return [str(Language(code).label) for code in self.languages if code in Language.values]

    def school_type_labels(self) -> list[str]:
        return [str(School.Type(t).label) for t in self.school_types if t in School.Type.values]


class Absence(models.Model):
    """A time in which the supporter cannot take on a new request (holiday, illness, …)."""

    profile = models.ForeignKey(SupporterProfile, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after"
            )
        ]
        indexes = [models.Index(fields=["profile", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"


class MatchingWeights(models.Model):
    """How much each criterion of the matching counts, per organisation (0 = not at all).

    Without a row the defaults apply; `lotse.catalog.matching.Weights` holds the same values."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="matching_weights"
    )
    offer = models.PositiveSmallIntegerField(_("offers the requested support"), default=5)
    quality_area = models.PositiveSmallIntegerField(_("works in the area of quality"), default=3)
    school_type = models.PositiveSmallIntegerField(_("works with the type of school"), default=2)
    distance = models.PositiveSmallIntegerField(_("short distance to the school"), default=3)
    capacity = models.PositiveSmallIntegerField(_("free capacity"), default=3)
    history = models.PositiveSmallIntegerField(_("earlier work with the school"), default=2)
    max_distance_km = models.PositiveSmallIntegerField(
        _("distance that counts as far (km)"), default=100
    )

    class Meta:
        verbose_name = _("matching weights")
        verbose_name_plural = _("matching weights")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_distance_km__gte=1), name="matching_max_distance_min"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)
