"""Views of the support process: authenticate, load, validate, call one service, render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lotse.catalog.matching import sort_name
from lotse.catalog.models import Offer
from lotse.core import roles
from lotse.core.models import Organisation, Person
from lotse.lib.pdf import render_pdf
from lotse.support import access_log, agreement_diff, timeline, visibility, workflow
from lotse.support.forms import (
    RELEASE_PURPOSES,
    AgreementForm,
    AssignSchoolForm,
    DeclineForm,
    DocumentForm,
    ForwardForm,
    InboxFilterForm,
    MeetingForm,
    MessageForm,
    NextStepForm,
    NoteAddForm,
    NoteForm,
    OptionalNoteForm,
    ProposeForm,
    RemoveSupporterForm,
    RequestForm,
)
from lotse.support.models import CHOOSABLE, Acceptance, Agreement, Proposal, SupportRequest
from lotse.support.permissions import get_request_for
from lotse.support.selectors import accompaniment as accompaniment_selectors
from lotse.support.selectors import completion as completion_selectors
from lotse.support.selectors import concepts as concept_selectors
from lotse.support.selectors import matching as matching_selectors
from lotse.support.selectors import requests as request_selectors
from lotse.support.services import agreements as agreement_services
from lotse.support.services import requests as request_services
from lotse.support.workflow import Side, WorkflowError


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page of their main role."""
    kinds = roles.role_kinds(request.user)
    if roles.Kind.COORDINATOR in kinds:
        return redirect("support:inbox")
    if roles.Kind.SUPPORTER in kinds:
        return redirect("support:supporter_list")
    if roles.Kind.SCHOOL_CONTACT in kinds:
        return redirect("support:school_list")
    return render(request, "support/home.html")


def _require(request: HttpRequest, kind: str) -> Person:
    person = roles.person_of(request)
    if kind not in roles.role_kinds(person):
        raise Http404
    return person


def _preselected_offer(request: HttpRequest, organisation_ids: set[int]) -> dict[str, Any]:
    """The offer (and its first area) of "Unterstützung anfragen" in the catalogue."""
    raw = request.GET.get("angebot", "")
    if not raw.isdigit():
        return {}
    offer = (
        Offer.objects.filter(pk=int(raw), organisation_id__in=organisation_ids, active=True)
        .prefetch_related("quality_areas")
        .first()
    )
    if offer is None:
        return {}
    areas = sorted(offer.quality_areas.all(), key=lambda area: area.number)
    return {"offer": offer, "quality_area": areas[0] if areas else None}


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """Step 1: a school contact sends an informal request."""
    person = _require(request, roles.Kind.SCHOOL_CONTACT)
    schools = request_selectors.schools_for_contact(person=person)
    org_ids = roles.organisation_ids(person, roles.Kind.SCHOOL_CONTACT)
    initial: dict[str, Any] = {
        "contact_name": person.get_full_name(),
        "contact_email": person.email,
        "contact_phone": person.phone,
    }
    if len(schools) == 1:
        initial["school"] = schools[0]
    initial |= _preselected_offer(request, org_ids)
    form = RequestForm(
        request.POST or None, schools=schools, organisation_ids=org_ids, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = request_services.request_submit(
                school=data["school"],
                by=person,
                subject=data["subject"],
                text=data["text"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                quality_area=data["quality_area"],
                offer=data["offer"],
            )
        except WorkflowError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Your request has been sent to the regional site %(site)s.")
                % {"site": created.site.name},
            )
            return redirect("support:detail", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    # The longest deadline among the contact's organisations: never promise more than is kept.
    days = max(
        Organisation.objects.filter(pk__in=org_ids).values_list("acknowledgement_days", flat=True),
        default=7,
    )
    return render(
        request,
        "support/request_form.html",
        {"form": form, "acknowledgement_days": days},
        status=status,
    )


@login_required
@require_GET
def school_list(request: HttpRequest) -> HttpResponse:
    """The requests of the school contact's schools."""
    person = _require(request, roles.Kind.SCHOOL_CONTACT)
    page = Paginator(request_selectors.request_list_for_school(person=person), 50).get_page(
        request.GET.get("page")
    )
    rows = [(sr, workflow.NEXT_STEP[sr.state]) for sr in page.object_list]
    return render(request, "support/school_list.html", {"page": page, "rows": rows})


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The coordinator's inbox, filterable and most urgent first."""
    person = _require(request, roles.Kind.COORDINATOR)
    sites = roles.coordinated_sites(person)
    # Without a filter, the inbox shows what is open; "all states" is one choice away.
    query = request.GET.copy()
    query.setdefault("state", "open")
    form = InboxFilterForm(query, sites=sites)
    filters = request_selectors.InboxFilter(state="open")
    if form.is_valid():
        data = form.cleaned_data
        filters = request_selectors.InboxFilter(
            site=data["site"],
            state=data["state"] or "",
            overdue=bool(data["overdue"]),
            quality_area_id=data["quality_area"].pk if data["quality_area"] else None,
            school=data["school"] or "",
        )
    page = Paginator(
        request_selectors.request_inbox_for_coordinator(person=person, filters=filters), 50
    ).get_page(request.GET.get("page"))
    query.pop("page", None)
    context: dict[str, Any] = {"form": form, "page": page, "query": query.urlencode()}
    if getattr(request, "htmx", False):
        return render(request, "support/inbox.html#results", context)
    context["release_organisations"] = Organisation.objects.filter(
        pk__in=roles.organisation_ids(person, roles.Kind.COORDINATOR)
    ).only("slug", "name")
    return render(request, "support/inbox.html", context)


@login_required
@require_GET
def supporter_list(request: HttpRequest) -> HttpResponse:
    """The requests proposed to a supporter."""
    person = _require(request, roles.Kind.SUPPORTER)
    proposals = request_selectors.request_list_for_supporter(person=person)
    return render(request, "support/supporter_list.html", {"proposals": proposals})


@login_required
@require_GET
def workload(request: HttpRequest) -> HttpResponse:
    """Each supporter of the coordinator's sites: accompaniments against capacity, absences."""
    person = _require(request, roles.Kind.COORDINATOR)
    order = request.GET.get("sortierung", "load")
    if order not in matching_selectors.WORKLOAD_ORDERS:
        order = "load"
    rows = matching_selectors.workload_for_coordinator(person=person, order=order)
    return render(
        request,
        "support/workload.html",
        {
            "rows": rows,
            "order": order,
            "over": sum(1 for r in rows if r.state == "over"),
            "today": timezone.localdate(),
        },
    )


# --- the request page and its actions -------------------------------------------------------


@dataclass(frozen=True)
class Action:
    form: type[forms.Form] | None
    run: Callable[[SupportRequest, Person, dict[str, Any]], object]
    done: str | Promise
    # What the form needs to know about the request, e.g. the supporters to choose from.
    form_kwargs: Callable[[SupportRequest], dict[str, Any]] | None = None

    def make_form(self, sr: SupportRequest, prefix: str, data: Any = None) -> forms.Form | None:
        if self.form is None:
            return None
        extra = self.form_kwargs(sr) if self.form_kwargs else {}
        return self.form(data, prefix=prefix, **extra)


ACTIONS: dict[str, Action] = {
    "acknowledge": Action(
        MessageForm,
        lambda r, p, d: request_services.request_acknowledge(request=r, by=p, message=d["note"]),
        gettext_lazy("Receipt confirmed. The school has been informed by e-mail."),
    ),
    "clarify": Action(
        NoteForm,
        lambda r, p, d: request_services.request_clarify(
            request=r, by=p, note=d["note"], visibility=d["visibility"]
        ),
        gettext_lazy("The clarification has been recorded."),
    ),
    "propose": Action(
        ProposeForm,
        lambda r, p, d: request_services.request_propose(
            request=r, by=p, supporters=list(d["supporters"]), note=d["note"]
        ),
        gettext_lazy("The supporters have been asked."),
        lambda r: {"ranking": matching_selectors.shortlist_for(request=r)},
    ),
    "assign_school": Action(
        AssignSchoolForm,
        lambda r, p, d: request_services.request_assign_school(request=r, by=p, school=d["school"]),
        gettext_lazy("The school has been assigned."),
        lambda r: {
            "schools": request_selectors.schools_of_organisation(organisation=r.organisation)
        },
    ),
    "first_contact": Action(
        NoteForm,
        lambda r, p, d: request_services.request_first_contact(
            request=r, by=p, note=d["note"], visibility=d["visibility"]
        ),
        gettext_lazy("The first contact has been recorded."),
    ),
    "no_collaboration": Action(
        NoteForm,
        lambda r, p, d: request_services.request_no_collaboration(
            request=r, by=p, reason=d["note"], visibility=d["visibility"]
        ),
        gettext_lazy("The request has been closed without collaboration."),
    ),
    "schedule": Action(
        MeetingForm,
        lambda r, p, d: request_services.request_schedule_meeting(
            request=r,
            by=p,
            starts_at=d["starts_at"],
            place=d["place"],
            participants=d["participants"],
            visibility=d["visibility"],
        ),
        gettext_lazy("The first meeting has been scheduled."),
    ),
    "start": Action(
        None,
        lambda r, p, d: request_services.request_start(request=r, by=p),
        gettext_lazy("The accompaniment has started."),
    ),
    "complete": Action(
        OptionalNoteForm,
        lambda r, p, d: request_services.request_complete(
            request=r, by=p, note=d["note"], visibility=d["visibility"]
        ),
        gettext_lazy("The support process has been completed."),
    ),
    "withdraw": Action(
        OptionalNoteForm,
        lambda r, p, d: request_services.request_withdraw(
            request=r, by=p, reason=d["note"], visibility=d["visibility"]
        ),
        gettext_lazy("Your request has been withdrawn. Supporters no longer have access."),
    ),
    "forward": Action(
        ForwardForm,
        lambda r, p, d: request_services.request_forward(
            request=r,
            by=p,
            recipient=d["recipient"],
            reason=d["reason"],
            visibility=d["visibility"],
        ),
        gettext_lazy("The request has been forwarded."),
    ),
}


def _with_default_level(form: forms.Form | None, sides: set[Side]) -> forms.Form | None:
    """Preselect the level the author's entries get when they choose none."""
    if form is not None and "visibility" in form.fields:
        form.fields["visibility"].initial = visibility.default_for(sides).value
    return form


def _action_forms(
    sr: SupportRequest, person: Person, allowed: set[str], sides: set[Side]
) -> dict[str, forms.Form | None]:
    result: dict[str, forms.Form | None] = {}
    # The order of the table, so the page always lists the steps in process order.
    for name in (a for a in workflow.TRANSITIONS if a in allowed):
        action = ACTIONS.get(name)
        if action is not None:
            result[name] = _with_default_level(action.make_form(sr, name), sides)
    return result


# Rows of the shortlist on the request page; a search by name finds anyone further down.
SHORTLIST_ROWS = 15
EXCLUDED_ROWS = 50


def shortlist_context(form: forms.Form | None, search: str = "") -> dict[str, Any]:
    """What the request page shows of the ranking behind the propose form: the first rows
    (or those whose name matches the search) and the excluded ones."""
    if not isinstance(form, ProposeForm):
        return {}
    ranking = form.ranking
    term = sort_name(search.strip())
    ranked, excluded = list(ranking.ranked), list(ranking.excluded)
    if term:
        ranked = [e for e in ranked if term in sort_name(e.candidate.name)]
        excluded = [e for e in excluded if term in sort_name(e.candidate.name)]
    return {
        "ranking": ranking,
        "shortlist": ranked[:SHORTLIST_ROWS],
        "shortlist_more": max(len(ranked) - SHORTLIST_ROWS, 0),
        "shortlist_matches": len(ranked),
        "shortlist_excluded": excluded[:EXCLUDED_ROWS],
        "shortlist_excluded_count": len(excluded),
        "shortlist_excluded_more": max(len(excluded) - EXCLUDED_ROWS, 0),
        "shortlist_search": search.strip(),
        "shortlist_chosen": form.chosen_ids(),
    }


def detail_context(
    sr: SupportRequest, person: Person, *, shortlist_search: str = "", forms: bool = True
) -> dict[str, Any]:
    """Everything the request page shows; `forms=False` leaves out the forms of the steps
    (and with them the shortlist), for the timeline fragment that refreshes every minute."""
    person_sides = workflow.sides(sr, person)
    allowed = workflow.allowed_actions(sr, person)
    detail = request_selectors.request_detail(person=person, request=sr, sides=person_sides)
    # The timeline fragment shows no session: it does without their queries.
    accompaniment = (
        accompaniment_selectors.accompaniment_for(
            person=person, sides=person_sides, request=sr, binding=detail["binding_agreement"]
        )
        if forms
        else {}
    )
    # "Who can see what" counts the sessions and next steps among the entries of each level.
    for entry in (
        *accompaniment.get("sessions", ()),
        *accompaniment.get("next_steps_open", ()),
        *accompaniment.get("next_steps_done", ()),
    ):
        if entry.visibility:
            detail["levels"][entry.visibility] += 1
    agreement: Agreement | None = detail["agreement"]
    accepted_sides = {a.side for a in agreement.acceptances.all()} if agreement else set()
    my_side = Acceptance.Side.SCHOOL if Side.SCHOOL in person_sides else Acceptance.Side.SUPPORTER
    my_proposal = next(
        (
            p
            for p in detail["proposals"]
            if p.supporter_id == person.pk and p.status == Proposal.Status.PROPOSED
        ),
        None,
    )
    can_write = visibility.may_write(person_sides)
    action_forms = _action_forms(sr, person, allowed, person_sides) if forms else {}
    return {
        **agreement_context(sr, detail["agreements"], person_sides),
        **(_completion_context(sr, person, person_sides, allowed) if forms else {}),
        **shortlist_context(action_forms.get("propose"), shortlist_search),
        "sr": sr,
        "person_sides": person_sides,
        "sides": {s.value for s in person_sides},
        "allowed": allowed,
        "action_forms": action_forms,
        "next_step": workflow.NEXT_STEP[sr.state],
        "labels": timeline.LABELS,
        "can_accept_agreement": (
            agreement is not None
            and "accept_agreement" in allowed
            and my_side not in accepted_sides
        ),
        "my_proposal": my_proposal,
        "decline_form": DeclineForm(prefix="decline") if my_proposal else None,
        "can_write": can_write,
        "can_widen": visibility.may_widen(person_sides),
        "can_remove": bool({Side.SCHOOL, Side.COORDINATOR} & person_sides)
        and sr.state != "withdrawn",
        "can_see_log": bool({Side.SCHOOL, Side.COORDINATOR} & person_sides),
        "note_form": _with_default_level(NoteAddForm(prefix="note"), person_sides)
        if can_write
        else None,
        "document_form": _with_default_level(
            DocumentForm(prefix="document", max_size=settings.DOCUMENT_MAX_SIZE), person_sides
        )
        if can_write
        else None,
        "remove_form": RemoveSupporterForm(prefix="remove"),
        "levels_choosable": CHOOSABLE,
        "release_purposes": [str(p) for p in RELEASE_PURPOSES],
        "synergie": concept_selectors.section(sr, person_sides) if forms else None,
        "can_plan_session": "plan_session" in allowed,
        "can_record_session": "record_session" in allowed,
        "can_add_step": "next_step" in allowed,
        "next_step_form": _with_default_level(NextStepForm(prefix="step"), person_sides)
        if forms and "next_step" in allowed
        else None,
        **accompaniment,
        **detail,
    }


FIELDS = (
    "participants",
    "goals",
    "starts_on",
    "ends_on",
    "place",
    "frequency",
    "resources",
    "methods",
    "confidentiality",
)


def agreement_context(
    sr: SupportRequest, agreements: list[Agreement], sides: set[Side]
) -> dict[str, Any]:
    """The Kontrakt version in force, a proposed change waiting for acceptance and its
    differences, and whether the end of the time span is near (agreements newest first)."""
    in_force = request_selectors.binding_of(agreements)
    latest = agreements[0] if agreements else None
    pending = latest if in_force is not None and latest is not None and latest != in_force else None
    waiting_for: list[str | Promise] = []
    if pending is not None:
        accepted = {a.side for a in pending.acceptances.all()}
        waiting_for = [
            completion_selectors.WAITING[s] for s in ("school", "supporter") if s not in accepted
        ]
    participant = bool({Side.SCHOOL, Side.SUPPORTER} & sides)
    return {
        "agreement_in_force": in_force,
        "agreement_pending": pending,
        "agreement_changes": (
            agreement_diff.diff(in_force, pending)
            if pending is not None and in_force is not None
            else None
        ),
        "agreement_waiting_for": (
            _("%(first)s and %(second)s") % {"first": waiting_for[0], "second": waiting_for[1]}
            if len(waiting_for) == 2
            else "".join(str(w) for w in waiting_for)
        ),
        "agreement_end_near": participant
        and sr.state in completion_selectors.BOUND
        and completion_selectors.end_is_near(in_force, sr.organisation),
    }


def _completion_context(
    sr: SupportRequest, person: Person, sides: set[Side], allowed: set[str]
) -> dict[str, Any]:
    """The "Abschluss" section: the final reflection, its form, the evaluation prompt."""
    from lotse.support.completion_forms import reflection_form  # forms import the services

    section = completion_selectors.completion_section(
        request=sr, person=person, sides=sides, allowed=allowed
    )
    if section["can_reflect"]:
        section["reflection_form"] = reflection_form(section["reflection"], sides)
    return section


def render_detail(
    request: HttpRequest,
    sr: SupportRequest,
    person: Person,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Render the request page (or its timeline for htmx): one read, one access-log row."""
    fragment = getattr(request, "htmx", False) and request.GET.get("fragment") == "timeline"
    context = context or detail_context(sr, person, forms=not fragment)
    access_log.log(
        person=person,
        request=sr,
        sides=context["person_sides"],
        what="timeline" if fragment else "request",
    )
    if fragment:
        return render(request, "support/request_detail.html#timeline", context, status=status)
    return render(request, "support/request_detail.html", context, status=status)


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request with its state, next step, people involved and timeline."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    search = request.GET.get("suche", "")[:100]
    context = detail_context(sr, person, shortlist_search=search) if search else None
    return render_detail(request, sr, person, context)


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one step of the process on a request."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    _require_side(sr, action, person)
    reason = workflow.refusal(sr, action, person)
    if reason is not None:
        return refused(request, sr, person, reason)
    data: dict[str, Any] = {}
    form = spec.make_form(sr, action, request.POST)
    if form is not None:
        if not form.is_valid():
            context = detail_context(sr, person)
            context["action_forms"][action] = form
            context.update(shortlist_context(form if action == "propose" else None))
            context["open_action"] = action
            return render_detail(request, sr, person, context, status=400)
        data = form.cleaned_data
    try:
        spec.run(sr, person, data)
    except WorkflowError as exc:
        return refused(request, sr, person, exc.message)
    messages.success(request, str(spec.done))
    if action == "withdraw" or not get_request_for_or_none(person, sr.pk):
        return redirect("home")
    return redirect("support:detail", pk=sr.pk)


def _require_side(sr: SupportRequest, action: str, person: Person) -> None:
    """Insiders who may see the request but not take this step get 403."""
    if not workflow.sides(sr, person) & workflow.TRANSITIONS[action].sides:
        raise PermissionDenied


def get_request_for_or_none(person: Person, pk: int) -> SupportRequest | None:
    try:
        return get_request_for(person, pk)
    except Http404:
        return None


def refused(
    request: HttpRequest, sr: SupportRequest, person: Person, reason: str | Promise
) -> HttpResponse:
    messages.error(request, str(reason))
    return render_detail(request, sr, person, status=400)


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """A proposed supporter accepts or declines."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    proposal = Proposal.objects.filter(request=sr, supporter=person).first()
    if proposal is None:
        raise PermissionDenied
    try:
        if decision == "accept":
            request_services.proposal_accept(proposal=proposal, by=person)
            messages.success(request, _("You have accepted the request."))
        elif decision == "decline":
            form = DeclineForm(request.POST, prefix="decline")
            if not form.is_valid():
                context = detail_context(sr, person)
                context["decline_form"] = form
                return render_detail(request, sr, person, context, status=400)
            request_services.proposal_decline(
                proposal=proposal, by=person, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("You have declined the request."))
            return redirect("support:supporter_list")
        else:
            raise Http404
    except WorkflowError as exc:
        return refused(request, sr, person, exc.message)
    return redirect("support:detail", pk=sr.pk)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 4: draft the Kontrakt, or change it into a new version."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    _require_side(sr, "draft", person)
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
    else:
        meeting = sr.meetings.order_by("-starts_at").first()
        if meeting is not None:
            initial = {"participants": meeting.participants, "place": meeting.place}
    form = AgreementForm(request.POST or None, initial=initial)
    if extend:
        # From the reminder "extend or complete": the time span is what changes.
        form.fields["ends_on"].widget.attrs["autofocus"] = True
        # The bound field copied the help text when the KERN classes were applied: set both.
        form.fields["ends_on"].help_text = form["ends_on"].help_text = _(
            "To extend the accompaniment, choose a new end date; change the goals if needed."
        )
    if request.method == "POST" and form.is_valid():
        try:
            agreement = agreement_services.agreement_draft(
                request=sr, by=person, **form.cleaned_data
            )
        except WorkflowError as exc:
            form.add_error(None, str(exc.message))
        else:
            if in_force is not None:
                text = _(
                    "Version %(version)s has been proposed as a change. Version %(in_force)s stays "
                    "in force until both sides have accepted the change."
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
    _require_side(sr, "accept_agreement", person)
    try:
        agreement_services.agreement_accept(agreement=agreement, by=person)
    except WorkflowError as exc:
        return refused(request, sr, person, exc.message)
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
