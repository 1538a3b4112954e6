"""Views of the accompaniment: planning, moving, cancelling and recording sessions, the calendar
file, next steps, and the organisation's methods. Each: authenticate, load (404 for outsiders,
403 for insiders without the right), validate, call one service, answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lotse.core import roles
from lotse.core.models import Person
from lotse.lib.steps import run_step
from lotse.support import access_log, calendar, permissions, workflow
from lotse.support.forms.accompaniment import (
    RECORD_STEP_ROWS,
    MethodForm,
    NextStepForm,
    SessionPlanForm,
    SessionRecordForm,
    SessionTimeForm,
)
from lotse.support.models import Method, NextStep, Session, SupportRequest
from lotse.support.permissions import get_request_for, require_side
from lotse.support.selectors import requests as request_selectors
from lotse.support.services import accompaniment as accompaniment_services
from lotse.support.services.accompaniment import ProgressData, StepData
from lotse.support.views.base import (
    back_to_request,
    detail_context,
    refusal_page,
    render_detail,
    with_default_level,
)


def _load(request: HttpRequest, pk: int, action: str) -> tuple[Person, SupportRequest]:
    """The request for someone who may take the action at all (403 for other insiders)."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    require_side(sr, action, person)
    return person, sr


def _session(sr: SupportRequest, session_pk: int) -> Session:
    return get_object_or_404(
        Session.objects.defer("participants", "notes", "reflection"), pk=session_pk, request=sr
    )


def _not_now(
    request: HttpRequest,
    sr: SupportRequest,
    person: Person,
    action: str,
    session: Session | None = None,
) -> bool:
    """Whether the step is not possible now (for this session); the request page says why."""
    reason = workflow.refusal(sr, action, person)
    if reason is None and session is not None and session.status != Session.Status.PLANNED:
        reason = _("This session has already been recorded or was cancelled.")
    if reason is None:
        return False
    messages.error(request, str(reason))
    return True


# --- sessions ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan a session: date, place, participants and methods; the invitation goes by mail."""
    person, sr = _load(request, pk, "plan_session")
    if _not_now(request, sr, person, "plan_session"):
        return redirect("support:detail", pk=sr.pk)
    form = SessionPlanForm(request.POST or None, organisation=sr.organisation)
    with_default_level(form, workflow.sides(sr, person))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_step(
            lambda: accompaniment_services.session_plan(
                request=sr,
                by=person,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                participants=data["participants"],
                methods=list(data["methods"]),
                visibility=data["visibility"],
            ),
            form=form,
        )
        if outcome.done:
            messages.success(
                request,
                _("The session has been planned. The invitation with a calendar file is sent."),
            )
            # A hint, not a refusal: a session just before the agreed time span (a kick-off)
            # can be right, and moving the span needs a change both sides accept.
            begins = request_selectors.kontrakt_begins_after(
                request=sr, starts_at=data["starts_at"]
            )
            if begins is not None:
                messages.warning(
                    request,
                    _(
                        "This session lies before the time span of the Kontrakt, which begins "
                        "on %(date)s. If that is not intended, move the session or propose a "
                        "change to the Kontrakt."
                    )
                    % {"date": date_format(begins, "SHORT_DATE_FORMAT")},
                )
            return back_to_request(sr, "#begleitung")
    return render(
        request,
        "support/session_form.html",
        {"sr": sr, "form": form, "mode": "plan"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_reschedule(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Move a planned session; everyone invited gets the updated invitation."""
    person, sr = _load(request, pk, "plan_session")
    session = _session(sr, session_pk)
    if _not_now(request, sr, person, "plan_session", session):
        return redirect("support:detail", pk=sr.pk)
    local = timezone.localtime(session.starts_at)
    initial: dict[str, Any] = {
        "day": local.date(),
        "begins": local.time().replace(second=0, microsecond=0),
        "ends": timezone.localtime(session.ends_at).time().replace(second=0, microsecond=0),
        "place": session.place,
        "methods": list(session.methods.values_list("pk", flat=True)),
    }
    form = SessionTimeForm(request.POST or None, organisation=sr.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_step(
            lambda: accompaniment_services.session_reschedule(
                session=session,
                by=person,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                methods=list(data["methods"]),
            ),
            form=form,
        )
        if outcome.done:
            messages.success(request, _("The session has been moved. Everyone invited is told."))
            return back_to_request(sr, "#begleitung")
    return render(
        request,
        "support/session_form.html",
        {"sr": sr, "form": form, "mode": "reschedule", "session": session},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def session_cancel(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Cancel a planned session; calendars remove it."""
    person, sr = _load(request, pk, "plan_session")
    session = _session(sr, session_pk)
    outcome = run_step(
        lambda: accompaniment_services.session_cancel(session=session, by=person),
        page=refusal_page(request, sr, person),
    )
    if outcome.refusal is not None:
        return outcome.refusal
    messages.success(request, _("The session has been cancelled. Everyone invited is told."))
    return back_to_request(sr, "#begleitung")


@login_required
@require_http_methods(["GET", "POST"])
def session_record(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Record a session that took place; the form shows the goals of the binding Kontrakt."""
    person, sr = _load(request, pk, "record_session")
    session = _session(sr, session_pk)
    if _not_now(request, sr, person, "record_session", session):
        return redirect("support:detail", pk=sr.pk)
    binding = request_selectors.binding_agreement(request=sr)
    goals = binding.goal_list() if binding else []
    planned = Session.objects.only("row_key", "participants").get(pk=session.pk)
    form = SessionRecordForm(
        request.POST or None, goals=goals, initial={"participants": planned.participants}
    )
    with_default_level(form, workflow.sides(sr, person))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        progress = [
            ProgressData(n, data[f"goal_{n}_level"], data[f"goal_{n}_note"])
            for n in range(1, len(goals) + 1)
            if data[f"goal_{n}_level"] is not None
        ]
        steps = [
            StepData(data[f"step_{i}_text"], data[f"step_{i}_owner"], data[f"step_{i}_due"])
            for i in range(1, RECORD_STEP_ROWS + 1)
            if (data[f"step_{i}_text"] or "").strip()
        ]
        outcome = run_step(
            lambda: accompaniment_services.session_record(
                session=session,
                by=person,
                participants=data["participants"],
                notes=data["notes"],
                reflection=data["reflection"],
                progress=progress,
                next_steps=steps,
                visibility=data["visibility"],
            ),
            form=form,
        )
        if outcome.done:
            messages.success(request, _("The session has been recorded."))
            return back_to_request(sr, "#begleitung")
    # The form shows the Kontrakt's goals and who was to take part: a read.
    access_log.log(
        person=person,
        request=sr,
        sides=workflow.sides(sr, person),
        what="session_record",
        object_id=session.pk,
    )
    return render(
        request,
        "support/session_record.html",
        {"sr": sr, "form": form, "session": session, "binding": binding},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def session_ics(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """The session's invitation as a calendar file, for everyone who sees the request.

    It holds date, place, methods and the link, nothing of the session record: no log row."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    session = _session(sr, session_pk)
    ics = calendar.session_calendar(session, cancel=session.status == Session.Status.CANCELLED)
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="termin-{sr.pk}-{session.pk}.ics"'
    return response


# --- next steps -------------------------------------------------------------------------------


@login_required
@require_POST
def next_step_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Agree on a next step with who does it and by when."""
    person, sr = _load(request, pk, "next_step")
    form = NextStepForm(request.POST, prefix="step")
    if not form.is_valid():
        context = detail_context(sr, person)
        context["next_step_form"] = form
        context["open_step"] = True
        return render_detail(request, sr, person, context, status=400)
    data = form.cleaned_data
    outcome = run_step(
        lambda: accompaniment_services.next_step_add(
            request=sr,
            by=person,
            text=data["text"],
            owner=data["owner"],
            due_on=data["due_on"],
            visibility=data["visibility"],
        ),
        page=refusal_page(request, sr, person),
    )
    if outcome.refusal is not None:
        return outcome.refusal
    messages.success(request, _("The next step has been added."))
    return back_to_request(sr, "#naechste-schritte")


CHANGES = {
    "erledigt": accompaniment_services.next_step_done,
    "offen": accompaniment_services.next_step_reopen,
}


@login_required
@require_POST
def next_step_change(request: HttpRequest, pk: int, step_pk: int, change: str) -> HttpResponse:
    """Tick a next step off, or open it again."""
    person, sr = _load(request, pk, "next_step")
    step = get_object_or_404(NextStep.objects.defer("text"), pk=step_pk, request=sr)
    run = CHANGES.get(change)
    if run is None:
        raise Http404
    outcome = run_step(lambda: run(step=step, by=person), page=refusal_page(request, sr, person))
    if outcome.refusal is not None:
        return outcome.refusal
    messages.success(
        request,
        _("The next step is ticked off.") if change == "erledigt" else _("The next step is open."),
    )
    return back_to_request(sr, "#naechste-schritte")


# --- the organisation's methods ---------------------------------------------------------------


@login_required
@require_GET
def method_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The methods supporters can choose for sessions, with their explanations."""
    organisation, _person = permissions.admin_organisation(request, slug)
    methods = Method.objects.filter(organisation=organisation).order_by("-active", "name")
    return render(
        request, "support/method_list.html", {"organisation": organisation, "methods": methods}
    )


@login_required
@require_http_methods(["GET", "POST"])
def method_edit(request: HttpRequest, slug: str, method_pk: int | None = None) -> HttpResponse:
    """Add a method, or change or switch off one."""
    organisation, person = permissions.admin_organisation(request, slug)
    method = (
        get_object_or_404(Method, pk=method_pk, organisation=organisation) if method_pk else None
    )
    initial = (
        {"name": method.name, "description": method.description, "active": method.active}
        if method
        else {"active": True}
    )
    form = MethodForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = run_step(
            lambda: accompaniment_services.method_save(
                organisation=organisation, by=person, method=method, **form.cleaned_data
            ),
            form=form,
        )
        if outcome.done:
            messages.success(request, _("The method has been saved."))
            return redirect("support:method_list", slug=organisation.slug)
    return render(
        request,
        "support/method_form.html",
        {"organisation": organisation, "form": form, "method": method},
        status=400 if request.method == "POST" else 200,
    )
