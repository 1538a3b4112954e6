"""Every write of the support process: one function per action, each in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.catalog.models import Offer, QualityArea
from lotse.core import outbox, roles
from lotse.core.models import Organisation, Person, Role, School, Site
from lotse.support import agreement_diff, selectors, timeline, visibility, workflow
from lotse.support.models import (
    CHOOSABLE,
    Acceptance,
    Agreement,
    Attachment,
    Mailbox,
    Meeting,
    Proposal,
    Release,
    Session,
    State,
    SupportRequest,
    TimelineEvent,
    Visibility,
)
from lotse.support.workflow import Side, WorkflowError

# The entries that carry a level, and the field of a release that points to each.
Entry = TimelineEvent | Meeting | Attachment | Session
ENTRY_FIELD: dict[type[Entry], str] = {
    TimelineEvent: "event",
    Meeting: "meeting",
    Attachment: "attachment",
    Session: "session",
}


def _reference(request: SupportRequest) -> str:
    return f"support.SupportRequest:{request.pk}"


def _url(request: SupportRequest) -> str:
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


def _level(request: SupportRequest, by: Person, chosen: str | None) -> str:
    """The level the author chose, or the default for how the author stands to the request."""
    if chosen:
        if chosen not in CHOOSABLE:
            raise WorkflowError(_("Please choose who may see the entry."))
        return chosen
    return visibility.default_for(workflow.sides(request, by))


def _quote(
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


def _mail(
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
        context={"request": request, "url": _url(request), **context},
        organisation=request.organisation,
        site=request.site,
        reference=_reference(request),
        reply_to=reply_address(request),
        subject_tag=f"#{request.token}",
        calendar=calendar,
    )


def _move(request: SupportRequest, action: str, by: Person, **fields: Any) -> None:
    transition = workflow.check(request, action, by)
    update = ["state", "updated_at", *fields]
    if transition.target is not None:
        request.state = transition.target
    for name, value in fields.items():
        setattr(request, name, value)
    if not request.is_open and request.closed_at is None:
        request.closed_at = timezone.now()
        update.append("closed_at")
    request.save(update_fields=update)


def _lock(request: SupportRequest) -> SupportRequest:
    """Reload the request under a row lock so two clicks cannot both pass the same check."""
    return (
        # of=self: PostgreSQL cannot lock the nullable side of the join to the school.
        SupportRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "site", "school")
        .get(pk=request.pk)
    )


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
) -> SupportRequest:
    """Step 1: a school asks its regional site for support."""
    if not text.strip():
        raise WorkflowError(_("Please describe what your school would like support with."))
    if school.district is None:
        raise WorkflowError(_("No regional site is responsible for this school yet."))
    if by is not None and school.pk not in roles.contact_school_ids(by):
        raise WorkflowError(_("You may only send requests for your own school."))
    organisation = school.district.organisation
    for item in (quality_area, offer):
        if item is not None and item.organisation_id != organisation.pk:
            raise WorkflowError(_("The selection does not belong to your organisation."))
    return _open_request(
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
    _mail(request, "received", [request.contact_email], school_name=school_name.strip())
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
    _mail(request, "new_request", coordinator_addresses(request))
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
    _mail(
        request,
        "mail_received",
        [*coordinator_addresses(request), *supporter_addresses(request)],
        sender=sender,
    )
    return event


@transaction.atomic
def request_assign_school(*, request: SupportRequest, by: Person, school: School) -> SupportRequest:
    """The coordination says which school a mail from an unknown sender came from."""
    request = _lock(request)
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
    request = _lock(request)
    _move(request, "acknowledge", by, acknowledged_at=timezone.now())
    # The message is written to the school, so the coordination reads it as well.
    level = Visibility.COORDINATION
    timeline.record(request, "acknowledged", by=by, note=message.strip(), visibility=level)
    to = school_addresses(request)
    quoted = _quote(request, message.strip(), level, to, author=by)
    _mail(request, "acknowledged", to, message=quoted, by=by)
    return request


@transaction.atomic
def request_clarify(
    *, request: SupportRequest, by: Person, note: str, visibility: str | None = None
) -> SupportRequest:
    """Step 2: record the clarification talk with the school."""
    if not note.strip():
        raise WorkflowError(_("Please record what was clarified."))
    request = _lock(request)
    _move(request, "clarify", by)
    level = _level(request, by, visibility)
    timeline.record(request, "clarified", by=by, note=note.strip(), visibility=level)
    return request


@transaction.atomic
def request_propose(
    *, request: SupportRequest, by: Person, supporters: Sequence[Person], note: str = ""
) -> SupportRequest:
    """Step 2: propose one or more supporters for the request."""
    if not supporters:
        raise WorkflowError(_("Please choose at least one supporter."))
    request = _lock(request)
    eligible = set(
        Role.objects.filter(
            organisation_id=request.organisation_id, kind=Role.Kind.SUPPORTER
        ).values_list("person_id", flat=True)
    )
    if any(s.pk not in eligible for s in supporters):
        raise WorkflowError(_("Only supporters of this organisation can be proposed."))
    already = set(request.proposals.values_list("supporter_id", flat=True))
    new = [s for s in supporters if s.pk not in already]
    if not new:
        raise WorkflowError(_("These supporters have already been proposed."))
    # The hard exclusions of matching hold here too, whichever way the choice came.
    excluded = selectors.shortlist_for(request=request, supporter_ids=[s.pk for s in new]).excluded
    if excluded:
        raise WorkflowError(
            " ".join(
                _("%(name)s cannot be proposed: %(reasons)s.")
                % {"name": e.candidate.name, "reasons": "; ".join(str(r) for r in e.reasons)}
                for e in excluded
            )
        )
    _move(request, "propose", by)
    # The note is written to each proposed supporter: they read it before deciding, and so
    # does the coordination. The school reads it too (coordination includes the participants).
    level = Visibility.COORDINATION
    for supporter in new:
        Proposal.objects.create(request=request, supporter=supporter, proposed_by=by)
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
        quoted = _quote(request, note.strip(), level, to, author=by, addressee=supporter)
        _mail(request, "proposed", to, supporter=supporter, note=quoted)
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
    request = _lock(proposal.request)
    timeline.record(request, "proposal_accepted", by=by)
    _mail(request, "proposal_accepted", coordinator_addresses(request), supporter=by)
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
    request = _lock(proposal.request)
    # The reason is written to the coordination, which has to find someone else.
    level = Visibility.COORDINATION
    timeline.record(request, "proposal_declined", by=by, note=reason.strip(), visibility=level)
    to = coordinator_addresses(request)
    _mail(
        request,
        "proposal_declined",
        to,
        supporter=by,
        reason=_quote(request, reason.strip(), level, to, author=by),
    )
    return proposal


@transaction.atomic
def request_first_contact(
    *, request: SupportRequest, by: Person, note: str, visibility: str | None = None
) -> SupportRequest:
    """Step 3: the supporter records the first contact with the school."""
    if not note.strip():
        raise WorkflowError(_("Please record how the first contact went."))
    request = _lock(request)
    _move(request, "first_contact", by)
    level = _level(request, by, visibility)
    timeline.record(request, "first_contact", by=by, note=note.strip(), visibility=level)
    return request


@transaction.atomic
def request_no_collaboration(
    *, request: SupportRequest, by: Person, reason: str, visibility: str | None = None
) -> SupportRequest:
    """Step 3: no collaboration comes about; the request closes."""
    if not reason.strip():
        raise WorkflowError(_("Please give a reason."))
    request = _lock(request)
    _move(request, "no_collaboration", by)
    level = _level(request, by, visibility)
    timeline.record(request, "no_collaboration", by=by, note=reason.strip(), visibility=level)
    _mail(
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
    request = _lock(request)
    _move(request, "schedule", by)
    meeting = Meeting.objects.create(
        request=request,
        starts_at=starts_at,
        place=place.strip(),
        participants=participants.strip(),
        visibility=_level(request, by, visibility),
        created_by=by,
    )
    timeline.record(
        request,
        "meeting_scheduled",
        by=by,
        data={"starts_at": starts_at.isoformat(), "place": meeting.place},
    )
    to = [*school_addresses(request), *supporter_addresses(request)]
    _mail(
        request,
        "meeting_scheduled",
        to,
        meeting=meeting,
        participants=_quote(request, meeting.participants, meeting.visibility, to, author=by),
    )
    return meeting


@transaction.atomic
def agreement_draft(
    *,
    request: SupportRequest,
    by: Person,
    participants: str,
    goals: str,
    starts_on: dt.date,
    ends_on: dt.date,
    place: str,
    frequency: str,
    resources: str = "",
    methods: str = "",
    confidentiality: str,
) -> Agreement:
    """Step 4: write a new version of the Kontrakt; earlier acceptances no longer count."""
    if not goals.strip():
        raise WorkflowError(_("A Kontrakt needs at least one goal."))
    if not participants.strip():
        raise WorkflowError(_("A Kontrakt needs its participants."))
    if ends_on < starts_on:
        raise WorkflowError(_("The time span must end after it begins."))
    if not confidentiality.strip():
        raise WorkflowError(_("A Kontrakt needs a confidentiality clause."))
    request = _lock(request)
    workflow.check(request, "draft", by)
    latest = request.agreements.order_by("-version").values_list("version", flat=True).first()
    agreement = Agreement(
        request=request,
        version=(latest or 0) + 1,
        participants=participants.strip(),
        goals=goals.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        place=place.strip(),
        frequency=frequency.strip(),
        resources=resources.strip(),
        methods=methods.strip(),
        confidentiality=confidentiality.strip(),
        created_by=by,
    )
    # After the Kontrakt binds, a new version is an amendment: the version in force stays in
    # force until both sides accept the new one (a newer proposal replaces an unaccepted one).
    in_force = selectors.binding_agreement(request=request)
    if in_force is not None and not agreement_diff.diff(in_force, agreement).has_changes:
        raise WorkflowError(
            _("The proposed change is the same as version %(version)s, which is in force.")
            % {"version": in_force.version}
        )
    agreement.save()
    kind = "agreement_drafted" if in_force is None else "amendment_proposed"
    timeline.record(request, kind, by=by, data={"version": agreement.version})
    _mail(
        request,
        kind,
        [*school_addresses(request), *supporter_addresses(request)],
        agreement=agreement,
        in_force=in_force,
    )
    return agreement


@transaction.atomic
def agreement_accept(*, agreement: Agreement, by: Person) -> Agreement:
    """Step 4: one side accepts a Kontrakt version; when both have, it binds."""
    request = _lock(agreement.request)
    workflow.check(request, "accept_agreement", by)
    latest = request.agreements.order_by("-version").first()
    if latest is None or latest.pk != agreement.pk:
        raise WorkflowError(_("Only the latest version of the Kontrakt can be accepted."))
    person_sides = workflow.sides(request, by)
    side = Acceptance.Side.SCHOOL if Side.SCHOOL in person_sides else Acceptance.Side.SUPPORTER
    if Acceptance.objects.filter(agreement=agreement, side=side).exists():
        raise WorkflowError(_("Your side has already accepted this version."))
    Acceptance.objects.create(agreement=agreement, side=side, person=by)
    timeline.record(
        request, "agreement_accepted", by=by, data={"version": agreement.version, "side": side}
    )
    everyone = [
        *school_addresses(request),
        *supporter_addresses(request),
        *coordinator_addresses(request),
    ]
    if workflow.refusal(request, "agree", by) is None:
        _move(request, "agree", by)
        timeline.record(request, "agreed", by=None, data={"version": agreement.version})
        _mail(request, "agreed", everyone, agreement=agreement)
    elif request.state in (State.AGREED, State.ACCOMPANYING) and (
        selectors.binding_agreement(request=request) == agreement
    ):
        # An amendment binds: the state stays, the new version is in force from now on.
        timeline.record(request, "amendment_binding", by=None, data={"version": agreement.version})
        _mail(request, "amendment_binding", everyone, agreement=agreement)
    return agreement


@transaction.atomic
def request_start(*, request: SupportRequest, by: Person) -> SupportRequest:
    """The accompaniment begins as agreed."""
    request = _lock(request)
    _move(request, "start", by)
    timeline.record(request, "started", by=by)
    return request


@transaction.atomic
def request_complete(
    *, request: SupportRequest, by: Person, note: str = "", visibility: str | None = None
) -> SupportRequest:
    """The support process is completed."""
    request = _lock(request)
    _move(request, "complete", by)
    level = _level(request, by, visibility)
    timeline.record(request, "completed", by=by, note=note.strip(), visibility=level)
    _mail(request, "completed", school_addresses(request))
    return request


@transaction.atomic
def request_withdraw(
    *, request: SupportRequest, by: Person, reason: str = "", visibility: str | None = None
) -> SupportRequest:
    """The school withdraws its request; supporters lose access at once."""
    request = _lock(request)
    level = _level(request, by, visibility)
    _move(request, "withdraw", by)
    timeline.record(request, "withdrawn", by=by, note=reason.strip(), visibility=level)
    _mail(
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
    request = _lock(request)
    _move(request, "forward", by)
    timeline.record(
        request,
        "forwarded",
        by=by,
        note=reason.strip(),
        visibility=_level(request, by, visibility),
        data={"recipient": recipient.strip()},
    )
    _mail(request, "forwarded", school_addresses(request), recipient=recipient.strip())
    return request


# --- notes, documents, visibility and releases ------------------------------------------------


def _writer(request: SupportRequest, by: Person) -> set[Side]:
    sides = workflow.sides(request, by)
    if not visibility.may_write(sides):
        raise WorkflowError(_("You may not add entries to this request."))
    return sides


@transaction.atomic
def note_add(
    *, request: SupportRequest, by: Person, text: str, visibility: str | None = None
) -> TimelineEvent:
    """A participant or the coordination writes a note into the request's timeline."""
    if not text.strip():
        raise WorkflowError(_("Please write the note."))
    request = _lock(request)
    _writer(request, by)
    level = _level(request, by, visibility)
    return timeline.record(request, "note", by=by, note=text.strip(), visibility=level)


@transaction.atomic
def document_upload(
    *,
    request: SupportRequest,
    by: Person,
    filename: str,
    content_type: str,
    content: bytes,
    visibility: str | None = None,
) -> Attachment:
    """A participant or the coordination adds a document; it is encrypted like an attachment."""
    if not content:
        raise WorkflowError(_("The file is empty."))
    if len(content) > settings.DOCUMENT_MAX_SIZE:
        raise WorkflowError(
            _("The file is larger than %(limit)s MB.")
            % {"limit": round(settings.DOCUMENT_MAX_SIZE / 1e6, 1)}
        )
    request = _lock(request)
    _writer(request, by)
    # Only the last part of the name, without control characters: it is shown and sent back.
    name = "".join(c for c in filename.replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable())
    document = Attachment.objects.create(
        request=request,
        filename=(name.strip() or _("document"))[:255],
        content_type=(content_type or "application/octet-stream")[:255],
        size=len(content),
        content=content,
        visibility=_level(request, by, visibility),
        uploaded_by=by,
    )
    # The event says that a document came, not which: its name is shown only to its readers.
    timeline.record(request, "document_added", by=by, data={"document": document.pk})
    return document


ENTRY_KIND: dict[type[Entry], str] = {
    TimelineEvent: "note",
    Meeting: "meeting",
    Attachment: "document",
    Session: "session",
}


def _entry_kind(entry: Entry) -> str:
    return ENTRY_KIND[type(entry)]


def _school_only(request: SupportRequest, by: Person) -> None:
    if not visibility.may_widen(workflow.sides(request, by)):
        raise WorkflowError(_("Only the school decides who may see an entry."))


# The encrypted fields of each entry: changing a level never needs to load them.
SEALED: dict[type[Entry], tuple[str, ...]] = {
    TimelineEvent: ("note",),
    Meeting: ("participants",),
    Attachment: ("content",),
    Session: ("participants", "notes", "reflection"),
}


def _locked_entry(entry: Entry) -> Entry:
    """The entry again under a row lock, after its request's lock."""
    model = type(entry)
    locked = model.objects.select_for_update().defer(*SEALED[model]).get(pk=entry.pk)
    if locked.visibility is None:
        raise WorkflowError(_("This entry has no confidential content."))
    return locked


@transaction.atomic
def entry_set_visibility(*, entry: Entry, by: Person, visibility: str) -> Entry:
    """The school widens an entry to the coordination or narrows it to the participants."""
    request = _lock(entry.request)
    _school_only(request, by)
    entry = _locked_entry(entry)
    if visibility not in CHOOSABLE:
        raise WorkflowError(_("Please choose who may see the entry."))
    if entry.visibility == Visibility.RELEASED:
        raise WorkflowError(_("The entry is released. Revoke the release first."))
    if entry.visibility == visibility:
        return entry
    entry.visibility = visibility
    entry.save(update_fields=["visibility"])
    timeline.record(
        request,
        "visibility_changed",
        by=by,
        data={"entry": _entry_kind(entry), "level": visibility},
    )
    return entry


@transaction.atomic
def entry_release(*, entry: Entry, by: Person, purpose: str) -> Release:
    """The school releases an entry for a named purpose: a consent, recorded and revocable."""
    purpose = " ".join(purpose.split())
    if not purpose:
        raise WorkflowError(_("Please name the purpose of the release."))
    request = _lock(entry.request)
    _school_only(request, by)
    entry = _locked_entry(entry)
    field = ENTRY_FIELD[type(entry)]
    active = list(Release.objects.filter(**{field: entry}, revoked_at__isnull=True))
    if any(r.purpose.casefold() == purpose.casefold() for r in active):
        raise WorkflowError(_("The entry is already released for this purpose."))
    # A second purpose keeps the level the first release will return to.
    previous = active[0].previous_visibility if active else str(entry.visibility)
    release = Release.objects.create(
        request=request,
        purpose=purpose[:300],
        previous_visibility=previous,
        released_by=by,
        **{field: entry},
    )
    if entry.visibility != Visibility.RELEASED:
        entry.visibility = Visibility.RELEASED
        entry.save(update_fields=["visibility"])
    timeline.record(
        request,
        "released",
        by=by,
        data={"entry": _entry_kind(entry), "purpose": release.purpose},
    )
    return release


@transaction.atomic
def release_revoke(*, release: Release, by: Person) -> Release:
    """The school revokes a release; the entry goes back to its level at once."""
    request = _lock(release.request)
    _school_only(request, by)
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.revoked_at is not None:
        raise WorkflowError(_("This release has already been revoked."))
    release.revoked_at = timezone.now()
    release.revoked_by = by
    release.save(update_fields=["revoked_at", "revoked_by"])
    model, field = next(
        (m, f) for m, f in ENTRY_FIELD.items() if getattr(release, f"{f}_id") is not None
    )
    entry_id = getattr(release, f"{field}_id")
    still = Release.objects.filter(**{f"{field}_id": entry_id}, revoked_at__isnull=True).exists()
    if not still:
        model.objects.filter(pk=entry_id).update(visibility=release.previous_visibility)
    timeline.record(
        request,
        "release_revoked",
        by=by,
        data={"entry": ENTRY_KIND[model], "purpose": release.purpose},
    )
    return release


# --- ending a supporter's part -------------------------------------------------------------


@transaction.atomic
def proposal_remove(*, proposal: Proposal, by: Person, reason: str) -> Proposal:
    """The coordination or the school ends a supporter's part; their access ends at once."""
    if not reason.strip():
        raise WorkflowError(_("Please give a reason."))
    request = _lock(proposal.request)
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
    _mail(request, "proposal_removed", [supporter.email], supporter=supporter, was=was)
    if Side.COORDINATOR not in sides:
        _mail(
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
            _mail(request, "reminder", coordinator_addresses(request))
            count += 1
    return count


@transaction.atomic
def mailbox_save(
    *,
    site: Site,
    by: Person,
    host: str,
    port: int,
    security: str,
    username: str,
    password: str,
    folder: str,
    done_folder: str = "",
    active: bool = True,
) -> Mailbox:
    """An organisation admin sets up the site's mailbox; an empty password keeps the old one."""
    if not roles.has_role(by, roles.Kind.ADMIN, site.organisation):
        raise WorkflowError(_("Only the organisation's admins may set up mailboxes."))
    mailbox = Mailbox.objects.filter(site=site).first() or Mailbox(site=site)
    mailbox.host = host.strip()
    mailbox.port = port
    mailbox.security = security
    mailbox.username = username.strip()
    if password:
        mailbox.password = password
    mailbox.folder = folder.strip() or "INBOX"
    mailbox.done_folder = done_folder.strip()
    mailbox.active = active
    mailbox.last_error = ""
    mailbox.save()
    return mailbox
