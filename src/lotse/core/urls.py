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
]
