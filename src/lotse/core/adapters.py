"""allauth adapters: no sign-up, account mails through the outbox like every mail, and second
factors whose secrets are encrypted at rest."""

import base64
import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lotse.core import outbox
from lotse.lib.crypto import DecryptionError, key_id, key_ring, seal, unseal

# allauth keeps TOTP secrets and recovery-code seeds as text in a JSON field; Lotse stores them
# sealed with the key ring, marked by this prefix. `lotse rotate-keys` re-seals them.
SEALED_PREFIX = "lotse-sealed:"
_MFA_AAD = b"mfa.authenticator.secret"


class AccountAdapter(DefaultAccountAdapter):
    # Refusals in Lotse's own words (allauth's German translation addresses people as "du").
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Wrong codes at the second-factor step (counted per person).
        "too_many_login_attempts": _(
            "Too many failed login attempts. Please wait a few minutes before you try again."
        ),
        # Wrong passwords (counted per account and client, see below).
        "too_many_failed_passwords": _(
            "Too many failed login attempts from this device or network. Logging in from here "
            "is paused for up to five minutes; please wait and try again. Your account itself "
            "is not locked: logging in from another device or network still works."
        ),
        "rate_limited": _("Too many attempts in a short time. Please wait a moment and try again."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are created by organisation admins, not by sign-up."""
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client's address for allauth's rate limits and sessions, by the same rule as
        Lotse's own limits (LOTSE_TRUSTED_PROXY_HOPS)."""
        from lotse.core.security import client_ip

        return client_ip(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Failed logins count per account *and* client (ACCOUNT_RATE_LIMITS "login_failed",
        the "key" part): five wrong passwords typed by someone else somewhere else must not
        keep the owner out. allauth uses this one key for counting, for forgiving an attempt
        that succeeds and for clearing after a password reset, so all three follow."""
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}|{self.get_client_ip(request)}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Refused for too many wrong passwords: say that only this client is paused."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as exc:
            if exc.code != "too_many_login_attempts":
                raise
            raise self.validation_error("too_many_failed_passwords") from None

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Not again right after the login: a password (or code) entered at login a few minutes
        ago confirms the person as well as a second prompt would. Staff set up their second
        factor straight after their first login; allauth alone would ask for the password
        twice in a row there."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = self.request or allauth_context.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return True
        entered = [
            record["at"]
            for record in get_authentication_records(request, user)
            if isinstance(record.get("at"), int | float)
        ]
        return (
            not entered or time.time() - max(entered) >= account_settings.REAUTHENTICATION_TIMEOUT
        )

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Store allauth's mail (e.g. a password reset) in the outbox instead of sending it."""
        message = self.render_mail(template_prefix, email, context)
        with transaction.atomic():
            outbox.store(
                subject=str(message.subject),
                body=str(message.body),
                to=list(message.to),
                from_email=str(message.from_email),
                template=template_prefix,
            )


class MFAAdapter(DefaultMFAAdapter):
    """Second factors: secrets sealed with Lotse's key ring, and staff keep at least one."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Your role requires two-factor login. Set up another method before you remove this one."
        ),
        "incorrect_code": _("The code is not correct. Please check it and try again."),
    }

    def encrypt(self, text: str) -> str:
        """Seal a TOTP secret or recovery-code seed before allauth stores it."""
        return SEALED_PREFIX + base64.b64encode(seal(text.encode(), aad=_MFA_AAD)).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(SEALED_PREFIX):
            return encrypted_text  # stored before sealing existed
        sealed = base64.b64decode(encrypted_text.removeprefix(SEALED_PREFIX))
        return unseal(sealed, aad=_MFA_AAD).decode()

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff may remove a second factor only while another one remains."""
        from lotse.core import security

        if authenticator.type not in security.SECOND_FACTORS:
            return True
        if not security.is_staff_person(authenticator.user):
            return True
        return (
            Authenticator.objects.filter(
                user_id=authenticator.user_id, type__in=security.SECOND_FACTORS
            )
            .exclude(pk=authenticator.pk)
            .exists()
        )


def reseal_second_factors() -> tuple[int, int, int]:
    """Seal every stored TOTP secret and recovery-code seed again under the current key (for
    `lotse rotate-keys`); values stored unsealed get sealed. Returns (changed, total,
    unreadable): an unreadable one was sealed with a key that is no longer in the ring."""
    current = key_ring().current
    adapter = MFAAdapter()

    def stale(value: object) -> bool:
        if not isinstance(value, str):
            return False
        if not value.startswith(SEALED_PREFIX):
            return True
        return key_id(base64.b64decode(value.removeprefix(SEALED_PREFIX))) != current

    def reseal(value: str) -> str:
        return adapter.encrypt(adapter.decrypt(value))

    changed = total = unreadable = 0
    with transaction.atomic():
        for authenticator in Authenticator.objects.select_for_update().exclude(
            type=Authenticator.Type.WEBAUTHN  # holds public keys only, nothing secret
        ):
            total += 1
            data = dict(authenticator.data)
            try:
                for name in ("secret", "seed"):
                    if stale(data.get(name)):
                        data[name] = reseal(data[name])
                codes = data.get("migrated_codes")
                if isinstance(codes, list) and any(stale(code) for code in codes):
                    data["migrated_codes"] = [reseal(code) for code in codes]
            except DecryptionError:
                unreadable += 1
                continue
            if data != authenticator.data:
                authenticator.data = data
                authenticator.save(update_fields=["data"])
                changed += 1
    return changed, total, unreadable
