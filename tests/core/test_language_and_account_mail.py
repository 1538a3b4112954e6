"""German first; account mails (password reset) go through the outbox like every mail."""

from __future__ import annotations

import pytest
from django.test import Client

from lotse.core.models import OutboxMessage
from tests.factories import Cast


@pytest.mark.django_db
def test_pages_are_german_even_for_an_english_browser(client: Client) -> None:
    response = client.get("/konto/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in response.content.decode()
    assert "Anmelden" in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_chooses_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/konto/login/"})
    assert response.status_code == 302

    page = client.get("/konto/login/").content.decode()
    assert '<html lang="en">' in page
    assert "Log in to Lotse" in page


@pytest.mark.django_db
def test_password_reset_mail_is_kept_in_the_outbox(cast: Cast, client: Client) -> None:
    response = client.post("/konto/password/reset/", {"email": cast.coordinator.email})
    assert response.status_code == 302

    message = OutboxMessage.objects.get(to=[cast.coordinator.email])
    assert "/konto/password/reset/key/" in message.body
    assert message.organisation is None  # no coordinator's outbox shows a reset link
