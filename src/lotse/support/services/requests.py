"""The request's way through the process: submitting (form and mail), acknowledging, clarifying,
proposing supporters and their answer, the meeting, starting, completing, withdrawing,
forwarding, ending a supporter's part, and the reminder of overdue requests.

One function per action, each in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.catalog.models import Offer, QualityArea
from lotse.core.models import Organisation, Person, Role, School, Site
from lotse.support import permissions, timeline, workflow
from lotse.support.models import (
    Meeting,
    Proposal,
    State,
    SupportRequest,
    TimelineEvent,
    Visibility,
)
from lotse.support.selectors import matching as matching_selectors
from lotse.support.services.accompaniment import sessions_cancel_planned
from lotse.support.services.base import (
    coordinator_addresses,
    entry_level,
    queue_mail,
    quote_for_mail,
    request_lock,
    request_move,
    school_addresses,
    supporter_addresses,
)
from lotse.support.workflow import Side, WorkflowError


@transaction.atomic
def request_submit(
    *,
    school: School,
    by: Person | None,
    subject: str,
    text: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    quality_area: QualityArea | None = None,
    offer: Offer | None = None,
    channel: str = SupportRequest.Channel.FORM,
    received_at: dt.datetime | None = None,
    confirm: bool = False,
) -> SupportRequest:
    """Step 1: a school asks its regional site for support. `confirm=True` (the logged-in
    form) mails the sender the same confirmation with the reference as the public form."""
    if not text.strip():
        raise WorkflowError(_("Please describe what your school would like support with."))
    if school.district is None:
        raise WorkflowError(_("No regional site is responsible for this school yet."))
    if by is not None and not permissions.is_contact_of(by, school):
        raise WorkflowError(_("You may only send requests for your own school."))
    organisation = school.district.organisation
    for item in (quality_area, offer):
        if item is not None and item.organisation_id != organisation.pk:
            raise WorkflowError(_("The selection does not belong to your organisation."))
    request = _open_request(
        site=school.district.site,
        school=school,
        by=by,
        channel=channel,
        subject=subject,
        text=text,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        quality_area=quality_area,
        offer=offer,
        received=received_at or timezone.now(),
    )
    if confirm:
        queue_mail(request, "received", [request.contact_email], school_name="")
    return request


def site_for_unknown_school(organisation: Organisation, offer: Offer | None = None) -> Site | None:
    """Where a request goes whose school is not known yet: the offer's site, else the
    organisation's first regional site (by name), else its first site at all."""
    if offer is not None and offer.site is not None:
        return offer.site
    sites = Site.objects.filter(organisation=organisation).order_by("statewide", "name")
    return sites.first()


@transaction.atomic
def request_submit_public(
    *,
    organisation: Organisation,
    school: School | None,
    school_name: str = "",
    subject: str,
    text: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    quality_area: QualityArea | None = None,
    offer: Offer | None = None,
) -> SupportRequest:
    """Step 1 from the public catalogue: someone without an account asks for support.

    With a school of the organisation the request goes to the school's site, as from the form
    of a school contact. Without one ("my school is not in the list") it goes to the site of
    `site_for_unknown_school` with the school empty, like a mail from an unknown sender: the
    coordination assigns the school. Either way the sender gets a confirmation by mail."""
    if not text.strip():
        raise WorkflowError(_("Please describe what your school would like support with."))
    for item in (quality_area, offer):
        if item is not None and item.organisation_id != organisation.pk:
            raise WorkflowError(_("The selection does not belong to this organisation."))
    if school is not None:
        if school.district is None or school.district.organisation_id != organisation.pk:
            raise WorkflowError(_("This school does not belong to this organisation."))
        request = request_submit(
            school=school,
            by=None,
            subject=subject,
            text=text,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            quality_area=quality_area,
            offer=offer,
        )
    else:
        site = site_for_unknown_school(organisation, offer)
        if site is None:
            raise WorkflowError(_("This organisation does not take requests yet."))
        if not school_name.strip():
            raise WorkflowError(_("Please name your school."))
        # The request has no field for a school that is not in the register: the coordination
        # reads the name with the text and assigns the school.
        given = _("School given in the form: %(name)s") % {"name": school_name.strip()[:200]}
        request = _open_request(
            site=site,
            school=None,
            by=None,
            channel=SupportRequest.Channel.FORM,
            subject=subject,
            text=f"{given}\n\n{text.strip()}",
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            quality_area=quality_area,
            offer=offer,
            received=timezone.now(),
        )
    queue_mail(request, "received", [request.contact_email], school_name=school_name.strip())
    return request


def _open_request(
    *,
    site: Site,
    school: School | None,
    by: Person | None,
    channel: str,
    subject: str,
    text: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    quality_area: QualityArea | None = None,
    offer: Offer | None = None,
    received: dt.datetime,
) -> SupportRequest:
    """Create the request, its first timeline event and the coordinators' notice."""
    organisation = site.organisation
    first_line = next((line for line in text.strip().splitlines() if line.strip()), "")
    request = SupportRequest.objects.create(
        organisation=organisation,
        site=site,
        school=school,
        submitted_by=by,
        channel=channel,
        subject=(subject.strip() or first_line.strip() or _("Request without subject"))[:200],
        text=text.strip(),
        quality_area=quality_area,
        offer=offer,
        contact_name=contact_name.strip()[:200],
        contact_email=contact_email.strip()[:254],
        contact_phone=contact_phone.strip()[:40],
        received_at=received,
        acknowledge_due_at=received + dt.timedelta(days=organisation.acknowledgement_days),
    )
    timeline.record(request, "received", by=by, data={"channel": channel}, at=received)
    queue_mail(request, "new_request", coordinator_addresses(request))
    return request


def request_receive_mail(
    *,
    site: Site,
    school: School | None,
    sender: str,
    sender_name: str,
    subject: str,
    text: str,
    received: dt.datetime,
) -> SupportRequest:
    """Step 1 by e-mail: a mail to the site's address becomes a request (runs in the import's
    transaction). An unknown sender leaves the school empty: the coordination assigns it."""
    return _open_request(
        site=site,
        school=school,
        by=None,
        channel=SupportRequest.Channel.EMAIL,
        subject=subject,
        text=text,
        contact_name=sender_name or sender,
        contact_email=sender,
        received=received,
    )


def request_record_mail(
    *, request: SupportRequest, sender: str, subject: str, text: str
) -> TimelineEvent:
    """A school's answer by mail joins the request's timeline and tells the people involved."""
    # The school wrote to the site: like the request itself, the coordination reads it.
    event = timeline.record(
        request,
        "mail_received",
        by=None,
        note=text,
        visibility=Visibility.COORDINATION,
        data={"sender": sender, "subject": subject},
    )
    queue_mail(
        request,
        "mail_received",
        [*coordinator_addresses(request), *supporter_addresses(request)],
        sender=sender,
    )
    return event


@transaction.atomic
def request_assign_school(*, request: SupportRequest, by: Person, school: School) -> SupportRequest:
    """The coordination says which school a mail from an unknown sender came from."""
    request = request_lock(request)
    workflow.check(request, "assign_school", by)
    if school.district is None or school.district.organisation_id != request.organisation_id:
        raise WorkflowError(_("This school does not belong to your organisation."))
    request.school = school
    request.save(update_fields=["school", "updated_at"])
    timeline.record(request, "school_assigned", by=by, data={"school": school.name})
    return request


@transaction.atomic
def request_acknowledge(
    *, request: SupportRequest, by: Person, message: str = ""
) -> SupportRequest:
    """Step 2: confirm receipt to the school and start the clarification."""
    request = request_lock(request)
    request_move(request, "acknowledge", by, acknowledged_at=timezone.now())
    # The message is written to the school, so the coordination reads it as well.
    level = Visibility.COORDINATION
    timeline.record(request, "acknowledged", by=by, note=message.strip(), visibility=level)
    to = school_addresses(request)
    quoted = quote_for_mail(request, message.strip(), level, to, author=by)
    queue_mail(request, "acknowledged", to, message=quoted, by=by)
    return request


@transaction.atomic
def request_clarify(
    *, request: SupportRequest, by: Person, note: str, visibility: str | None = None
) -> SupportRequest:
    """Step 2: record the clarification talk with the school."""
    if not note.strip():
        raise WorkflowError(_("Please record what was clarified."))
    request = request_lock(request)
    request_move(request, "clarify", by)
    level = entry_level(request, by, visibility)
    timeline.record(request, "clarified", by=by, note=note.strip(), visibility=level)
    return request


@transaction.atomic
def request_propose(
    *, request: SupportRequest, by: Person, supporters: Sequence[Person], note: str = ""
) -> SupportRequest:
    """Step 2: propose one or more supporters for the request."""
    if not supporters:
        raise WorkflowError(_("Please choose at least one supporter."))
    request = request_lock(request)
    eligible = set(
        Role.objects.filter(
            organisation_id=request.organisation_id, kind=Role.Kind.SUPPORTER
        ).values_list("person_id", flat=True)
    )
    if any(s.pk not in eligible for s in supporters):
        raise WorkflowError(_("Only supporters of this organisation can be proposed."))
    # Someone who declined, or whose part ended, can be proposed again: only those proposed
    # and not yet decided, and those who took the request on, are proposed already.
    earlier = {p.supporter_id: p for p in request.proposals.select_for_update()}
    holding = (Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED)
    new = [s for s in supporters if s.pk not in earlier or earlier[s.pk].status not in holding]
    if not new:
        raise WorkflowError(_("These supporters have already been proposed."))
    # The hard exclusions of matching hold here too, whichever way the choice came.
    excluded = matching_selectors.shortlist_for(
        request=request, supporter_ids=[s.pk for s in new]
    ).excluded
    if excluded:
        raise WorkflowError(
            " ".join(
                _("%(name)s cannot be proposed: %(reasons)s.")
                % {"name": e.candidate.name, "reasons": "; ".join(str(r) for r in e.reasons)}
                for e in excluded
            )
        )
    request_move(request, "propose", by)
    # The note is written to each proposed supporter: they read it before deciding, and so
    # does the coordination. The school reads it too (coordination includes the participants).
    level = Visibility.COORDINATION
    for supporter in new:
        again = earlier.get(supporter.pk)
        if again is None:
            Proposal.objects.create(request=request, supporter=supporter, proposed_by=by)
        else:
            # The same row starts over; the timeline keeps the earlier answer or ending.
            again.status = Proposal.Status.PROPOSED
            again.proposed_by = by
            again.created_at = timezone.now()
            again.decided_at = again.removed_at = again.removed_by = None
            again.decline_reason = ""
            again.save()
        timeline.record(
            request,
            "proposed",
            by=by,
            note=note.strip(),
            visibility=level,
            addressee=supporter,
            data={"supporter": str(supporter)},
        )
        to = [supporter.email]
        quoted = quote_for_mail(request, note.strip(), level, to, author=by, addressee=supporter)
        queue_mail(request, "proposed", to, supporter=supporter, note=quoted)
    return request


def _own_proposal(proposal: Proposal, by: Person) -> Proposal:
    proposal = Proposal.objects.select_for_update().select_related("request").get(pk=proposal.pk)
    if proposal.supporter_id != by.pk:
        raise WorkflowError(_("You may not do this for this request."))
    if proposal.status != Proposal.Status.PROPOSED:
        raise WorkflowError(_("You have already decided on this proposal."))
    if not proposal.request.is_open:
        raise WorkflowError(_("The request is closed."))
    return proposal


@transaction.atomic
def proposal_accept(*, proposal: Proposal, by: Person) -> Proposal:
    """A proposed supporter takes on the request."""
    proposal = _own_proposal(proposal, by)
    proposal.status = Proposal.Status.ACCEPTED
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    request = request_lock(proposal.request)
    timeline.record(request, "proposal_accepted", by=by)
    queue_mail(request, "proposal_accepted", coordinator_addresses(request), supporter=by)
    return proposal


@transaction.atomic
def proposal_decline(*, proposal: Proposal, by: Person, reason: str) -> Proposal:
    """A proposed supporter declines the request, saying why."""
    if not reason.strip():
        raise WorkflowError(_("Please give a reason for declining."))
    proposal = _own_proposal(proposal, by)
    proposal.status = Proposal.Status.DECLINED
    proposal.decline_reason = reason.strip()
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decline_reason", "decided_at"])
    request = request_lock(proposal.request)
    # The reason is written to the coordination, which has to find someone else.
    level = Visibility.COORDINATION
    timeline.record(request, "proposal_declined", by=by, note=reason.strip(), visibility=level)
    to = coordinator_addresses(request)
    queue_mail(
        request,
        "proposal_declined",
        to,
        supporter=by,
        reason=quote_for_mail(request, reason.strip(), level, to, author=by),
    )
    return proposal


@transaction.atomic
def request_first_contact(
    *, request: SupportRequest, by: Person, note: str, visibility: str | None = None
) -> SupportRequest:
    """Step 3: the supporter records the first contact with the school."""
    if not note.strip():
        raise WorkflowError(_("Please record how the first contact went."))
    request = request_lock(request)
    request_move(request, "first_contact", by)
    level = entry_level(request, by, visibility)
    timeline.record(request, "first_contact", by=by, note=note.strip(), visibility=level)
    return request


@transaction.atomic
def request_no_collaboration(
    *, request: SupportRequest, by: Person, reason: str, visibility: str | None = None
) -> SupportRequest:
    """Step 3: no collaboration comes about; the request closes."""
    if not reason.strip():
        raise WorkflowError(_("Please give a reason."))
    request = request_lock(request)
    request_move(request, "no_collaboration", by)
    level = entry_level(request, by, visibility)
    timeline.record(request, "no_collaboration", by=by, note=reason.strip(), visibility=level)
    queue_mail(
        request, "no_collaboration", [*school_addresses(request), *coordinator_addresses(request)]
    )
    return request


@transaction.atomic
def request_schedule_meeting(
    *,
    request: SupportRequest,
    by: Person,
    starts_at: dt.datetime,
    place: str,
    participants: str,
    visibility: str | None = None,
) -> Meeting:
    """Step 3: schedule the first on-site meeting with the participants the school chose."""
    if starts_at <= timezone.now():
        raise WorkflowError(_("The meeting must take place in the future."))
    if not place.strip() or not participants.strip():
        raise WorkflowError(_("Please give the place and the participants."))
    request = request_lock(request)
    request_move(request, "schedule", by)
    meeting = Meeting.objects.create(
        request=request,
        starts_at=starts_at,
        place=place.strip(),
        participants=participants.strip(),
        visibility=entry_level(request, by, visibility),
        created_by=by,
    )
    timeline.record(
        request,
        "meeting_scheduled",
        by=by,
        data={"starts_at": starts_at.isoformat(), "place": meeting.place},
    )
    to = [*school_addresses(request), *supporter_addresses(request)]
    queue_mail(
        request,
        "meeting_scheduled",
        to,
        meeting=meeting,
        participants=quote_for_mail(
            request, meeting.participants, meeting.visibility, to, author=by
        ),
    )
    return meeting


@transaction.atomic
def request_start(*, request: SupportRequest, by: Person) -> SupportRequest:
    """The accompaniment begins as agreed."""
    request = request_lock(request)
    request_move(request, "start", by)
    timeline.record(request, "started", by=by)
    return request


@transaction.atomic
def request_complete(
    *, request: SupportRequest, by: Person, note: str = "", visibility: str | None = None
) -> SupportRequest:
    """The support process is completed."""
    request = request_lock(request)
    request_move(request, "complete", by)
    sessions_cancel_planned(request=request, by=by)
    level = entry_level(request, by, visibility)
    timeline.record(request, "completed", by=by, note=note.strip(), visibility=level)
    queue_mail(request, "completed", school_addresses(request))
    return request


@transaction.atomic
def request_withdraw(
    *, request: SupportRequest, by: Person, reason: str = "", visibility: str | None = None
) -> SupportRequest:
    """The school withdraws its request; supporters lose access at once."""
    request = request_lock(request)
    level = entry_level(request, by, visibility)
    request_move(request, "withdraw", by)
    sessions_cancel_planned(request=request, by=by)
    timeline.record(request, "withdrawn", by=by, note=reason.strip(), visibility=level)
    queue_mail(
        request,
        "withdrawn",
        [*coordinator_addresses(request), *supporter_addresses(request, undecided=True)],
    )
    return request


@transaction.atomic
def request_forward(
    *,
    request: SupportRequest,
    by: Person,
    recipient: str,
    reason: str = "",
    visibility: str | None = None,
) -> SupportRequest:
    """The coordination hands the request to another body and tells the school."""
    if not recipient.strip():
        raise WorkflowError(_("Please say where the request is forwarded to."))
    request = request_lock(request)
    request_move(request, "forward", by)
    sessions_cancel_planned(request=request, by=by)
    timeline.record(
        request,
        "forwarded",
        by=by,
        note=reason.strip(),
        visibility=entry_level(request, by, visibility),
        data={"recipient": recipient.strip()},
    )
    queue_mail(request, "forwarded", school_addresses(request), recipient=recipient.strip())
    return request


# --- notes, documents, visibility and releases ------------------------------------------------


# --- ending a supporter's part -------------------------------------------------------------


@transaction.atomic
def proposal_remove(*, proposal: Proposal, by: Person, reason: str) -> Proposal:
    """The coordination or the school ends a supporter's part; their access ends at once."""
    if not reason.strip():
        raise WorkflowError(_("Please give a reason."))
    request = request_lock(proposal.request)
    sides = workflow.sides(request, by)
    if not {Side.SCHOOL, Side.COORDINATOR} & sides:
        raise WorkflowError(_("You may not do this for this request."))
    proposal = Proposal.objects.select_for_update().select_related("supporter").get(pk=proposal.pk)
    if proposal.request_id != request.pk:
        raise WorkflowError(_("You may not do this for this request."))
    if proposal.status not in (Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED):
        raise WorkflowError(_("This supporter is no longer involved."))
    if request.state == State.WITHDRAWN:
        raise WorkflowError(_("The request was withdrawn; supporters no longer have access."))
    was = proposal.status
    proposal.status = Proposal.Status.REMOVED
    proposal.removed_by = by
    proposal.removed_at = timezone.now()
    proposal.save(update_fields=["status", "removed_by", "removed_at"])
    supporter = proposal.supporter
    # The reason is for the coordination, which finds someone else, and for the school; the
    # supporter whose part ends is no longer among its readers.
    timeline.record(
        request,
        "proposal_removed",
        by=by,
        note=reason.strip(),
        visibility=Visibility.COORDINATION,
        data={"supporter": str(supporter), "was": was},
    )
    # The mails say what happened, never why: the reason is a note, and the supporter is no
    # longer among its readers.
    queue_mail(request, "proposal_removed", [supporter.email], supporter=supporter, was=was)
    if Side.COORDINATOR not in sides:
        queue_mail(
            request,
            "proposal_removed_coordination",
            coordinator_addresses(request),
            supporter=supporter,
            was=was,
        )
    return proposal


@transaction.atomic
def requests_remind_overdue(*, now: dt.datetime | None = None) -> int:
    """Remind coordinators once of each request whose acknowledgement deadline is near or past."""
    now = now or timezone.now()
    count = 0
    for organisation in Organisation.objects.all():
        due = (
            SupportRequest.objects.select_for_update(of=("self",))
            .filter(
                organisation=organisation,
                state=State.RECEIVED,
                reminder_sent_at__isnull=True,
                acknowledge_due_at__lte=now + dt.timedelta(days=organisation.reminder_days_before),
            )
            .select_related("organisation", "site", "school")
        )
        for request in due:
            request.reminder_sent_at = now
            request.save(update_fields=["reminder_sent_at"])
            timeline.record(request, "reminder", by=None)
            queue_mail(request, "reminder", coordinator_addresses(request))
            count += 1
    return count
