"""Account security: who must use a second factor, how long a session may last, which sessions
a person has.

Staff (coordinators, supporters, organisation admins, and whoever may use Django's admin) see
confidential content of many schools, so they must set up a second factor and their sessions
end after `LOTSE_STAFF_SESSION_IDLE_MINUTES` without a request and after
`LOTSE_STAFF_SESSION_MAX_HOURS` in total. School contacts may opt in to a second factor; their
sessions last `SESSION_COOKIE_AGE`.

Every login is written to allauth's session index (`allauth.usersessions`), so that deactivating
a person or changing their password can delete all of their sessions at once
(`services.person_end_sessions`), and people can see and end their own sessions.
"""

from __future__ import annotations

import ipaddress
import time
from typing import TYPE_CHECKING, Any

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from lotse.core import roles

if TYPE_CHECKING:
    from lotse.core.models import Person

STAFF_KINDS = frozenset({roles.Kind.COORDINATOR, roles.Kind.SUPPORTER, roles.Kind.ADMIN})
# Authenticators that are a second factor by themselves; recovery codes only stand in for them.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)

# Session keys: when the login happened and when the person was last seen (Unix seconds).
SESSION_STARTED = "lotse.session.started"
SESSION_SEEN = "lotse.session.seen"
# The "last seen" time is written at most once a minute, so that a page view does not have to
# write the session each time; an idle session therefore ends up to a minute early, never late.
SEEN_GRANULARITY = 60
# Where a staff person wanted to go when they were sent to set up a second factor.
SESSION_MFA_NEXT = "lotse.mfa.next"

IDLE = "idle"
TOO_LONG = "too_long"


def is_staff_person(person: Person | AnonymousUser) -> bool:
    """Whether the person holds a staff role anywhere, or may use Django's admin."""
    if not person.is_authenticated:
        return False
    return person.is_staff or person.is_superuser or bool(roles.role_kinds(person) & STAFF_KINDS)


def has_second_factor(person: Person | AnonymousUser) -> bool:
    """Whether the person has an authenticator app or a security key set up."""
    if not person.is_authenticated:
        return False
    return Authenticator.objects.filter(user_id=person.pk, type__in=SECOND_FACTORS).exists()


def needs_second_factor_setup(person: Person | AnonymousUser) -> bool:
    """Staff without a second factor may use nothing but the pages to set one up."""
    return is_staff_person(person) and not has_second_factor(person)


def idle_limit_seconds() -> int:
    return int(settings.LOTSE_STAFF_SESSION_IDLE_MINUTES) * 60


def total_limit_seconds() -> int:
    return int(settings.LOTSE_STAFF_SESSION_MAX_HOURS) * 3600


def start_session_clock(session: SessionBase, now: float | None = None) -> None:
    """Remember when a session began; called at every login."""
    now = time.time() if now is None else now
    session[SESSION_STARTED] = now
    session[SESSION_SEEN] = now


def session_end_reason(
    session: SessionBase, person: Person | AnonymousUser, now: float | None = None
) -> str | None:
    """Why this session must end now (IDLE or TOO_LONG), or None while it may go on.

    Only staff sessions end this way; a session from before the clock existed starts it now."""
    now = time.time() if now is None else now
    started = session.get(SESSION_STARTED)
    seen = session.get(SESSION_SEEN)
    if not isinstance(started, int | float) or not isinstance(seen, int | float):
        start_session_clock(session, now)
        return None
    if is_staff_person(person):
        if now - started > total_limit_seconds():
            return TOO_LONG
        if now - seen > idle_limit_seconds():
            return IDLE
    if now - seen >= SEEN_GRANULARITY:
        session[SESSION_SEEN] = now
    return None


def client_ip(request: HttpRequest) -> str:
    """The client's address, for rate limits and the list of sessions (allauth gets it through
    the account adapter, so both count alike).

    With `LOTSE_TRUSTED_PROXY_HOPS` = 0 it is the address of the connection. Behind n proxies,
    each appending the address it was called from to X-Forwarded-For, it is the n-th entry from
    the right: the one the outermost proxy saw. Entries further left come from the client and
    prove nothing. A header shorter than n (a request that did not pass every proxy) or an entry
    that is no address gives the connection's address, which is never looser. 0.0.0.0 when
    nothing is known, as for a login made in code (tests' force_login)."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    hops = int(settings.LOTSE_TRUSTED_PROXY_HOPS)
    if hops > 0:
        forwarded = [
            item.strip() for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if len(forwarded) >= hops and (address := _address(forwarded[-hops])):
            return address
    return remote or "0.0.0.0"  # noqa: S104 - a placeholder, not a bind address


def _address(value: str) -> str:
    """The value as a normalised IP address, or "" if it is none."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""


def record_session(request: HttpRequest, person: Person) -> None:
    """Write the request's session to the index of the person's sessions."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if not session.session_key:
        session.save()
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": person,
            "ip": client_ip(request),
            "user_agent": user_agent[: UserSession._meta.get_field("user_agent").max_length],
        },
    )


def forget_sessions(session_keys: list[str]) -> None:
    """Drop sessions that ended (logout, ended by a service) from the index."""
    if session_keys:
        UserSession.objects.filter(session_key__in=session_keys).delete()


def session_keys_of(person: Person) -> list[str]:
    """The keys of every indexed session of the person."""
    return list(UserSession.objects.filter(user_id=person.pk).values_list("session_key", flat=True))


def mark_current_session_for_ending(request: Any) -> None:
    """The middleware flushes this request's session once the view is done (see
    `services.person_end_sessions`): deleting it in the middle of the request would make
    Django refuse to save it at the end."""
    request._lotse_end_session = True
