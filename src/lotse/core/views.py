"""Views of core: the mail outbox for staff; for organisation admins the organisation's
settings, the synonyms of its search, its retention rules, the export and erasure of a person's
data, and its schools with the school data import."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lotse.core import (
    audit,
    privacy,
    retention,
    roles,
    school_choice,
    schoolimport,
    schools,
    services,
)
from lotse.core.forms import (
    EraseForm,
    OrganisationSettingsForm,
    PersonSearchForm,
    RetentionForm,
    SchoolImportForm,
    SchoolSearchForm,
    SearchSynonymsForm,
)
from lotse.core.models import (
    Organisation,
    OutboxMessage,
    Person,
    Role,
    School,
    SchoolImport,
    SearchSynonym,
)
from lotse.lib import limits


def _visible_outbox(request: HttpRequest) -> QuerySet[OutboxMessage]:
    """Coordinators see the mails about their sites' requests; organisation admins see the
    organisation's own mails, which belong to no site. Everyone else gets 404."""
    user = request.user
    site_ids = roles.coordinated_site_ids(user)
    admin_org_ids = roles.organisation_ids(user, roles.Kind.ADMIN)
    if not site_ids and not admin_org_ids:
        raise Http404
    return OutboxMessage.objects.filter(
        Q(site_id__in=site_ids) | Q(site__isnull=True, organisation_id__in=admin_org_ids)
    )


@login_required
@require_GET
def outbox_list(request: HttpRequest) -> HttpResponse:
    """Every mail Lotse wrote for the staff's organisations, sent or kept."""
    messages = (
        _visible_outbox(request)
        .only("pk", "subject", "to", "status", "created_at", "sent_at")
        .prefetch_related("bounce_records")
    )
    page = Paginator(messages, 50).get_page(request.GET.get("page"))
    return render(request, "core/outbox_list.html", {"page": page})


@login_required
@require_GET
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One mail of the outbox, as it was or will be sent."""
    message = _visible_outbox(request).filter(pk=pk).first()
    if message is None:
        raise Http404
    # A mail's text can quote what was written about a request: reading it is a read of that
    # request (or, for the organisation's own mails, of the mail), logged once.
    person = roles.person_of(request)
    subject = audit.reference_of(message.reference) or ("core.outboxmessage", message.pk)
    audit.read(
        person=person,
        role=roles.Kind.COORDINATOR if message.site_id else roles.Kind.ADMIN,
        organisation=message.organisation_id or 0,
        subject=subject,
        what="outbox_mail",
        object_id=message.pk,
    )
    return render(
        request,
        "core/outbox_detail.html",
        {"message": message, "bounces": list(message.bounce_records.all())},
    )


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """A trivial view: the floor the benchmarks measure against, and a health check."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def school_choices(request: HttpRequest, slug: str) -> JsonResponse:
    """The schools of an organisation that match the words typed into a school choice, for its
    combobox: the same public list the public request form offers, at most a few at a time."""
    organisation = get_object_or_404(Organisation, slug=slug)
    query = request.GET.get("q", "").strip()[: limits.SEARCH]
    matches = school_choice.search(
        School.objects.filter(district__organisation=organisation), query
    )
    count = matches.count()
    return JsonResponse(
        {
            "count": count,
            "status": school_choice.found_text(count, school_choice.SHOWN),
            "results": [
                {"value": str(school.pk), "label": school_choice.label(school)}
                for school in matches[: school_choice.SHOWN]
            ],
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation admin sets the acknowledgement deadline and the reminder."""
    organisation, person, _kind = roles.organisation_for(request, slug)
    form = OrganisationSettingsForm(
        request.POST or None, initial=OrganisationSettingsForm.initial_for(organisation)
    )
    if request.method == "POST" and form.is_valid():
        services.organisation_update_settings(
            organisation=organisation, by=person, **form.cleaned_data
        )
        flash.success(request, _("The settings have been saved."))
        return redirect("core:organisation_settings", slug=organisation.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "core/organisation_settings.html",
        {"organisation": organisation, "form": form},
        status=status,
    )


def _admin_organisation(
    request: HttpRequest, slug: str, *, superuser: bool = False
) -> tuple[Organisation, Person]:
    """The organisation, if the person administers it (or, where allowed, is a superuser);
    everyone else gets 404, as for the organisation's settings."""
    organisation = get_object_or_404(Organisation, slug=slug)
    person = roles.person_of(request)
    if superuser and person.is_superuser:
        return organisation, person
    organisation, person, _kind = roles.organisation_for(request, slug)
    return organisation, person


@login_required
@require_http_methods(["GET", "POST"])
def retention_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation admin decides how long each kind of data is kept, and sees the runs."""
    organisation, person = _admin_organisation(request, slug)
    rules = retention.rules_for(organisation)
    form = RetentionForm(request.POST or None, rules=rules)
    if request.method == "POST" and form.is_valid():
        retention.set_rules(organisation=organisation, by=person, values=form.values())
        flash.success(request, _("The retention rules have been saved."))
        return redirect("core:retention", slug=organisation.slug)
    last_runs = retention.last_runs(organisation)
    labels = {k.slug: k.label for k in retention.kinds()}
    return render(
        request,
        "core/retention.html",
        {
            "organisation": organisation,
            "form": form,
            "rows": [
                (rule, months, action, last_runs.get(rule.kind.slug))
                for rule, months, action in form.pairs()
            ],
            "runs": [
                (run, labels.get(run.kind, run.kind))
                for run in retention.runs_that_acted(organisation)
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def search_synonyms(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation admin keeps the synonym list of the search: a word and what a search
    for it also finds ("Mobbing: Konflikte")."""
    organisation, person = _admin_organisation(request, slug)
    listed = SearchSynonym.objects.filter(organisation=organisation).order_by("word")
    text = SearchSynonymsForm.text_of([(s.word, s.means_list()) for s in listed])
    form = SearchSynonymsForm(request.POST or None, initial={"synonyms": text})
    if request.method == "POST" and form.is_valid():
        services.search_synonyms_replace(
            organisation=organisation, by=person, pairs=form.cleaned_data["synonyms"]
        )
        flash.success(request, _("The synonyms of the search have been saved."))
        return redirect("core:search_synonyms", slug=organisation.slug)
    return render(
        request,
        "core/search_synonyms.html",
        {"organisation": organisation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _person_for(organisation: Organisation, by: Person, pk: int) -> Person:
    """A person with a role in the organisation; superusers may reach anyone. Else 404."""
    people = Person.objects.filter(pk=pk)
    if not by.is_superuser:
        people = people.filter(roles__organisation=organisation)
    person = people.distinct().first()
    if person is None:
        raise Http404
    return person


@login_required
@require_GET
def person_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Find a person with a role in the organisation, by name or address."""
    organisation, _by = _admin_organisation(request, slug, superuser=True)
    form = PersonSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(privacy.people_of(organisation, search=search), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "core/person_list.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "search": search,
            "query": urlencode({"q": search}) if search else "",
        },
    )


def _privacy_page(
    request: HttpRequest,
    organisation: Organisation,
    person: Person,
    by: Person,
    *,
    form: EraseForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    if not refusal:
        try:
            privacy.check(by=by, person=person, organisation=organisation)
        except privacy.Refused as exc:
            refusal = exc.message
    return render(
        request,
        "core/person_privacy.html",
        {
            "organisation": organisation,
            "person": person,
            "roles": Role.objects.filter(person=person)
            .select_related("organisation", "school")
            .order_by("organisation__name", "kind"),
            "form": form or EraseForm(),
            "refusal": refusal,
        },
        status=status,
    )


@login_required
@require_GET
def person_privacy(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A person's data protection page: export their data, or erase them."""
    organisation, by = _admin_organisation(request, slug, superuser=True)
    person = _person_for(organisation, by, pk)
    return _privacy_page(request, organisation, person, by)


@login_required
@require_POST
def person_export(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Everything Lotse holds about the person, as a JSON download (DSGVO Art. 15 and 20)."""
    organisation, by = _admin_organisation(request, slug, superuser=True)
    person = _person_for(organisation, by, pk)
    try:
        data = privacy.person_export(person=person, by=by, organisation=organisation)
    except privacy.Refused as exc:
        return _privacy_page(request, organisation, person, by, refusal=exc.message, status=403)
    filename = f"lotse-person-{person.pk}-{timezone.localdate():%Y-%m-%d}.json"
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def person_erase(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Erase the person's data (DSGVO Art. 17), after the admin typed their address."""
    organisation, by = _admin_organisation(request, slug, superuser=True)
    person = _person_for(organisation, by, pk)
    form = EraseForm(request.POST)
    if form.is_valid():
        try:
            privacy.person_erase(
                person=person,
                by=by,
                organisation=organisation,
                confirmation=form.cleaned_data["confirmation"],
            )
        except privacy.NotConfirmed as exc:
            form.add_error("confirmation", exc.message)
        except privacy.Refused as exc:
            return _privacy_page(
                request, organisation, person, by, form=form, refusal=exc.message, status=403
            )
        else:
            flash.success(request, _("The person's data have been erased."))
            return redirect("core:person_list", slug=organisation.slug)
    return _privacy_page(request, organisation, person, by, form=form, status=400)


@login_required
@require_GET
def school_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The schools of the organisation, with their district and site; searchable."""
    organisation, _by = _admin_organisation(request, slug)
    form = SchoolSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(schools.schools_of(organisation, search=search), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "core/school_list.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "search": search,
            "query": urlencode({"q": search}) if search else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a school data file; the preview follows, nothing is imported yet."""
    organisation, person = _admin_organisation(request, slug)
    form = SchoolImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            stored = schoolimport.upload_store(
                organisation=organisation,
                by=person,
                filename=upload.name or "",
                content=upload.read(),
                file_format=form.cleaned_data["file_format"],
                encoding=form.cleaned_data["encoding"],
            )
        except schoolimport.FileRejected as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("core:school_import_preview", slug=organisation.slug, pk=stored.pk)
    return render(
        request,
        "core/school_import.html",
        {"organisation": organisation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _own_upload(request: HttpRequest, slug: str, pk: int) -> tuple[SchoolImport, Person]:
    """The admin's own upload, while it is kept; everyone else gets 404."""
    organisation, person = _admin_organisation(request, slug)
    upload = schoolimport.upload_of(organisation=organisation, by=person, pk=pk)
    if upload is None:
        raise Http404
    return upload, person


def _preview(request: HttpRequest, upload: SchoolImport, *, status: int = 200) -> HttpResponse:
    result, error = None, ""
    try:
        result = schoolimport.upload_preview(upload=upload)
    except schoolimport.FileRejected as exc:
        error = exc.message
    return render(
        request,
        "core/school_import_preview.html",
        {
            "organisation": upload.organisation,
            "upload": upload,
            "result": result,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def school_import_preview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """What the import of the uploaded file would create, update and reject."""
    upload, _person = _own_upload(request, slug, pk)
    if upload.imported_at is not None:
        return redirect("core:school_import_result", slug=slug, pk=upload.pk)
    return _preview(request, upload)


@login_required
@require_POST
def school_import_confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Import the uploaded file as the preview showed it (checked again against the data of now)."""
    upload, person = _own_upload(request, slug, pk)
    try:
        schoolimport.upload_confirm(upload=upload, by=person)
    except schoolimport.FileRejected:
        return _preview(request, upload, status=400)
    flash.success(request, _("The school data have been imported."))
    return redirect("core:school_import_result", slug=slug, pk=upload.pk)


@login_required
@require_GET
def school_import_result(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """What the confirmed import did."""
    upload, _person = _own_upload(request, slug, pk)
    if upload.result is None:
        return redirect("core:school_import_preview", slug=slug, pk=upload.pk)
    return render(
        request,
        "core/school_import_result.html",
        {
            "organisation": upload.organisation,
            "upload": upload,
            "result": schoolimport.Result.from_dict(upload.result),
        },
    )
