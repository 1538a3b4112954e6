from django.contrib import admin
from django.urls import include, path

from lotse.support.views import requests as support_views

urlpatterns = [
    path("", support_views.home, name="home"),
    path("konto/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("verwaltung/", admin.site.urls),
    path("", include("lotse.core.urls")),
    path("", include("lotse.catalog.urls")),
    path("", include("lotse.support.urls")),
]
