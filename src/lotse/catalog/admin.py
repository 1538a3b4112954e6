from django.contrib import admin

from lotse.catalog.models import Characteristic, Criterion, Offer, QualityArea, SupporterType


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
