"""The Kontrakt's pages: drafting or changing it, accepting a version, its PDF and its changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lotse.core import roles
from lotse.lib.pdf import render_pdf
from lotse.lib.steps import run_step
from lotse.support import access_log, agreement_diff, visibility, workflow
from lotse.support.forms.requests import (
    AgreementForm,
)
from lotse.support.models import Acceptance, Agreement
from lotse.support.permissions import get_request_for, require_side
from lotse.support.selectors import requests as request_selectors
from lotse.support.services import agreements as agreement_services
from lotse.support.views.base import FIELDS, agreement_context, refusal_page


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 4: draft the Kontrakt, or change it into a new version."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    require_side(sr, "draft", person)
    reason = workflow.refusal(sr, "draft", person)
    if reason is not None:
        messages.error(request, str(reason))
        return redirect("support:detail", pk=sr.pk)
    agreements = list(sr.agreements.prefetch_related("acceptances").order_by("-version"))
    latest = agreements[0] if agreements else None
    in_force = request_selectors.binding_of(agreements)
    # An amendment starts from the version in force; a proposed change can be taken up instead.
    base = in_force or latest
    chosen = request.GET.get("vorlage", "")
    if chosen.isdigit():
        base = next((a for a in agreements if a.version == int(chosen)), base)
    pending = latest if in_force is not None and latest != in_force else None
    extend = request.GET.get("verlaengern") == "1"
    initial: dict[str, Any] = {}
    meeting = None
    if base is not None:
        initial = {f: getattr(base, f) for f in FIELDS}
        initial["methods"] = base.method_list()
    else:
        meeting = sr.meetings.order_by("-starts_at").first()
        if meeting is not None:
            initial = {"participants": meeting.participants, "place": meeting.place}
    form = AgreementForm(request.POST or None, initial=initial, organisation=sr.organisation)
    if extend:
        # From the reminder "extend or complete": the time span is what changes.
        form.fields["ends_on"].widget.attrs["autofocus"] = True
        # The bound field copied the help text when the KERN classes were applied: set both.
        form.fields["ends_on"].help_text = form["ends_on"].help_text = _(
            "To extend the accompaniment, choose a new end date; change the goals if needed."
        )
    if request.method == "POST" and form.is_valid():
        outcome = run_step(
            lambda: agreement_services.agreement_draft(request=sr, by=person, **form.cleaned_data),
            form=form,
        )
        if outcome.done:
            agreement = outcome.value
            if in_force is not None:
                text = _(
                    "Version %(version)s has been proposed as a change; with that your side has "
                    "accepted it. Version %(in_force)s stays in force until the other side has "
                    "accepted the change too."
                ) % {"version": agreement.version, "in_force": in_force.version}
            else:
                text = _(
                    "Version %(version)s of the Kontrakt has been saved. Both sides must accept it."
                ) % {"version": agreement.version}
            messages.success(request, text)
            return redirect("support:detail", pk=sr.pk)
    status = 400 if request.method == "POST" else 200
    if base is not None or meeting is not None:
        # The form shows a version of the Kontrakt, or the meeting's participants: a read.
        access_log.log(
            person=person,
            request=sr,
            sides=workflow.sides(sr, person),
            what="agreement",
            object_id=base.version if base is not None else None,
        )
    return render(
        request,
        "support/agreement_form.html",
        {
            "sr": sr,
            "form": form,
            "latest": latest,
            "base": base,
            "in_force": in_force,
            "pending": pending,
            "extend": extend,
        },
        status=status,
    )


@login_required
@require_POST
def agreement_accept(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """Step 4: accept one version of the Kontrakt."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    agreement = get_object_or_404(Agreement, request=sr, version=version)
    require_side(sr, "accept_agreement", person)
    outcome = run_step(
        lambda: agreement_services.agreement_accept(agreement=agreement, by=person),
        page=refusal_page(request, sr, person),
    )
    if outcome.refusal is not None:
        return outcome.refusal
    # Whether this version now binds: the first Kontrakt or an amendment, in any state (the
    # state stays AGREED or ACCOMPANYING when an amendment binds, so it cannot tell).
    in_force = request_selectors.binding_agreement(request=sr)
    if in_force is not None and in_force.pk == agreement.pk:
        messages.success(request, _("Both sides have accepted. The Kontrakt is binding."))
    else:
        messages.success(
            request, _("You have accepted the Kontrakt. The other side must accept too.")
        )
    return redirect("support:detail", pk=sr.pk)


@login_required
@require_GET
def agreement_pdf(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """The Kontrakt as a PDF, with both acceptances when it is binding."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    agreement = get_object_or_404(
        Agreement.objects.prefetch_related("acceptances__person"), request=sr, version=version
    )
    sides = workflow.sides(sr, person)
    if not visibility.levels_for(sides):
        # A supporter still deciding on a proposal reads the request, not its Kontrakt.
        raise PermissionDenied
    access_log.log(
        person=person, request=sr, sides=sides, what="agreement_pdf", object_id=agreement.version
    )
    acceptances = list(agreement.acceptances.all())
    binding = {a.side for a in acceptances} == {Acceptance.Side.SCHOOL, Acceptance.Side.SUPPORTER}
    # Which version is in force decides what the PDF says of this one: in force, replaced by a
    # later amendment, or a proposal (the version in force stays until both accept it).
    in_force = request_selectors.binding_agreement(request=sr)
    pdf = render_pdf(
        "support/agreement_pdf.html",
        {
            "sr": sr,
            "agreement": agreement,
            "acceptances": acceptances,
            "binding": binding,
            "in_force": in_force,
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="kontrakt-{sr.pk}-v{agreement.version}.pdf"'
    )
    return response


@login_required
@require_GET
def agreement_changes(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """What a version changes: a proposed change against the version in force, an earlier
    amendment against the version before it. One read, one access-log row."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    sides = workflow.sides(sr, person)
    if not visibility.levels_for(sides):
        raise PermissionDenied
    agreements = list(sr.agreements.prefetch_related("acceptances").order_by("-version"))
    agreement = next((a for a in agreements if a.version == version), None)
    if agreement is None:
        raise Http404
    in_force = request_selectors.binding_of(agreements)
    base: Agreement | None
    if in_force is not None and agreement.version > in_force.version:
        base = in_force
    else:
        # What an amendment changed: against the version in force before it (a proposal that
        # was replaced never bound), or, before anything bound, against the draft before it.
        earlier = [a for a in agreements if a.version < agreement.version]
        base = request_selectors.binding_of(earlier) or next(iter(earlier), None)
    access_log.log(
        person=person, request=sr, sides=sides, what="agreement_changes", object_id=version
    )
    return render(
        request,
        "support/agreement_changes.html",
        {
            "sr": sr,
            "agreement": agreement,
            "base": base,
            "in_force": in_force,
            "changes": agreement_diff.diff(base, agreement) if base is not None else None,
            **agreement_context(sr, agreements, sides),
        },
    )
