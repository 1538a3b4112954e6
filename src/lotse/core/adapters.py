"""allauth adapter: no sign-up, and account mails go through the outbox like every mail."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction
from django.http import HttpRequest

from lotse.core import outbox


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are created by organisation admins, not by sign-up."""
        return False

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
