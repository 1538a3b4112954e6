"""Assertion helpers shared by the test modules."""

from __future__ import annotations

from typing import Any

from hypothesis import settings as hypothesis_settings

from lotse.core.models import OutboxMessage
from lotse.support.models import (
    Acceptance,
    Agreement,
    Meeting,
    NextStep,
    Proposal,
    Session,
    SupportRequest,
    TimelineEvent,
)


def snapshot(sr: SupportRequest) -> dict[str, Any]:
    """Everything a refused step must leave as it was."""
    fresh = SupportRequest.objects.get(pk=sr.pk)
    return {
        "state": fresh.state,
        "closed_at": fresh.closed_at,
        "acknowledged_at": fresh.acknowledged_at,
        "events": list(TimelineEvent.objects.filter(request=sr).values_list("kind", flat=True)),
        "outbox": OutboxMessage.objects.count(),
        "proposals": sorted(Proposal.objects.filter(request=sr).values_list("supporter", "status")),
        "meetings": Meeting.objects.filter(request=sr).count(),
        "agreements": Agreement.objects.filter(request=sr).count(),
        "acceptances": Acceptance.objects.filter(agreement__request=sr).count(),
        "sessions": sorted(Session.objects.filter(request=sr).values_list("status", "sequence")),
        "next_steps": NextStep.objects.filter(request=sr).count(),
    }


def new_mails(before: int) -> set[tuple[str, tuple[str, ...]]]:
    """The mails queued since the outbox held `before` rows, as (template, recipients)."""
    rows = OutboxMessage.objects.order_by("pk")[before:]
    return {(m.template.removeprefix("support/mail/"), tuple(m.to)) for m in rows}


def to(*addresses: str) -> tuple[str, ...]:
    """Recipients as the outbox stores them: lower case, sorted, each once."""
    return tuple(sorted({a.lower() for a in addresses}))


def examples(full: int) -> int:
    """A property test's number of examples under the loaded hypothesis profile: `full` in CI
    (profile "ci", 100 examples by default), a fifth of it in a developer's run ("dev", 20)."""
    return max(5, full * hypothesis_settings.default.max_examples // 100)
