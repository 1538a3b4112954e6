"""Views of the mail intake: mailbox settings for admins, quarantine for coordinators.
(A request's attachments are downloaded through `record_views`, with their visibility.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lotse.core import audit, roles, school_choice
from lotse.core.models import Site
from lotse.lib.steps import run_step
from lotse.support import permissions
from lotse.support.forms.mail import MailboxForm, QuarantineAcceptForm
from lotse.support.mail import imap, intake
from lotse.support.models import InboundMail, Mailbox
from lotse.support.selectors import requests as request_selectors
from lotse.support.services import mailboxes as mailbox_services


@login_required
@require_GET
def mailbox_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The sites of an organisation and the state of their mailboxes."""
    organisation, _person = permissions.admin_organisation(request, slug)
    sites = Site.objects.filter(organisation=organisation).select_related("mailbox")
    rows = [(site, getattr(site, "mailbox", None)) for site in sites]
    return render(
        request, "support/mailbox_list.html", {"organisation": organisation, "rows": rows}
    )


@login_required
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, slug: str, site_pk: int) -> HttpResponse:
    """Set up a site's mailbox, or test the connection with the values in the form."""
    organisation, _person = permissions.admin_organisation(request, slug)
    site = get_object_or_404(Site, pk=site_pk, organisation=organisation)
    mailbox = Mailbox.objects.filter(site=site).first()
    initial = (
        {
            "host": mailbox.host,
            "port": mailbox.port,
            "security": mailbox.security,
            "username": mailbox.username,
            "folder": mailbox.folder,
            "done_folder": mailbox.done_folder,
            "active": mailbox.active,
        }
        if mailbox
        else {"port": 993, "security": Mailbox.Security.SSL, "folder": "INBOX", "active": True}
    )
    form = MailboxForm(request.POST or None, initial=initial, has_password=mailbox is not None)
    test_result: tuple[bool, str] | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "test" in request.POST:
            password = data["password"] or (str(mailbox.password) if mailbox else "")
            test_result = imap.check_connection(
                imap.Settings(
                    data["host"],
                    data["port"],
                    data["security"],
                    data["username"],
                    password,
                    data["folder"],
                )
            )
        else:
            outcome = run_step(
                lambda: mailbox_services.mailbox_save(
                    site=site, by=roles.person_of(request), **data
                ),
                form=form,
            )
            if outcome.done:
                messages.success(
                    request, _("The mailbox of %(site)s has been saved.") % {"site": site.name}
                )
                return redirect("support:mailbox_list", slug=organisation.slug)
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(
        request,
        "support/mailbox_form.html",
        {
            "organisation": organisation,
            "site": site,
            "mailbox": mailbox,
            "form": form,
            "test_result": test_result,
        },
        status=status,
    )


@login_required
@require_GET
def quarantine_list(request: HttpRequest) -> HttpResponse:
    """Mail that could not be read, with the reason, for the coordinators of its site."""
    site_ids = permissions.quarantine_site_ids(roles.person_of(request))
    mails = (
        InboundMail.objects.filter(site_id__in=site_ids, outcome=InboundMail.Outcome.QUARANTINE)
        .select_related("site")
        .defer("raw")
    )
    page = Paginator(mails, 50).get_page(request.GET.get("page"))
    return render(request, "support/quarantine_list.html", {"page": page})


def _quarantined(request: HttpRequest, pk: int) -> InboundMail:
    site_ids = permissions.quarantine_site_ids(roles.person_of(request))
    mail = (
        InboundMail.objects.filter(
            pk=pk, site_id__in=site_ids, outcome=InboundMail.Outcome.QUARANTINE
        )
        .select_related("site__organisation")
        .first()
    )
    if mail is None:
        raise Http404
    return mail


@login_required
@require_http_methods(["GET", "POST"])
def quarantine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One quarantined mail: what could be read of it; take it as a request or delete it."""
    mail = _quarantined(request, pk)
    schools = request_selectors.schools_of_organisation(organisation=mail.site.organisation)
    form = QuarantineAcceptForm(
        request.POST or None, schools=schools, organisation=mail.site.organisation
    )
    searched = school_choice.searching(form)
    if request.method == "POST":
        person = roles.person_of(request)
        if request.POST.get("decision") == "discard":
            discarded = run_step(
                lambda: intake.quarantine_discard(mail=mail, by=person), flash=request
            )
            if discarded.done:
                messages.success(request, _("The mail has been deleted."))
                return redirect("support:quarantine")
        elif not searched and form.is_valid():
            accepted = run_step(
                lambda: intake.quarantine_accept(
                    mail=mail, by=person, school=form.cleaned_data["school"]
                ),
                flash=request,
            )
            if accepted.done:
                messages.success(request, _("The mail is now a request."))
                return redirect("support:detail", pk=accepted.value.pk)
    raw = bytes(mail.raw or b"")
    # The page shows the decrypted mail: one read of it, whatever the form said.
    audit.read(
        person=roles.person_of(request),
        role=roles.Kind.COORDINATOR,
        organisation=mail.site.organisation,
        subject=mail,
        what="quarantine_mail",
    )
    return render(
        request,
        "support/quarantine_detail.html",
        {
            "mail": mail,
            "form": form,
            "text": intake.readable_text(raw),
            "headers": intake.header_text(raw),
        },
        status=400 if request.method == "POST" and not searched else 200,
    )
