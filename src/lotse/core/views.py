"""Views of core: the mail outbox for staff, the organisation's settings for its admins."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lotse.core import roles, services
from lotse.core.forms import OrganisationSettingsForm
from lotse.core.models import Organisation, OutboxMessage


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
    messages = _visible_outbox(request).only(
        "pk", "subject", "to", "status", "created_at", "sent_at", "bounced_at"
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
    return render(request, "core/outbox_detail.html", {"message": message})


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """A trivial view: the floor the benchmarks measure against, and a health check."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation admin sets the acknowledgement deadline and the reminder."""
    organisation = get_object_or_404(Organisation, slug=slug)
    person = roles.person_of(request)
    if not roles.has_role(person, roles.Kind.ADMIN, organisation):
        raise Http404
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
