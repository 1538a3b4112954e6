from django.contrib import admin

from lotse.catalog.models import Offer, QualityArea


@admin.register(QualityArea)
class QualityAreaAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "organisation"]
    list_filter = ["organisation"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "site", "active"]
    list_filter = ["organisation", "active"]
    filter_horizontal = ["quality_areas"]
