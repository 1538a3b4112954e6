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
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lotse.core import privacy
from lotse.core.privacy import Subject
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


def _mail_erase(rows: QuerySet[InboundMail], subject: Subject) -> int:
    return strip_mails(rows)


def register() -> None:
    """Register the support process's models; called from `SupportConfig.ready()`."""
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
    privacy.register(InboundMail, text_fields=["sender"], erase=_mail_erase)
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
