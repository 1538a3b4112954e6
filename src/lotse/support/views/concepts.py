"""Views of Synergie: the school's concept form, the organisation's review, the library."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lotse.catalog.models import QualityArea
from lotse.core import audit, roles
from lotse.core.models import Organisation, Person
from lotse.lib.steps import run_step
from lotse.support import access_log, concept_check, permissions, workflow
from lotse.support.concept_check import Status
from lotse.support.forms.concepts import ConceptForm, LibraryFilterForm, ReturnForm, ReviewForm
from lotse.support.models import Concept
from lotse.support.permissions import get_request_for
from lotse.support.selectors import concepts as concept_selectors
from lotse.support.services import concepts as concept_services
from lotse.support.views.base import back_to_request, refused

ANCHOR = "#synergie"


def _fields(texts: dict[str, str], check: concept_check.Check) -> list[Any]:
    """Each text with its findings marked, for the page."""
    labels = {
        "topic": _("Topic"),
        "what_was_done": _("What was done"),
        "what_helped": _("What helped"),
    }
    return [
        {
            "label": labels[name],
            "html": concept_check.highlight(texts[name], check.by_field[name]),
            "count": len(check.by_field[name]),
        }
        for name in concept_check.TEXT_FIELDS
    ]


# --- the school ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def concept_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The school writes (or revises) the anonymised summary and consents; the check runs first."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    sides = workflow.sides(sr, person)
    if not permissions.writes_concept(sides):
        raise PermissionDenied
    reason = permissions.release_refusal(sr, person)
    pending = [c for c in concept_selectors.concepts_of(sr) if c.status in concept_check.PENDING]
    if reason is None and any(c.status == Status.SUBMITTED for c in pending):
        reason = _("A concept of this request is already waiting for review.")
    if reason is not None:
        return refused(request, sr, person, reason)
    returned = pending[0] if pending else None
    areas = list(QualityArea.objects.filter(organisation_id=sr.organisation_id))
    terms = concept_check.identifying_terms(sr)
    check: concept_check.Check | None = None
    status = 200
    if request.method == "POST":
        texts = {name: request.POST.get(name, "") for name in concept_check.TEXT_FIELDS}
        check = concept_check.check_texts(texts, terms)
        form = ConceptForm(request.POST, areas=areas, found=check.distinct)
        if form.is_valid():
            data = form.cleaned_data
            if not check.unresolved(data.get("harmless", [])):
                outcome = run_step(
                    lambda: concept_services.concept_submit(
                        request=sr,
                        by=person,
                        topic=data["topic"],
                        what_was_done=data["what_was_done"],
                        what_helped=data["what_helped"],
                        quality_areas=data["quality_areas"],
                        school_form=data["school_form"],
                        consent=data["consent"],
                        harmless=data.get("harmless", []),
                    ),
                    form=form,
                )
                if outcome.done:
                    messages.success(
                        request,
                        _("Thank you. The concept now waits for review by the organisation."),
                    )
                    return back_to_request(sr, ANCHOR)
            else:
                form.add_error(
                    None,
                    _(
                        "The check found what could identify the school, a person or a place. "
                        "Please remove it from the texts or confirm that it identifies no one."
                    ),
                )
        status = 400
    else:
        initial: dict[str, Any] = {"school_form": sr.school.school_type if sr.school else ""}
        if returned is not None:
            initial |= {name: getattr(returned, name) for name in concept_check.TEXT_FIELDS}
            initial |= {
                "school_form": returned.school_form,
                "quality_areas": list(returned.quality_areas.all()),
            }
            # The returned texts are confidential content: their reading is logged.
            access_log.log(
                person=person, request=sr, sides=sides, what="concept", object_id=returned.pk
            )
        elif sr.quality_area_id:
            initial["quality_areas"] = [sr.quality_area_id]
        form = ConceptForm(initial=initial, areas=areas)
    fields = _fields(texts, check) if check is not None and check.distinct else []
    return render(
        request,
        "support/concept_form.html",
        {"sr": sr, "form": form, "returned": returned, "checked": fields, "check": check},
        status=status,
    )


@login_required
@require_POST
def concept_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The school withdraws its consent (from the request page or the library), at any time;
    the concept leaves the library at once."""
    person = roles.person_of(request)
    concept = permissions.concept_for(person, pk)
    if not permissions.may_withdraw(person, concept):
        # Readers of the library see a published concept; others must not learn of it.
        if concept.status == Status.PUBLISHED:
            raise PermissionDenied
        raise Http404
    outcome = run_step(
        lambda: concept_services.concept_withdraw(concept=concept, by=person), flash=request
    )
    if outcome.done:
        messages.success(request, _("Your consent is withdrawn; the concept is not shown anymore."))
    if concept.request is not None:
        return back_to_request(concept.request, ANCHOR)
    return redirect("support:concept_library")


# --- the review ------------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """The concepts waiting for the person's review, each with its topic; showing a topic is
    a read, logged like opening the concept."""
    organisation, person, _role = permissions.staff_organisation(request, slug)
    waiting = concept_selectors.review_queue(
        person=person, organisation=organisation
    ).select_related("request__site")
    for concept in waiting:
        _log_review_read(person, organisation, concept)
    return render(
        request,
        "support/concept_queue.html",
        {"organisation": organisation, "waiting": _with_forms(waiting)},
    )


def _with_forms(rows: QuerySet[Concept]) -> list[tuple[Concept, str]]:
    return [(c, concept_selectors.school_form_label(c)) for c in rows]


def _log_review_read(person: Person, organisation: Organisation, concept: Concept) -> None:
    """One access-log row for reading an unpublished concept (in the request's log)."""
    role = permissions.reviewer_role(person, organisation)
    if concept.request is not None:
        access_log.log(
            person=person,
            request=concept.request,
            sides=(),
            what="concept",
            object_id=concept.pk,
            role=role,
        )
    else:
        audit.read(
            person=person, role=role, organisation=organisation, subject=concept, what="concept"
        )


def _render_review(
    request: HttpRequest,
    person: Person,
    concept: Concept,
    *,
    texts: dict[str, str],
    check: concept_check.Check,
    form: ReviewForm,
    return_form: ReturnForm,
    status: int = 200,
) -> HttpResponse:
    organisation = concept.organisation
    if concept.status != Status.PUBLISHED:
        _log_review_read(person, organisation, concept)
    return render(
        request,
        "support/concept_review.html",
        {
            "organisation": organisation,
            "concept": concept,
            "school_form": concept_selectors.school_form_label(concept),
            "form": form,
            "return_form": return_form,
            "checked": _fields(texts, check),
            "check": check,
            "can_review": concept.status == Status.SUBMITTED,
        },
        status=status,
    )


def _stored(concept: Concept) -> dict[str, str]:
    return {name: getattr(concept, name) for name in concept_check.TEXT_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A reviewer reads the concept with its findings marked, edits, publishes or returns it."""
    organisation, person, _role = permissions.staff_organisation(request, slug)
    concept = get_object_or_404(
        Concept.objects.select_related("organisation", "request__site", "request__school"),
        pk=pk,
        organisation=organisation,
    )
    if not permissions.is_reviewer(person, concept):
        raise Http404
    terms = concept_check.identifying_terms(concept.request) if concept.request else []
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "return":
        return _review_return(request, person, concept, terms)
    if action in ("check", "publish"):
        return _review_edit(request, person, concept, terms, publish=action == "publish")
    texts = _stored(concept)
    check = concept_check.check_texts(texts, terms)
    return _render_review(
        request,
        person,
        concept,
        texts=texts,
        check=check,
        form=ReviewForm(initial=texts, found=check.distinct),
        return_form=ReturnForm(prefix="return"),
    )


def _review_return(
    request: HttpRequest, person: Person, concept: Concept, terms: list[concept_check.Term]
) -> HttpResponse:
    return_form = ReturnForm(request.POST, prefix="return")
    if return_form.is_valid():
        outcome = run_step(
            lambda: concept_services.concept_return(
                concept=concept, by=person, note=return_form.cleaned_data["note"]
            ),
            form=return_form,
        )
        if outcome.done:
            messages.success(request, _("The concept went back to the school with your note."))
            return redirect("support:concept_queue", slug=concept.organisation.slug)
    texts = _stored(concept)
    check = concept_check.check_texts(texts, terms)
    return _render_review(
        request,
        person,
        concept,
        texts=texts,
        check=check,
        form=ReviewForm(initial=texts, found=check.distinct),
        return_form=return_form,
        status=400,
    )


def _review_edit(
    request: HttpRequest,
    person: Person,
    concept: Concept,
    terms: list[concept_check.Term],
    *,
    publish: bool,
) -> HttpResponse:
    texts = {name: request.POST.get(name, "") for name in concept_check.TEXT_FIELDS}
    check = concept_check.check_texts(texts, terms)
    form = ReviewForm(request.POST, found=check.distinct)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        edited = {name: data[name] for name in concept_check.TEXT_FIELDS}
        outcome = run_step(
            (
                lambda: concept_services.concept_publish(
                    concept=concept, by=person, harmless=data.get("harmless", []), **edited
                )
            )
            if publish
            else (lambda: concept_services.concept_edit(concept=concept, by=person, **edited)),
            form=form,
        )
        if outcome.done:
            if publish:
                messages.success(request, _("The concept is now in the library."))
                return redirect("support:concept_queue", slug=concept.organisation.slug)
            messages.success(request, _("Your changes are saved and checked again."))
            return redirect("support:concept_review", slug=concept.organisation.slug, pk=concept.pk)
    return _render_review(
        request,
        person,
        concept,
        texts=texts,
        check=check,
        form=form,
        return_form=ReturnForm(prefix="return"),
        status=status,
    )


# --- the library -----------------------------------------------------------------------------


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """The published concepts of the person's organisations, by area and words."""
    person, organisation_ids = permissions.library_member(request)
    form = LibraryFilterForm(request.GET or None, organisation_ids=organisation_ids)
    area, search = None, ""
    if form.is_bound and form.is_valid():
        area, search = form.cleaned_data["area"], form.cleaned_data["q"]
    page = concept_selectors.library_page(
        person=person, area=area, search=search, page=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "support/concept_library.html",
        {
            "form": form,
            "rows": [(c, concept_selectors.school_form_label(c)) for c in page],
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(area or search),
        },
    )


@login_required
@require_GET
def library_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One concept of the library: never the school, the request, people or a date finer
    than the year."""
    person, _organisation_ids = permissions.library_member(request)
    concept = concept_selectors.published_concept(person=person, pk=pk)
    if concept is None:
        raise Http404
    return render(
        request,
        "support/concept_detail.html",
        {
            "concept": concept,
            "school_form": concept_selectors.school_form_label(concept),
            "may_withdraw": permissions.may_withdraw(person, concept),
        },
    )
