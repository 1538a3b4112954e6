"""The kernel every service module shares: lock a request, move its state, the level of a new
entry, who is written to, and queueing a mail about the request.

Domain modules import these; none imports another domain module's private helpers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.core import outbox
from lotse.core.models import Person, Role
from lotse.support import visibility, workflow
from lotse.support.models import (
    CHOOSABLE,
    Attachment,
    Meeting,
    Proposal,
    Session,
    SupportRequest,
    TimelineEvent,
    Visibility,
)
from lotse.support.workflow import WorkflowError

# The entries that carry a level, and the field of a release that points to each.
Entry = TimelineEvent | Meeting | Attachment | Session


ENTRY_FIELD: dict[type[Entry], str] = {
    TimelineEvent: "event",
    Meeting: "meeting",
    Attachment: "attachment",
    Session: "session",
}


def request_reference(request: SupportRequest) -> str:
    return f"support.SupportRequest:{request.pk}"


def request_url(request: SupportRequest) -> str:
    return f"{settings.BASE_URL}/anfragen/{request.pk}/"


def school_addresses(request: SupportRequest) -> list[str]:
    """The request's contact address and those of the school's contacts in the organisation."""
    if request.school_id is None:
        return [request.contact_email]
    contacts = Role.objects.filter(
        organisation_id=request.organisation_id,
        kind=Role.Kind.SCHOOL_CONTACT,
        school_id=request.school_id,
        person__is_active=True,
    ).values_list("person__email", flat=True)
    return [request.contact_email, *contacts]


def coordinator_addresses(request: SupportRequest) -> list[str]:
    """Addresses of the coordinators of the request's site."""
    return list(
        Role.objects.filter(
            kind=Role.Kind.COORDINATOR, sites=request.site_id, person__is_active=True
        ).values_list("person__email", flat=True)
    )


def supporter_addresses(request: SupportRequest, *, undecided: bool = False) -> list[str]:
    """Addresses of the supporters who accepted the request (and those still deciding)."""
    statuses = [Proposal.Status.ACCEPTED]
    if undecided:
        statuses.append(Proposal.Status.PROPOSED)
    return list(
        request.proposals.filter(status__in=statuses).values_list("supporter__email", flat=True)
    )


def reply_address(request: SupportRequest) -> str:
    """The site's address with the request's token, e.g. dresden+K7M2P9QX@lasub.example."""
    local, at, domain = request.site.email.partition("@")
    return f"{local}+{request.token}@{domain}" if at else ""


def entry_level(request: SupportRequest, by: Person, chosen: str | None) -> str:
    """The level the author chose, or the default for how the author stands to the request."""
    if chosen:
        if chosen not in CHOOSABLE:
            raise WorkflowError(_("Please choose who may see the entry."))
        return chosen
    return visibility.default_for(workflow.sides(request, by))


def quote_for_mail(
    request: SupportRequest,
    text: str,
    level: str | None,
    to: Iterable[str],
    *,
    author: Person | None,
    addressee: Person | None = None,
) -> str:
    """The entry's text for a mail to `to`, or "" when not every reader of the mail may read it.

    The mail then only links to the request (docs/decisions/0003-visibility.md)."""
    if not text or level not in (Visibility.COORDINATION, Visibility.RELEASED):
        return ""
    allowed = [
        *school_addresses(request),
        *supporter_addresses(request),
        *coordinator_addresses(request),
        *(p.email for p in (author, addressee) if p is not None),
    ]
    return text if visibility.mail_may_carry(level, recipients=to, allowed=allowed) else ""


def queue_mail(
    request: SupportRequest,
    template: str,
    to: Iterable[str],
    *,
    calendar: str = "",
    **context: Any,
) -> None:
    """Queue a mail about the request; `calendar` adds an iCalendar invitation to it."""
    outbox.queue(
        template=f"support/mail/{template}",
        to=to,
        context={"request": request, "url": request_url(request), **context},
        organisation=request.organisation,
        site=request.site,
        reference=request_reference(request),
        reply_to=reply_address(request),
        subject_tag=f"#{request.token}",
        calendar=calendar,
    )


def request_move(request: SupportRequest, action: str, by: Person, **fields: Any) -> None:
    transition = workflow.check(request, action, by)
    update = ["state", "updated_at", *fields]
    if transition.target is not None and request.state not in transition.stays_in:
        request.state = transition.target
    for name, value in fields.items():
        setattr(request, name, value)
    if not request.is_open and request.closed_at is None:
        request.closed_at = timezone.now()
        update.append("closed_at")
    request.save(update_fields=update)


def request_lock(request: SupportRequest) -> SupportRequest:
    """Reload the request under a row lock so two clicks cannot both pass the same check."""
    return (
        # of=self: PostgreSQL cannot lock the nullable side of the join to the school.
        SupportRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "site", "school")
        .get(pk=request.pk)
    )
