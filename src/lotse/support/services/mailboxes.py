"""Setting up a site's mailbox, from which the mail intake reads."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lotse.core.models import Person, Site
from lotse.support import permissions
from lotse.support.models import (
    Mailbox,
)
from lotse.support.workflow import WorkflowError


@transaction.atomic
def mailbox_save(
    *,
    site: Site,
    by: Person,
    host: str,
    port: int,
    security: str,
    username: str,
    password: str,
    folder: str,
    done_folder: str = "",
    active: bool = True,
) -> Mailbox:
    """An organisation admin sets up the site's mailbox; an empty password keeps the old one."""
    if not permissions.is_admin(by, site.organisation):
        raise WorkflowError(_("Only the organisation's admins may set up mailboxes."))
    mailbox = Mailbox.objects.filter(site=site).first() or Mailbox(site=site)
    mailbox.host = host.strip()
    mailbox.port = port
    mailbox.security = security
    mailbox.username = username.strip()
    if password:
        mailbox.password = password
    mailbox.folder = folder.strip() or "INBOX"
    mailbox.done_folder = done_folder.strip()
    mailbox.active = active
    mailbox.last_error = ""
    mailbox.save()
    return mailbox
