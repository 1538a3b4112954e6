"""`lotse seed_demo`: fill the database with demo data; safe to run again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.core.models import Organisation, Person, School
from lotse.demo import data
from lotse.demo.seed import seed
from lotse.support.models import SupportRequest


class Command(BaseCommand):
    help = "Legt Demo-Daten an (LaSuB Sachsen, LAG Schulsozialarbeit Niedersachsen)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Nichts tun, wenn schon eine Organisation angelegt ist.",
        )
        parser.add_argument(
            "--without-requests",
            action="store_true",
            help="Keine Demo-Anfragen anlegen.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.LOTSE_DEMO:
            # Demo accounts have a published password and second-factor secret: in a real
            # installation, even an empty one, they would be open doors.
            raise CommandError(
                "seed_demo: LOTSE_DEMO is not true – this is a real installation, so no demo "
                "data and no demo accounts (published password and second-factor secret) are "
                "written. Demo data only with LOTSE_DEMO=true (`make run` sets it). / "
                "Keine Demo-Daten: LOTSE_DEMO ist nicht gesetzt (echte Installation)."
            )
        if options["if_empty"] and Organisation.objects.exists():
            self.stdout.write("Es gibt bereits eine Organisation – keine Demo-Daten angelegt.")
            return
        report = seed(with_requests=not options["without_requests"])

        slugs = [org.slug for org in data.ORGANISATIONS]
        schools = School.objects.filter(district__organisation__slug__in=slugs).count()
        people = Person.objects.filter(roles__organisation__slug__in=slugs).distinct().count()
        requests = SupportRequest.objects.filter(organisation__slug__in=slugs).count()

        if report.changed_anything:
            parts = [f"{n} {name}" for name, n in sorted(report.created.items())]
            if parts:
                self.stdout.write("Neu angelegt: " + ", ".join(parts))
            parts = [f"{n} {name}" for name, n in sorted(report.updated.items())]
            if parts:
                self.stdout.write("Aktualisiert: " + ", ".join(parts))
            if report.requests_created:
                self.stdout.write(f"Demo-Anfragen angelegt: {report.requests_created}")
        else:
            self.stdout.write("Die Demo-Daten sind schon vollständig – nichts geändert.")

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo-Daten: {len(slugs)} Organisationen, {schools} Schulen, "
                f"{people} Personen, {requests} Anfragen."
            )
        )
        self.stdout.write("")
        self.stdout.write(f"Demo-Zugänge (Passwort für alle: {data.DEMO_PASSWORD}):")
        width = max(len(role) for role, _email in data.LOGINS)
        for role, email in data.LOGINS:
            self.stdout.write(f"  {role:<{width}}  {email}")
        self.stdout.write("")
        self.stdout.write(
            "Koordination, Unterstützung und Admins melden sich mit zweitem Faktor an: "
            "`lotse demo-code E-MAIL` zeigt den aktuellen Code, oder die Authenticator-App "
            f"mit dem Demo-Schlüssel {data.DEMO_TOTP_SECRET} einrichten."
        )
