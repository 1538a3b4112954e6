"""Views of the completion: the final reflection, the evaluation and its aggregate report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lotse.core import roles
from lotse.lib.steps import run_step
from lotse.support import permissions, workflow
from lotse.support.forms.completion import EvaluationForm, EvaluationQuestionForm, reflection_form
from lotse.support.models import EvaluationAnswer, EvaluationQuestion
from lotse.support.permissions import get_request_for, require_side
from lotse.support.selectors import completion as completion_selectors
from lotse.support.services import completion as completion_services
from lotse.support.views.base import detail_context, refusal_page, refused, render_detail

# --- the final reflection on the request page ------------------------------------------------


@login_required
@require_POST
def final_reflection_write(request: HttpRequest, pk: int) -> HttpResponse:
    """School or supporter writes or rewrites the joint final reflection."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    require_side(sr, "final_reflection", person)
    reason = workflow.refusal(sr, "final_reflection", person)
    if reason is not None:
        return refused(request, sr, person, reason)
    sides = workflow.sides(sr, person)
    form = reflection_form(None, sides, request.POST)
    if not form.is_valid():
        context = detail_context(sr, person)
        context["reflection_form"] = form
        context["open_reflection"] = True
        return render_detail(request, sr, person, context, status=400)
    outcome = run_step(
        lambda: completion_services.final_reflection_write(
            request=sr,
            by=person,
            text=form.cleaned_data["text"],
            visibility=form.cleaned_data["visibility"],
        ),
        page=refusal_page(request, sr, person),
    )
    if outcome.refusal is not None:
        return outcome.refusal
    messages.success(
        request,
        _(
            "The final reflection has been saved and confirmed for your side. The other side "
            "is asked to confirm it."
        ),
    )
    return redirect(reverse("support:detail", args=[sr.pk]) + "#abschluss")


@login_required
@require_POST
def final_reflection_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The other side confirms the final reflection as it stands."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    require_side(sr, "final_reflection", person)
    outcome = run_step(
        lambda: completion_services.final_reflection_confirm(request=sr, by=person),
        page=refusal_page(request, sr, person),
    )
    if outcome.refusal is not None:
        return outcome.refusal
    reflection = outcome.value
    if reflection.confirmed and "complete" in workflow.allowed_actions(sr, person):
        messages.success(
            request,
            _("Both sides have confirmed the final reflection. The process can now be completed."),
        )
    elif reflection.confirmed:
        # The school does not complete: it is told who does.
        messages.success(
            request,
            _(
                "Both sides have confirmed the final reflection. The supporter or the regional "
                "coordination now completes the process."
            ),
        )
    else:
        messages.success(request, _("You have confirmed the final reflection."))
    return redirect(reverse("support:detail", args=[sr.pk]) + "#abschluss")


# --- the evaluation --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """The short evaluation for the school's or the supporter's side: answer it or decline."""
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    sides = workflow.sides(sr, person)
    side = permissions.evaluation_side(sides)
    if side is None:
        raise PermissionDenied
    reason = permissions.evaluation_refusal(sr, sides)
    questions = completion_selectors.questions_for(organisation=sr.organisation, side=side)
    form = EvaluationForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and reason is None:
        if "decline" in request.POST:
            outcome = run_step(
                lambda: completion_services.evaluation_decline(request=sr, by=person), form=form
            )
            if outcome.done:
                messages.success(request, _("You do not take part in the evaluation. Thank you."))
                return redirect("support:detail", pk=sr.pk)
        elif form.is_valid():
            outcome = run_step(
                lambda: completion_services.evaluation_submit(
                    request=sr, by=person, answers=form.answers()
                ),
                form=form,
            )
            if outcome.done:
                messages.success(request, _("Thank you for your answers."))
                return redirect("support:detail", pk=sr.pk)
    elif request.method == "POST":
        form.add_error(None, str(reason))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/evaluation_form.html",
        {"sr": sr, "form": form, "reason": reason, "side": side, "questions": questions},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's evaluation questions, and a form to add one (admins only)."""
    organisation, person = permissions.admin_organisation(request, slug)
    form = EvaluationQuestionForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        outcome = run_step(
            lambda: completion_services.evaluation_question_save(
                organisation=organisation, by=person, **form.cleaned_data
            ),
            form=form,
        )
        if outcome.done:
            messages.success(request, _("The question has been added."))
            return redirect("support:evaluation_questions", slug=organisation.slug)
    questions = (
        EvaluationQuestion.objects.filter(organisation=organisation)
        # Whether a question has answers (it cannot be deleted then), not how many: the
        # numbers are in the report, where too small ones are hidden.
        .annotate(answered=Exists(EvaluationAnswer.objects.filter(question=OuterRef("pk"))))
        .order_by("position", "pk")
    )
    return render(
        request,
        "support/evaluation_questions.html",
        {"organisation": organisation, "questions": questions, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, slug: str, question_pk: int) -> HttpResponse:
    """Change a question, switch it off, or delete it while nobody has answered it."""
    organisation, person = permissions.admin_organisation(request, slug)
    question = get_object_or_404(EvaluationQuestion, pk=question_pk, organisation=organisation)
    answered = question.answers.exists()
    form = EvaluationQuestionForm(
        request.POST or None,
        initial={
            "text": question.text,
            "audience": question.audience,
            "kind": question.kind,
            "position": question.position,
            "active": question.active,
        },
    )
    if answered:
        # The bound field copied the help text when the KERN classes were applied: set both.
        form.fields["text"].help_text = form["text"].help_text = _(
            "This question already has answers. Correct the wording if needed, but do not change "
            "its meaning: the answers would no longer fit. For a different question, switch this "
            "one off and add a new one."
        )
        form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        outcome = run_step(
            lambda: completion_services.evaluation_question_save(
                organisation=organisation, by=person, question=question, **form.cleaned_data
            ),
            form=form,
        )
        if outcome.done:
            messages.success(request, _("The question has been saved."))
            return redirect("support:evaluation_questions", slug=organisation.slug)
    return render(
        request,
        "support/evaluation_question_form.html",
        {"organisation": organisation, "question": question, "form": form, "answered": answered},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, slug: str, question_pk: int) -> HttpResponse:
    """Delete a question nobody has answered yet."""
    organisation, person = permissions.admin_organisation(request, slug)
    question = get_object_or_404(EvaluationQuestion, pk=question_pk, organisation=organisation)
    outcome = run_step(
        lambda: completion_services.evaluation_question_delete(question=question, by=person),
        flash=request,
    )
    if outcome.refused:
        return redirect("support:evaluation_question_edit", slug=slug, question_pk=question.pk)
    messages.success(request, _("The question has been deleted."))
    return redirect("support:evaluation_questions", slug=organisation.slug)


@login_required
@require_GET
def report(request: HttpRequest, slug: str) -> HttpResponse:
    """The evaluation in aggregate, for the organisation's admins and coordinators."""
    organisation, person, _kind = permissions.staff_organisation(request, slug)
    return render(
        request,
        "support/evaluation_report.html",
        {
            "organisation": organisation,
            "rows": completion_selectors.evaluation_report(organisation=organisation),
            "is_admin": permissions.is_admin(person, organisation),
        },
    )
