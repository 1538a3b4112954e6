from django.urls import path

from lotse.core import views

app_name = "core"

urlpatterns = [
    path("postausgang/", views.outbox_list, name="outbox"),
    path("postausgang/<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("ping/", views.ping, name="ping"),
    path("katalog/<slug:slug>/schulen/", views.school_choices, name="school_choices"),
    path(
        "organisation/<slug:slug>/einstellungen/",
        views.organisation_settings,
        name="organisation_settings",
    ),
    path(
        "organisation/<slug:slug>/suche/synonyme/",
        views.search_synonyms,
        name="search_synonyms",
    ),
    path(
        "organisation/<slug:slug>/aufbewahrung/",
        views.retention_settings,
        name="retention",
    ),
    path("organisation/<slug:slug>/personen/", views.person_list, name="person_list"),
    path(
        "organisation/<slug:slug>/personen/<int:pk>/datenschutz/",
        views.person_privacy,
        name="person_privacy",
    ),
    path(
        "organisation/<slug:slug>/personen/<int:pk>/datenschutz/export/",
        views.person_export,
        name="person_export",
    ),
    path(
        "organisation/<slug:slug>/personen/<int:pk>/datenschutz/loeschen/",
        views.person_erase,
        name="person_erase",
    ),
    path("organisation/<slug:slug>/schulen/", views.school_list, name="school_list"),
    path("organisation/<slug:slug>/schulen/import/", views.school_import, name="school_import"),
    path(
        "organisation/<slug:slug>/schulen/import/<int:pk>/",
        views.school_import_preview,
        name="school_import_preview",
    ),
    path(
        "organisation/<slug:slug>/schulen/import/<int:pk>/bestaetigen/",
        views.school_import_confirm,
        name="school_import_confirm",
    ),
    path(
        "organisation/<slug:slug>/schulen/import/<int:pk>/ergebnis/",
        views.school_import_result,
        name="school_import_result",
    ),
]
