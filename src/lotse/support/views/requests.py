"""The request's own pages: the lists (school, inbox, supporter, workload), creating a request,
the request page and its steps, a proposed supporter's answer. Each view authenticates, loads
through a permission helper, validates, calls one service and renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lotse.catalog.models import Offer
from lotse.core import roles, school_choice
from lotse.core.models import Organisation
from lotse.lib.steps import run_step
from lotse.support import workflow
from lotse.support.forms.requests import (
    DeclineForm,
    InboxFilterForm,
    RequestForm,
)
from lotse.support.models import Proposal
from lotse.support.permissions import (
    get_request_for,
    get_request_for_or_none,
    require_role,
    require_side,
)
from lotse.support.selectors import matching as matching_selectors
from lotse.support.selectors import requests as request_selectors
from lotse.support.services import requests as request_services
from lotse.support.views.base import (
    ACTIONS,
    detail_context,
    page_options,
    refusal_page,
    refused,
    render_detail,
    shortlist_context,
)


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
    # Admins, members and roles of later apps: their roles and where to go from here.
    held = sorted(
        {
            (str(role.get_kind_display()), role.organisation.name)
            for role in roles.held(request.user)
        }
    )
    return render(request, "support/home.html", {"held": held})


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
    person = require_role(request, roles.Kind.SCHOOL_CONTACT)
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
    searched = school_choice.searching(form)
    if request.method == "POST" and not searched and form.is_valid():
        data = form.cleaned_data
        outcome = run_step(
            lambda: request_services.request_submit(
                school=data["school"],
                by=person,
                subject=data["subject"],
                text=data["text"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                quality_area=data["quality_area"],
                offer=data["offer"],
                confirm=True,
            ),
            form=form,
        )
        if outcome.done:
            created = outcome.value
            messages.success(
                request,
                _("Your request has been sent to the regional site %(site)s.")
                % {"site": created.site.name},
            )
            return redirect("support:detail", pk=created.pk)
    status = 400 if request.method == "POST" and not searched else 200
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
    person = require_role(request, roles.Kind.SCHOOL_CONTACT)
    page = Paginator(request_selectors.request_list_for_school(person=person), 50).get_page(
        request.GET.get("page")
    )
    rows = [(sr, workflow.NEXT_STEP[sr.state]) for sr in page.object_list]
    return render(request, "support/school_list.html", {"page": page, "rows": rows})


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The coordinator's inbox, filterable and most urgent first."""
    person = require_role(request, roles.Kind.COORDINATOR)
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
    person = require_role(request, roles.Kind.SUPPORTER)
    proposals = request_selectors.request_list_for_supporter(person=person)
    return render(request, "support/supporter_list.html", {"proposals": proposals})


@login_required
@require_GET
def workload(request: HttpRequest) -> HttpResponse:
    """Each supporter of the coordinator's sites: accompaniments against capacity, absences."""
    person = require_role(request, roles.Kind.COORDINATOR)
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


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request with its state, next step, people involved and timeline."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    search = request.GET.get("suche", "")[:100]
    context = (
        detail_context(sr, person, shortlist_search=search, **page_options(request))
        if search
        else None
    )
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
    require_side(sr, action, person)
    reason = workflow.refusal(sr, action, person)
    if reason is not None:
        return refused(request, sr, person, reason)
    data: dict[str, Any] = {}
    form = spec.make_form(sr, action, request.POST)
    if form is not None:
        # A school search without JavaScript shows the form again with the matches.
        searched = school_choice.searching(form)
        if searched or not form.is_valid():
            context = detail_context(sr, person)
            context["action_forms"][action] = form
            context.update(shortlist_context(form if action == "propose" else None))
            context["open_action"] = action
            return render_detail(request, sr, person, context, status=200 if searched else 400)
        data = form.cleaned_data
    outcome = run_step(lambda: spec.run(sr, person, data), page=refusal_page(request, sr, person))
    if outcome.refusal is not None:
        return outcome.refusal
    messages.success(request, str(spec.done))
    if action == "withdraw" or not get_request_for_or_none(person, sr.pk):
        return redirect("home")
    return redirect("support:detail", pk=sr.pk)


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """A proposed supporter accepts or declines."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    proposal = Proposal.objects.filter(request=sr, supporter=person).first()
    if proposal is None:
        raise PermissionDenied
    if decision == "accept":
        outcome = run_step(
            lambda: request_services.proposal_accept(proposal=proposal, by=person),
            page=refusal_page(request, sr, person),
        )
        if outcome.refusal is not None:
            return outcome.refusal
        messages.success(request, _("You have accepted the request."))
    elif decision == "decline":
        form = DeclineForm(request.POST, prefix="decline")
        if not form.is_valid():
            context = detail_context(sr, person)
            context["decline_form"] = form
            return render_detail(request, sr, person, context, status=400)
        outcome = run_step(
            lambda: request_services.proposal_decline(
                proposal=proposal, by=person, reason=form.cleaned_data["reason"]
            ),
            page=refusal_page(request, sr, person),
        )
        if outcome.refusal is not None:
            return outcome.refusal
        messages.success(request, _("You have declined the request."))
        return redirect("support:supporter_list")
    else:
        raise Http404
    return redirect("support:detail", pk=sr.pk)
