"""Middleware of Lotse: German first, no caching of what logged-in people see, session limits,
and the second factor for staff."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from lotse.core import security


class LanguageMiddleware:
    """Like Django's LocaleMiddleware, but it ignores the browser's Accept-Language.

    Lotse's users work in German public administration and schools; an English browser must
    not switch their interface. The language switch in the footer sets the cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else ""
        except LookupError:
            language = ""
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """Every response to a logged-in person carries `Cache-Control: private, no-store`.

    Behind a login, nearly every page, fragment and file holds decrypted confidential content
    (request pages, attachments, the Kontrakt PDF, calendar files, exports, the access log, the
    concept library). On a shared school computer neither the browser nor a proxy may keep a copy
    after logout. One rule for all authenticated responses leaves no new view uncovered; public
    pages and static files (served before this middleware) stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Asked after the view: a login in this very request counts too.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


def _login_url(next_path: str) -> str:
    login = resolve_url(settings.LOGIN_URL)
    return f"{login}?{urlencode({REDIRECT_FIELD_NAME: next_path})}" if next_path else login


def _page_path(request: HttpRequest) -> str:
    """Where the person should land again after logging in or setting up a second factor: the
    page itself for a GET, the page that sent an htmx request or a form, else nowhere ("")."""
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.current_url_abs_path:
        return str(htmx.current_url_abs_path)
    if request.method == "GET":
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return f"{parts.path}?{parts.query}" if parts.query else parts.path
    return ""


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect the browser follows as a whole page, also from an htmx request (htmx would
    follow a plain 302 itself and swap the target page into the fragment)."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


class SessionLimitMiddleware:
    """Ends staff sessions after the idle and the total limit, with the reason on the login
    page; ends a session that a service marked (deactivation, new password) after its request;
    and answers htmx requests that need a login with HX-Redirect instead of the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            reason = security.session_end_reason(request.session, user)
            if reason is not None:
                return self._end(request, reason)
        response = self.get_response(request)
        if getattr(request, "_lotse_end_session", False):
            request.session.flush()
        if getattr(request, "htmx", False) and self._is_login_redirect(response):
            return HttpResponseClientRedirect(_login_url(_page_path(request)))
        return response

    def _end(self, request: HttpRequest, reason: str) -> HttpResponse:
        next_path = _page_path(request)
        logout(request)
        if reason == security.IDLE:
            text = _(
                "You have been logged out because you were inactive for more than "
                "%(minutes)d minutes. Please log in again."
            ) % {"minutes": settings.LOTSE_STAFF_SESSION_IDLE_MINUTES}
        else:
            text = _(
                "You have been logged out because your session lasted longer than %(hours)d "
                "hours. Please log in again."
            ) % {"hours": settings.LOTSE_STAFF_SESSION_MAX_HOURS}
        messages.warning(request, text)
        return _redirect(request, _login_url(next_path))

    @staticmethod
    def _is_login_redirect(response: HttpResponse) -> bool:
        location = response.get("Location")
        if not isinstance(response, HttpResponseRedirectBase) or not location:
            return False  # django-htmx's HX-Redirect responses have no Location header
        return urlsplit(location).path == resolve_url(settings.LOGIN_URL)


# Views a staff person without a second factor may still use: logging in and out, the account
# and MFA pages of allauth, the language switch, and the health check.
_OPEN_VIEW_NAMES = frozenset({"set_language", "core:ping"})
_OPEN_URL_NAME_PREFIXES = ("account_", "mfa_", "usersessions_")


class SecondFactorMiddleware:
    """Sends staff who have no second factor yet to set one up, from every other page; after
    setting it up (and seeing their recovery codes) they continue to where they wanted to go."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or self._is_open(request):
            return None
        if not security.is_staff_person(user):
            return None
        if security.has_second_factor(user):
            request.session.pop(security.SESSION_MFA_NEXT, None)
            return None
        request.session[security.SESSION_MFA_NEXT] = _page_path(request)
        messages.warning(
            request,
            _(
                "Your role gives you access to confidential information. Please set up "
                "two-factor login before you continue."
            ),
        )
        return _redirect(request, reverse("mfa_activate_totp"))

    @staticmethod
    def _is_open(request: HttpRequest) -> bool:
        match = request.resolver_match
        if match is None:
            return True
        if match.view_name in _OPEN_VIEW_NAMES:
            return True
        return not match.namespace and (match.url_name or "").startswith(_OPEN_URL_NAME_PREFIXES)
