"""`lotse demo-code EMAIL`: the current second-factor code of a demo staff account.

Only for accounts whose authenticator app carries the published demo secret
(`lotse.demo.data.DEMO_TOTP_SECRET`, set by `lotse seed_demo`); for every other account the
command refuses, so it cannot reveal a real person's codes."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.core.models import Person
from lotse.demo import data
from lotse.demo.seed import has_demo_authenticator


class Command(BaseCommand):
    help = "Zeigt den aktuellen Code der Authenticator-App eines Demo-Zugangs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="E-Mail-Adresse des Demo-Zugangs")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        person = Person.objects.filter(email=email).first()
        if person is None:
            raise CommandError(f"Es gibt keinen Zugang {email}.")
        if not has_demo_authenticator(person):
            raise CommandError(
                f"{email} hat keine Authenticator-App mit dem Demo-Schlüssel; "
                "Codes gibt es nur für Demo-Zugänge."
            )
        period = app_settings.TOTP_PERIOD
        now = time.time()
        code = format_hotp_value(hotp_value(data.DEMO_TOTP_SECRET, int(now) // period))
        self.stdout.write(code)
        self.stderr.write(f"(gültig noch {period - int(now) % period} Sekunden)")
