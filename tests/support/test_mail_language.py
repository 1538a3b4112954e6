"""The school's confirmation mail is German and explains the next steps and the principles."""

from __future__ import annotations

from lotse.core.models import OutboxMessage
from lotse.support.models import State
from lotse.support.services import requests as request_services
from tests.factories import Cast, bring_to_state


def test_confirmation_mail_is_german_and_explains_steps_and_principles(cast: Cast) -> None:
    sr = bring_to_state(cast, State.RECEIVED)

    request_services.request_acknowledge(request=sr, by=cast.coordinator, message="Wir melden uns.")

    mail = OutboxMessage.objects.get(
        reference=f"support.SupportRequest:{sr.pk}", template="support/mail/acknowledged"
    )
    assert sr.contact_email in mail.to
    assert "Anfrage" in mail.subject
    for word in [
        "Wir melden uns.",
        "Freiwilligkeit",
        "Vertraulichkeit",
        "Selbstwirksamkeit",
        "Transparenz",
        "Prozessorientierung",
        "Synergie",
        "Kontrakt",
        f"/anfragen/{sr.pk}/",
    ]:
        assert word in mail.body, word
