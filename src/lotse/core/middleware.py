"""Middleware of Lotse: German first, no caching of what logged-in people see, session limits,
the second factor for staff, and pages that survive one unreadable encrypted value."""

import functools
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Concatenate
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from lotse.core import roles, security
from lotse.lib import crypto


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


# How long the report of one unreadable value is remembered, so that it is mailed once and not
# at every page view (the cache is the database table every server process shares).
UNREADABLE_REPORT_SECONDS = 30 * 24 * 3600
unreadable_logger = logging.getLogger("lotse.unreadable")


def report_unreadable(field: str, pk: Any, sealed: bytes, error: crypto.DecryptionError) -> None:
    """Report an encrypted value that cannot be opened to the admins: one log line at ERROR,
    which the logging configuration also mails to LOTSE_ADMINS. Once per value (field, row and
    the sealed bytes), not per page view. The line names the field, the row and the reason,
    never content."""
    digest = hashlib.sha256(sealed).hexdigest()[:32]
    if not cache.add(f"lotse:unreadable:{field}:{pk}:{digest}", 1, UNREADABLE_REPORT_SECONDS):
        return
    if isinstance(error, crypto.KeyMissing):
        reason = f"sealed with key {error.kid!r}, which is not in the key ring"
    else:
        reason = "the value belongs to another row or field, or was altered"
    unreadable_logger.error("Unreadable encrypted value: %s of row %s: %s", field, pk, reason)


class TolerantReadsMiddleware:
    """A page that only reads (GET, HEAD) shows an encrypted text that cannot be opened as
    "cannot be read" (with the reason for admins) instead of failing as a whole, and reports
    it once. Requests that write keep the error: nothing may be saved over a sealed value."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with tolerant_reads(request):
            return self.get_response(request)


def _is_admin(user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or roles.organisation_ids(user, roles.Kind.ADMIN))


@contextmanager
def tolerant_reads(request: HttpRequest) -> Iterator[None]:
    """Unreadable encrypted texts read as "cannot be read" (with the reason for admins) and
    are reported, within this block. For showing a page, also after a refused step of a form
    (nothing is written then)."""
    with tolerant_reads_for(getattr(request, "user", None)):
        yield


@contextmanager
def tolerant_reads_for(reader: Any) -> Iterator[None]:
    """`tolerant_reads` for a reader known without the HTTP request (a page's context)."""
    with crypto.tolerant(show_reason=lambda: _is_admin(reader), report=report_unreadable):
        yield


def reads_tolerantly[**P, R](
    show: Callable[Concatenate[HttpRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R]:
    """A function that shows a page to `request` (its first argument) and writes no encrypted
    value, run within `tolerant_reads`: e.g. the request page shown again after a refused step."""

    @functools.wraps(show)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R:
        with tolerant_reads(request):
            return show(request, *args, **kwargs)

    return wrapper


def reads_tolerantly_for_reader[**P, R](collect: Callable[P, R]) -> Callable[P, R]:
    """A function that collects what a page shows to `person` (its second argument or the
    keyword `person`) and writes no encrypted value, run within `tolerant_reads_for`."""

    @functools.wraps(collect)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        reader = kwargs.get("person", args[1] if len(args) > 1 else None)
        with tolerant_reads_for(reader):
            return collect(*args, **kwargs)

    return wrapper
