"""A person's rights under the DSGVO: export of their data (Art. 15/20) and erasure (Art. 17).

Every model that refers to a person registers here how its rows are found, exported and erased,
from its app's `AppConfig.ready()` (core must not import the apps to its right). A model counts
as referring to a person when it has a ForeignKey, OneToOneField or ManyToManyField to the
person model, or a text field that holds a person's e-mail address (e.g. the contact address of
a request or the recipients of a mail). `uncovered()` names every relation to a person that no
registration covers; the test suite fails on it, so a new model (also one of a third-party app,
such as allauth's MFA authenticators) cannot arrive without deciding what happens to its rows.

One registration covers one model:

    privacy.register(
        "mfa.Authenticator",          # a label is enough; skipped while the app is not installed
        fields=["user"],              # its relations to the person, all of them
        erase=privacy.delete,         # or privacy.detach(...), privacy.keep(why), a function
        exclude=["data"],             # fields never exported (secrets)
    )

Erasure keeps the person's row with its primary key, anonymised: the append-only access log and
the Kontrakt acceptances (PROTECT) keep pointing to it, and it shows as "erased person".
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lotse.core import audit, roles
from lotse.core.models import (
    AccessLog,
    Bounce,
    Erasure,
    Organisation,
    OutboxMessage,
    Person,
    RetentionRule,
    Role,
    SchoolImport,
)
from lotse.lib import errors
from lotse.lib.crypto import DecryptionError

EXPORT_FORMAT = "lotse.person-export/1"
# Erased people keep their row; their address becomes this unusable one (the domain is reserved
# by RFC 2606, so nothing can ever be delivered to it).
ERASED_DOMAIN = "erased.invalid"


class Refused(errors.Refused):
    """The person may not export or erase these data; the message says why (for the page)."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)


class NotConfirmed(Refused):
    """The confirmation of an erasure did not match; nothing was erased."""


# --- the person, as they were before the erasure -----------------------------------------------


@dataclass(frozen=True)
class Subject:
    """Whose data is exported or erased: the person and how they appear in text."""

    person: Person
    email: str
    names: tuple[str, ...]
    phone: str = ""

    @classmethod
    def of(cls, person: Person) -> Subject:
        first, last = person.first_name.strip(), person.last_name.strip()
        names: list[str] = []
        if first and last:
            names += [f"{first} {last}", f"{last}, {first}"]
        elif first or last:
            names.append(first or last)
        phone = person.phone.strip()
        return cls(
            person=person,
            email=person.email.strip().lower(),
            names=tuple(names),
            # Too short a number would match inside other numbers.
            phone=phone if sum(c.isdigit() for c in phone) >= 6 else "",
        )

    @property
    def needles(self) -> tuple[str, ...]:
        """The strings that identify the person in free text: address, full name, phone.

        A first or last name alone is not searched for: "Koch" or "Lange" would hit ordinary
        words. Free text that names the person only so is not found (docs/data-protection.md)."""
        return tuple(n for n in (self.email, *self.names, self.phone) if n)

    def mentioned(self, *fields: str) -> Q:
        """Rows whose text fields contain the person's address or name."""
        q = Q(pk__in=[])
        for name in fields:
            for needle in self.needles:
                q |= Q(**{f"{name}__icontains": needle})
        return q

    def is_address(self, value: object) -> bool:
        return isinstance(value, str) and value.strip().lower() == self.email

    def mentions(self, text: object) -> bool:
        if not isinstance(text, str):
            return False
        lowered = text.lower()
        return any(needle.lower() in lowered for needle in self.needles)

    def scrub(self, text: str) -> str:
        """The text with the person's address and names replaced by "erased person"."""
        if not text:
            return text
        for needle in sorted(self.needles, key=len, reverse=True):
            text = re.sub(re.escape(needle), erased_label(), text, flags=re.IGNORECASE)
        return text

    def scrub_value(self, value: Any) -> Any:
        """`scrub` applied inside lists and dicts (JSON data), other values unchanged."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub_value(v) for k, v in value.items()}
        return value


def erased_label() -> str:
    """What stands where an erased person's name was, in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("erased person")


# --- the registry -----------------------------------------------------------------------------

Rows = Callable[[Subject], "QuerySet[Any]"]
Eraser = Callable[["QuerySet[Any]", Subject], int]


@dataclass(frozen=True)
class Entry:
    """How one model's rows about a person are found, exported and erased."""

    label: str
    fields: tuple[str, ...]
    text_fields: tuple[str, ...]
    erase: Eraser
    rows: Rows | None = None
    erase_rows: Rows | None = None
    exclude: tuple[str, ...] = ()
    note: str | Promise = ""

    def model(self) -> type[Model] | None:
        """The model, or None while its app is not installed."""
        try:
            return apps.get_model(self.label)
        except LookupError:
            return None

    def queryset(self, subject: Subject) -> QuerySet[Any]:
        """The rows that concern the person: by the registered function, or by each relation
        to the person and each text field that holds their address."""
        model = self.model()
        assert model is not None
        if self.rows is not None:
            return self.rows(subject)
        q = Q(pk__in=[])
        for name in self.fields:
            q |= Q(**{name: subject.person})
        for name in self.text_fields:
            q |= Q(**{f"{name}__iexact": subject.email})
        return model._default_manager.filter(q).distinct()

    def erase_queryset(self, subject: Subject) -> QuerySet[Any]:
        """The rows the erasure works on (by default those of the export), fixed by their
        primary keys, so that what one registration erases first does not change what
        another one finds."""
        model = self.model()
        assert model is not None
        rows = self.erase_rows(subject) if self.erase_rows is not None else self.queryset(subject)
        return model._default_manager.filter(pk__in=list(rows.values_list("pk", flat=True)))


_ENTRIES: dict[str, Entry] = {}


def register(
    model: type[Model] | str,
    *,
    fields: Sequence[str] = (),
    text_fields: Sequence[str] = (),
    erase: Eraser,
    rows: Rows | None = None,
    erase_rows: Rows | None = None,
    exclude: Sequence[str] = (),
) -> Entry:
    """Register how a model's rows about a person are found, exported and erased.

    `fields` are its relations to the person (the coverage check wants every one listed),
    `text_fields` its fields that hold a person's e-mail address as text. Without `rows`, the
    rows are those whose relation is the person or whose text field is their address; they are
    exported. `erase_rows` may widen what the erasure works on (e.g. every note in the requests
    the person took part in, to remove their name). `exclude` names fields never exported
    (secrets such as MFA keys). `erase` is `delete`, `detach(...)`, `keep(why)` or a function of
    (rows, subject) that returns how many rows it changed."""
    label = model if isinstance(model, str) else model._meta.label
    entry = Entry(
        label=label,
        fields=tuple(fields),
        text_fields=tuple(text_fields),
        erase=erase,
        rows=rows,
        erase_rows=erase_rows,
        exclude=tuple(exclude),
        note=getattr(erase, "reason", ""),
    )
    _ENTRIES[label.lower()] = entry
    return entry


_NOT_PERSONAL: dict[str, str] = {}


def not_personal(model: type[Model] | str, field_name: str, reason: str) -> None:
    """Declare that an e-mail field holds an institution's address, not a person's."""
    label = model if isinstance(model, str) else model._meta.label
    _NOT_PERSONAL[f"{label.lower()}.{field_name}"] = reason


def entries() -> list[Entry]:
    """The registrations whose models are installed, in a stable order."""
    return [e for _label, e in sorted(_ENTRIES.items()) if e.model() is not None]


def _person_relations(model: type[Model]) -> list[str]:
    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    # Forward relations only: reverse ones are auto-created, and M2M through tables that
    # Django makes itself are not in `get_models()`.
    return [
        f.name
        for f in model._meta.get_fields()
        if f.is_relation and not f.auto_created and f.related_model is person_model
    ]


def uncovered() -> list[str]:
    """Every relation to a person (as "app.Model.field") that no registration covers, and
    every e-mail field that is neither registered nor declared an institution's address."""
    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    missing: list[str] = []
    for model in apps.get_models():
        if model is person_model:
            continue
        entry = _ENTRIES.get(model._meta.label_lower)
        covered = set(entry.fields) if entry else set()
        texts = set(entry.text_fields) if entry else set()
        missing += [
            f"{model._meta.label}.{name}"
            for name in _person_relations(model)
            if name not in covered
        ]
        for f in model._meta.concrete_fields:
            key = f"{model._meta.label_lower}.{f.name}"
            if (
                isinstance(f, models.EmailField)
                and f.name not in texts
                and key not in _NOT_PERSONAL
            ):
                missing.append(f"{model._meta.label}.{f.name}")
    return missing


# --- erase strategies -------------------------------------------------------------------------


def delete(rows: QuerySet[Any], subject: Subject) -> int:
    """The rows are the person's alone: delete them."""
    _total, per_model = rows.delete()
    return per_model.get(rows.model._meta.label, 0)


def keep(reason: str | Promise) -> Eraser:
    """The rows stay as they are; `reason` says why (it appears in the export's notes)."""

    def erase(rows: QuerySet[Any], subject: Subject) -> int:
        return 0

    erase.reason = reason  # type: ignore[attr-defined]
    return erase


def detach(*fields: str, blank: Sequence[str] = (), scrub: Sequence[str] = ()) -> Eraser:
    """The rows belong to others: empty the relations to the person (`fields`), empty the text
    fields that hold their address (`blank`), and replace their address and name in free text
    (`scrub`, plain or encrypted text and JSON)."""

    def erase(rows: QuerySet[Any], subject: Subject) -> int:
        changed = 0
        for obj in rows:
            update: list[str] = []
            for name in fields:
                f = obj._meta.get_field(name)
                if f.many_to_many:
                    getattr(obj, name).remove(subject.person)
                    changed += 1
                elif getattr(obj, f.attname) == subject.person.pk:
                    setattr(obj, name, None)
                    update.append(name)
            for name in blank:
                if subject.is_address(getattr(obj, name)):
                    setattr(obj, name, "")
                    update.append(name)
            for name in scrub:
                value = getattr(obj, name)
                cleaned = subject.scrub_value(value)
                if cleaned != value:
                    setattr(obj, name, cleaned)
                    update.append(name)
            if update:
                obj.save(update_fields=sorted(set(update)))
                changed += 1
        return changed

    return erase


# --- export -----------------------------------------------------------------------------------


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode()}
    return value


def serialise(obj: Model, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Every field of a row, encrypted ones decrypted; relations as ids."""
    skip = {*exclude, "row_key", "password"}
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in skip:
            continue
        try:
            out[f.attname] = _json(getattr(obj, f.attname))
        except DecryptionError as error:
            # One value no key opens does not stop the export; it says so (no content).
            out[f.attname] = {"unreadable": str(error)}
    for m2m in obj._meta.many_to_many:
        if m2m.name not in skip:
            out[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    return out


PERSON_FIELDS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "is_active",
    "date_joined",
    "last_login",
    "erased_at",
)


# What others wrote on the person's own requests (Art. 15): functions of the subject, each
# returning entries {"request", "reference", "kind", "date", "author_role", "level", "text",
# "withheld"}; registered by the apps that hold such entries.
WrittenByOthers = Callable[[Subject], list[dict[str, Any]]]
_WRITTEN_BY_OTHERS: dict[str, WrittenByOthers] = {}

WRITTEN_BY_OTHERS_ABOUT = (
    "Entries others wrote on the requests the person sent, is the contact of, or was proposed "
    "for as a supporter (notes, session records, reflections, reasons, next steps, Kontrakt "
    "versions, documents): request, date, kind, the author's role and level. The text is "
    "included where the person may read the entry in Lotse today; otherwise it is withheld, "
    "as the entry is confidential to the people in the room (Art. 15(4) DSGVO): the "
    "organisation decides case by case what of it it can hand over."
)


def register_written_by_others(name: str, entries: WrittenByOthers) -> None:
    """Register a function that lists what others wrote on the person's requests (call from
    `AppConfig.ready()`); registering a name again replaces it."""
    _WRITTEN_BY_OTHERS[name] = entries


# What the export reads besides the person's own data: functions of the subject, each returning
# the (subject, organisation id) pairs whose confidential content the export shows, e.g. the
# requests the person took part in. The export writes one access-log row on each, so a request's
# own access log shows that an admin read it through an export (registered by the apps).
ExportReads = Callable[[Subject], Iterable[tuple[Model, int]]]
_EXPORT_READS: dict[str, ExportReads] = {}


def register_export_reads(name: str, reads: ExportReads) -> None:
    """Register a function naming what an export of a person reads of the app's confidential
    content (call from `AppConfig.ready()`); registering a name again replaces it."""
    _EXPORT_READS[name] = reads


def written_by_others(person: Person) -> list[dict[str, Any]]:
    subject = Subject.of(person)
    found: list[dict[str, Any]] = []
    for _name, entries in sorted(_WRITTEN_BY_OTHERS.items()):
        found += entries(subject)
    return found


def collect(person: Person) -> dict[str, Any]:
    """Everything Lotse holds about the person: their own row and each registered model's rows
    that refer to them, grouped by model label, and what others wrote on their requests."""
    subject = Subject.of(person)
    data: dict[str, list[dict[str, Any]]] = {}
    notes: dict[str, str] = {}
    for entry in entries():
        rows = list(entry.queryset(subject).order_by("pk"))
        if rows:
            data[entry.label.lower()] = [serialise(obj, entry.exclude) for obj in rows]
        if entry.note:
            notes[entry.label.lower()] = str(entry.note)
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "person": {name: _json(getattr(person, name)) for name in PERSON_FIELDS},
        "data": data,
        "written_by_others": {
            "about": WRITTEN_BY_OTHERS_ABOUT,
            "entries": written_by_others(person),
        },
        "kept_on_erasure": notes,
    }


@transaction.atomic
def person_export(*, person: Person, by: Person, organisation: Organisation) -> dict[str, Any]:
    """The person's data as a JSON-ready dict; the read is written to the access log."""
    check(by=by, person=person, organisation=organisation)
    audit.read(
        person=by,
        # Superusers act as the organisation's admin here.
        role=Role.Kind.ADMIN,
        organisation=organisation,
        subject=person,
        what="export",
    )
    subject = Subject.of(person)
    for _name, reads in sorted(_EXPORT_READS.items()):
        for read, organisation_id in reads(subject):
            audit.read(
                person=by,
                role=Role.Kind.ADMIN,
                organisation=organisation_id,
                subject=read,
                what="export",
            )
    return collect(person)


# --- erasure ----------------------------------------------------------------------------------


def check(*, by: Person, person: Person, organisation: Organisation, erase: bool = False) -> None:
    """Raise `Refused` unless `by` may export (or erase) the person's data for the organisation.

    Superusers may for every person. An organisation admin may for people with a role in the
    organisation, unless they also hold a role in an organisation the admin does not
    administer: then the data belong to several controllers."""
    if person.erased_at is not None and erase:
        raise Refused(_("This person's data have already been erased."))
    if erase and person.pk == by.pk:
        raise Refused(_("You cannot erase your own data. Ask another admin."))
    if by.is_superuser:
        return
    admin_of = roles.organisation_ids(by, roles.Kind.ADMIN)
    if organisation.pk not in admin_of:
        raise Refused(_("Only the organisation's admins may do this."))
    if person.is_superuser or person.is_staff:
        raise Refused(
            _("This person administers the installation; only its operators may do this.")
        )
    theirs = set(Role.objects.filter(person=person).values_list("organisation_id", flat=True))
    if organisation.pk not in theirs:
        raise Refused(_("This person holds no role in the organisation."))
    if theirs - admin_of:
        raise Refused(
            _(
                "This person also holds roles in another organisation. Their data belong to "
                "several controllers; only the installation's operators may export or erase them."
            )
        )


def erased_email(person: Person) -> str:
    return f"erased-{person.pk}@{ERASED_DOMAIN}"


@transaction.atomic
def person_erase(
    *, person: Person, by: Person, organisation: Organisation, confirmation: str
) -> Erasure:
    """Erase the person's data (Art. 17): every registered model's rows about them, then their
    own row, anonymised in place. `confirmation` must be their e-mail address."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    check(by=by, person=person, organisation=organisation, erase=True)
    if confirmation.strip().lower() != person.email.strip().lower():
        raise NotConfirmed(_("The e-mail address does not match. Nothing has been erased."))
    subject = Subject.of(person)
    # First find every row, then change them: an erasure must not hide rows from another.
    plan = [(entry, entry.erase_queryset(subject)) for entry in entries()]
    counts: dict[str, int] = {}
    for entry, rows in plan:
        changed = entry.erase(rows, subject)
        if changed:
            counts[entry.label.lower()] = changed
    person.email = erased_email(person)
    person.first_name = ""
    person.last_name = ""
    person.phone = ""
    person.set_unusable_password()
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.last_login = None
    person.erased_at = timezone.now()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()
    return Erasure.objects.create(person=person, organisation=organisation, by=by, counts=counts)


def people_of(organisation: Organisation, *, search: str = "") -> QuerySet[Person]:
    """People with a role in the organisation, matching the search in name or address."""
    people = Person.objects.filter(roles__organisation=organisation, erased_at__isnull=True)
    for word in search.split():
        people = people.filter(
            Q(email__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
    return people.distinct().order_by("last_name", "first_name", "email")


# --- core's own registrations -----------------------------------------------------------------


def _outbox_rows(subject: Subject) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(
        Q(to__icontains=subject.email)
        | subject.mentioned("subject", "body", "reply_to", "calendar")
    )


def _outbox_erase(rows: QuerySet[OutboxMessage], subject: Subject) -> int:
    """A mail to the person alone goes; in others their address leaves the recipients and their
    address and name leave subject and text. A calendar invitation names every attendee (in
    folded lines a scrub could miss), so it goes as a whole: it was only needed for sending."""
    changed = 0
    for message in rows:
        recipients = [a for a in message.to if not subject.is_address(a)]
        if not recipients and message.to:
            message.delete()
            changed += 1
            continue
        update = {
            "to": recipients,
            "subject": subject.scrub(message.subject),
            "body": subject.scrub(message.body),
            "reply_to": "" if subject.is_address(message.reply_to) else message.reply_to,
            "calendar": "",
        }
        if any(getattr(message, k) != v for k, v in update.items()):
            OutboxMessage.objects.filter(pk=message.pk).update(**update)
            changed += 1
    return changed


def _bounce_rows(subject: Subject) -> QuerySet[Bounce]:
    return Bounce.objects.filter(Q(recipient__iexact=subject.email) | subject.mentioned("reason"))


def _log_entry_rows(subject: Subject) -> QuerySet[LogEntry]:
    person_type = ContentType.objects.get_for_model(Person)
    return LogEntry.objects.filter(
        Q(user=subject.person)
        | Q(content_type=person_type, object_id=str(subject.person.pk))
        | subject.mentioned("object_repr", "change_message")
    )


def _log_entry_erase(rows: QuerySet[LogEntry], subject: Subject) -> int:
    """What the person did in the admin is theirs and goes; entries of others about them keep
    the fact but lose the person's name."""
    own = rows.filter(user=subject.person)
    changed = delete(own, subject)
    for entry in rows.exclude(user=subject.person):
        repr_, message = subject.scrub(entry.object_repr), subject.scrub(entry.change_message)
        if (repr_, message) != (entry.object_repr, entry.change_message):
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=repr_, change_message=message)
            changed += 1
    return changed


def _erasure_rows(subject: Subject) -> QuerySet[Erasure]:
    return Erasure.objects.filter(Q(person=subject.person) | Q(by=subject.person))


def register_core() -> None:
    """Core's models and those of Django and allauth; called from `CoreConfig.ready()`."""
    register(Role, fields=["person"], erase=delete)
    register(
        AccessLog,
        fields=["person"],
        erase=keep(
            gettext_lazy(
                "The access log is append-only: it keeps who read what and when, and refers "
                "to the erased person by the id of the anonymised row only."
            )
        ),
    )
    register(
        Erasure,
        fields=["person", "by"],
        rows=_erasure_rows,
        erase=keep(gettext_lazy("The record of an erasure holds ids only.")),
    )
    register(RetentionRule, fields=["changed_by"], erase=detach("changed_by"))
    # An uploaded school data file waits a day at most; it holds public school data only.
    register(SchoolImport, fields=["uploaded_by"], erase=delete, exclude=["content"])
    register(OutboxMessage, text_fields=["to"], rows=_outbox_rows, erase=_outbox_erase)
    # A bounce names the address that failed, and the server's words often repeat it.
    register(
        Bounce,
        text_fields=["recipient"],
        rows=_bounce_rows,
        erase=detach(blank=["recipient"], scrub=["reason"]),
    )
    register(
        LogEntry,
        fields=["user"],
        rows=_log_entry_rows,
        erase=_log_entry_erase,
    )
    # allauth: the login addresses, and (once installed) second factors, sessions and social
    # logins. Their secrets are never exported.
    register("account.EmailAddress", fields=["user"], text_fields=["email"], erase=delete)
    register("mfa.Authenticator", fields=["user"], erase=delete, exclude=["data"])
    register(
        "usersessions.UserSession",
        fields=["user"],
        erase=delete,
        exclude=["session_key", "data"],
    )
    register("socialaccount.SocialAccount", fields=["user"], erase=delete, exclude=["extra_data"])
    # Addresses of institutions, not of people.
    not_personal(Organisation, "mail_from", "the organisation's sender address")
    not_personal("core.Site", "email", "the site's office address")
    not_personal("core.School", "email", "the school's office address")


__all__ = [
    "Entry",
    "NotConfirmed",
    "Refused",
    "Subject",
    "check",
    "collect",
    "delete",
    "detach",
    "entries",
    "keep",
    "not_personal",
    "people_of",
    "person_erase",
    "person_export",
    "register",
    "uncovered",
]
