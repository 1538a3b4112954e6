"""Synergie: the school releases an anonymised summary (a concept) of a completed accompaniment.

The way of a concept: the school writes it and consents (SUBMITTED) → a reviewer of the
organisation (its admins, the coordinators of the request's site) checks that it names no
person, school or place and publishes it (PUBLISHED, in the library) or returns it with a note
(RETURNED; the school revises and submits again). The school may withdraw its consent at any
time, also after publication (WITHDRAWN); the concept leaves the library at once.

The anonymisation check (`identifying_terms`, `findings`) is pure: it finds what names the
school, its place and the people involved, and generic identifiers (addresses, phone numbers,
"Frau Müller", "84. Grundschule"). What it finds must be removed, or confirmed as harmless by
whoever submits or publishes; nothing is published while a finding is unresolved.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lotse.catalog.models import QualityArea
from lotse.core import roles
from lotse.core.models import Organisation, Person, Role, School
from lotse.support import timeline, workflow
from lotse.support.models import (
    Acceptance,
    Agreement,
    Concept,
    Proposal,
    State,
    SupportRequest,
    TimelineEvent,
)
from lotse.support.services import _lock, _mail, coordinator_addresses, school_addresses
from lotse.support.workflow import Side, WorkflowError

Status = Concept.Status
# Concepts still in the hands of the school and the reviewers (never in the library).
PENDING = (Status.SUBMITTED, Status.RETURNED)
TEXT_FIELDS = ("topic", "what_was_done", "what_helped")

CONSENT_TEXT = gettext_lazy(
    "We agree that this summary, once a reviewer of the organisation has checked it, is shown "
    "in the organisation's library of concepts to all schools, supporters and coordinators of "
    "the organisation. It names neither our school nor any person or place. We can withdraw "
    "this consent at any time; the concept then leaves the library at once."
)


# --- the anonymisation check (pure) ----------------------------------------------------------


class Kind:
    """What a finding is; the label tells the reader why it was found."""

    SCHOOL = "school"
    PLACE = "place"
    PERSON = "person"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    ADDRESS = "address"  # a form of address: "Frau Müller", "Dr. Özdemir"
    SCHOOL_NAME = "school_name"  # a school named by pattern: "Grundschule am Park"


KIND_LABELS: dict[str, str | Promise] = {
    Kind.SCHOOL: gettext_lazy("Name of the school"),
    Kind.PLACE: gettext_lazy("Place"),
    Kind.PERSON: gettext_lazy("Person involved"),
    Kind.EMAIL: gettext_lazy("E-mail address"),
    Kind.PHONE: gettext_lazy("Phone number"),
    Kind.URL: gettext_lazy("Web address"),
    Kind.ADDRESS: gettext_lazy("Person addressed by name"),
    Kind.SCHOOL_NAME: gettext_lazy("Name of a school"),
}


@dataclass(frozen=True)
class Term:
    """A word or phrase that identifies the school, its place or a person involved."""

    text: str
    kind: str


@dataclass(frozen=True)
class Finding:
    """One occurrence of an identifier in a text: `text == source[start:end]` (source in NFC)."""

    start: int
    end: int
    text: str
    kind: str

    @property
    def key(self) -> str:
        """The same identifier wherever and however (case, spacing) it occurs."""
        return key_of(self.text)

    @property
    def label(self) -> str | Promise:
        return KIND_LABELS.get(self.kind, self.kind)


def key_of(text: str) -> str:
    return " ".join(normalise(text).casefold().split())


def normalise(text: str) -> str:
    """NFC, so a decomposed umlaut (u + combining diaeresis) is the same letter as ü."""
    return unicodedata.normalize("NFC", text)


# Words of a school's or site's name that name no particular school or place.
_GENERIC = frozenset(
    """
    schule grundschule oberschule mittelschule realschule hauptschule gesamtschule förderschule
    gemeinschaftsschule berufsschule stadtteilschule ganztagsschule sekundarschule regelschule
    gymnasium schulzentrum berufliches berufliche berufskolleg kolleg internat
    staatliche staatliches städtische städtisches evangelische evangelisches katholische
    katholisches freie freies private privates integrierte integrierter kooperative igs kgs
    und am an der die das dem den des im in zu zur zum bei auf für von vom mit st
    standort regionalstelle regionalgruppe region landkreis kreis stadt bezirk schulbezirk
    landesamt schulamt außenstelle
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_SEPARATORS = re.compile(r"[\s\-–/.,;:()\"'„“]+")
_HOUSE_NUMBER = re.compile(r"\s*\d+\s*[a-zA-Z]?(?:\s*[-–/]\s*\d+\s*[a-zA-Z]?)?\s*$")
# Suffixes of inflected or derived forms: "Pirnas", "Pirnaer", "Müllers", "Leipzigerin".
_SUFFIX = r"(?:s|es|n|e|er|ern|ers|erin|erinnen|isch|ische|ischen|ischer|isches)?"
_UMLAUTS = {"ä": "(?:ä|ae)", "ö": "(?:ö|oe)", "ü": "(?:ü|ue)", "ß": "(?:ß|ss)"}
_MIN_LENGTH = 2


def _parts(name: str) -> list[str]:
    """The distinctive words of a name: "Grundschule am Park" → ["Park"]."""
    return [
        part
        for part in _SEPARATORS.split(name)
        if len(part) >= 3 and part.casefold() not in _GENERIC and not part.isdigit()
    ]


def _name_terms(name: str, kind: str) -> list[Term]:
    name = name.strip()
    if not name:
        return []
    return [Term(name, kind), *(Term(part, kind) for part in _parts(name))]


def _person_terms(
    *, first_name: str = "", last_name: str = "", email: str = "", phone: str = ""
) -> list[Term]:
    full = f"{first_name} {last_name}".strip()
    terms = [Term(text, Kind.PERSON) for text in (full, first_name, last_name) if text.strip()]
    terms += [Term(p, Kind.PERSON) for p in _parts(full)]
    if email.strip():
        terms.append(Term(email.strip(), Kind.EMAIL))
    if phone.strip():
        terms.append(Term(phone.strip(), Kind.PHONE))
    return terms


def people_involved(request: SupportRequest) -> QuerySet[Person]:
    """Everyone who took part: the school's contacts, the sender, supporters (also proposed
    ones), everyone who acted in the timeline or in the Kontrakt."""
    q = Q(pk__in=[])
    if request.school_id is not None:
        q |= Q(
            roles__kind=Role.Kind.SCHOOL_CONTACT,
            roles__school_id=request.school_id,
            roles__organisation_id=request.organisation_id,
        )
    q |= Q(pk__in=SupportRequest.objects.filter(pk=request.pk).values("submitted_by"))
    q |= Q(pk__in=Proposal.objects.filter(request=request).values("supporter"))
    q |= Q(pk__in=Proposal.objects.filter(request=request).values("proposed_by"))
    q |= Q(pk__in=TimelineEvent.objects.filter(request=request).values("actor"))
    q |= Q(pk__in=Agreement.objects.filter(request=request).values("created_by"))
    q |= Q(pk__in=Acceptance.objects.filter(agreement__request=request).values("person"))
    return Person.objects.filter(q).distinct()


def identifying_terms(request: SupportRequest) -> list[Term]:
    """What must not appear in a concept of this request: the school's name and its
    distinctive parts, its town, street and district, the site, the people involved with their
    addresses and phone numbers."""
    terms: list[Term] = []
    school = request.school
    if school is not None:
        terms += _name_terms(school.name, Kind.SCHOOL)
        terms += _name_terms(school.city, Kind.PLACE)
        street = _HOUSE_NUMBER.sub("", school.street).strip()
        if street:
            terms.append(Term(street, Kind.PLACE))
        if school.postcode.strip():
            terms.append(Term(school.postcode.strip(), Kind.PLACE))
        if school.district is not None:
            terms += _name_terms(school.district.name, Kind.PLACE)
        terms += [Term(school.email, Kind.EMAIL)] if school.email else []
        terms += [Term(school.phone, Kind.PHONE)] if school.phone else []
        if school.homepage:
            host = re.sub(r"^https?://(www\.)?", "", school.homepage).split("/")[0]
            terms.append(Term(host, Kind.URL))
    terms += _name_terms(request.site.name, Kind.PLACE)
    for person in people_involved(request):
        terms += _person_terms(
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            phone=person.phone,
        )
    contact = request.contact_name.strip()
    if contact:
        terms += [Term(contact, Kind.PERSON), *(Term(p, Kind.PERSON) for p in _parts(contact))]
    terms += _person_terms(email=request.contact_email, phone=request.contact_phone)
    # One term per text, the first (most specific) kind wins.
    unique: dict[str, Term] = {}
    for term in terms:
        text = normalise(term.text.strip())
        if len(text) >= _MIN_LENGTH and key_of(text) not in unique:
            unique[key_of(text)] = Term(text, term.kind)
    return list(unique.values())


def _term_pattern(text: str) -> str:
    """A pattern for the term: any case, ä also as ae, any spacing, inflected forms."""
    pattern = ""
    for char in normalise(text).lower():
        if char in _UMLAUTS:
            pattern += _UMLAUTS[char]
        elif char.isspace():
            pattern += r"\s+" if not pattern.endswith(r"\s+") else ""
        else:
            pattern += re.escape(char)
    if text[-1:].isalpha():
        alternatives = [pattern + _SUFFIX]
        # Dresden → Dresdner, München → Münchner, Bremen → Bremer.
        if text.casefold().endswith("en") and len(text) > 4:
            alternatives.append(pattern[:-2] + r"n?er(?:s|n|in|innen|e|es|en)?")
        pattern = "(?:" + "|".join(alternatives) + ")"
    return r"(?<!\w)" + pattern + r"(?!\w)"


@lru_cache(maxsize=256)
def _compiled(terms: tuple[Term, ...]) -> list[tuple[re.Pattern[str], str]]:
    # Longer terms first, so "Grundschule am Park" wins over "Park" at the same place.
    ordered = sorted(terms, key=lambda t: -len(t.text))
    return [(re.compile(_term_pattern(t.text), re.IGNORECASE), t.kind) for t in ordered]


_SCHOOL_WORD = r"\w*(?i:schule|gymnasium|schulzentrum)(?!\w)"
_CAPITALISED = r"[A-ZÄÖÜ][\w-]*"
GENERIC_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE), Kind.EMAIL),
    (re.compile(r"(?i:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)]"), Kind.URL),
    (
        re.compile(
            r"(?<![\w@./-])(?:[\w-]+\.)+(?i:de|com|org|net|eu|info|edu|schule)"
            r"(?:/[^\s<>\"]*[^\s<>\".,;:!?)])?(?![\w-])"
        ),
        Kind.URL,
    ),
    (
        re.compile(
            r"(?<![\w+])(?:\+\d{1,3}[\s/-]?(?:\(0\)\s?)?|\(?0)\d{2,5}\)?(?:[\s/-]{0,3}\d){4,}(?!\w)"
        ),
        Kind.PHONE,
    ),
    # "Frau Müller", "Herrn Dr. Özdemir", "Fr. Schmidt-Lange"
    (
        re.compile(
            r"(?<!\w)(?:Herrn?|Frau|Hr\.|Fr\.)\s+"
            r"(?:(?:Dr|Prof)\.\s*(?:(?:med|phil|rer\. nat)\.\s*)?)*" + _CAPITALISED
        ),
        Kind.ADDRESS,
    ),
    (re.compile(r"(?<!\w)(?:Dr|Prof)\.\s*" + _CAPITALISED), Kind.ADDRESS),
    # "84. Grundschule", "2. Oberschule Dresden"
    (
        re.compile(r"(?<![\w.])\d{1,3}\.\s*" + _SCHOOL_WORD + r"(?:\s+" + _CAPITALISED + ")?"),
        Kind.SCHOOL_NAME,
    ),
    # "Erich-Kästner-Schule", "Goethe-Gymnasium"
    (
        re.compile(r"(?<!\w)(?:[A-ZÄÖÜ]\w*-)+(?i:\w*schule|gymnasium|schulzentrum)(?!\w)"),
        Kind.SCHOOL_NAME,
    ),
    # "Grundschule am Park in Pirna", "Oberschule Pirna", "Gymnasium an der Elbe"
    (
        re.compile(
            r"(?<!\w)"
            + _SCHOOL_WORD
            + r"\s+(?:(?:am|an\s+der|an\s+den|im|in\s+der|in|zu|zum|zur|auf\s+der|bei)\s+)?"
            + _CAPITALISED
            + r"(?:\s+(?:in|bei)\s+"
            + _CAPITALISED
            + ")?"
        ),
        Kind.SCHOOL_NAME,
    ),
]


def findings(text: str, terms: Iterable[Term]) -> list[Finding]:
    """Every occurrence of the terms (any case, umlauts also as ae/oe/ue, inflected) and of
    generic identifiers in the text, sorted and without overlaps (the longer one wins)."""
    text = normalise(text)
    candidates: list[Finding] = []
    for pattern, kind in [*_compiled(tuple(terms)), *GENERIC_PATTERNS]:
        for match in pattern.finditer(text):
            if match.end() > match.start():
                candidates.append(Finding(match.start(), match.end(), match.group(), kind))
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start)))
    result: list[Finding] = []
    for finding in candidates:
        if result and finding.start < result[-1].end:
            continue
        result.append(finding)
    return result


def highlight(text: str, found: Sequence[Finding]) -> SafeString:
    """The text as HTML with each finding in a <mark>."""
    text = normalise(text)
    out: list[str] = []
    position = 0
    for finding in found:
        out.append(escape(text[position : finding.start]))
        out.append(f'<mark class="lotse-finding">{escape(finding.text)}</mark>')
        position = finding.end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


@dataclass(frozen=True)
class Check:
    """The findings of one concept's texts: per field, and the distinct ones to resolve."""

    by_field: dict[str, list[Finding]]

    @property
    def distinct(self) -> list[Finding]:
        seen: dict[str, Finding] = {}
        for found in self.by_field.values():
            for finding in found:
                seen.setdefault(finding.key, finding)
        return list(seen.values())

    def unresolved(self, harmless: Collection[str]) -> list[Finding]:
        keys = {key_of(k) for k in harmless}
        return [f for f in self.distinct if f.key not in keys]


def check_texts(texts: dict[str, str], terms: Iterable[Term]) -> Check:
    terms = tuple(terms)
    return Check({name: findings(value, terms) for name, value in texts.items()})


def check_concept(concept: Concept, terms: Iterable[Term] | None = None) -> Check:
    """The findings in a concept, against its request's terms (none once it has no request)."""
    if terms is None:
        terms = identifying_terms(concept.request) if concept.request is not None else []
    return check_texts({name: getattr(concept, name) for name in TEXT_FIELDS}, terms)


# --- who may do what ------------------------------------------------------------------------


def is_reviewer(person: Person, concept: Concept) -> bool:
    """The organisation's admins and the coordinators of the request's site review."""
    organisation = concept.organisation
    if roles.has_role(person, roles.Kind.ADMIN, organisation):
        return True
    if concept.request is None or not roles.has_role(person, roles.Kind.COORDINATOR, organisation):
        return False
    return concept.request.site_id in roles.coordinated_site_ids(person)


def release_refusal(request: SupportRequest, person: Person) -> str | Promise | None:
    """Why the person may not release a concept of this request, or None if they may."""
    if Side.SCHOOL not in workflow.sides(request, person):
        return _("Only the school may release a concept of its accompaniment.")
    if request.state != State.COMPLETED:
        return _("A concept can be released once the accompaniment is completed.")
    return None


def reviewer_role(person: Person, organisation: Organisation) -> str:
    """The role a reviewer reads in, for the access log."""
    if roles.has_role(person, roles.Kind.ADMIN, organisation):
        return roles.Kind.ADMIN
    return roles.Kind.COORDINATOR


def reviewer_addresses(request: SupportRequest) -> list[str]:
    """The organisation's admins and the coordinators of the request's site."""
    admins = Role.objects.filter(
        kind=Role.Kind.ADMIN, organisation_id=request.organisation_id, person__is_active=True
    ).values_list("person__email", flat=True)
    return sorted({*admins, *coordinator_addresses(request)})


def review_queue(*, person: Person, organisation: Organisation) -> QuerySet[Concept]:
    """Concepts waiting for this person's review, oldest first; no content is loaded."""
    rows = Concept.objects.filter(organisation=organisation, status=Status.SUBMITTED)
    if not roles.has_role(person, roles.Kind.ADMIN, organisation):
        rows = rows.filter(request__site_id__in=roles.coordinated_site_ids(person))
    return rows.defer(*TEXT_FIELDS, "review_note").order_by("consent_at", "pk")


def _published(person: Person, area: QualityArea | None) -> QuerySet[Concept]:
    rows = (
        Concept.objects.filter(
            organisation_id__in=roles.organisation_ids(person), status=Status.PUBLISHED
        )
        .defer("review_note")
        .prefetch_related("quality_areas")
        .order_by("-published_at", "-pk")
    )
    return rows.filter(quality_areas=area) if area is not None else rows


def _matching(concepts: Iterable[Concept], search: str) -> list[Concept]:
    words = search.casefold().split()

    # The texts are encrypted: the search runs on the decrypted texts, here.
    def matches(concept: Concept) -> bool:
        haystack = " ".join(
            [concept.school_form, *(getattr(concept, f) for f in TEXT_FIELDS)]
        ).casefold()
        return all(word in haystack for word in words)

    return [c for c in concepts if matches(c)]


def library(*, person: Person, area: QualityArea | None = None, search: str = "") -> list[Concept]:
    """Published concepts of the person's organisations (filtered by area and words)."""
    concepts = list(_published(person, area))
    return _matching(concepts, search) if search.split() else concepts


LIBRARY_PAGE = 25


def library_page(
    *, person: Person, area: QualityArea | None = None, search: str = "", page: str | None = None
) -> Page[Concept]:
    """One page of the library. Without search words only the page's topics are decrypted;
    a search has to read every published concept's texts."""
    if search.split():
        return Paginator(library(person=person, area=area, search=search), LIBRARY_PAGE).get_page(
            page
        )
    rows = _published(person, area).defer("what_was_done", "what_helped")
    return Paginator(rows, LIBRARY_PAGE).get_page(page)


def published_concept(*, person: Person, pk: int) -> Concept | None:
    """One concept of the library, or None (another organisation's, or not published)."""
    return (
        Concept.objects.filter(
            pk=pk, organisation_id__in=roles.organisation_ids(person), status=Status.PUBLISHED
        )
        .defer("review_note")
        .prefetch_related("quality_areas")
        .first()
    )


# --- services --------------------------------------------------------------------------------


def _review_url(concept: Concept) -> str:
    return (
        f"{settings.BASE_URL}/organisation/{concept.organisation.slug}/konzepte/pruefen/"
        f"{concept.pk}/"
    )


def _texts(topic: str, what_was_done: str, what_helped: str) -> dict[str, str]:
    texts = {
        "topic": normalise(topic).strip(),
        "what_was_done": normalise(what_was_done).strip(),
        "what_helped": normalise(what_helped).strip(),
    }
    if not all(texts.values()):
        raise WorkflowError(_("Please fill in the topic, what was done and what helped."))
    return texts


def _refuse_unresolved(unresolved: Sequence[Finding]) -> None:
    if unresolved:
        raise WorkflowError(
            _(
                "The texts still contain what could identify the school or a person: "
                "%(found)s. Please remove it or confirm that it identifies no one."
            )
            % {"found": ", ".join(f"„{f.text}“" for f in unresolved)}
        )


@transaction.atomic
def concept_submit(
    *,
    request: SupportRequest,
    by: Person,
    topic: str,
    what_was_done: str,
    what_helped: str,
    quality_areas: Iterable[QualityArea] = (),
    school_form: str = "",
    consent: bool,
    harmless: Collection[str] = (),
) -> Concept:
    """The school releases a summary of its completed accompaniment for review (or submits a
    returned one again); it must consent, and resolve every finding of the check."""
    request = _lock(request)
    # Not a transition of workflow.TRANSITIONS: a completed request is final, its state stays.
    reason = release_refusal(request, by)
    if reason is not None:
        raise WorkflowError(reason)
    if not consent:
        raise WorkflowError(_("Without your consent nothing is released."))
    texts = _texts(topic, what_was_done, what_helped)
    if school_form and school_form not in School.Type.values:
        raise WorkflowError(_("Please choose a school form from the list."))
    areas = list(quality_areas)
    if any(area.organisation_id != request.organisation_id for area in areas):
        raise WorkflowError(_("The selection does not belong to your organisation."))
    _refuse_unresolved(check_texts(texts, identifying_terms(request)).unresolved(harmless))
    pending = list(Concept.objects.select_for_update().filter(request=request, status__in=PENDING))
    if any(c.status == Status.SUBMITTED for c in pending):
        raise WorkflowError(_("A concept of this request is already waiting for review."))
    concept = pending[0] if pending else Concept(organisation=request.organisation, request=request)
    for name, value in texts.items():
        setattr(concept, name, value)
    concept.school_form = school_form
    concept.status = Status.SUBMITTED
    concept.consent_text = str(CONSENT_TEXT)
    concept.consent_by = by
    concept.consent_at = timezone.now()
    concept.reviewed_by = None
    concept.reviewed_at = None
    concept.save()
    concept.quality_areas.set(areas)
    timeline.record(request, "concept_resubmitted" if pending else "concept_submitted", by=by)
    _mail(
        request,
        "concept_submitted",
        reviewer_addresses(request),
        review_url=_review_url(concept),
    )
    return concept


def _lock_concept(concept: Concept) -> Concept:
    return (
        Concept.objects.select_for_update(of=("self",))
        .select_related("organisation", "request__site", "request__school")
        .get(pk=concept.pk)
    )


def _reviewable(concept: Concept, by: Person) -> Concept:
    concept = _lock_concept(concept)
    if not is_reviewer(by, concept):
        raise WorkflowError(_("Only the organisation's reviewers may do this."))
    if concept.status != Status.SUBMITTED or concept.request is None:
        raise WorkflowError(_("This concept is not waiting for review."))
    return concept


@transaction.atomic
def concept_edit(
    *, concept: Concept, by: Person, topic: str, what_was_done: str, what_helped: str
) -> Concept:
    """A reviewer removes identifiers from the texts (the concept stays in review)."""
    concept = _reviewable(concept, by)
    for name, value in _texts(topic, what_was_done, what_helped).items():
        setattr(concept, name, value)
    concept.save(update_fields=list(TEXT_FIELDS))
    return concept


@transaction.atomic
def concept_publish(
    *,
    concept: Concept,
    by: Person,
    topic: str | None = None,
    what_was_done: str | None = None,
    what_helped: str | None = None,
    harmless: Collection[str] = (),
) -> Concept:
    """A reviewer publishes the concept (with their edits) into the library; refused while a
    finding remains that the reviewer has not marked as identifying no one."""
    concept = _reviewable(concept, by)
    assert concept.request is not None
    texts = _texts(
        concept.topic if topic is None else topic,
        concept.what_was_done if what_was_done is None else what_was_done,
        concept.what_helped if what_helped is None else what_helped,
    )
    for name, value in texts.items():
        setattr(concept, name, value)
    _refuse_unresolved(check_concept(concept).unresolved(harmless))
    now = timezone.now()
    concept.status = Status.PUBLISHED
    concept.reviewed_by, concept.reviewed_at, concept.published_at = by, now, now
    concept.review_note = ""
    concept.save()
    timeline.record(concept.request, "concept_published", by=by)
    _mail(concept.request, "concept_published", school_addresses(concept.request))
    return concept


@transaction.atomic
def concept_return(*, concept: Concept, by: Person, note: str) -> Concept:
    """A reviewer returns the concept to the school with a note on what to change."""
    note = note.strip()
    if not note:
        raise WorkflowError(_("Please tell the school what to change."))
    concept = _reviewable(concept, by)
    assert concept.request is not None
    concept.status = Status.RETURNED
    concept.review_note = note
    concept.reviewed_by, concept.reviewed_at = by, timezone.now()
    concept.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    timeline.record(concept.request, "concept_returned", by=by)
    _mail(concept.request, "concept_returned", school_addresses(concept.request))
    return concept


def may_withdraw(person: Person, concept: Concept) -> bool:
    """The school of the request withdraws; once retention has cut the link to the request,
    the person who gave the consent still can."""
    if concept.status == Status.WITHDRAWN:
        return False
    if concept.request is not None:
        return Side.SCHOOL in workflow.sides(concept.request, person)
    return concept.consent_by_id == person.pk


@transaction.atomic
def concept_withdraw(*, concept: Concept, by: Person) -> Concept:
    """The school withdraws its consent, at any time; the concept leaves the library at once."""
    concept = _lock_concept(concept)
    if concept.status == Status.WITHDRAWN:
        raise WorkflowError(_("The consent is already withdrawn."))
    if not may_withdraw(by, concept):
        raise WorkflowError(_("Only the school may withdraw its consent."))
    concept.status = Status.WITHDRAWN
    concept.withdrawn_at = timezone.now()
    concept.save(update_fields=["status", "withdrawn_at"])
    if concept.request is not None:
        timeline.record(concept.request, "concept_withdrawn", by=by)
    return concept


def school_form_label(concept: Concept) -> str:
    """The school form as the library shows it ("" when not stated)."""
    if concept.school_form in School.Type.values:
        return str(School.Type(concept.school_form).label)
    return concept.school_form


def section(request: SupportRequest, sides: Collection[Side]) -> dict[str, object] | None:
    """The school's part "Erfahrungen teilen (Synergie)" of the request page, or None."""
    if request.state != State.COMPLETED or Side.SCHOOL not in sides:
        return None
    concepts = concepts_of(request)
    return {
        "concepts": concepts,
        "can_write": not any(c.status == Status.SUBMITTED for c in concepts),
        "returned": next((c for c in concepts if c.status == Status.RETURNED), None),
    }


def concepts_of(request: SupportRequest) -> list[Concept]:
    """The concepts of a request, newest first, for the school's section of the request page."""
    return list(
        Concept.objects.filter(request=request)
        .select_related("reviewed_by")
        .order_by("-consent_at", "-pk")
    )


def organisation_reviews(person: Person) -> list[tuple[Organisation, int]]:
    """For the navigation: each organisation the person reviews in, with the count waiting."""
    organisation_ids = roles.organisation_ids(person, roles.Kind.ADMIN, roles.Kind.COORDINATOR)
    if not organisation_ids:
        return []
    waiting = Concept.objects.filter(status=Status.SUBMITTED, organisation_id__in=organisation_ids)
    admin_ids = roles.organisation_ids(person, roles.Kind.ADMIN)
    waiting = waiting.filter(
        Q(organisation_id__in=admin_ids)
        | Q(request__site_id__in=roles.coordinated_site_ids(person))
    )
    counts: dict[int, int] = {}
    for organisation_id in waiting.values_list("organisation_id", flat=True):
        counts[organisation_id] = counts.get(organisation_id, 0) + 1
    organisations = Organisation.objects.filter(pk__in=organisation_ids).only("slug", "name")
    return [(o, counts.get(o.pk, 0)) for o in organisations]
