from django.contrib import admin

from lotse.catalog.models import (
    Absence,
    Characteristic,
    Criterion,
    MatchingWeights,
    Offer,
    QualityArea,
    SupporterProfile,
    SupporterType,
)


@admin.register(QualityArea)
class QualityAreaAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "organisation"]
    list_filter = ["organisation"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "site", "active"]
    list_filter = ["organisation", "active"]
    filter_horizontal = ["quality_areas"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 1


@admin.register(Characteristic)
class CharacteristicAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "position"]
    list_filter = ["area__organisation"]
    inlines = [CriterionInline]


@admin.register(SupporterType)
class SupporterTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "position", "active"]
    list_filter = ["organisation", "active"]


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0


@admin.register(SupporterProfile)
class SupporterProfileAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "home_place", "max_processes", "active"]
    list_filter = ["organisation", "active"]
    search_fields = ["person__first_name", "person__last_name", "person__email", "home_place"]
    filter_horizontal = ["offers", "quality_areas", "districts"]
    raw_id_fields = ["person", "works_at_schools"]
    inlines = [AbsenceInline]


@admin.register(MatchingWeights)
class MatchingWeightsAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "offer",
        "quality_area",
        "school_type",
        "distance",
        "capacity",
        "history",
        "max_distance_km",
    ]
