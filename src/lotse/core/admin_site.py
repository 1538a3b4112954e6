"""Django's admin without a login form of its own.

The admin's login page would be a second login form, with no rate limit and no second factor.
Lotse's admin site sends it to the allauth login instead (with `next`), so that every login
goes through the same limits and the same second factor."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _


class LotseAdminSite(admin.AdminSite):
    site_header = _("Lotse administration")
    site_title = _("Lotse administration")

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Anonymous: to the allauth login, then back. Logged in with admin rights: on to the
        admin. Logged in without them: refused (403), not sent round in a circle."""
        index = reverse("admin:index", current_app=self.name)
        target = request.GET.get(REDIRECT_FIELD_NAME) or index
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = index
        if not request.user.is_authenticated:
            login = resolve_url("account_login")
            return HttpResponseRedirect(f"{login}?{urlencode({REDIRECT_FIELD_NAME: target})}")
        if self.has_permission(request):
            return HttpResponseRedirect(target)
        raise PermissionDenied


class LotseAdminConfig(AdminConfig):
    default_site = "lotse.core.admin_site.LotseAdminSite"
