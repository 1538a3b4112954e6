"""Synergie steps for tests: a concept released by school A, and its review."""

from __future__ import annotations

from typing import Any

from lotse.support.models import Concept, State, SupportRequest
from lotse.support.services import concepts as concept_services
from tests.factories import Cast, bring_to_state

TOPIC = "Feedbackkultur im Kollegium"
DONE = "Vier Treffen der Steuergruppe, kollegiale Hospitation und ein Feedbackbogen."
HELPED = "Kleine Schritte, klare Absprachen und Zeit im Kollegium."


def completed(cast: Cast, **submit: Any) -> SupportRequest:
    return bring_to_state(cast, State.COMPLETED, **submit)


def release(cast: Cast, sr: SupportRequest, **overrides: Any) -> Concept:
    """School A releases a concept without identifiers, with its consent."""
    values: dict[str, Any] = {
        "topic": TOPIC,
        "what_was_done": DONE,
        "what_helped": HELPED,
        "school_form": "oberschule",
        "consent": True,
    }
    values.update(overrides)
    return concept_services.concept_submit(request=sr, by=cast.school_contact_a, **values)


def published(cast: Cast, sr: SupportRequest | None = None, **overrides: Any) -> Concept:
    """A concept in the library (released by school A, published by the admin)."""
    concept = release(cast, sr or completed(cast), **overrides)
    return concept_services.concept_publish(concept=concept, by=cast.admin)
