"""Who reads which confidential entry of a request: the rules of docs/decisions/0003.

A request's notes, meeting records and documents each have a level (`Visibility`):

- participants: the school's contacts and the supporters who accepted the request;
- coordination: the participants and the coordinators of the request's site;
- released: as coordination, and the organisation's coordinators and admins for the purpose
  the school named (they read it on the organisation's page of releases, not on the request).

The author of an entry always reads it, and so does the person a note is addressed to. A
supporter whose proposal is still open reads the request's own text and its events without a
note, but no entry, until they accept. The selectors turn these rules into query conditions
(`readable_q`), so hidden content never leaves the database; the services use `default_for`,
`may_choose` and the audience helpers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lotse.core.models import Person, Role
from lotse.support.models import Proposal, SupportRequest, Visibility
from lotse.support.workflow import Side

ALL_LEVELS = frozenset(Visibility)

PLACEHOLDER = _("Confidential entry – for the participants only")
PLACEHOLDERS: dict[str, str | Promise] = {
    Visibility.PARTICIPANTS: PLACEHOLDER,
    Visibility.COORDINATION: _("Confidential entry – for the participants and the coordination"),
    Visibility.RELEASED: _("Confidential entry – released by the school for a named purpose"),
}


def levels_for(sides: Collection[Side]) -> frozenset[str]:
    """The levels a person reads on a request, from how they stand to it."""
    if Side.SCHOOL in sides or Side.SUPPORTER in sides:
        return ALL_LEVELS
    if Side.COORDINATOR in sides:
        return frozenset({Visibility.COORDINATION, Visibility.RELEASED})
    return frozenset()


def readable_q(
    person: Person, sides: Collection[Side], *, author: str, addressee: str | None = None
) -> Q:
    """The condition under which a row's content is readable by the person.

    `author` (and `addressee`) name the row's person fields; events without a note have no
    level and are for everyone who sees the request."""
    levels = levels_for(sides)
    q = Q(**{author: person.pk})
    if levels:
        q |= Q(visibility__in=sorted(levels))
    if addressee is not None:
        q |= Q(visibility__isnull=True) | Q(**{addressee: person.pk})
    return q


def default_for(sides: Collection[Side]) -> Visibility:
    """The level an entry gets when its author does not choose one.

    The school's and the supporters' entries stay among the participants; a coordinator is no
    participant, so their own entries are for the coordination (they would not reach the school
    otherwise)."""
    if Side.SCHOOL in sides or Side.SUPPORTER in sides:
        return Visibility.PARTICIPANTS
    return Visibility.COORDINATION


def reader_role(sides: Collection[Side]) -> str:
    """The role under which a person reads a request, for the access log."""
    if Side.SCHOOL in sides:
        return Role.Kind.SCHOOL_CONTACT
    if Side.COORDINATOR in sides:
        return Role.Kind.COORDINATOR
    return Role.Kind.SUPPORTER


# --- who can see what, by name -------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    person: Person
    role: str | Promise


@dataclass(frozen=True)
class Audience:
    """The people who read a request's content now, per level, computed from roles and proposals.

    Each list holds only the people a level adds to the one before it."""

    school: tuple[Reader, ...]
    supporters: tuple[Reader, ...]  # accepted
    proposed: tuple[Reader, ...]  # still deciding: the request text, no entries
    coordinators: tuple[Reader, ...]  # of the request's site
    organisation_staff: tuple[Reader, ...]  # other coordinators and the admins: released only

    @property
    def participants(self) -> tuple[Reader, ...]:
        return self.school + self.supporters

    @property
    def coordination(self) -> tuple[Reader, ...]:
        return self.participants + self.coordinators

    @property
    def request_readers(self) -> tuple[Reader, ...]:
        """Everyone who opens the request: its text and the steps without notes."""
        return self.coordination + self.proposed

    def people(self, level: str) -> set[int]:
        """The ids of everyone who reads entries of this level on the request page."""
        readers = list(self.participants)
        if level in (Visibility.COORDINATION, Visibility.RELEASED):
            readers += self.coordinators
        return {r.person.pk for r in readers}


def audience(request: SupportRequest, proposals: Iterable[Proposal]) -> Audience:
    """Everyone who reads the request's content, in one query (the proposals are loaded)."""
    kind = Role.Kind
    wanted = Q(kind__in=[kind.COORDINATOR, kind.ADMIN])
    if request.school_id is not None:
        wanted |= Q(kind=kind.SCHOOL_CONTACT, school_id=request.school_id)
    roles = (
        Role.objects.filter(wanted, organisation_id=request.organisation_id, person__is_active=True)
        .annotate(
            on_site=Exists(
                Role.sites.through.objects.filter(role_id=OuterRef("pk"), site_id=request.site_id)
            )
        )
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    school: dict[int, Reader] = {}
    coordinators: dict[int, Reader] = {}
    staff: dict[int, Reader] = {}
    for role in roles:
        reader = Reader(role.person, role.get_kind_display())
        if role.kind == kind.SCHOOL_CONTACT:
            school.setdefault(role.person_id, reader)
        elif role.kind == kind.COORDINATOR and role.on_site:
            coordinators.setdefault(role.person_id, reader)
        else:
            staff.setdefault(role.person_id, reader)
    supporters = {
        p.supporter_id: Reader(p.supporter, _("Supporter"))
        for p in proposals
        if p.status == Proposal.Status.ACCEPTED
    }
    proposed = {
        p.supporter_id: Reader(p.supporter, _("Supporter (proposed)"))
        for p in proposals
        if p.status == Proposal.Status.PROPOSED
    }
    seen = set(school) | set(supporters) | set(coordinators)
    return Audience(
        school=tuple(school.values()),
        supporters=tuple(supporters.values()),
        proposed=tuple(r for pk, r in proposed.items() if pk not in seen),
        coordinators=tuple(r for pk, r in coordinators.items() if pk not in school),
        organisation_staff=tuple(r for pk, r in staff.items() if pk not in seen),
    )


# --- mails --------------------------------------------------------------------------------


def mail_may_carry(
    level: str | None,
    *,
    recipients: Iterable[str],
    allowed: Iterable[str],
) -> bool:
    """Whether a mail may quote an entry of this level to these recipients.

    Every mail about a request is also readable in the outbox by the coordinators of its site,
    so content at the participants' level never goes into a mail. Otherwise every recipient must
    be one of the `allowed` addresses (those who read the entry)."""
    if level not in (Visibility.COORDINATION, Visibility.RELEASED):
        return False
    allowed_set = {a.lower() for a in allowed}
    return all(r.lower() in allowed_set for r in recipients)
