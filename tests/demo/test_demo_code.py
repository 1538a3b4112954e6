"""Demo staff log in with a second factor whose secret is published; `lotse demo-code` shows
the current code for those accounts and for no other."""

from __future__ import annotations

import io

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management import CommandError, call_command
from django.test import Client

from lotse.core.models import Person
from lotse.demo import data
from lotse.demo.seed import has_demo_authenticator, seed
from tests.factories import Cast, give_totp


def _current_code() -> str:
    import time

    return format_hotp_value(hotp_value(data.DEMO_TOTP_SECRET, int(time.time()) // 30))


@pytest.fixture
def demo(empty_database: None) -> None:
    seed(with_requests=False)


def test_demo_staff_have_the_demo_authenticator_and_school_contacts_none(demo: None) -> None:
    assert has_demo_authenticator(Person.objects.get(email="koordination.dresden@lasub.example"))
    assert has_demo_authenticator(Person.objects.get(email="admin@lasub.example"))
    assert not has_demo_authenticator(
        Person.objects.get(email="schulleitung@125gs-dresden.example")
    )


def test_demo_code_prints_the_code_that_logs_a_demo_coordinator_in(demo: None) -> None:
    out = io.StringIO()
    call_command(
        "demo-code", "Koordination.Dresden@lasub.example", stdout=out, stderr=io.StringIO()
    )
    code = out.getvalue().strip()
    assert code == _current_code()

    client = Client()
    response = client.post(
        "/konto/login/",
        {"login": "koordination.dresden@lasub.example", "password": data.DEMO_PASSWORD},
    )
    assert response["Location"] == "/konto/2fa/authenticate/"
    assert client.post("/konto/2fa/authenticate/", {"code": code})["Location"] == "/"
    assert client.get("/koordination/").status_code == 200


def test_seeding_again_keeps_an_authenticator_the_person_set_up_themselves(demo: None) -> None:
    admin = Person.objects.get(email="admin@lasub.example")
    admin.authenticator_set.all().delete()
    give_totp(admin, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    seed(with_requests=False)
    assert not has_demo_authenticator(admin)
    with pytest.raises(CommandError, match="Demo-Schlüssel"):
        call_command("demo-code", admin.email)


def test_demo_code_refuses_accounts_without_the_demo_secret(cast: Cast) -> None:
    with pytest.raises(CommandError, match="Demo-Schlüssel"):
        call_command("demo-code", cast.coordinator.email)  # a secret of its own
    with pytest.raises(CommandError, match="Demo-Schlüssel"):
        call_command("demo-code", cast.school_contact_a.email)  # no authenticator at all
    with pytest.raises(CommandError, match="keinen Zugang"):
        call_command("demo-code", "niemand@nirgends.example")
