"""Signal receivers of core: account security that must hold on every path.

A person can be deactivated or get a new password through allauth, Django's admin, a
management command or any code that saves the person; a login can happen through allauth or
through Django's `login()` directly. Only model and auth signals see all of these, so these
receivers call the services from there."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from lotse.core import security, services
from lotse.core.models import Person

_ENDS_SESSIONS = frozenset({"password", "is_active"})


@receiver(user_logged_in)
def _start_session(sender: Any, request: HttpRequest | None, user: Person, **kwargs: Any) -> None:
    """Start the session clock and index the session, whichever way the login happened."""
    if request is None or not hasattr(request, "session"):
        return
    security.start_session_clock(request.session)
    security.record_session(request, user)


@receiver(user_logged_out)
def _forget_session(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        security.forget_sessions([session.session_key] if session.session_key else [])


@receiver(pre_save, sender=Person)
def _note_what_ends_sessions(
    sender: type[Person],
    instance: Person,
    raw: bool,
    update_fields: frozenset[str] | None,
    **kwargs: Any,
) -> None:
    """Before a person is saved: is this a deactivation or a new password?"""
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not (_ENDS_SESSIONS & set(update_fields)):
        return  # e.g. the last_login update of every login
    before = Person.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    deactivated = before["is_active"] and not instance.is_active
    new_password = before["password"] != instance.password
    instance._lotse_end_sessions = deactivated or new_password  # type: ignore[attr-defined]


@receiver(post_save, sender=Person)
def _end_sessions(sender: type[Person], instance: Person, **kwargs: Any) -> None:
    """After a deactivation or a new password: every session of the person ends now."""
    if getattr(instance, "_lotse_end_sessions", False):
        instance._lotse_end_sessions = False  # type: ignore[attr-defined]
        services.person_end_sessions(person=instance)


@receiver(pre_delete, sender=Person)
def _end_sessions_of_deleted(sender: type[Person], instance: Person, **kwargs: Any) -> None:
    """A person who is deleted is logged out everywhere, before their index rows go with them."""
    services.person_end_sessions(person=instance)
