from django.urls import path

from lotse.catalog import profile_views

app_name = "catalog"

urlpatterns = [
    path("begleitung/profil/", profile_views.profile, name="profile"),
    path("begleitung/profil/abwesenheiten/", profile_views.absence_add, name="absence_add"),
    path(
        "begleitung/profil/abwesenheiten/<int:pk>/loeschen/",
        profile_views.absence_remove,
        name="absence_remove",
    ),
    path(
        "organisation/<slug:slug>/abgleich/",
        profile_views.matching_weights,
        name="matching_weights",
    ),
]
