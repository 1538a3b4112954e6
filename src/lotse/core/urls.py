from django.urls import path

from lotse.core import views

app_name = "core"

urlpatterns = [
    path("postausgang/", views.outbox_list, name="outbox"),
    path("postausgang/<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("ping/", views.ping, name="ping"),
    path(
        "organisation/<slug:slug>/einstellungen/",
        views.organisation_settings,
        name="organisation_settings",
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
]
