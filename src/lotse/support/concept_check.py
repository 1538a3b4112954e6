"""Synergie's anonymisation check of a concept (the services and pages use it).

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

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from lotse.core.models import Person, Role
from lotse.support.models import (
    Acceptance,
    Agreement,
    Concept,
    Proposal,
    SupportRequest,
    TimelineEvent,
)

Status = Concept.Status
# Concepts still in the hands of the school and the reviewers (never in the library).
PENDING = (Status.SUBMITTED, Status.RETURNED)
TEXT_FIELDS = ("topic", "what_was_done", "what_helped")


# What the school consents to; the service stores the text as it was shown.
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
    # After the places: a part of the school's name that is its town ("125. Grundschule
    # Dresden") is labelled as the town (one term per text, the first kind wins).
    if school is not None:
        terms += _name_terms(school.name, Kind.SCHOOL)
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


# --- services --------------------------------------------------------------------------------
