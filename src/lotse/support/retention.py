"""The kinds of data of the support process and what deleting or anonymising them means.

Registered with `lotse.core.retention` from `SupportConfig.ready()`.

- Deleting a request deletes everything confidential under it: its timeline, proposals,
  meetings, Kontrakt versions with their acceptances, attachments, the mails Lotse wrote about
  it, and the content of the mails it came from.
- Anonymising a request keeps only facts without people for statistics: organisation, site,
  school, area of quality, offer, channel, state and dates (also of each timeline step, session
  and next step). Text, notes, contact data, the people involved (also the addressee of a
  timeline entry), attachments, Kontrakt, meetings, mails and the school's releases (the
  purpose it typed, who released) go; sessions and next steps lose their text, place and
  people (goal progress goes with the Kontrakt). `tests/core/test_issue11_privacy.py` walks
  every model under a request and fails on a person or a text that stays without a reason.
- A received mail is never deleted outright: its row keeps the duplicate key (mailbox, UID,
  hash), so the importer does not fetch the same mail from the server again. Its content
  (the raw mail, sender, subject) goes.
- Concepts (Synergie): one not (or no longer) released – waiting for review, returned to the
  school, or withdrawn – is deleted with the request. A published concept stays (it was
  anonymised, checked and released with the school's consent) but loses its link to the request.
- The access log stays; its references are plain ids (see `lotse.core.audit`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from lotse.core import retention
from lotse.core.models import Organisation, OutboxMessage
from lotse.support import timeline
from lotse.support.models import (
    Agreement,
    Attachment,
    Concept,
    FinalReflection,
    GoalProgress,
    InboundMail,
    Meeting,
    NextStep,
    Proposal,
    Release,
    Session,
    State,
    SupportRequest,
    TimelineEvent,
)

Action = retention.Action
ANONYMISED = "anonymised"
# What an anonymised request shows instead of its subject.
ANONYMISED_SUBJECT = "–"
# Timeline data that names no one and may stay when a request is anonymised.
_NEUTRAL_EVENT_DATA = ("channel", "version", "side")
_UNASSIGNED_MAIL = (
    InboundMail.Outcome.QUARANTINE,
    InboundMail.Outcome.DISCARDED,
    InboundMail.Outcome.AUTO_REPLY,
    InboundMail.Outcome.BOUNCE,
)


def reference(request_pk: int) -> str:
    """The outbox reference of a request's mails (as `services._reference` writes it)."""
    return f"support.SupportRequest:{request_pk}"


def strip_mails(rows: QuerySet[InboundMail]) -> int:
    """Remove the content of received mails, keep the key that stops a second import.

    A quarantined mail counts as discarded afterwards, so it leaves the quarantine list."""
    Attachment.objects.filter(mail__in=rows).delete()
    return rows.update(
        raw=None,
        sender="",
        subject="",
        message_id="",
        quarantine_reason="",
        request=None,
        event=None,
        outcome=Case(
            When(outcome=InboundMail.Outcome.QUARANTINE, then=Value(InboundMail.Outcome.DISCARDED)),
            default=F("outcome"),
        ),
    )


def _remove_confidential_parts(request: SupportRequest) -> None:
    """What deleting and anonymising share: mails, attachments, Kontrakt, meetings, proposals."""
    strip_mails(InboundMail.objects.filter(request=request))
    OutboxMessage.objects.filter(reference=reference(request.pk)).delete()
    Attachment.objects.filter(request=request).delete()
    Agreement.objects.filter(request=request).delete()  # acceptances cascade
    Meeting.objects.filter(request=request).delete()
    Proposal.objects.filter(request=request).delete()
    concepts = Concept.objects.filter(request=request)
    concepts.exclude(status=Concept.Status.PUBLISHED).delete()
    concepts.update(request=None)


def _clear_accompaniment(request: SupportRequest) -> None:
    """Sessions, next steps and goal progress keep their dates and states for statistics;
    what they say and who wrote it goes. Encrypted fields are written by save(), row by row."""
    for progress in GoalProgress.objects.filter(session__request=request):
        progress.goal = ""
        progress.note = ""
        progress.save(update_fields=["goal", "note"])
    for session in Session.objects.filter(request=request):
        session.participants = ""
        session.notes = ""
        session.reflection = ""
        session.place = ""
        session.created_by = None
        session.recorded_by = None
        session.save(
            update_fields=[
                "participants",
                "notes",
                "reflection",
                "place",
                "created_by",
                "recorded_by",
            ]
        )
    for step in NextStep.objects.filter(request=request):
        step.text = ""
        step.created_by = None
        step.done_by = None
        step.save(update_fields=["text", "created_by", "done_by"])


def delete_requests(rows: QuerySet[SupportRequest]) -> int:
    """Delete requests with everything confidential under them."""
    count = 0
    for request in rows.order_by("pk"):
        with transaction.atomic():
            _remove_confidential_parts(request)
            request.delete()  # the timeline cascades
        count += 1
    return count


def anonymise_requests(rows: QuerySet[SupportRequest]) -> int:
    """Reduce requests to facts without people (see the module's docstring)."""
    count = 0
    for request in rows.order_by("pk"):
        with transaction.atomic():
            _clear_accompaniment(request)
            _remove_confidential_parts(request)
            # Encrypted fields are written by save(), one row at a time.
            # The school's consents went with what they released: the purpose it typed and
            # the people who released and revoked go too.
            Release.objects.filter(request=request).delete()
            for event in TimelineEvent.objects.filter(request=request):
                event.actor = None
                event.addressee = None
                event.note = ""
                event.data = {k: v for k, v in event.data.items() if k in _NEUTRAL_EVENT_DATA}
                event.save(update_fields=["actor", "addressee", "note", "data"])
            # The final reflection keeps its dates (the process was reflected and confirmed),
            # not its text or the people. Evaluation answers are not linked to the request.
            for reflection in FinalReflection.objects.filter(request=request):
                reflection.text = ""
                reflection.written_by = None
                reflection.school_confirmed_by = None
                reflection.supporter_confirmed_by = None
                reflection.save(
                    update_fields=[
                        "text",
                        "written_by",
                        "school_confirmed_by",
                        "supporter_confirmed_by",
                    ]
                )
            request.subject = ANONYMISED_SUBJECT
            request.text = ""
            request.contact_name = ""
            request.contact_email = ""
            request.contact_phone = ""
            request.submitted_by = None
            request.save(
                update_fields=[
                    "subject",
                    "text",
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                    "submitted_by",
                    "updated_at",
                ]
            )
            timeline.record(request, ANONYMISED, by=None)
        count += 1
    return count


def is_anonymised(request: SupportRequest) -> bool:
    return request.events.filter(kind=ANONYMISED).exists()


def _requests_finder(state: str) -> retention.Finder:
    def find(
        organisation: Organisation | None, cutoff: dt.datetime, action: str
    ) -> QuerySet[SupportRequest]:
        rows = SupportRequest.objects.filter(
            organisation=organisation, state=state, closed_at__lt=cutoff
        )
        if action == Action.ANONYMISE:
            rows = rows.exclude(events__kind=ANONYMISED)
        return rows

    return find


def _apply_requests(rows: QuerySet[SupportRequest], action: str) -> int:
    return delete_requests(rows) if action == Action.DELETE else anonymise_requests(rows)


def _unassigned_mails(
    organisation: Organisation | None, cutoff: dt.datetime, action: str
) -> QuerySet[InboundMail]:
    return InboundMail.objects.filter(
        site__organisation=organisation, outcome__in=_UNASSIGNED_MAIL, received_at__lt=cutoff
    ).exclude(raw__isnull=True, sender="", subject="")


def _apply_mails(rows: QuerySet[InboundMail], action: str) -> int:
    return strip_mails(rows)


_ANONYMISE_HELP = _(
    "Anonymising keeps site, school, area, offer, state and dates for statistics and removes "
    "text, notes, contact data, the people involved, attachments, Kontrakt and mails. "
    "Deleting removes the request with everything that belongs to it."
)


def register() -> None:
    """Register the support process's kinds of data; called from `SupportConfig.ready()`."""
    request_kinds = [
        (
            State.COMPLETED,
            _("Completed requests"),
            _("Counted from completion."),
            24,
            Action.ANONYMISE,
        ),
        (
            State.CLOSED_WITHOUT_AGREEMENT,
            _("Requests closed without collaboration"),
            _("Counted from closing."),
            12,
            Action.ANONYMISE,
        ),
        (
            State.WITHDRAWN,
            _("Requests withdrawn by the school"),
            _("Counted from the withdrawal. Supporters lose access at once."),
            3,
            Action.DELETE,
        ),
        (
            State.FORWARDED,
            _("Forwarded requests"),
            _("Counted from forwarding."),
            6,
            Action.ANONYMISE,
        ),
    ]
    for order, (state, label, counted, months, action) in enumerate(request_kinds):
        retention.register(
            f"support.{state}",
            label=label,
            help_text=format_lazy("{} {}", counted, _ANONYMISE_HELP),
            months=months,
            action=action,
            find=_requests_finder(state),
            apply=_apply_requests,
            order=10 + order,
        )
    retention.register(
        "support.unassigned_mail",
        label=_("Received mails that did not become part of a request"),
        help_text=_(
            "Quarantined and discarded mails, automatic replies and bounces, counted from "
            "receipt. Their content is deleted; a key without content stays, so the same mail "
            "is not fetched again."
        ),
        months=3,
        action=Action.DELETE,
        actions=(Action.DELETE,),
        find=_unassigned_mails,
        apply=_apply_mails,
        order=50,
    )
