"""The request's records: notes, documents, who may see an entry, and releases of entries."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lotse.core.models import Person
from lotse.lib.sizes import megabytes
from lotse.support import permissions, timeline, workflow
from lotse.support.models import (
    CHOOSABLE,
    Attachment,
    Meeting,
    Release,
    Session,
    SupportRequest,
    TimelineEvent,
    Visibility,
)
from lotse.support.services.base import ENTRY_FIELD, Entry, entry_level, request_lock
from lotse.support.workflow import Side, WorkflowError


def _writer(request: SupportRequest, by: Person) -> set[Side]:
    sides = workflow.sides(request, by)
    if not permissions.may_write(sides):
        raise WorkflowError(_("You may not add entries to this request."))
    return sides


@transaction.atomic
def note_add(
    *, request: SupportRequest, by: Person, text: str, visibility: str | None = None
) -> TimelineEvent:
    """A participant or the coordination writes a note into the request's timeline."""
    if not text.strip():
        raise WorkflowError(_("Please write the note."))
    request = request_lock(request)
    _writer(request, by)
    level = entry_level(request, by, visibility)
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
            % {"limit": megabytes(settings.DOCUMENT_MAX_SIZE)}
        )
    request = request_lock(request)
    _writer(request, by)
    # Only the last part of the name, without control characters: it is shown and sent back.
    name = "".join(c for c in filename.replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable())
    document = Attachment.objects.create(
        request=request,
        filename=(name.strip() or _("document"))[:255],
        content_type=(content_type or "application/octet-stream")[:255],
        size=len(content),
        content=content,
        visibility=entry_level(request, by, visibility),
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
    if not permissions.may_widen(workflow.sides(request, by)):
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
    request = request_lock(entry.request)
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
    request = request_lock(entry.request)
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
    request = request_lock(release.request)
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
