"""What the support process holds about a person, for export and erasure (DSGVO Art. 15–17).

Registered with `lotse.core.privacy` from `SupportConfig.ready()`. What each relation means on
erasure:

- A request belongs to its school, not to the person who sent it: `submitted_by` is emptied;
  the contact data are removed when they are the person's address; their name and address are
  replaced in subject and text.
- Timeline, meetings, Kontrakt versions: the person as actor or author is emptied; their name and
  address are replaced in every note and text of the requests they took part in.
- A proposal records that a supporter was asked, an acceptance that a side accepted a Kontrakt
  version: both keep pointing to the person's anonymised row (the foreign keys PROTECT it), which
  shows as "erased person", so the Kontrakt still shows that it was accepted.
- A release (the school's consent) keeps pointing to the anonymised person, like an acceptance;
  an uploaded document stays with its request without the uploader.
- Mails the person sent lose their content; a key without content stays, so the importer does
  not fetch them again (see `lotse.support.retention`).

The export also lists what others wrote on the person's own requests (`written_by_others`):
every note, session record, reflection, reason, next step, meeting record, Kontrakt version
and document, with request, date, kind, the author's role and level; the text only where the
person may read the entry in Lotse today (docs/data-protection.md says why).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lotse.core import privacy
from lotse.core.models import Person
from lotse.core.privacy import Subject
from lotse.lib.crypto import DecryptionError
from lotse.support import visibility, workflow
from lotse.support.models import (
    Acceptance,
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
    SupportRequest,
    TimelineEvent,
)
from lotse.support.retention import strip_mails
from lotse.support.workflow import Side


def involved_requests(subject: Subject) -> QuerySet[SupportRequest]:
    """The requests the person took part in: sent, was the contact of, acted in, supported."""
    person = subject.person
    return SupportRequest.objects.filter(
        Q(submitted_by=person)
        | Q(contact_email__iexact=subject.email)
        | Q(proposals__supporter=person)
        | Q(proposals__proposed_by=person)
        | Q(events__actor=person)
        | Q(meetings__created_by=person)
        | Q(agreements__created_by=person)
        | Q(agreements__acceptances__person=person)
    ).distinct()


def export_reads(subject: Subject) -> list[tuple[SupportRequest, int]]:
    """The requests whose content an export of the person shows: every request the person took
    part in or may read entries of (`own_requests`). Each gets an access-log row of the export,
    also when only the person's own entries of it are in the export (the log may say more,
    never less)."""
    ids = set(involved_requests(subject).values_list("pk", flat=True))
    ids |= set(own_requests(subject).values_list("pk", flat=True))
    requests = SupportRequest.objects.filter(pk__in=ids).order_by("pk")
    return [(request, request.organisation_id) for request in requests]


def _request_rows(subject: Subject) -> QuerySet[SupportRequest]:
    return SupportRequest.objects.filter(
        Q(submitted_by=subject.person) | Q(contact_email__iexact=subject.email)
    )


def _request_erase(rows: QuerySet[SupportRequest], subject: Subject) -> int:
    changed = 0
    for request in rows:
        before = (
            request.submitted_by_id,
            request.contact_name,
            request.contact_email,
            request.contact_phone,
            request.subject,
            request.text,
        )
        if request.submitted_by_id == subject.person.pk:
            request.submitted_by = None
        if subject.is_address(request.contact_email):
            # The contact data are the person's: all of them go.
            request.contact_email = ""
            request.contact_phone = ""
        request.contact_name = subject.scrub(request.contact_name)
        request.contact_phone = subject.scrub(request.contact_phone)
        request.subject = subject.scrub(request.subject)[:200]
        request.text = subject.scrub(request.text)
        after = (
            request.submitted_by_id,
            request.contact_name,
            request.contact_email,
            request.contact_phone,
            request.subject,
            request.text,
        )
        if after != before:
            request.save(
                update_fields=[
                    "submitted_by",
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                    "subject",
                    "text",
                    "updated_at",
                ]
            )
            changed += 1
    return changed


def _event_rows(subject: Subject) -> QuerySet[TimelineEvent]:
    return TimelineEvent.objects.filter(
        Q(actor=subject.person) | Q(addressee=subject.person) | subject.mentioned("data")
    )


def _event_erase_rows(subject: Subject) -> QuerySet[TimelineEvent]:
    return TimelineEvent.objects.filter(
        Q(actor=subject.person)
        | Q(addressee=subject.person)
        | Q(request__in=involved_requests(subject))
    )


def _meeting_erase_rows(subject: Subject) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        Q(created_by=subject.person) | Q(request__in=involved_requests(subject))
    )


def _agreement_erase_rows(subject: Subject) -> QuerySet[Agreement]:
    return Agreement.objects.filter(
        Q(created_by=subject.person) | Q(request__in=involved_requests(subject))
    )


def _session_erase_rows(subject: Subject) -> QuerySet[Session]:
    return Session.objects.filter(
        Q(created_by=subject.person)
        | Q(recorded_by=subject.person)
        | Q(request__in=involved_requests(subject))
    )


def _next_step_erase_rows(subject: Subject) -> QuerySet[NextStep]:
    return NextStep.objects.filter(
        Q(created_by=subject.person)
        | Q(done_by=subject.person)
        | Q(request__in=involved_requests(subject))
    )


def _reflection_erase_rows(subject: Subject) -> QuerySet[FinalReflection]:
    return FinalReflection.objects.filter(
        Q(written_by=subject.person)
        | Q(school_confirmed_by=subject.person)
        | Q(supporter_confirmed_by=subject.person)
        | Q(request__in=involved_requests(subject))
    )


def _mail_rows(subject: Subject) -> QuerySet[InboundMail]:
    """Mails the person sent, and bounces that report their address as failed (the raw
    report names it)."""
    return InboundMail.objects.filter(
        Q(sender__iexact=subject.email)
        | Q(
            outcome=InboundMail.Outcome.BOUNCE,
            bounced__bounce_records__recipient__iexact=subject.email,
        )
    ).distinct()


def _mail_erase(rows: QuerySet[InboundMail], subject: Subject) -> int:
    return strip_mails(rows)


def register() -> None:
    """Register the support process's models; called from `SupportConfig.ready()`."""
    privacy.register_written_by_others("support", written_by_others)
    privacy.register_export_reads("support", export_reads)
    privacy.register(
        SupportRequest,
        fields=["submitted_by"],
        text_fields=["contact_email"],
        rows=_request_rows,
        erase_rows=involved_requests,
        erase=_request_erase,
    )
    privacy.register(
        TimelineEvent,
        fields=["actor", "addressee"],
        rows=_event_rows,
        erase_rows=_event_erase_rows,
        erase=privacy.detach("actor", "addressee", scrub=["note", "data"]),
    )
    privacy.register(
        Proposal,
        fields=["supporter", "proposed_by", "removed_by"],
        erase=privacy.detach("proposed_by", "removed_by", scrub=["decline_reason"]),
    )
    privacy.register(
        Meeting,
        fields=["created_by"],
        erase_rows=_meeting_erase_rows,
        erase=privacy.detach("created_by", scrub=["participants", "place"]),
    )
    privacy.register(
        Agreement,
        fields=["created_by"],
        erase_rows=_agreement_erase_rows,
        erase=privacy.detach(
            "created_by",
            scrub=[
                "participants",
                "goals",
                "place",
                "frequency",
                "resources",
                "methods",
                "other_methods",
                "confidentiality",
            ],
        ),
    )
    privacy.register(
        Acceptance,
        fields=["person"],
        erase=privacy.keep(
            _(
                "A Kontrakt acceptance stays: it records that a side accepted a version, and "
                "shows the erased person as such."
            )
        ),
    )
    # A document belongs to the request it was uploaded to; the uploader's name leaves it.
    privacy.register(Attachment, fields=["uploaded_by"], erase=privacy.detach("uploaded_by"))
    privacy.register(
        Release,
        fields=["released_by", "revoked_by"],
        erase=privacy.keep(
            _(
                "A release is the school's consent: it stays, so that the consent can be "
                "shown (Art. 7 (1) GDPR), and shows the erased person as such."
            )
        ),
    )
    privacy.register(InboundMail, text_fields=["sender"], rows=_mail_rows, erase=_mail_erase)
    privacy.register(
        Session,
        fields=["created_by", "recorded_by"],
        erase_rows=_session_erase_rows,
        erase=privacy.detach(
            "created_by", "recorded_by", scrub=["participants", "notes", "reflection", "place"]
        ),
    )
    privacy.register(
        NextStep,
        fields=["created_by", "done_by"],
        erase_rows=_next_step_erase_rows,
        erase=privacy.detach("created_by", "done_by", scrub=["text"]),
    )
    privacy.register(
        GoalProgress,
        rows=lambda subject: GoalProgress.objects.none(),
        erase_rows=lambda subject: GoalProgress.objects.filter(
            session__request__in=involved_requests(subject)
        ),
        erase=privacy.detach(scrub=["goal", "note"]),
    )
    privacy.register(
        FinalReflection,
        fields=["written_by", "school_confirmed_by", "supporter_confirmed_by"],
        erase_rows=_reflection_erase_rows,
        erase=privacy.detach(
            "written_by", "school_confirmed_by", "supporter_confirmed_by", scrub=["text"]
        ),
    )
    # A concept was anonymised and checked before it entered the library; the consent stays
    # with the erased person, like a release.
    privacy.register(
        Concept,
        fields=["consent_by", "reviewed_by"],
        erase=privacy.keep(
            _(
                "A released concept stays with its consent (Art. 7 (1) GDPR); it names no "
                "person, and the erased person shows as such."
            )
        ),
    )


# --- what others wrote on the person's own requests (Art. 15) --------------------------------

WITHHELD = (
    "confidential to the people in the room, which the person is not (or no longer) among; "
    "listed so that it can be asked for (Art. 15(4) DSGVO)"
)
UNREADABLE = "stored encrypted, but no key of the installation opens it; reported to the admins"
FILE = "documents are not copied into the export; the organisation hands them over on request"


def own_requests(subject: Subject) -> QuerySet[SupportRequest]:
    """The person's own requests: those they sent, are the contact of, or were proposed for."""
    person = subject.person
    return (
        SupportRequest.objects.filter(
            Q(submitted_by=person)
            | Q(contact_email__iexact=subject.email)
            | Q(proposals__supporter=person)
        )
        .distinct()
        .order_by("pk")
    )


def _author_role(request: SupportRequest, author: Person | None) -> str:
    if author is None:
        return "lotse or a mail"
    sides = workflow.sides(request, author)
    for side, role in (
        (Side.SCHOOL, "school"),
        (Side.SUPPORTER, "supporter"),
        (Side.COORDINATOR, "coordination"),
        (Side.PROPOSED, "supporter (proposed)"),
    ):
        if side in sides:
            return role
    return "no longer involved"


def _texts(row: Any, fields: list[str]) -> dict[str, str] | None:
    """The row's texts that are not empty, or None when one cannot be opened."""
    try:
        return {name: value for name in fields if (value := getattr(row, name))}
    except DecryptionError:
        return None


@dataclass(frozen=True)
class _Listing:
    """One of the person's requests, and the levels they may read on it today."""

    request: SupportRequest
    person: Person
    levels: frozenset[str]

    def entry(
        self,
        *,
        kind: str,
        date: Any,
        author: Person | None,
        level: str | None,
        row: Any,
        fields: list[str],
        readable: bool | None = None,
        file: bool = False,
    ) -> dict[str, Any] | None:
        """The entry as the export lists it; None for the person's own entries (they are in
        "data") and for rows with nothing written."""
        if author is not None and author.pk == self.person.pk:
            return None
        entry: dict[str, Any] = {
            "request": self.request.pk,
            "reference": self.request.token,
            "kind": kind,
            "date": date.isoformat() if date else None,
            "author_role": _author_role(self.request, author),
            "level": level,
            "text": None,
        }
        if file:
            entry["withheld"] = FILE
        elif not (level in self.levels if readable is None else readable):
            entry["withheld"] = WITHHELD
        else:
            texts = _texts(row, fields)
            if texts is None:
                entry["withheld"] = UNREADABLE
            elif not texts:
                return None
            else:
                entry["text"] = texts
        return entry


def written_by_others(subject: Subject) -> list[dict[str, Any]]:
    """Every entry others wrote on the person's own requests; its text where they may read it
    in Lotse today (the rules of the request page), otherwise withheld with the reason."""
    person = subject.person
    found: list[dict[str, Any] | None] = []
    for request in own_requests(subject):
        sides = workflow.sides(request, person)
        listing = _Listing(request, person, visibility.levels_for(sides))
        found += [
            listing.entry(
                kind=event.kind,
                date=event.created_at,
                author=event.actor,
                level=event.visibility,
                row=event,
                fields=["note"],
                readable=event.visibility in listing.levels or event.addressee_id == person.pk,
            )
            for event in TimelineEvent.objects.filter(
                request=request, visibility__isnull=False
            ).select_related("actor")
        ]
        found += [
            listing.entry(
                kind="meeting_record",
                date=meeting.created_at,
                author=meeting.created_by,
                level=meeting.visibility,
                row=meeting,
                fields=["participants"],
            )
            for meeting in Meeting.objects.filter(request=request).select_related("created_by")
        ]
        for session in (
            Session.objects.filter(request=request)
            .select_related("created_by", "recorded_by")
            .prefetch_related("goal_progress")
        ):
            found.append(
                listing.entry(
                    kind="session_record",
                    date=session.recorded_at or session.created_at,
                    author=session.recorded_by or session.created_by,
                    level=session.visibility,
                    row=session,
                    fields=["participants", "notes", "reflection"],
                )
            )
            found += [
                listing.entry(
                    kind="goal_progress",
                    date=session.recorded_at,
                    author=session.recorded_by,
                    level=session.visibility,
                    row=progress,
                    fields=["goal", "note"],
                )
                for progress in session.goal_progress.all()
            ]
        found += [
            listing.entry(
                kind="next_step",
                date=step.created_at,
                author=step.created_by,
                level=step.visibility,
                row=step,
                fields=["text"],
            )
            for step in NextStep.objects.filter(request=request).select_related("created_by")
        ]
        found += [
            listing.entry(
                kind="final_reflection",
                date=reflection.written_at,
                author=reflection.written_by,
                level=reflection.visibility,
                row=reflection,
                fields=["text"],
            )
            for reflection in FinalReflection.objects.filter(request=request).select_related(
                "written_by"
            )
        ]
        # The Kontrakt has no level: the participants and the coordination read it.
        reads_kontrakt = bool(sides & {Side.SCHOOL, Side.SUPPORTER, Side.COORDINATOR})
        found += [
            listing.entry(
                kind=f"kontrakt_version_{agreement.version}",
                date=agreement.created_at,
                author=agreement.created_by,
                level=None,
                row=agreement,
                fields=["participants", "goals", "resources", "methods", "confidentiality"],
                readable=reads_kontrakt,
            )
            for agreement in Agreement.objects.filter(request=request).select_related("created_by")
        ]
        found += [
            listing.entry(
                kind="document",
                date=document.created_at,
                author=document.uploaded_by,
                level=document.visibility,
                row=document,
                fields=[],
                file=True,
            )
            for document in Attachment.objects.filter(
                request=request, mail__isnull=True
            ).select_related("uploaded_by")
        ]
    return [entry for entry in found if entry is not None]
