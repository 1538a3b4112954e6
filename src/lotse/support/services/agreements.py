"""The Kontrakt (step 4): drafting a version and accepting it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from lotse.core.models import Person
from lotse.support import agreement_diff, timeline, workflow
from lotse.support.models import (
    Acceptance,
    Agreement,
    Method,
    State,
    SupportRequest,
)
from lotse.support.selectors import requests as request_selectors
from lotse.support.services.base import (
    coordinator_addresses,
    queue_mail,
    request_lock,
    request_move,
    school_addresses,
    supporter_addresses,
)
from lotse.support.workflow import Side, WorkflowError


@transaction.atomic
def agreement_draft(
    *,
    request: SupportRequest,
    by: Person,
    participants: str,
    goals: str,
    starts_on: dt.date,
    ends_on: dt.date,
    place: str,
    frequency: str,
    resources: str = "",
    methods: Sequence[str] = (),
    other_methods: str = "",
    confidentiality: str,
) -> Agreement:
    """Step 4: write a new version of the Kontrakt; earlier acceptances no longer count.

    `methods` are names from the organisation's list of methods (a name the latest version
    holds may stay after the list dropped it); `other_methods` is free text for the rest."""
    if not goals.strip():
        raise WorkflowError(_("A Kontrakt needs at least one goal."))
    if not participants.strip():
        raise WorkflowError(_("A Kontrakt needs its participants."))
    if ends_on < starts_on:
        raise WorkflowError(_("The time span must end after it begins."))
    if not confidentiality.strip():
        raise WorkflowError(_("A Kontrakt needs a confidentiality clause."))
    request = request_lock(request)
    workflow.check(request, "draft", by)
    chosen = _listed_methods(request, methods)
    latest = request.agreements.order_by("-version").values_list("version", flat=True).first()
    agreement = Agreement(
        request=request,
        version=(latest or 0) + 1,
        participants=participants.strip(),
        goals=goals.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        place=place.strip(),
        frequency=frequency.strip(),
        resources=resources.strip(),
        methods="\n".join(chosen),
        other_methods=other_methods.strip(),
        confidentiality=confidentiality.strip(),
        created_by=by,
    )
    # After the Kontrakt binds, a new version is an amendment: the version in force stays in
    # force until both sides accept the new one (a newer proposal replaces an unaccepted one).
    in_force = request_selectors.binding_agreement(request=request)
    if in_force is not None and not agreement_diff.diff(in_force, agreement).has_changes:
        raise WorkflowError(
            _("The proposed change is the same as version %(version)s, which is in force.")
            % {"version": in_force.version}
        )
    agreement.save()
    if in_force is not None:
        # Proposing a change is the proposer's acceptance of it: only the other side's is missing.
        Acceptance.objects.create(agreement=agreement, side=_side(request, by), person=by)
    kind = "agreement_drafted" if in_force is None else "amendment_proposed"
    timeline.record(request, kind, by=by, data={"version": agreement.version})
    queue_mail(
        request,
        kind,
        [*school_addresses(request), *supporter_addresses(request)],
        agreement=agreement,
        in_force=in_force,
    )
    return agreement


@transaction.atomic
def agreement_accept(*, agreement: Agreement, by: Person) -> Agreement:
    """Step 4: one side accepts a Kontrakt version; when both have, it binds."""
    request = request_lock(agreement.request)
    workflow.check(request, "accept_agreement", by)
    latest = request.agreements.order_by("-version").first()
    if latest is None or latest.pk != agreement.pk:
        raise WorkflowError(_("Only the latest version of the Kontrakt can be accepted."))
    side = _side(request, by)
    if Acceptance.objects.filter(agreement=agreement, side=side).exists():
        raise WorkflowError(_("Your side has already accepted this version."))
    Acceptance.objects.create(agreement=agreement, side=side, person=by)
    timeline.record(
        request, "agreement_accepted", by=by, data={"version": agreement.version, "side": side}
    )
    everyone = [
        *school_addresses(request),
        *supporter_addresses(request),
        *coordinator_addresses(request),
    ]
    if workflow.refusal(request, "agree", by) is None:
        request_move(request, "agree", by)
        timeline.record(request, "agreed", by=None, data={"version": agreement.version})
        queue_mail(request, "agreed", everyone, agreement=agreement)
    elif request.state in (State.AGREED, State.ACCOMPANYING) and (
        request_selectors.binding_agreement(request=request) == agreement
    ):
        # An amendment binds: the state stays, the new version is in force from now on.
        timeline.record(request, "amendment_binding", by=None, data={"version": agreement.version})
        queue_mail(request, "amendment_binding", everyone, agreement=agreement)
    return agreement


def _listed_methods(request: SupportRequest, names: Sequence[str]) -> list[str]:
    """The chosen names, in the list's order; each must be on the organisation's list (or in
    the latest version, which may keep a method the list no longer offers)."""
    wanted = list(dict.fromkeys(name.strip() for name in names if name.strip()))
    if not wanted:
        return []
    offered = list(
        Method.objects.filter(organisation_id=request.organisation_id, active=True)
        .order_by("name")
        .values_list("name", flat=True)
    )
    latest = request.agreements.order_by("-version").first()
    kept = latest.method_list() if latest is not None else []
    if any(name not in offered and name not in kept for name in wanted):
        raise WorkflowError(_("Please choose methods your organisation offers."))
    return [name for name in offered if name in wanted] + [
        name for name in wanted if name not in offered
    ]


def _side(request: SupportRequest, person: Person) -> Acceptance.Side:
    """The side for which the person accepts a Kontrakt version."""
    if Side.SCHOOL in workflow.sides(request, person):
        return Acceptance.Side.SCHOOL
    return Acceptance.Side.SUPPORTER
