"""The support process of DESIGN.md §3 as a declarative transition table.

Each action names the states it may start from, the state it leads to, the sides that may take it
and an optional guard. Services call `check()` first; a refused transition raises `WorkflowError`
whose message the views show in German.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lotse.core import roles
from lotse.core.models import Person
from lotse.lib.errors import Refused
from lotse.support.models import (
    OPEN_STATES,
    Acceptance,
    Agreement,
    FinalReflection,
    Meeting,
    Proposal,
    State,
    SupportRequest,
)


class Side(StrEnum):
    """How a person stands to one request."""

    SCHOOL = "school"
    COORDINATOR = "coordinator"
    SUPPORTER = "supporter"  # a supporter who accepted the proposal
    PROPOSED = "proposed"  # a supporter proposed but not yet decided


class WorkflowError(Refused):
    """A transition that is not allowed; the message is shown to the user."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message)


Guard = Callable[[SupportRequest], "str | Promise | None"]


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    target: str | None  # None: the state stays (e.g. another proposal, a new meeting date)
    sides: frozenset[Side]
    guard: Guard | None = None
    # Sources in which the step leaves the state as it is (a supporter proposed again for a
    # running process: the process goes on where it stood).
    stays_in: frozenset[str] = frozenset()


def _both_accepted_latest(request: SupportRequest) -> str | Promise | None:
    latest = Agreement.objects.filter(request=request).order_by("-version").first()
    if latest is None:
        return _("There is no Kontrakt draft yet.")
    accepted = set(Acceptance.objects.filter(agreement=latest).values_list("side", flat=True))
    if accepted != {Acceptance.Side.SCHOOL, Acceptance.Side.SUPPORTER}:
        return _("Both sides must accept the same version of the Kontrakt.")
    return None


def _first_meeting_held(request: SupportRequest) -> str | Promise | None:
    # The first Kontrakt is agreed at or after the first meeting on site, never before it.
    if request.state != State.MEETING_SCHEDULED:
        return None
    meeting = Meeting.objects.filter(request=request).order_by("-starts_at").first()
    if meeting is None or meeting.starts_at > timezone.now():
        return _(
            "The Kontrakt can only become binding once the first meeting on site has taken place."
        )
    return None


def _has_school(request: SupportRequest) -> str | Promise | None:
    if request.school_id is None:
        return _("First assign the school the mail came from.")
    return None


def _may_propose(request: SupportRequest) -> str | Promise | None:
    if (reason := _has_school(request)) is not None:
        return reason
    # A running process gets a supporter again once nobody accompanies it any more (the only
    # supporter's part ended, or they declined): whoever fits, the same person too.
    if (
        request.state in _RUNNING
        and Proposal.objects.filter(
            request=request, status__in=(Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED)
        ).exists()
    ):
        return _("A supporter is involved in this request.")
    return None


def _has_no_school(request: SupportRequest) -> str | Promise | None:
    if request.school_id is not None:
        return _("The school is already assigned.")
    return None


def _has_accepted_supporter(request: SupportRequest) -> str | Promise | None:
    if not Proposal.objects.filter(request=request, status=Proposal.Status.ACCEPTED).exists():
        return _("No supporter has accepted the request yet.")
    return None


def _final_reflection_confirmed(request: SupportRequest) -> str | Promise | None:
    # Only the confirmations: the guard never loads (or decrypts) the reflection's text.
    confirmations = (
        FinalReflection.objects.filter(request=request)
        .values_list("school_confirmed_at", "supporter_confirmed_at")
        .first()
    )
    if confirmations is None:
        return _("First write the joint final reflection.")
    if None in confirmations:
        return _("Both sides must confirm the final reflection.")
    return None


_OPEN = frozenset(OPEN_STATES)
# After the Kontrakt binds: the accompaniment, and amendments to the Kontrakt.
_BOUND = frozenset({State.AGREED, State.ACCOMPANYING})
# After a supporter took the request on, until the process ends.
_RUNNING = frozenset({State.IN_CONTACT, State.MEETING_SCHEDULED}) | _BOUND

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "acknowledge",
            _("Confirm receipt"),
            frozenset({State.RECEIVED}),
            State.ACKNOWLEDGED,
            frozenset({Side.COORDINATOR}),
        ),
        Transition(
            "clarify",
            _("Record clarification"),
            frozenset({State.ACKNOWLEDGED}),
            State.CLARIFIED,
            frozenset({Side.COORDINATOR}),
        ),
        Transition(
            "propose",
            _("Propose supporters"),
            frozenset({State.CLARIFIED, State.SUPPORTERS_PROPOSED}) | _RUNNING,
            State.SUPPORTERS_PROPOSED,
            frozenset({Side.COORDINATOR}),
            _may_propose,
            stays_in=_RUNNING,
        ),
        Transition(
            "first_contact",
            _("Record first contact"),
            frozenset({State.SUPPORTERS_PROPOSED}),
            State.IN_CONTACT,
            frozenset({Side.SUPPORTER}),
            _has_accepted_supporter,
        ),
        # Arranging the meeting comes before giving up on the collaboration (the page lists
        # the actions in this order).
        Transition(
            "schedule",
            _("Schedule the first meeting"),
            frozenset({State.IN_CONTACT, State.MEETING_SCHEDULED}),
            State.MEETING_SCHEDULED,
            frozenset({Side.SUPPORTER}),
        ),
        Transition(
            "no_collaboration",
            _("No collaboration"),
            frozenset({State.IN_CONTACT, State.MEETING_SCHEDULED}),
            State.CLOSED_WITHOUT_AGREEMENT,
            frozenset({Side.SUPPORTER, Side.COORDINATOR}),
        ),
        Transition(
            "draft",
            _("Draft the Kontrakt"),
            frozenset({State.MEETING_SCHEDULED}) | _BOUND,
            None,
            frozenset({Side.SUPPORTER, Side.SCHOOL}),
        ),
        Transition(
            "accept_agreement",
            _("Accept the Kontrakt"),
            frozenset({State.MEETING_SCHEDULED}) | _BOUND,
            None,
            frozenset({Side.SUPPORTER, Side.SCHOOL}),
            _first_meeting_held,
        ),
        Transition(
            "agree",
            _("Kontrakt agreed"),
            frozenset({State.MEETING_SCHEDULED}),
            State.AGREED,
            frozenset({Side.SUPPORTER, Side.SCHOOL}),
            _both_accepted_latest,
        ),
        Transition(
            "start",
            _("Start the accompaniment"),
            frozenset({State.AGREED}),
            State.ACCOMPANYING,
            frozenset({Side.SUPPORTER}),
        ),
        Transition(
            "plan_session",
            _("Plan a session"),
            _BOUND,
            State.ACCOMPANYING,
            frozenset({Side.SUPPORTER, Side.SCHOOL}),
        ),
        Transition(
            "record_session",
            _("Record a session"),
            frozenset({State.ACCOMPANYING}),
            None,
            frozenset({Side.SUPPORTER, Side.SCHOOL}),
        ),
        Transition(
            "next_step",
            _("Agree on a next step"),
            _BOUND,
            None,
            frozenset({Side.SUPPORTER, Side.SCHOOL}),
        ),
        Transition(
            "final_reflection",
            _("Write the final reflection"),
            frozenset({State.ACCOMPANYING}),
            None,
            frozenset({Side.SUPPORTER, Side.SCHOOL}),
        ),
        Transition(
            "complete",
            _("Complete"),
            frozenset({State.ACCOMPANYING}),
            State.COMPLETED,
            frozenset({Side.SUPPORTER, Side.COORDINATOR}),
            _final_reflection_confirmed,
        ),
        Transition(
            "withdraw",
            _("Withdraw the request"),
            _OPEN,
            State.WITHDRAWN,
            frozenset({Side.SCHOOL}),
        ),
        Transition(
            "forward",
            _("Forward"),
            _OPEN,
            State.FORWARDED,
            frozenset({Side.COORDINATOR}),
        ),
        Transition(
            "assign_school",
            _("Assign school"),
            _OPEN,
            None,
            frozenset({Side.COORDINATOR}),
            _has_no_school,
        ),
    ]
}


def sides(request: SupportRequest, person: Person) -> set[Side]:
    """How the person stands to the request; empty for outsiders."""
    if not person.is_authenticated:
        return set()
    result: set[Side] = set()
    if request.school_id in roles.contact_school_ids(person) and roles.has_role(
        person, roles.Kind.SCHOOL_CONTACT, request.organisation
    ):
        result.add(Side.SCHOOL)
    if request.site_id in roles.coordinated_site_ids(person):
        result.add(Side.COORDINATOR)
    statuses = getattr(request, "_proposal_status_cache", None)
    if statuses is None:
        statuses = dict(
            Proposal.objects.filter(request=request).values_list("supporter_id", "status")
        )
        request._proposal_status_cache = statuses  # type: ignore[attr-defined]
    status = statuses.get(person.pk)
    if status == Proposal.Status.ACCEPTED:
        result.add(Side.SUPPORTER)
    elif status == Proposal.Status.PROPOSED:
        result.add(Side.PROPOSED)
    return result


def refusal(request: SupportRequest, action: str, person: Person) -> str | Promise | None:
    """Why the person may not take the action now, or None if they may."""
    transition = TRANSITIONS[action]
    if not sides(request, person) & transition.sides:
        return _("You may not do this for this request.")
    if request.state not in transition.sources:
        return _("This is not possible while the request is “%(state)s”.") % {
            "state": request.get_state_display()
        }
    if transition.guard is not None:
        return transition.guard(request)
    return None


def check(request: SupportRequest, action: str, person: Person) -> Transition:
    """Return the transition if the person may take it now; raise `WorkflowError` otherwise."""
    reason = refusal(request, action, person)
    if reason is not None:
        raise WorkflowError(reason)
    return TRANSITIONS[action]


def next_step(request: SupportRequest) -> str | Promise:
    """What happens next in the process, for the page's "Next step"."""
    if request.state == State.SUPPORTERS_PROPOSED or request.state in _RUNNING:
        statuses = set(Proposal.objects.filter(request=request).values_list("status", flat=True))
        if Proposal.Status.ACCEPTED not in statuses:
            # Nobody has taken the request on (or nobody accompanies it any more): no one can
            # make contact or go on until a proposed supporter accepts.
            if Proposal.Status.PROPOSED in statuses:
                return _("The proposed supporters decide whether they take on the request.")
            return NEXT_STEP[State.CLARIFIED]
    return NEXT_STEP[request.state]


def allowed_actions(request: SupportRequest, person: Person) -> set[str]:
    """The actions the person may take now, for drawing the page."""
    return {a for a in TRANSITIONS if refusal(request, a, person) is None}


NEXT_STEP: dict[str, str | Promise] = {
    State.RECEIVED: _("The regional site confirms receipt of the request."),
    State.ACKNOWLEDGED: _("The regional coordination clarifies the request with the school."),
    State.CLARIFIED: _("The regional coordination selects suitable supporters."),
    State.SUPPORTERS_PROPOSED: _("A supporter gets in touch with the school (first contact)."),
    State.IN_CONTACT: _("Supporter and school arrange the first meeting on site."),
    State.MEETING_SCHEDULED: _(
        "After the first meeting, school and supporter agree on a written Kontrakt."
    ),
    State.AGREED: _("The accompaniment begins as agreed in the Kontrakt."),
    State.ACCOMPANYING: _("The supporter accompanies the school as agreed."),
    State.COMPLETED: _("The support process is completed."),
    State.CLOSED_WITHOUT_AGREEMENT: _("The request was closed without collaboration."),
    State.WITHDRAWN: _("The school withdrew the request."),
    State.FORWARDED: _("The request was forwarded to another body."),
}
