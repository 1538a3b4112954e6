from django.urls import path

from lotse.catalog import profile_views, views

app_name = "catalog"

urlpatterns = [
    path("katalog/", views.catalogue_index, name="index"),
    path("katalog/<slug:slug>/", views.catalogue_matrix, name="matrix"),
    path("katalog/<slug:slug>/suche/", views.offer_search, name="search"),
    path("katalog/<slug:slug>/angebote/<int:pk>/", views.offer_detail, name="offer"),
    path("katalog/<slug:slug>/bereiche/<int:number>/", views.area_detail, name="area"),
    path("katalog/<slug:slug>/weitere/", views.supporter_types, name="supporter_types"),
    path("organisation/<slug:slug>/katalog/", views.admin_index, name="admin_index"),
    path(
        "organisation/<slug:slug>/katalog/angebote/neu/",
        views.offer_edit,
        name="admin_offer_create",
    ),
    path(
        "organisation/<slug:slug>/katalog/angebote/<int:pk>/",
        views.offer_edit,
        name="admin_offer_edit",
    ),
    path(
        "organisation/<slug:slug>/katalog/bereiche/neu/",
        views.area_edit,
        name="admin_area_create",
    ),
    path(
        "organisation/<slug:slug>/katalog/bereiche/<int:pk>/",
        views.area_edit,
        name="admin_area_edit",
    ),
    path(
        "organisation/<slug:slug>/katalog/weitere/neu/",
        views.supporter_type_edit,
        name="admin_supporter_type_create",
    ),
    path(
        "organisation/<slug:slug>/katalog/weitere/<int:pk>/",
        views.supporter_type_edit,
        name="admin_supporter_type_edit",
    ),
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
