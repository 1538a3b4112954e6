"""Views of a request's records: notes and documents, their visibility, the school's releases,
ending a supporter's part, and the access log. Each: authenticate, load (404 for outsiders,
403 for insiders without the right), validate, call one service, answer."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lotse.core import roles
from lotse.core.models import Organisation, Person
from lotse.lib.steps import run_step
from lotse.support import access_log as read_log
from lotse.support import permissions, workflow
from lotse.support.forms.records import (
    DocumentForm,
    NoteAddForm,
    ReleaseForm,
    RemoveSupporterForm,
    VisibilityForm,
)
from lotse.support.models import (
    Attachment,
    Meeting,
    Proposal,
    Release,
    Session,
    SupportRequest,
    TimelineEvent,
)
from lotse.support.permissions import get_request_for
from lotse.support.selectors import records as record_selectors
from lotse.support.services import base as services_base
from lotse.support.services import records as record_services
from lotse.support.services import requests as request_services
from lotse.support.views.base import (
    back_to_request,
    detail_context,
    refusal_page,
    refused,
    render_detail,
)
from lotse.support.workflow import Side

# The entries with a level, by the name the URLs use for them.
ENTRIES: dict[str, type[services_base.Entry]] = {
    "eintrag": TimelineEvent,
    "termin": Meeting,
    "dokument": Attachment,
    "begleittermin": Session,
}


def _insider(request: HttpRequest, pk: int) -> tuple[Person, SupportRequest, set[Side]]:
    person = roles.person_of(request)
    sr = get_request_for(person, pk)
    return person, sr, workflow.sides(sr, person)


# --- notes and documents ---------------------------------------------------------------------


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a note into the request's timeline, with who may read it."""
    person, sr, sides = _insider(request, pk)
    if not permissions.may_write(sides):
        raise PermissionDenied
    form = NoteAddForm(request.POST, prefix="note")
    if not form.is_valid():
        context = detail_context(sr, person)
        context["note_form"] = form
        context["open_record"] = "note"
        return render_detail(request, sr, person, context, status=400)
    outcome = run_step(
        lambda: record_services.note_add(
            request=sr,
            by=person,
            text=form.cleaned_data["text"],
            visibility=form.cleaned_data["visibility"],
        ),
        page=refusal_page(request, sr, person),
    )
    if outcome.refusal is not None:
        return outcome.refusal
    messages.success(request, _("The note has been added."))
    return back_to_request(sr, "#timeline")


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a document to the request, encrypted, with who may read it."""
    person, sr, sides = _insider(request, pk)
    if not permissions.may_write(sides):
        raise PermissionDenied
    form = DocumentForm(
        request.POST, request.FILES, prefix="document", max_size=settings.DOCUMENT_MAX_SIZE
    )
    if not form.is_valid():
        context = detail_context(sr, person)
        context["document_form"] = form
        context["open_record"] = "document"
        return render_detail(request, sr, person, context, status=400)
    upload = form.cleaned_data["file"]
    outcome = run_step(
        lambda: record_services.document_upload(
            request=sr,
            by=person,
            filename=upload.name or "",
            content_type=upload.content_type or "",
            content=upload.read(),
            visibility=form.cleaned_data["visibility"],
        ),
        page=refusal_page(request, sr, person),
    )
    if outcome.refusal is not None:
        return outcome.refusal
    messages.success(request, _("The document has been uploaded."))
    return back_to_request(sr, "#documents")


# --- visibility and releases (the school only) ----------------------------------------------


def _entry(sr: SupportRequest, kind: str, entry_pk: int) -> services_base.Entry:
    model = ENTRIES.get(kind)
    if model is None:
        raise Http404
    found = get_object_or_404(
        model.objects.defer(*record_services.SEALED[model]), pk=entry_pk, request=sr
    )
    return cast(services_base.Entry, found)


@login_required
@require_POST
def entry_visibility(request: HttpRequest, pk: int, kind: str, entry_pk: int) -> HttpResponse:
    """The school changes who may read an entry: participants or also the coordination."""
    person, sr, sides = _insider(request, pk)
    entry = _entry(sr, kind, entry_pk)
    if not permissions.may_widen(sides):
        raise PermissionDenied
    form = VisibilityForm(request.POST)
    if not form.is_valid():
        return refused(request, sr, person, _("Please choose who may see the entry."))
    outcome = run_step(
        lambda: record_services.entry_set_visibility(
            entry=entry, by=person, visibility=form.cleaned_data["visibility"]
        ),
        page=refusal_page(request, sr, person),
    )
    if outcome.refusal is not None:
        return outcome.refusal
    messages.success(request, _("Who may see the entry has been changed."))
    return back_to_request(sr)


@login_required
@require_POST
def entry_release(request: HttpRequest, pk: int, kind: str, entry_pk: int) -> HttpResponse:
    """The school releases an entry for a named purpose."""
    person, sr, sides = _insider(request, pk)
    entry = _entry(sr, kind, entry_pk)
    if not permissions.may_widen(sides):
        raise PermissionDenied
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        return refused(request, sr, person, _("Please name the purpose of the release."))
    outcome = run_step(
        lambda: record_services.entry_release(
            entry=entry, by=person, purpose=form.cleaned_data["purpose"]
        ),
        page=refusal_page(request, sr, person),
    )
    if outcome.refusal is not None:
        return outcome.refusal
    messages.success(
        request,
        _("The entry has been released for “%(purpose)s”. You can revoke the release at any time.")
        % {"purpose": form.cleaned_data["purpose"]},
    )
    return back_to_request(sr)


@login_required
@require_POST
def release_revoke(request: HttpRequest, pk: int, release_pk: int) -> HttpResponse:
    """The school revokes a release; the entry is back at its level at once."""
    person, sr, sides = _insider(request, pk)
    release = get_object_or_404(Release, pk=release_pk, request=sr)
    if not permissions.may_widen(sides):
        raise PermissionDenied
    outcome = run_step(
        lambda: record_services.release_revoke(release=release, by=person),
        page=refusal_page(request, sr, person),
    )
    if outcome.refusal is not None:
        return outcome.refusal
    messages.success(request, _("The release has been revoked."))
    return back_to_request(sr)


# --- ending a supporter's part ---------------------------------------------------------------


@login_required
@require_POST
def proposal_remove(request: HttpRequest, pk: int, proposal_pk: int) -> HttpResponse:
    """The coordination or the school ends a supporter's part in the request."""
    person, sr, sides = _insider(request, pk)
    proposal = get_object_or_404(Proposal, pk=proposal_pk, request=sr)
    if not {Side.SCHOOL, Side.COORDINATOR} & sides:
        raise PermissionDenied
    form = RemoveSupporterForm(request.POST, prefix="remove")
    if not form.is_valid():
        context = detail_context(sr, person)
        context["remove_form"] = form
        context["open_remove"] = proposal.pk
        return render_detail(request, sr, person, context, status=400)
    outcome = run_step(
        lambda: request_services.proposal_remove(
            proposal=proposal, by=person, reason=form.cleaned_data["reason"]
        ),
        page=refusal_page(request, sr, person),
    )
    if outcome.refusal is not None:
        return outcome.refusal
    messages.success(
        request,
        _("%(supporter)s is no longer involved and no longer has access to the request.")
        % {"supporter": proposal.supporter},
    )
    return back_to_request(sr)


# --- downloads -------------------------------------------------------------------------------


def _download(attachment: Attachment) -> HttpResponse:
    response = HttpResponse(bytes(attachment.content), content_type="application/octet-stream")
    # Always a download, never shown inline: a mail's HTML must not run in Lotse's origin.
    ascii_name = attachment.filename.encode("ascii", "replace").decode().replace('"', "_")
    response["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """A document or a mail's attachment, for those who read it; one access-log row."""
    person, sr, sides = _insider(request, pk)
    exists, attachment = record_selectors.readable_document(
        person=person, sides=sides, request=sr, pk=attachment_pk
    )
    if not exists:
        raise Http404
    if attachment is None:
        raise PermissionDenied
    read_log.log(person=person, request=sr, sides=sides, what="attachment", object_id=attachment.pk)
    return _download(attachment)


# --- the access log --------------------------------------------------------------------------


@login_required
@require_GET
def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who read the request's content: for the school and the coordination of its site.

    Looking at this page reads no content, so it writes no row itself."""
    _person, sr, sides = _insider(request, pk)
    if not {Side.SCHOOL, Side.COORDINATOR} & sides:
        raise PermissionDenied
    page = Paginator(record_selectors.access_log_for(request=sr), 50).get_page(
        request.GET.get("page")
    )
    rows = [
        (entry, roles.Kind(entry.role).label, read_log.WHAT.get(entry.what, entry.what))
        for entry in page.object_list
    ]
    return render(request, "support/access_log.html", {"sr": sr, "page": page, "rows": rows})


# --- the organisation's releases -------------------------------------------------------------


@login_required
@require_GET
def release_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The entries schools released, with purpose, school and date; no content."""
    organisation, _person, _role = permissions.staff_organisation(request, slug)
    page = Paginator(
        record_selectors.releases_for_organisation(organisation=organisation), 50
    ).get_page(request.GET.get("page"))
    return render(
        request, "support/release_list.html", {"organisation": organisation, "page": page}
    )


def _active_release(organisation: Organisation, pk: int) -> Release:
    return get_object_or_404(
        Release.objects.select_related("request__organisation", "request__school", "released_by"),
        pk=pk,
        request__organisation=organisation,
        revoked_at__isnull=True,
    )


@login_required
@require_GET
def release_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One released entry with its content, for the purpose the school named; one log row."""
    organisation, person, role = permissions.staff_organisation(request, slug)
    release = _active_release(organisation, pk)
    entry = record_selectors.released_entry(release=release)
    read_log.log(
        person=person,
        request=release.request,
        sides=(),
        what="release",
        object_id=release.pk,
        role=role,
    )
    return render(
        request,
        "support/release_detail.html",
        {"organisation": organisation, "release": release, "entry": entry},
    )


@login_required
@require_GET
def release_file(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The file of a released document; one log row."""
    organisation, person, role = permissions.staff_organisation(request, slug)
    release = _active_release(organisation, pk)
    if release.attachment_id is None:
        raise Http404
    attachment = Attachment.objects.get(pk=release.attachment_id)
    read_log.log(
        person=person,
        request=release.request,
        sides=(),
        what="attachment",
        object_id=attachment.pk,
        role=role,
    )
    return _download(attachment)
