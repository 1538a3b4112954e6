"""Organisations, their sites and districts, schools, people and their roles, the mail outbox,
the access log, retention rules and the record of what retention and erasure did."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A tenant: a state support system or a professional association."""

    class Kind(models.TextChoices):
        SUPPORT_SYSTEM = "support_system", _("State support system")
        ASSOCIATION = "association", _("Professional association")

    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("federal state"), max_length=2, help_text=_("e.g. SN, NI"))
    acknowledgement_days = models.PositiveSmallIntegerField(
        _("days to acknowledge a request"), default=7
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("reminder days before the deadline"), default=2
    )
    mail_from = models.EmailField(_("sender address"), blank=True)
    session_reminder_hours = models.PositiveSmallIntegerField(
        _("reminder hours before a session"), default=24, db_default=24
    )
    agreement_end_reminder_days = models.PositiveSmallIntegerField(
        _("reminder days before the Kontrakt ends"), default=14, db_default=14
    )
    evaluation_min_answers = models.PositiveSmallIntegerField(
        _("fewest answers shown in the evaluation report"),
        default=5,
        db_default=5,
        help_text=_("Fewer answers are not shown, so no one can tell who answered what."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A regional site (Standort) of an organisation; it serves a set of districts."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    statewide = models.BooleanField(_("statewide"), default=False)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="site_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A Landkreis or kreisfreie Stadt; it decides the site that serves its schools."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="districts"
    )
    name = models.CharField(_("name"), max_length=120)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="districts")
    # The official Kreisschlüssel: the first five digits of the Amtlicher Gemeindeschlüssel
    # of every municipality in the district (e.g. 14612 for Dresden). The school import derives
    # a school's district from its municipality key with it.
    official_key = models.CharField(
        _("official district key"),
        max_length=5,
        blank=True,
        help_text=_("Kreisschlüssel, the first five digits of the municipality keys, e.g. 14612"),
    )

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="district_unique_name"),
            models.UniqueConstraint(
                fields=["organisation", "official_key"],
                condition=~models.Q(official_key=""),
                name="district_unique_official_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school, keyed by (federal state, official number)."""

    class Type(models.TextChoices):
        PRIMARY = "grundschule", _("Primary school")
        OBERSCHULE = "oberschule", _("Oberschule")
        GYMNASIUM = "gymnasium", _("Gymnasium")
        SPECIAL = "foerderschule", _("Special needs school")
        VOCATIONAL = "berufsschule", _("Vocational school")
        COMPREHENSIVE = "gesamtschule", _("Comprehensive school")
        OTHER = "other", _("Other")

    state = models.CharField(_("federal state"), max_length=2)
    number = models.CharField(_("official school number"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    school_type = models.CharField(_("school type"), max_length=20, choices=Type.choices)
    district = models.ForeignKey(
        District, on_delete=models.SET_NULL, null=True, blank=True, related_name="schools"
    )
    street = models.CharField(_("street"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    homepage = models.URLField(_("homepage"), blank=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["state", "number"], name="school_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})" if self.city else self.name


class PersonManager(BaseUserManager["Person"]):
    """Creates people who log in with their e-mail address."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> Person:
        person = self.model(email=self.normalize_email(email).lower(), **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> Person:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Person(AbstractBaseUser, PermissionsMixin):
    """Someone who logs in. What they may do is decided by their roles per organisation."""

    email = models.EmailField(_("e-mail"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the person's data was erased (DSGVO Art. 17). The row stays, anonymised, so that
    # the access log and the Kontrakt acceptances that point to it stay valid.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)

    objects: ClassVar[PersonManager] = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        if self.erased_at is not None:
            return str(_("erased person"))
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        if self.erased_at is not None:
            return str(_("erased person"))
        return self.first_name or self.email


class Role(models.Model):
    """One role a person holds in one organisation; a person may hold many."""

    class Kind(models.TextChoices):
        SCHOOL_CONTACT = "school_contact", _("School contact")
        COORDINATOR = "coordinator", _("Coordinator")
        SUPPORTER = "supporter", _("Supporter")
        MEMBER = "member", _("Member")
        EDITOR = "editor", _("Editor")
        ADMIN = "admin", _("Organisation admin")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contact_roles",
        help_text=_("For school contacts: the school they speak for."),
    )
    sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="roles",
        help_text=_("For coordinators: the sites they coordinate. For supporters: home sites."),
    )
    title = models.CharField(
        _("function"), max_length=120, blank=True, help_text=_("e.g. Prozessmoderatorin")
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="school_contact") | models.Q(school__isnull=False),
                name="role_school_contact_has_school",
            ),
        ]
        indexes = [models.Index(fields=["person", "organisation", "kind"])]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_kind_display()} ({self.organisation})"


class OutboxMessage(models.Model):
    """A mail written in the same transaction as the change that causes it; sent at least once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        HELD = "held", _("kept in the app (no SMTP server configured)")
        FAILED = "failed", _("failed, will retry")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="outbox"
    )
    # Mails about a site's requests are shown only to that site's coordinators.
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="outbox"
    )
    message_id = models.CharField(max_length=255, unique=True)
    from_email = models.CharField(max_length=255)
    to = models.JSONField(default=list)
    reply_to = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    # An iCalendar invitation (text/calendar) sent with the mail; empty for most mails.
    calendar = models.TextField(blank=True, default="", db_default="")
    template = models.CharField(max_length=120)
    # An opaque reference to what the mail is about, e.g. "support.SupportRequest:42".
    reference = models.CharField(max_length=80, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.subject


class Bounce(models.Model):
    """One report that a Lotse mail did not reach one of its recipients (a bounce).

    Every report is kept: a mail to three addresses may come back for two of them, from
    different servers, at different times. Read from the delivery status notification
    (RFC 3464: Final-Recipient, Action, Status, Diagnostic-Code) or, for servers that write
    plain text, from the text."""

    class Action(models.TextChoices):
        FAILED = "failed", _("not delivered")
        DELAYED = "delayed", _("delayed, the server keeps trying")
        UNKNOWN = "", _("returned")

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="bounce_records"
    )
    # The address that failed; empty when the report does not say (a text bounce of a mail
    # to several addresses).
    recipient = models.EmailField(_("recipient"), max_length=320, blank=True)
    action = models.CharField(_("action"), max_length=20, blank=True, choices=Action.choices)
    # The enhanced status code (RFC 3463), e.g. 5.1.1.
    status = models.CharField(_("status code"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("bounce")
        verbose_name_plural = _("bounces")
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.recipient or '?'}: {self.status or self.action}"

    def status_meaning(self) -> str:
        """What the status code means, in the reader's language (RFC 3463)."""
        parts = self.status.split(".")
        if len(parts) != 3 or parts[0] not in {"4", "5"}:
            return ""
        meanings = {
            "1.1": _("the address does not exist"),
            "1.2": _("the recipient's mail domain does not exist"),
            "1.3": _("the address is not valid"),
            "1.10": _("the address does not exist"),
            "2.1": _("the mailbox is disabled"),
            "2.2": _("the mailbox is full"),
            "2.3": _("the mail is too large for the mailbox"),
            "3.4": _("the mail is too large for the receiving server"),
            "4.1": _("the receiving server did not answer"),
            "4.4": _("no route to the receiving server"),
            "4.7": _("the delivery time expired"),
        }
        subject = ".".join(parts[1:])
        if subject in meanings:
            return str(meanings[subject])
        if parts[1] == "7":
            return str(_("refused by the receiving server's rules (e.g. a spam filter)"))
        if parts[0] == "4":
            return str(_("temporary failure"))
        return str(_("permanent failure"))

    @property
    def failed(self) -> bool:
        """The mail did not and will not reach the address (anything but a delay report)."""
        return self.action != self.Action.DELAYED and not self.status.startswith("4.")


class AccessLog(models.Model):
    """One read of confidential content: who, in which role, what, when. Append-only.

    The database refuses updates and deletes of these rows (triggers, see `lotse.core.audit`).
    The references are plain ids without foreign-key constraints, so that deleting a request
    under a retention rule, or erasing a person, never has to touch the log; an erased person
    keeps their id and shows as erased."""

    at = models.DateTimeField(default=timezone.now)
    person = models.ForeignKey(
        Person,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    role = models.CharField(max_length=20, choices=Role.Kind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # What was read, e.g. ("support.supportrequest", 42) and its part ("pdf", version 3).
    subject_type = models.CharField(max_length=60)
    subject_id = models.BigIntegerField()
    what = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "at"]),
            models.Index(fields=["person", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.what} {self.subject_type}:{self.subject_id} @ {self.at}"


class RetentionAction(models.TextChoices):
    DELETE = "delete", _("delete")
    ANONYMISE = "anonymise", _("anonymise")


class RetentionRule(models.Model):
    """How long an organisation keeps one kind of data, and what happens then.

    Without a row the defaults of the kind's registration apply (`lotse.core.retention`)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="retention_rules"
    )
    kind = models.CharField(_("kind of data"), max_length=60)
    months = models.PositiveSmallIntegerField(_("months"))
    action = models.CharField(_("then"), max_length=10, choices=RetentionAction.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind"], name="retention_rule_unique_kind"
            ),
            models.CheckConstraint(condition=models.Q(months__gte=1), name="retention_months_min"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.kind}: {self.months} → {self.action}"


class RetentionRun(models.Model):
    """One application of a retention rule: when, with which cutoff, what was done how often."""

    # Empty for rows that belong to no organisation (e.g. account mails).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="retention_runs"
    )
    kind = models.CharField(max_length=60)
    action = models.CharField(max_length=10, choices=RetentionAction.choices)
    months = models.PositiveSmallIntegerField()
    ran_at = models.DateTimeField(default=timezone.now)
    # Everything that ended before this moment was due.
    cutoff = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-ran_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "kind", "ran_at"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.kind} {self.action} ×{self.count} @ {self.ran_at}"


class Erasure(models.Model):
    """The record that a person's data was erased (DSGVO Art. 17): who, whom, when, how much.

    It holds nothing of the erased person but the id of their anonymised row."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="erasures"
    )
    by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # Rows changed per model label, e.g. {"support.timelineevent": 4}.
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.person_id} erased by {self.by_id} @ {self.at}"


class SchoolImport(models.Model):
    """A school data file an organisation admin uploaded, between preview and confirmation;
    after the confirmation, the result of the import.

    School data are public, so the file is kept as it came. Its content is dropped when the
    import is confirmed, and the row a day after the upload (`lotse.core.schoolimport.purge`)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="school_imports"
    )
    uploaded_by = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, db_index=True)
    filename = models.CharField(max_length=200)
    # The format and encoding the admin chose ("auto" detects the format).
    file_format = models.CharField(max_length=12)
    encoding = models.CharField(max_length=20)
    content = models.BinaryField()
    imported_at = models.DateTimeField(null=True, blank=True)
    # `schoolimport.Result.as_dict()` of the confirmed import.
    result = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("school data import")
        verbose_name_plural = _("school data imports")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.organisation_id}, {self.uploaded_at:%Y-%m-%d %H:%M})"


class SearchTerm(models.Model):
    """One term of one object in the search index (`lotse.core.search`): derived data, rebuilt
    from the object's texts whenever it is saved (`lotse rebuild-search-index` rebuilds all).

    `kind` names what was indexed ("catalog.offer"), `object_id` which one; `organisation` is the
    scope a search runs in (None for content that belongs to no organisation). `weight` is the
    weight of the most important field the term occurs in (the title counts more than the text).
    """

    kind = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    term = models.CharField(max_length=100)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "term"], name="core_searchterm_unique"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "organisation", "term"], name="core_searchterm_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.term}"


class SearchSynonym(models.Model):
    """A word of an organisation's synonym list: a search for `word` also finds what
    `means` says (several words, separated by commas), e.g. "Mobbing" → "Konflikte"."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="search_synonyms"
    )
    word = models.CharField(_("word"), max_length=100)
    means = models.CharField(
        _("also finds"),
        max_length=300,
        help_text=_("One or more words, separated by commas."),
    )

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["organisation", "word"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "word"], name="core_searchsynonym_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.word} → {self.means}"

    def means_list(self) -> list[str]:
        return [part.strip() for part in self.means.split(",") if part.strip()]
