"""The view steps the support pages share: the request page with its sections and action forms
(every page that refuses a step shows it again with the reason), and running a service step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lotse.catalog.matching import sort_name
from lotse.core import request_sections
from lotse.core.middleware import reads_tolerantly, reads_tolerantly_for_reader
from lotse.core.models import Person
from lotse.support import access_log, agreement_diff, permissions, timeline, visibility, workflow
from lotse.support.forms.accompaniment import NextStepForm
from lotse.support.forms.records import (
    RELEASE_PURPOSES,
    DocumentForm,
    NoteAddForm,
    RemoveSupporterForm,
)
from lotse.support.forms.requests import (
    AssignSchoolForm,
    DeclineForm,
    ForwardForm,
    MeetingForm,
    MessageForm,
    NoteForm,
    OptionalNoteForm,
    ProposeForm,
)
from lotse.support.models import (
    CHOOSABLE,
    Acceptance,
    Agreement,
    Proposal,
    State,
    SupportRequest,
)
from lotse.support.selectors import accompaniment as accompaniment_selectors
from lotse.support.selectors import completion as completion_selectors
from lotse.support.selectors import concepts as concept_selectors
from lotse.support.selectors import matching as matching_selectors
from lotse.support.selectors import requests as request_selectors
from lotse.support.services import requests as request_services
from lotse.support.workflow import Side

# Rows of the shortlist on the request page; a search by name finds anyone further down.
SHORTLIST_ROWS = 15


EXCLUDED_ROWS = 50


@dataclass(frozen=True)
class Action:
    form: type[forms.Form] | None
    run: Callable[[SupportRequest, Person, dict[str, Any]], object]
    done: str | Promise
    # What the form needs to know about the request, e.g. the supporters to choose from.
    form_kwargs: Callable[[SupportRequest], dict[str, Any]] | None = None
    # The same for the form on the request page, with the page's search by name: what the
    # page shows may be less than what checking a submitted form needs.
    page_kwargs: Callable[[SupportRequest, str], dict[str, Any]] | None = None

    def make_form(
        self, sr: SupportRequest, prefix: str, data: Any = None, *, search: str | None = None
    ) -> forms.Form | None:
        if self.form is None:
            return None
        if search is not None and self.page_kwargs:
            extra = self.page_kwargs(sr, search)
        else:
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
        lambda r: {
            "ranking": matching_selectors.shortlist_for(request=r),
            "earlier": matching_selectors.earlier_on_request(request=r),
        },
        # Of the excluded, the page shows the first rows only: only those are loaded.
        lambda r, search: {
            "ranking": matching_selectors.shortlist_for(
                request=r, excluded_rows=EXCLUDED_ROWS, search=search
            ),
            "earlier": matching_selectors.earlier_on_request(request=r),
        },
    ),
    "assign_school": Action(
        AssignSchoolForm,
        lambda r, p, d: request_services.request_assign_school(request=r, by=p, school=d["school"]),
        gettext_lazy("The school has been assigned."),
        lambda r: {
            "schools": request_selectors.schools_of_organisation(organisation=r.organisation),
            "organisation": r.organisation,
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


def with_default_level(form: forms.Form | None, sides: set[Side]) -> forms.Form | None:
    """Preselect the level the author's entries get when they choose none."""
    if form is not None and "visibility" in form.fields:
        form.fields["visibility"].initial = visibility.default_for(sides).value
    return form


def _action_forms(
    sr: SupportRequest, person: Person, allowed: set[str], sides: set[Side], search: str = ""
) -> dict[str, forms.Form | None]:
    result: dict[str, forms.Form | None] = {}
    # The order of the table, so the page always lists the steps in process order.
    for name in (a for a in workflow.TRANSITIONS if a in allowed):
        action = ACTIONS.get(name)
        if action is not None:
            result[name] = with_default_level(action.make_form(sr, name, search=search), sides)
    return result


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
    # The page's ranking holds only the excluded it shows, and counts the others.
    excluded_count = (
        len(excluded) if ranking.excluded_matching is None else ranking.excluded_matching
    )
    return {
        "ranking": ranking,
        "shortlist": ranked[:SHORTLIST_ROWS],
        "shortlist_more": max(len(ranked) - SHORTLIST_ROWS, 0),
        "shortlist_matches": len(ranked),
        "shortlist_excluded": excluded[:EXCLUDED_ROWS],
        "shortlist_excluded_count": excluded_count,
        "shortlist_excluded_more": max(excluded_count - EXCLUDED_ROWS, 0),
        "shortlist_search": search.strip(),
        "shortlist_chosen": form.chosen_ids(),
        "shortlist_earlier": form.earlier,
    }


# The most timeline events one page shows (a request of years has a few hundred).
TIMELINE_ROWS_MAX = 5000


def timeline_rows(request: HttpRequest) -> int:
    """How many of the newest timeline events to show: the default batch, or as many as the
    reader asked for with "Ältere Einträge laden" (`?eintraege=40`)."""
    raw = request.GET.get("eintraege", "")
    rows = int(raw) if raw.isdigit() else 0
    return min(max(rows, request_selectors.TIMELINE_ROWS), TIMELINE_ROWS_MAX)


def page_options(request: HttpRequest) -> dict[str, Any]:
    """How much of the long lists the reader asked to see (`detail_context`'s options)."""
    return {
        "timeline_rows": timeline_rows(request),
        "accompaniment_all": request.GET.get("begleitung") == "alle",
    }


# Read-only, also when a POST shows the page again: an unreadable value does not fail it.
@reads_tolerantly_for_reader
def detail_context(
    sr: SupportRequest,
    person: Person,
    *,
    shortlist_search: str = "",
    forms: bool = True,
    timeline_rows: int = request_selectors.TIMELINE_ROWS,
    accompaniment_all: bool = False,
) -> dict[str, Any]:
    """Everything the request page shows; `forms=False` leaves out the forms of the steps
    (and with them the shortlist), for the timeline fragment that refreshes every minute.
    Of the timeline it shows the newest `timeline_rows` events; of the past sessions and done
    next steps the newest few unless `accompaniment_all`."""
    person_sides = workflow.sides(sr, person)
    allowed = workflow.allowed_actions(sr, person)
    detail = request_selectors.request_detail(
        person=person, request=sr, sides=person_sides, timeline_rows=timeline_rows
    )
    # The timeline fragment shows no session: it does without their queries.
    accompaniment = (
        accompaniment_selectors.accompaniment_for(
            person=person,
            sides=person_sides,
            request=sr,
            binding=detail["binding_agreement"],
            newest=None if accompaniment_all else accompaniment_selectors.ACCOMPANIMENT_ROWS,
        )
        if forms
        else {}
    )
    # "Who can see what" counts the sessions and next steps among the entries of each level.
    for level, count in accompaniment.get("accompaniment_levels", {}).items():
        detail["levels"][level] += count
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
    can_write = permissions.may_write(person_sides)
    action_forms = (
        _action_forms(sr, person, allowed, person_sides, shortlist_search) if forms else {}
    )
    return {
        **agreement_context(sr, detail["agreements"], person_sides),
        **(_completion_context(sr, person, person_sides, allowed) if forms else {}),
        **shortlist_context(action_forms.get("propose"), shortlist_search),
        "sr": sr,
        "person_sides": person_sides,
        "sides": {s.value for s in person_sides},
        "allowed": allowed,
        "action_forms": action_forms,
        "next_step": workflow.next_step(sr),
        "labels": timeline.LABELS,
        "can_accept_agreement": (
            agreement is not None
            and "accept_agreement" in allowed
            and my_side not in accepted_sides
        ),
        # Why the Kontrakt cannot be accepted yet (the first meeting lies ahead), for the sides.
        "accept_agreement_reason": workflow.refusal(sr, "accept_agreement", person)
        if agreement is not None
        and sr.state == State.MEETING_SCHEDULED
        and {Side.SCHOOL, Side.SUPPORTER} & person_sides
        else None,
        "my_proposal": my_proposal,
        "decline_form": DeclineForm(prefix="decline") if my_proposal else None,
        "can_write": can_write,
        "can_widen": permissions.may_widen(person_sides),
        "can_remove": bool({Side.SCHOOL, Side.COORDINATOR} & person_sides)
        and sr.state != "withdrawn",
        "can_see_log": bool({Side.SCHOOL, Side.COORDINATOR} & person_sides),
        "note_form": with_default_level(NoteAddForm(prefix="note"), person_sides)
        if can_write
        else None,
        "document_form": with_default_level(
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
        "next_step_form": with_default_level(NextStepForm(prefix="step"), person_sides)
        if forms and "next_step" in allowed
        else None,
        **accompaniment,
        **detail,
        **request_selectors.coming_up(
            request=sr,
            next_session=accompaniment.get("next_session"),
            next_meeting=detail["next_meeting"],
        ),
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
    "other_methods",
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
    from lotse.support.forms.completion import reflection_form

    section = completion_selectors.completion_section(
        request=sr, person=person, sides=sides, allowed=allowed
    )
    if section["can_reflect"]:
        section["reflection_form"] = reflection_form(section["reflection"], sides)
    return section


# The timeline fragments of the request page and what their read is in the access log: the
# refresh every minute, and the older entries a reader loads.
TIMELINE_FRAGMENTS = {"timeline": "timeline", "aeltere": "timeline_older"}


# Also after a refused step or an invalid form (POST): showing the page writes nothing.
@reads_tolerantly
def render_detail(
    request: HttpRequest,
    sr: SupportRequest,
    person: Person,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Render the request page (or its timeline for htmx: refreshed, or with older entries
    loaded): one read, one access-log row."""
    what = (
        TIMELINE_FRAGMENTS.get(request.GET.get("fragment", ""))
        if getattr(request, "htmx", False)
        else None
    )
    fragment = what is not None
    context = context or detail_context(sr, person, forms=not fragment, **page_options(request))
    access_log.log(
        person=person,
        request=sr,
        sides=context["person_sides"],
        what=what or "request",
    )
    if fragment:
        return render(request, "support/request_detail.html#timeline", context, status=status)
    # What the apps to the right of support add to the page (core's registry).
    context["extra_sections"] = request_sections.for_request(request, sr, person)
    return render(request, "support/request_detail.html", context, status=status)


def refused(
    request: HttpRequest, sr: SupportRequest, person: Person, reason: str | Promise
) -> HttpResponse:
    messages.error(request, str(reason))
    return render_detail(request, sr, person, status=400)


def back_to_request(sr: SupportRequest, anchor: str = "") -> HttpResponse:
    """Back to the request page after a step, at the section it changed (e.g. "#timeline")."""
    response = redirect("support:detail", pk=sr.pk)
    response["Location"] += anchor
    return response


def refusal_page(
    request: HttpRequest, sr: SupportRequest, person: Person
) -> Callable[[str | Promise], HttpResponse]:
    """How a refused step of the request page shows: the page again, with the reason."""
    return lambda reason: refused(request, sr, person, reason)
