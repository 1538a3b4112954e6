from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from lotse.core.models import (
    Bounce,
    District,
    Organisation,
    OutboxMessage,
    Person,
    Role,
    School,
    SearchSynonym,
    Site,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "state", "acknowledgement_days"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "email", "statewide"]
    list_filter = ["organisation"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "official_key", "site", "organisation"]
    list_filter = ["organisation", "site"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "school_type", "city", "district"]
    list_filter = ["state", "school_type"]
    search_fields = ["name", "number", "city"]


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["school"]


@admin.register(Person)
class PersonAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "phone")}),
        ("Admin", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [RoleInline]


class BounceInline(admin.TabularInline):
    model = Bounce
    extra = 0
    can_delete = False
    readonly_fields = ["received_at", "recipient", "action", "status", "reason"]
    fields = ("received_at", "recipient", "action", "status", "reason")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "created_at", "sent_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    inlines = [BounceInline]


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ["word", "means", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["word", "means"]
