"""Support requests, their timeline, supporter proposals, meetings and the Kontrakt."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotse.catalog.models import Offer, QualityArea
from lotse.core.models import Organisation, OutboxMessage, Person, School, Site
from lotse.lib.crypto import EncryptedBinaryField, EncryptedTextField, row_key_field


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Receipt confirmed")
    CLARIFIED = "clarified", _("Clarified")
    SUPPORTERS_PROPOSED = "supporters_proposed", _("Supporters proposed")
    IN_CONTACT = "in_contact", _("In contact")
    MEETING_SCHEDULED = "meeting_scheduled", _("First meeting scheduled")
    AGREED = "agreed", _("Kontrakt agreed")
    ACCOMPANYING = "accompanying", _("Accompaniment running")
    COMPLETED = "completed", _("Completed")
    CLOSED_WITHOUT_AGREEMENT = "closed_without_agreement", _("Closed without collaboration")
    WITHDRAWN = "withdrawn", _("Withdrawn by the school")
    FORWARDED = "forwarded", _("Forwarded")


CLOSED_STATES = frozenset(
    {State.COMPLETED, State.CLOSED_WITHOUT_AGREEMENT, State.WITHDRAWN, State.FORWARDED}
)
OPEN_STATES = frozenset(set(State) - CLOSED_STATES)


class Visibility(models.TextChoices):
    """Who may read a confidential entry (a note, a meeting record, a document).

    The rules are in docs/decisions/0003-visibility.md and in `lotse.support.visibility`."""

    PARTICIPANTS = "participants", _("Participants only")
    COORDINATION = "coordination", _("Participants and regional coordination")
    RELEASED = "released", _("Released by the school")


# The levels a person can choose when writing; "released" is reached only through a release.
CHOOSABLE = [Visibility.PARTICIPANTS, Visibility.COORDINATION]


def new_token() -> str:
    """Eight characters without look-alikes (no 0/O, 1/I/L)."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class SupportRequest(models.Model):
    """A school's request for support (Anfrage), from receipt to completion."""

    class Channel(models.TextChoices):
        FORM = "form", _("Form")
        EMAIL = "email", _("E-mail")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="support_requests"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="support_requests")
    # Empty for a mail from an unknown sender until the coordination assigns the school.
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_requests",
    )
    # A short code in subjects and reply addresses, so a school's answer finds its request.
    token = models.CharField(max_length=12, unique=True, default=new_token, editable=False)
    submitted_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.FORM)
    subject = models.CharField(_("subject"), max_length=200)
    # What the school wrote is confidential: encrypted at rest, bound to this row.
    row_key = row_key_field()
    text = EncryptedTextField(_("your request"))
    quality_area = models.ForeignKey(
        QualityArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("e-mail"))
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    state = models.CharField(max_length=30, choices=State.choices, default=State.RECEIVED)
    received_at = models.DateTimeField(default=timezone.now)
    acknowledge_due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # 0 waits for its receipt to be confirmed, 1 is open, 2 is closed. Stored, so the inbox's
    # "most urgent first" order is served by an index instead of sorting every request.
    inbox_rank = models.GeneratedField(
        expression=models.Case(
            models.When(state="received", then=models.Value(0)),
            models.When(
                state__in=["completed", "closed_without_agreement", "withdrawn", "forwarded"],
                then=models.Value(2),
            ),
            default=models.Value(1),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["site", "inbox_rank", "acknowledge_due_at"]),
            models.Index(fields=["site", "state", "acknowledge_due_at"]),
            models.Index(fields=["school", "received_at"]),
            models.Index(fields=["state", "acknowledge_due_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def requester(self) -> str:
        """Who asked: the school, or the sender while the school is not assigned yet."""
        if self.school is not None:
            return self.school.name
        if self.contact_name and self.contact_name != self.contact_email:
            return f"{self.contact_name} <{self.contact_email}>"
        return self.contact_email

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        """Receipt not confirmed although the deadline has passed."""
        return self.state == State.RECEIVED and self.acknowledge_due_at < timezone.now()


class TimelineEvent(models.Model):
    """One step of a request's history: who did what and when."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    row_key = row_key_field()
    note = EncryptedTextField(blank=True, default="")
    # Empty for events without a note (state changes): those are for everyone who sees the
    # request. An event with a note always has a level.
    visibility = models.CharField(  # noqa: DJ001 - NULL is "no level", filtered with IS NULL
        _("visible to"), max_length=12, choices=Visibility.choices, null=True, blank=True
    )
    # The person a note is written to (the coordination's note to a proposed supporter): they
    # read it whatever its level.
    addressee = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility__isnull=True)
                | models.Q(visibility__in=["participants", "coordination", "released"]),
                name="event_known_visibility",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.created_at:%Y-%m-%d %H:%M}"

    def get_label(self) -> str:
        from lotse.support.timeline import label  # the labels live beside the recorder

        return str(label(self.kind))

    def get_detail(self) -> str:
        """The event's facts in one line: whom it concerns, where it went, which version."""
        from lotse.support.timeline import detail

        return detail(self)


class Proposal(models.Model):
    """A supporter proposed by the coordinator; the supporter accepts or declines."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        REMOVED = "removed", _("removed")

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="proposals")
    supporter = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="proposals")
    proposed_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decline_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Who ended the supporter's part (coordination or school) and when; the reason is the
    # note of the "proposal_removed" timeline event, encrypted like every note.
    removed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "supporter"], name="proposal_unique_supporter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supporter} → #{self.request_id}"


class Meeting(models.Model):
    """The first on-site meeting; the school decides who takes part."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    row_key = row_key_field()
    participants = EncryptedTextField(_("participants"))
    # Date and place are for everyone who sees the request (the next meeting is never a
    # secret); who takes part is the meeting record, and it has a level.
    visibility = models.CharField(
        _("visible to"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.PARTICIPANTS,
    )
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.place}"


class Agreement(models.Model):
    """One version of the Kontrakt; it binds when both sides accepted the same version."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveSmallIntegerField()
    row_key = row_key_field()
    participants = EncryptedTextField(_("participants"))
    goals = EncryptedTextField(_("goals"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    place = models.CharField(_("place"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=200)
    resources = EncryptedTextField(_("resources"), blank=True, default="")
    # The methods chosen from the organisation's list, one name per line: the Kontrakt keeps
    # the names agreed, whatever becomes of the list later.
    methods = EncryptedTextField(_("methods"), blank=True, default="")
    # Methods not on the list, in the writer's words ("Sonstiges").
    other_methods = EncryptedTextField(_("other methods"), blank=True, null=True, default="")
    confidentiality = EncryptedTextField(_("confidentiality clause"))
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # When school and supporter were reminded that this version's time span nears its end.
    end_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "version"]
        constraints = [
            models.UniqueConstraint(fields=["request", "version"], name="agreement_unique_version")
        ]

    def __str__(self) -> str:
        return f"Kontrakt #{self.request_id} v{self.version}"

    def goal_list(self) -> list[str]:
        return [line.strip() for line in self.goals.splitlines() if line.strip()]

    def method_list(self) -> list[str]:
        """The names of the methods chosen from the organisation's list."""
        return [line.strip() for line in self.methods.splitlines() if line.strip()]


class Acceptance(models.Model):
    """One side's acceptance of one Kontrakt version."""

    class Side(models.TextChoices):
        SCHOOL = "school", _("School")
        SUPPORTER = "supporter", _("Supporter")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="acceptances")
    side = models.CharField(max_length=10, choices=Side.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "side"], name="acceptance_unique_side")
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {self.person}"


class Mailbox(models.Model):
    """The IMAP mailbox of a site: mail to the site's address becomes requests."""

    class Security(models.TextChoices):
        SSL = "ssl", _("SSL/TLS (usually port 993)")
        STARTTLS = "starttls", _("STARTTLS (usually port 143)")
        PLAIN = "plain", _("unencrypted (only on the same machine)")

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="mailbox")
    host = models.CharField(_("IMAP server"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("connection security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=200)
    password = EncryptedTextField(_("password"))
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    done_folder = models.CharField(
        _("move imported mail to"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to only mark imported mail as read."),
    )
    active = models.BooleanField(_("read this mailbox"), default=True)
    row_key = row_key_field()
    # One reader at a time: a run claims the mailbox until this moment.
    locked_until = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.username}@{self.host}/{self.folder}"


class InboundMail(models.Model):
    """One received mail, kept once: keyed by (mailbox, UIDVALIDITY, UID) and by its hash."""

    class Outcome(models.TextChoices):
        REQUEST = "request", _("new request")
        REPLY = "reply", _("reply to a request")
        AUTO_REPLY = "auto_reply", _("automatic reply, ignored")
        BOUNCE = "bounce", _("bounce of a Lotse mail")
        QUARANTINE = "quarantine", _("quarantine")
        DISCARDED = "discarded", _("deleted from quarantine")

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="mails"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="inbound_mails")
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, unique=True)
    row_key = row_key_field()
    raw = EncryptedBinaryField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)
    message_id = models.CharField(max_length=998, blank=True)
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    quarantine_reason = models.TextField(_("reason"), blank=True)
    request = models.ForeignKey(
        SupportRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="mails"
    )
    event = models.ForeignKey(
        TimelineEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    bounced = models.ForeignKey(
        OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="bounces"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("received mail")
        verbose_name_plural = _("received mails")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"],
                condition=models.Q(uid__isnull=False),
                name="inbound_unique_imap_uid",
            )
        ]
        indexes = [models.Index(fields=["site", "outcome", "received_at"])]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


class HandledUid(models.Model):
    """A message of a mailbox that was handled, whatever became of it.

    A copy of a mail already stored (same bytes) has no row of its own in `InboundMail`; its
    UID is kept here, so the reader does not download it again on every run."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="handled_uids")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    mail = models.ForeignKey(
        InboundMail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("handled message")
        verbose_name_plural = _("handled messages")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="handled_uid_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mailbox_id}/{self.uidvalidity}/{self.uid}"


class Attachment(models.Model):
    """A file that came with a mail, or a document a participant uploaded; encrypted at rest."""

    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    mail = models.ForeignKey(
        InboundMail, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    inline = models.BooleanField(default=False)
    row_key = row_key_field()
    content = EncryptedBinaryField()
    visibility = models.CharField(
        _("visible to"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.PARTICIPANTS,
    )
    # Empty for a mail's attachment; the uploader for a document.
    uploaded_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.filename


class Release(models.Model):
    """The school's consent that one entry leaves the room for a named purpose.

    Exactly one of `event`, `meeting`, `attachment` and `session` is set. While a release is
    active the entry's level is "released"; revoking the last active release puts the entry back to
    `previous_visibility`. Rows are kept after revocation: they are the record of consent."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="releases")
    event = models.ForeignKey(
        TimelineEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="releases"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="releases"
    )
    attachment = models.ForeignKey(
        Attachment, on_delete=models.CASCADE, null=True, blank=True, related_name="releases"
    )
    session = models.ForeignKey(
        "Session", on_delete=models.CASCADE, null=True, blank=True, related_name="releases"
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    previous_visibility = models.CharField(max_length=12, choices=Visibility.choices)
    released_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(default=timezone.now)
    revoked_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ["-released_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        event__isnull=False,
                        meeting__isnull=True,
                        attachment__isnull=True,
                        session__isnull=True,
                    )
                    | models.Q(
                        event__isnull=True,
                        meeting__isnull=False,
                        attachment__isnull=True,
                        session__isnull=True,
                    )
                    | models.Q(
                        event__isnull=True,
                        meeting__isnull=True,
                        attachment__isnull=False,
                        session__isnull=True,
                    )
                    | models.Q(
                        event__isnull=True,
                        meeting__isnull=True,
                        attachment__isnull=True,
                        session__isnull=False,
                    )
                ),
                name="release_exactly_one_item",
            ),
            models.CheckConstraint(
                condition=models.Q(previous_visibility__in=["participants", "coordination"]),
                name="release_previous_is_choosable",
            ),
        ]
        indexes = [models.Index(fields=["request", "revoked_at"])]

    def __str__(self) -> str:
        return f"#{self.request_id}: {self.purpose}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# --- accompaniment after the Kontrakt (issue 6) -------------------------------------------------


class Method(models.Model):
    """A method supporters use in sessions, explained in plain language for the school.

    The school sees the explanation with the invitation, before the method is used."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="methods")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(
        _("explanation in plain language"),
        help_text=_("What happens, what it is good for, and what the participants do."),
    )
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("method")
        verbose_name_plural = _("methods")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="method_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


def new_uid() -> str:
    return f"{secrets.token_hex(16)}@lotse"


class Session(models.Model):
    """A session (Termin) of the accompaniment: planned, then recorded, or cancelled.

    Date, place and methods are for everyone who sees the request; who took part, the notes and
    the reflection are the session record and have a level, like every confidential entry."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="sessions")
    # The iCalendar UID and SEQUENCE: every invitation and update is the same calendar event.
    uid = models.CharField(max_length=80, unique=True, default=new_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField(_("begins"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    methods = models.ManyToManyField(
        Method, blank=True, related_name="sessions", verbose_name=_("methods")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    row_key = row_key_field()
    participants = EncryptedTextField(_("participants (groups and persons)"))
    notes = EncryptedTextField(_("notes"), blank=True, default="")
    reflection = EncryptedTextField(_("joint reflection"), blank=True, default="")
    visibility = models.CharField(
        _("visible to"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.PARTICIPANTS,
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.place}"


class NextStep(models.Model):
    """A next step agreed in the accompaniment, with an owner, a due date and a done-state."""

    class Owner(models.TextChoices):
        SCHOOL = "school", _("School")
        SUPPORTER = "supporter", _("Supporter")

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="next_steps")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="next_steps"
    )
    row_key = row_key_field()
    text = EncryptedTextField(_("next step"))
    owner = models.CharField(_("who does it"), max_length=10, choices=Owner.choices)
    due_on = models.DateField(_("due on"))
    visibility = models.CharField(
        _("visible to"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.PARTICIPANTS,
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overdue_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("next step")
        verbose_name_plural = _("next steps")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["done_at", "due_on"])]

    def __str__(self) -> str:
        return f"#{self.request_id} {self.get_owner_display()} {self.due_on}"


class GoalProgress(models.Model):
    """How far one goal of the binding Kontrakt came, as seen in one session."""

    class Level(models.IntegerChoices):
        NOT_STARTED = 0, _("not started")
        BEGUN = 1, _("begun")
        PARTLY = 2, _("partly reached")
        MOSTLY = 3, _("mostly reached")
        REACHED = 4, _("reached")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="goal_progress")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="+")
    # The goal's line in that Kontrakt version, and its text then (the history survives an
    # amendment that rewords or removes the goal).
    position = models.PositiveSmallIntegerField()
    row_key = row_key_field()
    goal = EncryptedTextField(_("goal"))
    level = models.PositiveSmallIntegerField(_("progress"), choices=Level.choices)
    note = EncryptedTextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("goal progress")
        verbose_name_plural = _("goal progress")
        ordering = ["session__starts_at", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "agreement", "position"], name="goal_progress_once"
            )
        ]

    def __str__(self) -> str:
        return f"session {self.session_id} goal {self.position}: {self.level}"


class FinalReflection(models.Model):
    """The joint final reflection; the process can be completed once both sides confirmed it."""

    request = models.OneToOneField(
        SupportRequest, on_delete=models.CASCADE, related_name="final_reflection"
    )
    row_key = row_key_field()
    text = EncryptedTextField(_("what we reached and what we learned"))
    visibility = models.CharField(
        _("visible to"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.PARTICIPANTS,
    )
    written_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    # Each change asks both sides again, like a new Kontrakt version.
    school_confirmed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    school_confirmed_at = models.DateTimeField(null=True, blank=True)
    supporter_confirmed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    supporter_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("final reflection")
        verbose_name_plural = _("final reflections")

    def __str__(self) -> str:
        return f"#{self.request_id}"

    @property
    def confirmed(self) -> bool:
        return self.school_confirmed_at is not None and self.supporter_confirmed_at is not None


class EvaluationQuestion(models.Model):
    """A question of the organisation's evaluation at the end of an accompaniment."""

    class Audience(models.TextChoices):
        SCHOOL = "school", _("School")
        SUPPORTER = "supporter", _("Supporter")
        BOTH = "both", _("School and supporter")

    class Kind(models.TextChoices):
        SCALE = "scale", _("scale from 1 (not at all) to 5 (fully)")
        YES_NO = "yes_no", _("yes or no")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="evaluation_questions"
    )
    text = models.CharField(_("question"), max_length=300)
    audience = models.CharField(
        _("asked of"), max_length=10, choices=Audience.choices, default=Audience.BOTH
    )
    kind = models.CharField(_("answer"), max_length=10, choices=Kind.choices, default=Kind.SCALE)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("asked"), default=True)

    class Meta:
        verbose_name = _("evaluation question")
        verbose_name_plural = _("evaluation questions")
        ordering = ["organisation", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class EvaluationSubmission(models.Model):
    """That one side of a request answered (or declined) the evaluation; never what."""

    class Side(models.TextChoices):
        SCHOOL = "school", _("School")
        SUPPORTER = "supporter", _("Supporter")

    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="evaluation_submissions"
    )
    side = models.CharField(max_length=10, choices=Side.choices)
    declined = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "side"], name="evaluation_once_per_side")
        ]

    def __str__(self) -> str:
        return f"#{self.request_id} {self.side}"


class EvaluationAnswer(models.Model):
    """One answer, kept apart from who gave it and for which request: only reported in
    aggregate. A random key and only the year keep answers from being lined up with
    submissions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="evaluation_answers"
    )
    question = models.ForeignKey(
        EvaluationQuestion, on_delete=models.PROTECT, related_name="answers"
    )
    side = models.CharField(max_length=10, choices=EvaluationSubmission.Side.choices)
    value = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "year"])]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class Concept(models.Model):
    """Synergie: an anonymised summary of a completed accompaniment that the school released.

    It waits in the organisation's review queue until a reviewer has checked that it names no
    person, school or place; then it is in the shared library."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("waiting for review")
        RETURNED = "returned", _("returned to the school")
        PUBLISHED = "published", _("in the library")
        WITHDRAWN = "withdrawn", _("withdrawn by the school")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="concepts"
    )
    # Only for the reviewer and the school; never shown in the library.
    request = models.ForeignKey(
        SupportRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="concepts"
    )
    quality_areas = models.ManyToManyField(
        QualityArea, blank=True, related_name="concepts", verbose_name=_("quality areas")
    )
    school_form = models.CharField(_("school form"), max_length=120, blank=True)
    row_key = row_key_field()
    topic = EncryptedTextField(_("topic"))
    what_was_done = EncryptedTextField(_("what was done"))
    what_helped = EncryptedTextField(_("what helped"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    consent_text = models.TextField(_("consent"))
    consent_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    consent_at = models.DateTimeField(default=timezone.now)
    review_note = EncryptedTextField(_("note to the school"), blank=True, default="")
    reviewed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")
        ordering = ["-published_at", "-consent_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"concept {self.pk}"
